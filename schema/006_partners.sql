-- 006_partners: the Partner API (seed 002). A partner tenant provisions
-- customer tenants (rows of `tenants` with role 'customer' and
-- parent_tenant_id = the partner) and registers integrations: a webhook
-- secret, action type templates and event mappings, shared with its
-- customers. Every table names the partner in tenant_id, so each query of
-- a partner's data has `tenant_id = ?`; shares also name the customer.

-- The config object a partner gave a customer at provisioning, as given.
CREATE TABLE partner_customer_configs (
	customer_tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- the partner
	config			MEDIUMTEXT NOT NULL,	-- JSON object
	created_at		DATETIME NOT NULL,
	PRIMARY KEY (customer_tenant_id),
	KEY partner_customer_configs_partner (tenant_id),
	CONSTRAINT partner_customer_configs_customer_fk FOREIGN KEY (customer_tenant_id)
		REFERENCES tenants (id),
	CONSTRAINT partner_customer_configs_partner_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE partner_integrations (
	id			VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- pi_…
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- the partner
	provider		VARCHAR(100) NOT NULL,
	display_name		VARCHAR(200) NOT NULL,
	domain			VARCHAR(100) NULL,
	active			TINYINT(1) NOT NULL DEFAULT 1,
	-- AES-256-GCM token; copied as is into every action type the
	-- integration registers in a customer, so one secret verifies them all.
	webhook_secret_enc	VARCHAR(255) CHARACTER SET ascii NOT NULL,
	created_at		DATETIME NOT NULL,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY partner_integrations_seq (seq),
	UNIQUE KEY partner_integrations_provider (tenant_id, provider),
	KEY partner_integrations_list (tenant_id, seq),
	CONSTRAINT partner_integrations_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Action type templates. A name is unique across all of a partner's
-- integrations, so sharing several integrations with one new customer can
-- never collide on a name.
CREATE TABLE partner_integration_templates (
	integration_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	position		SMALLINT UNSIGNED NOT NULL,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- the partner
	name			VARCHAR(64) NOT NULL,
	description		TEXT NOT NULL,
	parameters_schema	MEDIUMTEXT NOT NULL,
	delivery_webhook	VARCHAR(2048) NOT NULL,
	estimated_cost_usd	VARCHAR(32) NULL,	-- decimal text, as in action_types
	PRIMARY KEY (integration_id, position),
	UNIQUE KEY partner_integration_templates_name (tenant_id, name),
	CONSTRAINT partner_integration_templates_fk FOREIGN KEY (integration_id)
		REFERENCES partner_integrations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- {"from": "order_completed", "to": "purchase"}: a product event named
-- `from` sent by a customer that has the integration is stored as `to`.
CREATE TABLE partner_event_mappings (
	integration_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	position		SMALLINT UNSIGNED NOT NULL,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- the partner
	from_name		VARCHAR(200) NOT NULL,
	to_name			VARCHAR(200) NOT NULL,
	PRIMARY KEY (integration_id, position),
	CONSTRAINT partner_event_mappings_fk FOREIGN KEY (integration_id)
		REFERENCES partner_integrations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (integration, customer): the primary key is what makes a
-- second share register nothing. Ingestion reads a customer's mappings
-- through partner_shares_customer, so only customer tenants pay a lookup.
CREATE TABLE partner_shares (
	integration_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	customer_tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- the partner
	action_types_registered	INT UNSIGNED NOT NULL,
	shared_at		DATETIME NOT NULL,
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- share order
	PRIMARY KEY (integration_id, customer_tenant_id),
	UNIQUE KEY partner_shares_seq (seq),
	KEY partner_shares_customer (customer_tenant_id, seq),
	CONSTRAINT partner_shares_integration_fk FOREIGN KEY (integration_id)
		REFERENCES partner_integrations (id),
	CONSTRAINT partner_shares_customer_fk FOREIGN KEY (customer_tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
