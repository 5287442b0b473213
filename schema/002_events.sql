-- 002_events: tracked users, the event store and its broadcast outbox,
-- and per-tenant settings.

ALTER TABLE tenants
	ADD COLUMN tracked_users INT UNSIGNED NOT NULL DEFAULT 0 AFTER tracked_user_limit;

-- One row per tenant and user_id, created by the user's first accepted
-- event. Scores and stage start at 0 and 'new'; the scores job moves them.
CREATE TABLE users (
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	-- Ids are the integrator's: compared byte for byte ("A@x.com" is not "a@x.com").
	user_id			VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order
	email			VARCHAR(320) NULL,
	name			VARCHAR(255) NULL,
	plan			VARCHAR(100) NULL,
	company			VARCHAR(255) NULL,
	traits			MEDIUMTEXT NOT NULL,		-- JSON object, merged by $identify
	lifecycle_stage		ENUM('new', 'onboarding', 'active', 'at_risk', 'churned', 'recovered')
				NOT NULL DEFAULT 'new',
	stage_changed_at	DATETIME NULL,
	activation_score	DOUBLE NOT NULL DEFAULT 0,
	engagement_score	DOUBLE NOT NULL DEFAULT 0,
	expansion_score		DOUBLE NOT NULL DEFAULT 0,
	risk_level		ENUM('low', 'medium', 'high') NOT NULL DEFAULT 'low',
	opted_out		TINYINT(1) NOT NULL DEFAULT 0,
	opted_out_at		DATETIME NULL,
	paused			TINYINT(1) NOT NULL DEFAULT 0,
	paused_at		DATETIME NULL,
	event_count		BIGINT UNSIGNED NOT NULL DEFAULT 0,
	first_seen_at		DATETIME NOT NULL,
	last_activity_at	DATETIME NULL,
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (tenant_id, user_id),
	UNIQUE KEY users_seq (seq),
	KEY users_list (tenant_id, seq),
	KEY users_stage (tenant_id, lifecycle_stage, seq),
	KEY users_risk (tenant_id, risk_level, seq)
	-- No foreign key to tenants: its check share-locks the tenant row, and
	-- two batches bringing new users then deadlock on the tracked-user
	-- count UPDATE of that row (seen in tests/bench). Like events, users
	-- are only ever written with a tenant_id taken from an API key.
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every accepted batch (product events, custom events, connector payloads)
-- gets one outbox row in the same transaction as its events. The delivery
-- issue's broadcaster claims outbox rows and fans their events out to
-- webhook subscribers; a row is the unit of work, so a crash between
-- commit and broadcast loses nothing.
CREATE TABLE event_outbox (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	source		VARCHAR(16) NOT NULL,
	event_count	INT UNSIGNED NOT NULL,
	test_mode	TINYINT(1) NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	KEY event_outbox_tenant (tenant_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The one event store the scoring, decision and playbook issues read.
-- kind says which API it came through; name is the event name
-- ("page_viewed") or the custom type ("custom.reward.redeemed").
CREATE TABLE events (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	name		VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	kind		ENUM('product', 'custom') NOT NULL,
	source		VARCHAR(16) NOT NULL,	-- api, external, segment, posthog, mixpanel
	properties	MEDIUMTEXT NOT NULL,	-- JSON object (custom events: data)
	occurred_at	DATETIME NOT NULL,
	received_at	DATETIME NOT NULL,
	test_mode	TINYINT(1) NOT NULL DEFAULT 0,
	dedupe_key	VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,	-- message_id
	outbox_id	BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY events_dedupe (tenant_id, dedupe_key),
	-- Both per-user indexes cover the scores job's reads (time, name), so
	-- scoring a user never fetches event rows (tests/bench/scores.sh).
	KEY events_user (tenant_id, user_id, occurred_at, name),
	KEY events_user_name (tenant_id, user_id, name, occurred_at),	-- milestones
	KEY events_name (tenant_id, name, occurred_at),
	KEY events_outbox (outbox_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tenant configuration: settings and brand are JSON objects validated by
-- lib/settings.c; defaults are merged on read, so a missing row is fine.
CREATE TABLE tenant_settings (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	settings	MEDIUMTEXT NOT NULL,
	brand		MEDIUMTEXT NOT NULL,
	kill_switch	TINYINT(1) NOT NULL DEFAULT 0,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (tenant_id),
	CONSTRAINT tenant_settings_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
