-- 008_activities: commerces (the merchants, stores and accounts that
-- activities target), activities (seed 004: TASK/MESSAGE for a commerce)
-- and the tenant's activity settings; deliveries learn the kind 'activity'.

-- A commerce with its contacts and attributes. Contacts are a JSON array
-- kept inside the row: they are read whole by target resolution
-- (lib/resolve.c) and written whole by the API, never queried one by one.
CREATE TABLE commerces (
	id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,		-- UUID
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	external_id	VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,	-- the tenant's own id
	name		VARCHAR(255) NOT NULL,
	contacts	MEDIUMTEXT NOT NULL,		-- JSON array (lib/commerce.h)
	attributes	MEDIUMTEXT NOT NULL,		-- JSON object
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY commerces_seq (seq),
	UNIQUE KEY commerces_external (tenant_id, external_id),	-- NULLs do not collide
	KEY commerces_list (tenant_id, seq),
	CONSTRAINT commerces_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Activities. Status: READY -> DISPATCHED -> COMPLETED / FAILED (a result
-- of not_executed, or the delivery finally failing); READY <-> UNRESOLVED
-- while targets or attributes cannot be resolved; CANCELED from READY or
-- UNRESOLVED. The unique (tenant_id, idempotency_key) makes a repeated
-- create, even a concurrent one, a duplicate-key error answered 409.
CREATE TABLE activities (
	id			CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- UUID
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	commerce_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	type			ENUM('TASK', 'MESSAGE') NOT NULL,
	channel			ENUM('SALESMAN', 'CALLCENTER', 'WHATSAPP', 'EMAIL', 'SMS', 'PUSH') NOT NULL,
	status			ENUM('READY', 'UNRESOLVED', 'DISPATCHED', 'COMPLETED', 'FAILED',
				    'CANCELED') NOT NULL,
	reason			VARCHAR(500) NOT NULL,
	idempotency_key		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	scheduled_at		DATETIME NOT NULL,
	suggested_execution_time DATETIME NULL,
	user_status		VARCHAR(100) NULL,
	score			BIGINT NULL,
	assignment_reason	VARCHAR(500) NULL,
	target_criteria		MEDIUMTEXT NULL,	-- JSON array as given; NULL: tenant default
	attribute_keys		TEXT NOT NULL,		-- JSON array of keys
	caller_attributes	MEDIUMTEXT NOT NULL,	-- JSON array [{key, value, fallback}]
	targets			MEDIUMTEXT NOT NULL,	-- JSON array of resolved targets
	attributes		MEDIUMTEXT NOT NULL,	-- JSON object of resolved values
	unresolved		TEXT NULL,		-- JSON array of reasons, when UNRESOLVED
	targets_resolved	TINYINT(1) NOT NULL DEFAULT 0,
	result			ENUM('completed', 'not_executed', 'canceled', 'transferred') NULL,
	result_notes		TEXT NULL,
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	dispatched_at		DATETIME NULL,
	finished_at		DATETIME NULL,		-- COMPLETED, FAILED or CANCELED
	claim_owner		VARCHAR(64) NULL,	-- the job run dispatching it
	claim_until		DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY activities_seq (seq),
	UNIQUE KEY activities_idempotency (tenant_id, idempotency_key),
	KEY activities_list (tenant_id, seq),
	KEY activities_status (tenant_id, status, seq),
	KEY activities_commerce (tenant_id, commerce_id, seq),
	KEY activities_due (status, scheduled_at),
	KEY activities_claim (claim_owner),
	CONSTRAINT activities_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id),
	CONSTRAINT activities_commerce_fk FOREIGN KEY (commerce_id) REFERENCES commerces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-tenant activity settings (lib/resolve.h): target defaults, when
-- targets resolve, attribute policies, provider endpoints. A missing row
-- reads as the defaults.
CREATE TABLE activity_settings (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	settings	MEDIUMTEXT NOT NULL,		-- JSON object
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (tenant_id),
	CONSTRAINT activity_settings_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Activity dispatches go through the one outbox; action_id holds the
-- activity id for them.
ALTER TABLE deliveries MODIFY kind ENUM('action', 'event', 'ping', 'rollback', 'activity') NOT NULL;
