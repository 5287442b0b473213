-- 003_delivery: external actions and their outcomes, webhook endpoints,
-- the delivery outbox with its attempts, and platform connections.

-- Actions dispatched to a tenant's external platforms (seed 000). Status
-- only moves forward: pending -> dispatched -> delivered -> completed,
-- or to failed / expired.
CREATE TABLE actions (
	id			VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,		-- ea_...
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	action_type_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	action_type		VARCHAR(64) NOT NULL,		-- the type's name, as dispatched
	provider		VARCHAR(100) NOT NULL,
	user_id			VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	parameters		MEDIUMTEXT NOT NULL,		-- JSON object
	reasoning		TEXT NULL,
	confidence		DOUBLE NULL,
	status			ENUM('pending', 'dispatched', 'delivered', 'completed', 'failed',
				    'expired') NOT NULL DEFAULT 'pending',
	test_mode		TINYINT(1) NOT NULL DEFAULT 0,
	estimated_cost_usd	DECIMAL(14,6) NULL,
	expires_at		DATETIME NOT NULL,		-- undelivered by then: expired
	created_at		DATETIME NOT NULL,
	dispatched_at		DATETIME NULL,
	delivered_at		DATETIME NULL,
	completed_at		DATETIME NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY actions_seq (seq),
	KEY actions_list (tenant_id, seq),
	KEY actions_status (tenant_id, status, seq),
	KEY actions_user (tenant_id, user_id, seq),
	KEY actions_expiry (status, expires_at),
	KEY actions_cost (tenant_id, created_at),
	CONSTRAINT actions_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One outcome per action: the primary key makes a second report (even a
-- concurrent one) a duplicate-key error, answered 409.
CREATE TABLE action_outcomes (
	action_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	status		ENUM('completed', 'ignored', 'rejected', 'partial') NOT NULL,
	result		MEDIUMTEXT NULL,	-- JSON object from the platform
	reported_at	DATETIME NOT NULL,
	PRIMARY KEY (action_id),
	KEY action_outcomes_tenant (tenant_id, reported_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Subscriptions that receive pushed events (SPEC.md /api/webhooks/endpoints).
CREATE TABLE webhook_endpoints (
	id			VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,		-- wh_...
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	url			VARCHAR(2048) NOT NULL,
	description		VARCHAR(500) NULL,
	subscribed_events	TEXT NOT NULL,			-- JSON array of event types
	active			TINYINT(1) NOT NULL DEFAULT 1,
	disabled_reason		VARCHAR(200) NULL,		-- set when auto-disabled
	secret_enc		VARCHAR(255) CHARACTER SET ascii NOT NULL,	-- sealed
	failing_since		DATETIME NULL,		-- first failure after the last success
	last_success_at		DATETIME NULL,
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY webhook_endpoints_seq (seq),
	KEY webhook_endpoints_list (tenant_id, seq),
	CONSTRAINT webhook_endpoints_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The one outbox of HTTP deliveries: action dispatches, event broadcasts,
-- test pings. The body is stored as the exact bytes to sign and send. The
-- dispatch job claims due rows by setting a lease (owner and expiry); a
-- job that dies leaves its lease to expire, and the row is claimed again.
CREATE TABLE deliveries (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	msg_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,		-- webhook-id; the action id for actions
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	kind		ENUM('action', 'event', 'ping', 'rollback') NOT NULL,
	action_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	endpoint_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	url		VARCHAR(2048) NOT NULL,
	secret_enc	VARCHAR(255) CHARACTER SET ascii NOT NULL,	-- sealed signing secret
	body		MEDIUMTEXT NOT NULL,
	state		ENUM('pending', 'succeeded', 'failed') NOT NULL DEFAULT 'pending',
	attempts	INT UNSIGNED NOT NULL DEFAULT 0,
	next_attempt_at	DATETIME NOT NULL,
	lease_owner	VARCHAR(64) NULL,
	lease_until	DATETIME NULL,
	last_status	INT NULL,
	last_error	VARCHAR(500) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	KEY deliveries_due (state, next_attempt_at),
	KEY deliveries_lease (lease_owner),
	KEY deliveries_action (action_id),
	KEY deliveries_endpoint (endpoint_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every attempt: when, what came back, how long it took.
CREATE TABLE delivery_attempts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	delivery_id	BIGINT UNSIGNED NOT NULL,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	attempt		INT UNSIGNED NOT NULL,
	attempted_at	DATETIME NOT NULL,
	status_code	INT NULL,		-- NULL when no HTTP answer
	latency_ms	INT UNSIGNED NOT NULL,
	error		VARCHAR(500) NULL,
	PRIMARY KEY (id),
	KEY delivery_attempts_delivery (delivery_id, attempt)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Pre-built platform connectors a tenant connected (seed 000).
CREATE TABLE platform_connections (
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	platform_id		VARCHAR(64) NOT NULL,
	credentials_enc		TEXT CHARACTER SET ascii NOT NULL,	-- sealed JSON
	connected_at		DATETIME NOT NULL,
	disconnected_at		DATETIME NULL,
	PRIMARY KEY (tenant_id, platform_id),
	CONSTRAINT platform_connections_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE action_types
	ADD COLUMN platform_id VARCHAR(64) NULL AFTER provider,
	ADD COLUMN ttl_seconds INT UNSIGNED NOT NULL DEFAULT 86400 AFTER estimated_cost_usd;
