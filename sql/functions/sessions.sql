-- Functions, policies and triggers of sessions (tables: sql/migrations/001_identity.sql).
-- Re-applied at every start (scripts/lib.sh apply_sql_source); idempotent.
-- The functions behind /auth and the per-request identity. They run before
-- there is a user in the request context, so they are SECURITY DEFINER and
-- do exactly one thing each.

-- The caller as every request needs it: one row, one round trip, plain
-- columns (C builds the /me JSON: json_build_object here cost 40% of the
-- lookup). plpgsql so its plan is cached per session; it runs on every
-- request. roles includes certified_cans_user when current; missing is a
-- comma-separated list of the certification conditions that fail.
CREATE OR REPLACE FUNCTION cansd.identity(uid bigint, by_username text,
	OUT id bigint, OUT active boolean, OUT roles text, OUT certified boolean,
	OUT username text, OUT full_name text, OUT email text, OUT supervisor_id bigint,
	OUT program text, OUT certified_until date, OUT missing text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF uid IS NULL THEN
		SELECT u.id INTO uid FROM cansd.users u WHERE u.username = by_username;
	END IF;
	SELECT u.id, u.active,
	       array_to_string(u.roles || CASE WHEN c.certified THEN ARRAY['certified_cans_user']
	                                       ELSE '{}' END, ','),
	       c.certified, u.username, u.full_name, u.email, u.supervisor_id, u.program,
	       c.certified_until, array_to_string(c.missing, ',')
	INTO id, active, roles, certified, username, full_name, email, supervisor_id, program,
	     certified_until, missing
	FROM cansd.users u, LATERAL cansd.certification(u.id, current_date) c
	WHERE u.id = uid;
END
$$;

-- Login step 1: the stored hash and whether this username or address is
-- over its failure budget (10 per username in 15 minutes, 30 per address in
-- a minute). Unknown users come back as a row with a NULL id, so the caller
-- spends the same time on them.
CREATE OR REPLACE FUNCTION cansd.login_lookup(uname text, addr text,
	OUT user_id bigint, OUT password_hash text, OUT active boolean, OUT retry_after integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	WITH by_user AS (
		SELECT count(*) AS n, min(at) AS oldest FROM cansd.login_failures
		WHERE username = uname AND at > now() - interval '15 minutes'),
	by_addr AS (
		SELECT count(*) AS n, min(at) AS oldest FROM cansd.login_failures
		WHERE client_addr = addr AND at > now() - interval '1 minute')
	SELECT u.id, u.password_hash, u.active,
	       greatest(
	           CASE WHEN by_user.n >= 10 THEN ceil(extract(epoch FROM
	               by_user.oldest + interval '15 minutes' - now()))::integer END,
	           CASE WHEN by_addr.n >= 30 THEN ceil(extract(epoch FROM
	               by_addr.oldest + interval '1 minute' - now()))::integer END)
	FROM by_user, by_addr LEFT JOIN cansd.users u ON u.username = uname
$$;

CREATE OR REPLACE FUNCTION cansd.login_failed(uname text, addr text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	INSERT INTO cansd.login_failures (username, client_addr) VALUES (left(uname, 200), addr);
	DELETE FROM cansd.login_failures WHERE at < now() - interval '1 day';
$$;

-- Starts a new refresh-token family for a successful login.
CREATE OR REPLACE FUNCTION cansd.session_start(uid bigint, token_hash bytea, ttl_seconds integer,
	request_id text, addr text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	PERFORM cansd.begin_request(uid, request_id, addr);
	INSERT INTO cansd.refresh_tokens (family_id, user_id, token_hash, expires_at)
	VALUES (gen_random_uuid(), uid, token_hash, now() + make_interval(secs => ttl_seconds));
	PERFORM cansd.audit('login', 'user', uid::text);
END
$$;

-- Spends a refresh token and issues its successor in the same family. A token
-- spent before is a replay: the whole family is revoked. Returns the user id,
-- or NULL with reason set.
CREATE OR REPLACE FUNCTION cansd.session_refresh(old_hash bytea, new_hash bytea, ttl_seconds integer,
	request_id text, addr text, OUT user_id bigint, OUT reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	t cansd.refresh_tokens;
BEGIN
	SELECT * INTO t FROM cansd.refresh_tokens WHERE token_hash = old_hash FOR UPDATE;
	IF NOT FOUND THEN
		reason := 'unknown';
		RETURN;
	END IF;
	PERFORM cansd.begin_request(t.user_id, request_id, addr);
	IF t.spent_at IS NOT NULL THEN
		UPDATE cansd.refresh_tokens SET revoked_at = now()
		WHERE family_id = t.family_id AND revoked_at IS NULL;
		PERFORM cansd.audit('refresh_token_reuse', 'user', t.user_id::text,
		                    jsonb_build_object('family_id', t.family_id));
		reason := 'reused';
		RETURN;
	END IF;
	IF t.revoked_at IS NOT NULL OR t.expires_at <= now() THEN
		reason := 'revoked_or_expired';
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.users u WHERE u.id = t.user_id AND u.active) THEN
		reason := 'inactive';
		RETURN;
	END IF;
	UPDATE cansd.refresh_tokens SET spent_at = now() WHERE id = t.id;
	INSERT INTO cansd.refresh_tokens (family_id, user_id, token_hash, expires_at)
	VALUES (t.family_id, t.user_id, new_hash, now() + make_interval(secs => ttl_seconds));
	user_id := t.user_id;
END
$$;

-- Revokes the family of a refresh token, only for its owner.
CREATE OR REPLACE FUNCTION cansd.session_end(uid bigint, token_hash_in bytea, request_id text, addr text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	fam uuid;
BEGIN
	SELECT family_id INTO fam FROM cansd.refresh_tokens
	WHERE token_hash = token_hash_in AND refresh_tokens.user_id = uid;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM cansd.begin_request(uid, request_id, addr);
	UPDATE cansd.refresh_tokens SET revoked_at = now()
	WHERE family_id = fam AND revoked_at IS NULL;
	PERFORM cansd.audit('logout', 'user', uid::text);
	RETURN true;
END
$$;

-- Deactivating a user revokes their sessions in the same transaction.
CREATE OR REPLACE FUNCTION cansd.users_revoke_on_deactivate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF OLD.active AND NOT NEW.active THEN
		UPDATE cansd.refresh_tokens SET revoked_at = now()
		WHERE user_id = NEW.id AND revoked_at IS NULL;
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS users_revoke_on_deactivate ON cansd.users;
CREATE TRIGGER users_revoke_on_deactivate AFTER UPDATE OF active ON cansd.users
	FOR EACH ROW EXECUTE FUNCTION cansd.users_revoke_on_deactivate();

REVOKE ALL ON FUNCTION cansd.identity(bigint, text), cansd.login_lookup(text, text),
	cansd.login_failed(text, text), cansd.session_start(bigint, bytea, integer, text, text),
	cansd.session_refresh(bytea, bytea, integer, text, text),
	cansd.session_end(bigint, bytea, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cansd.identity(bigint, text), cansd.login_lookup(text, text),
	cansd.login_failed(text, text), cansd.session_start(bigint, bytea, integer, text, text),
	cansd.session_refresh(bytea, bytea, integer, text, text),
	cansd.session_end(bigint, bytea, text, text) TO cansd_app;
