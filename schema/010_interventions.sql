-- 010_interventions: interventions, their history, and escalations (issue 7).
--
-- An intervention is one message or action planned for one user. Its
-- status only moves along lib/intervention.c's table; every move is a
-- guarded UPDATE plus an intervention_history row in one transaction.
-- The deliver job claims rows (status approved, planned_at and
-- next_attempt_at due, lease free) by stamping lease_owner/lease_until,
-- as lib/delivery.c does for deliveries. test_mode / shadow / holdout are
-- kept as flags beside the status so a report can tell them apart after
-- the status has moved on. external_ref holds what the channel handed
-- back: the ea_ action id, the SMTP Message-ID, or the delivery msg id.
CREATE TABLE interventions (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- int_...
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	playbook_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	status		ENUM('pending_approval', 'approved', 'paused', 'rejected', 'sending',
			    'sent', 'delivered', 'failed', 'rolled_back', 'shadow', 'control',
			    'cancelled') NOT NULL,
	channel		ENUM('email', 'webhook', 'external_action', 'escalation') NOT NULL,
	source		ENUM('playbook', 'manual', 'winback') NOT NULL DEFAULT 'playbook',
	subject		VARCHAR(500) NULL,
	message_body	MEDIUMTEXT NOT NULL,
	message_html	MEDIUMTEXT NULL,
	action_type	VARCHAR(64) NULL,
	parameters	MEDIUMTEXT NULL,		-- JSON object
	reasoning	TEXT NULL,
	confidence	DOUBLE NULL,
	decision_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	quality_checks	MEDIUMTEXT NULL,		-- JSON array of {check, passed, detail}
	flagged		TINYINT(1) NOT NULL DEFAULT 0,
	flag_reason	TEXT NULL,
	reject_reason	TEXT NULL,
	rollback_reason	TEXT NULL,
	test_mode	TINYINT(1) NOT NULL DEFAULT 0,
	shadow		TINYINT(1) NOT NULL DEFAULT 0,
	holdout		TINYINT(1) NOT NULL DEFAULT 0,
	winback_offset	INT NULL,
	planned_at	DATETIME NOT NULL,
	approved_at	DATETIME NULL,
	sent_at		DATETIME NULL,
	delivered_at	DATETIME NULL,
	failed_at	DATETIME NULL,
	attempts	INT UNSIGNED NOT NULL DEFAULT 0,
	next_attempt_at	DATETIME NOT NULL,
	lease_owner	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
	lease_until	DATETIME NULL,
	last_error	VARCHAR(500) NULL,
	external_ref	VARCHAR(255) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY interventions_seq (seq),
	KEY interventions_list (tenant_id, seq),
	KEY interventions_status (tenant_id, status, seq),
	KEY interventions_user (tenant_id, user_id, created_at),
	KEY interventions_playbook (tenant_id, playbook_id, user_id, created_at),
	KEY interventions_due (status, next_attempt_at),
	CONSTRAINT interventions_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every status an intervention took, who moved it and why (from_status
-- NULL: created).
CREATE TABLE intervention_history (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	intervention_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	from_status	VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NULL,
	to_status	VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	actor		VARCHAR(128) NULL,
	reason		TEXT NULL,
	at		DATETIME NOT NULL,
	PRIMARY KEY (id),
	KEY intervention_history_of (intervention_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Cases for a human (SPEC.md /api/escalations): open -> handled | delegated.
CREATE TABLE escalations (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- esc_...
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	playbook_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	intervention_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	severity	ENUM('low', 'medium', 'high', 'critical') NOT NULL,
	reason		TEXT NOT NULL,
	status		ENUM('open', 'handled', 'delegated') NOT NULL DEFAULT 'open',
	action_taken	TEXT NULL,
	delegated_to	VARCHAR(320) NULL,
	delegate_note	TEXT NULL,
	handled_at	DATETIME NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY escalations_seq (seq),
	KEY escalations_list (tenant_id, seq),
	KEY escalations_status (tenant_id, status, seq),
	CONSTRAINT escalations_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
