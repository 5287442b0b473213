-- 005_decisions: the decision engine (issue 6). The log of every
-- recommendation with what the policy knew and the probability it gave
-- the chosen action (offline evaluation), the learned reward mass per
-- tenant, context bucket and action, the partner pool those sum into,
-- and the users' previous engagement for the reasoning's trend clause.

-- One row per recommendation. Outcome columns stay NULL until reported;
-- behaviour_reward becomes 1 when the user's stage improves within the
-- credit window (the scores job).
CREATE TABLE decisions (
	id			VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- dec_...
	seq			BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order
	tenant_id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id			VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	domain			VARCHAR(100) NULL,
	bucket			VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	action_name		VARCHAR(64) NOT NULL,
	parameters		MEDIUMTEXT NOT NULL,		-- JSON object
	confidence		DOUBLE NOT NULL,		-- posterior mean of the chosen arm
	propensity		DOUBLE NOT NULL,		-- p_best of the chosen arm, (0, 1]
	explored		TINYINT(1) NOT NULL DEFAULT 0,
	reasoning		TEXT NOT NULL,
	candidates		MEDIUMTEXT NOT NULL,		-- JSON [{"action","mean","p_best"}]
	context			MEDIUMTEXT NULL,		-- the request's context object
	action_id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,	-- ea_... linked
	outcome_status		ENUM('completed', 'partial', 'ignored', 'rejected') NULL,
	outcome_result		MEDIUMTEXT NULL,		-- JSON object reported with it
	reward			DOUBLE NULL,
	behaviour_reward	DOUBLE NULL,
	created_at		DATETIME NOT NULL,
	outcome_at		DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY decisions_seq (seq),
	KEY decisions_list (tenant_id, seq),
	KEY decisions_user (tenant_id, user_id, created_at),
	KEY decisions_action (tenant_id, action_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The reward mass of one tenant's action in one context bucket
-- (lib/decide.h struct decide_stats) and the per-parameter-value mass
-- that steers parameter choice. Written only when an outcome or a
-- behaviour reward arrives, never on the recommend path.
CREATE TABLE decision_arms (
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	bucket		VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	action_name	VARCHAR(64) NOT NULL,
	succ		DOUBLE NOT NULL DEFAULT 0,
	fail		DOUBLE NOT NULL DEFAULT 0,
	n		INT UNSIGNED NOT NULL DEFAULT 0,	-- rewards that fed it
	param_stats	MEDIUMTEXT NOT NULL,			-- {"param": {"<value>": [succ, fail]}}
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (tenant_id, bucket, action_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The same mass summed over a partner's customer tenants: a customer's
-- prior is this minus its own arm, so only sums are ever read, never
-- another tenant's rows or ids.
CREATE TABLE decision_pool (
	partner_tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	bucket			VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	action_name		VARCHAR(64) NOT NULL,
	succ			DOUBLE NOT NULL DEFAULT 0,
	fail			DOUBLE NOT NULL DEFAULT 0,
	updated_at		DATETIME NOT NULL,
	PRIMARY KEY (partner_tenant_id, bucket, action_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The engagement score before the scores job's last write (NULL: never
-- rescored), for the engagement-trend clause of the reasoning.
ALTER TABLE users
	ADD COLUMN engagement_prev DOUBLE NULL AFTER engagement_score;
