-- From a security review: the application role no longer reads password
-- hashes, refresh-token families have an absolute lifetime, and the login
-- throttle counts per (username, address) and per address.

-- cansd_app reads every column of users but password_hash; only the owner's
-- SECURITY DEFINER login function (cansd.login_attempt) reads that one.
-- Writing it stays allowed (creating a user, changing a password).
REVOKE SELECT ON cansd.users FROM cansd_app;
GRANT SELECT (id, username, full_name, email, roles, supervisor_id, program, active, version,
	created_at, updated_at) ON cansd.users TO cansd_app;

-- When the family began: rotation never extends a family past
-- CANSD_REFRESH_FAMILY_MAX_AGE from here.
ALTER TABLE cansd.refresh_tokens ADD COLUMN family_started_at timestamptz;
UPDATE cansd.refresh_tokens t SET family_started_at = f.started
FROM (SELECT family_id, min(issued_at) AS started FROM cansd.refresh_tokens GROUP BY family_id) f
WHERE t.family_id = f.family_id;
ALTER TABLE cansd.refresh_tokens ALTER COLUMN family_started_at SET DEFAULT now(),
	ALTER COLUMN family_started_at SET NOT NULL;
-- Revoking every family of a user, and purging what expired.
CREATE INDEX refresh_tokens_user_idx ON cansd.refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_expires_idx ON cansd.refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_revoked_idx ON cansd.refresh_tokens (revoked_at)
	WHERE revoked_at IS NOT NULL;

-- Failures are counted per (username, address) and per address; the old
-- per-username index no longer answers a question we ask.
DROP INDEX cansd.login_failures_username_idx;
CREATE INDEX login_failures_user_addr_idx ON cansd.login_failures (username, client_addr, at);
CREATE INDEX login_failures_at_idx ON cansd.login_failures (at);
