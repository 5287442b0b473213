-- 009_playbooks: playbooks (issue 7) and the conversions their uplift
-- report counts.
--
-- The four JSON columns hold what the client sent, after lib/playbook.c
-- validated it at save time, so evaluation never meets a malformed rule.
-- starter_key names the starter playbook a row was installed from; the
-- unique key makes installing the starter set idempotent (NULLs repeat).
CREATE TABLE playbooks (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- pb_...
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	name		VARCHAR(200) NOT NULL,
	lifecycle_area	ENUM('onboarding', 'churn_prevention', 'retention', 'upsell', 'winback')
			NOT NULL,
	status		ENUM('draft', 'active', 'paused', 'archived') NOT NULL DEFAULT 'draft',
	entry_conditions MEDIUMTEXT NOT NULL,
	exit_conditions	MEDIUMTEXT NOT NULL,
	constraints	MEDIUMTEXT NOT NULL,
	strategy_hints	MEDIUMTEXT NOT NULL,
	starter_key	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY playbooks_seq (seq),
	UNIQUE KEY playbooks_starter (tenant_id, starter_key),
	KEY playbooks_list (tenant_id, seq),
	KEY playbooks_status (tenant_id, status, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A user of a playbook's treated group (an intervention of it delivered)
-- or control group (an intervention of it held back as control) whose exit
-- condition was observed to hold after that intervention: one row per
-- playbook and user, the first observation. Written by
-- playbook_conversions_refresh() (the report route and each evaluate run).
CREATE TABLE playbook_conversions (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	playbook_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id		VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	grp		ENUM('treated', 'control') NOT NULL,
	intervention_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	converted_at	DATETIME NOT NULL,
	PRIMARY KEY (tenant_id, playbook_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
