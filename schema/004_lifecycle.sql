-- 004_lifecycle: the lifecycle stage history, the win-back sequence of
-- churned users, the scores job's watermark, and when a user was scored.

-- Every stage change the scores job makes, with its reason sentence, so
-- the customers API can show when a user churned and win-back can count
-- days from it. Rows are only ever inserted.
CREATE TABLE stage_transitions (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	from_stage	ENUM('new', 'onboarding', 'active', 'at_risk', 'churned', 'recovered') NOT NULL,
	to_stage	ENUM('new', 'onboarding', 'active', 'at_risk', 'churned', 'recovered') NOT NULL,
	reason		VARCHAR(300) NOT NULL,
	transitioned_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	KEY stage_transitions_user (tenant_id, user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The win-back sequence of one churn: one row per offset of the tenant's
-- winback_days, keyed by the churn instant (users.stage_changed_at when
-- the user became churned), so a second churn starts a new sequence and a
-- rerun of the job creates nothing twice. retivo-winback moves rows from
-- scheduled to due inside seed 003's bands (7-14, 30-45, 60-75 days: an
-- offset under 30 days has a band of 7 days, a later one of 15), and
-- cancels them when the band has passed or the user recovered, opted out
-- or was paused; the playbook issue turns due rows into interventions and
-- marks them taken.
CREATE TABLE winback_entries (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	churned_at	DATETIME NOT NULL,
	offset_days	SMALLINT UNSIGNED NOT NULL,
	due_at		DATETIME NOT NULL,
	band_end_at	DATETIME NOT NULL,	-- due after this: too late, cancelled
	status		ENUM('scheduled', 'due', 'cancelled', 'taken') NOT NULL DEFAULT 'scheduled',
	cancel_reason	ENUM('recovered', 'opted_out', 'paused', 'expired') NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (tenant_id, user_id, churned_at, offset_days),
	KEY winback_entries_due (status, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Watermarks of incremental jobs: the scores job has scored every event
-- up to last_event_id, and ran its daily pass over all users at
-- last_full_run.
CREATE TABLE job_cursors (
	name		VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	last_event_id	BIGINT UNSIGNED NOT NULL DEFAULT 0,
	last_full_run	DATETIME NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When the scores job last wrote the user's scores or stage (NULL: never).
ALTER TABLE users
	ADD COLUMN scored_at DATETIME NULL AFTER risk_level,
	ADD KEY users_churned (lifecycle_stage, opted_out, paused);
