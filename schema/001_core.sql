-- 001_core: tenants, API keys, rate counters and action types.
-- Every table is InnoDB and utf8mb4; every DATETIME holds UTC. Ids (UUIDs
-- and prefixed ids) are ascii_bin: compared byte for byte, and cheaper to
-- compare than a Unicode collation on every index lookup (tests/bench).

CREATE TABLE tenants (
	id			CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	name			VARCHAR(200) NOT NULL,
	slug			VARCHAR(100) NOT NULL,
	role			ENUM('standalone', 'partner', 'customer') NOT NULL DEFAULT 'standalone',
	parent_tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
	plan_tier		ENUM('starter', 'growth', 'scale', 'custom') NOT NULL DEFAULT 'starter',
	plan_status		ENUM('active', 'trialing', 'past_due', 'canceled') NOT NULL DEFAULT 'active',
	tracked_user_limit	INT UNSIGNED NOT NULL DEFAULT 1000,
	api_limit_override	INT UNSIGNED NULL,	-- custom plans: requests per hour
	track_limit_override	INT UNSIGNED NULL,	-- custom plans: events per hour
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY tenants_slug (slug),
	KEY tenants_parent (parent_tenant_id, created_at),
	CONSTRAINT tenants_parent_fk FOREIGN KEY (parent_tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_keys (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order, newest first
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	label		VARCHAR(200) NOT NULL DEFAULT '',
	mode		ENUM('live', 'test') NOT NULL,
	scopes		VARCHAR(200) NOT NULL,
	prefix		VARCHAR(16) NOT NULL,
	key_hash	CHAR(64) CHARACTER SET ascii NOT NULL,	-- SHA-256 hex of the key
	created_at	DATETIME NOT NULL,
	last_used_at	DATETIME NULL,
	revoked_at	DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY api_keys_hash (key_hash),
	UNIQUE KEY api_keys_seq (seq),
	KEY api_keys_tenant (tenant_id, seq),
	CONSTRAINT api_keys_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per tenant, bucket and clock hour; old hours are pruned by the
-- gc command of retivo-admin.
CREATE TABLE rate_counters (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	bucket		ENUM('api', 'track') NOT NULL,
	window_start	BIGINT NOT NULL,	-- unix seconds, start of the hour
	count		BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (tenant_id, bucket, window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE action_types (
	id			VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	name			VARCHAR(64) NOT NULL,
	description		TEXT NOT NULL,
	provider		VARCHAR(100) NOT NULL,
	domain			VARCHAR(100) NULL,
	parameters_schema	MEDIUMTEXT NOT NULL,
	delivery_webhook	VARCHAR(2048) NOT NULL,
	estimated_cost_usd	VARCHAR(32) NULL,
	webhook_secret_enc	VARCHAR(255) CHARACTER SET ascii NOT NULL,	-- AES-256-GCM token
	active			TINYINT(1) NOT NULL DEFAULT 1,
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY action_types_name (tenant_id, name),
	UNIQUE KEY action_types_seq (seq),
	KEY action_types_list (tenant_id, seq),
	CONSTRAINT action_types_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
