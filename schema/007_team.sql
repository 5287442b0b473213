-- 007_team: team members, invitations, dashboard sessions and the audit log
-- (issue 8, seed 003). Passwords and tokens are stored only as hashes:
-- members.password_hash is "pbkdf2-sha256$<iterations>$<salt>$<hash>"
-- (lib/password.c); invitation and session tokens are SHA-256 hex, since
-- they carry 256 random bits and need no slow hash.

-- One account per email across the installation, so that sign-in needs
-- only {email, password}; the email column's collation is case-insensitive.
CREATE TABLE members (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- mem_…
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,	-- list order
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	email		VARCHAR(254) NOT NULL,
	name		VARCHAR(200) NULL,
	role		ENUM('admin', 'editor', 'viewer') NOT NULL,
	password_hash	VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	last_login_at	DATETIME NULL,
	PRIMARY KEY (id),
	UNIQUE KEY members_email (email),
	UNIQUE KEY members_seq (seq),
	KEY members_tenant (tenant_id, seq),
	CONSTRAINT members_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An invitation is pending while accepted_at and revoked_at are NULL and
-- expires_at is in the future; pending ones count against the plan's seats.
CREATE TABLE invitations (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- inv_…
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	email		VARCHAR(254) NOT NULL,
	role		ENUM('admin', 'editor', 'viewer') NOT NULL,
	token_hash	CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	invited_by	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,	-- key or member id
	created_at	DATETIME NOT NULL,
	expires_at	DATETIME NOT NULL,
	accepted_at	DATETIME NULL,
	revoked_at	DATETIME NULL,
	member_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	PRIMARY KEY (id),
	UNIQUE KEY invitations_token (token_hash),
	UNIQUE KEY invitations_seq (seq),
	KEY invitations_tenant (tenant_id, seq),
	CONSTRAINT invitations_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A session lives until expires_at (absolute) and while last_seen_at is
-- recent enough (idle timeout, lib/session.c); the cookie holds the token,
-- the row only its SHA-256.
CREATE TABLE member_sessions (
	token_hash	CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	member_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	csrf_token	CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	created_at	DATETIME NOT NULL,
	last_seen_at	DATETIME NOT NULL,
	expires_at	DATETIME NOT NULL,
	PRIMARY KEY (token_hash),
	KEY member_sessions_member (member_id),
	KEY member_sessions_expiry (expires_at),
	CONSTRAINT member_sessions_member_fk FOREIGN KEY (member_id) REFERENCES members (id)
	    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every successful state change (lib/http.c) and every sign-in event.
CREATE TABLE audit_logs (
	id		VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,	-- aud_…
	seq		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	tenant_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	actor_type	ENUM('api_key', 'member', 'anonymous') NOT NULL,
	actor_id	VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NULL,
	action		VARCHAR(240) NOT NULL,	-- "POST /api/keys" or "auth.login"
	method		VARCHAR(8) CHARACTER SET ascii NULL,
	route		VARCHAR(200) NULL,	-- the route pattern, "/api/keys/:id"
	object_id	VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
	status		SMALLINT NOT NULL,
	remote_addr	VARCHAR(64) NULL,
	user_agent	VARCHAR(512) NULL,
	request_id	VARCHAR(32) CHARACTER SET ascii NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY audit_logs_seq (seq),
	KEY audit_logs_tenant (tenant_id, seq),
	KEY audit_logs_actor (tenant_id, actor_id, seq),
	KEY audit_logs_object (tenant_id, object_id, seq),
	CONSTRAINT audit_logs_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
