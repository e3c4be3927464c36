-- The functions behind /auth and the per-request identity (tables:
-- sql/migrations/001_identity.sql and 014_security.sql; the trigger that
-- ends a user's sessions when they are deactivated or their password
-- changes: 022_triggers.sql). They run before there is a user in the request
-- context, so they are SECURITY DEFINER and do exactly one thing each.

-- The caller as every request needs it: one row, one round trip, plain
-- columns (C builds the /me JSON, which json_build_object here would make
-- dearer than the lookup itself). PL/pgSQL so its plan is cached per
-- session; it runs on every request. roles includes certified_cans_user
-- when current; missing is a comma-separated list of the certification
-- conditions that fail.
CREATE OR REPLACE FUNCTION cansd.identity(user_id bigint, by_username text,
	OUT id bigint, OUT active boolean, OUT roles text, OUT certified boolean,
	OUT username text, OUT full_name text, OUT email text, OUT supervisor_id bigint,
	OUT program text, OUT certified_until date, OUT missing text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF user_id IS NULL THEN
		SELECT u.id INTO user_id FROM cansd.users u WHERE u.username = by_username;
	END IF;
	SELECT u.id, u.active,
	       array_to_string(u.roles || CASE WHEN c.certified THEN ARRAY['certified_cans_user']
	                                       ELSE '{}' END, ','),
	       c.certified, u.username, u.full_name, u.email, u.supervisor_id, u.program,
	       c.certified_until, array_to_string(c.missing, ',')
	INTO id, active, roles, certified, username, full_name, email, supervisor_id, program,
	     certified_until, missing
	FROM cansd.users u, LATERAL cansd.certification(u.id, current_date) c
	WHERE u.id = identity.user_id;
END
$$;

-- A login attempt, counted before its password is checked. Under a lock
-- per client address, one step counts that address's recent failures (at
-- most 30 a minute) and those of this username from this address (at most
-- 10 in 15 minutes) and, when under both, records this attempt as a failure
-- at once: parallel attempts queue on the lock, so no more than the budget
-- ever reach the password check. Over budget, retry_after is set and nothing
-- is recorded (a throttled attempt costs no budget, and is not checked). A
-- success removes its record (cansd.session_start). Another address's
-- failures never count here: nobody locks a user out from elsewhere.
-- Unknown users come back as a row with a NULL id, so the caller spends the
-- same time on them.
CREATE OR REPLACE FUNCTION cansd.login_attempt(username text, client_addr text,
	OUT attempt_id bigint, OUT user_id bigint, OUT password_hash text, OUT active boolean,
	OUT retry_after integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	pair_n integer;
	pair_oldest timestamptz;
	addr_n integer;
	addr_oldest timestamptz;
BEGIN
	username := left(username, 200);
	PERFORM pg_advisory_xact_lock(hashtextextended('cansd.login:' || client_addr, 0));
	SELECT count(*), min(f.at) INTO pair_n, pair_oldest FROM cansd.login_failures f
	WHERE f.username = login_attempt.username AND f.client_addr = login_attempt.client_addr
	  AND f.at > now() - interval '15 minutes';
	SELECT count(*), min(f.at) INTO addr_n, addr_oldest FROM cansd.login_failures f
	WHERE f.client_addr = login_attempt.client_addr AND f.at > now() - interval '1 minute';
	retry_after := greatest(
		CASE WHEN pair_n >= 10 THEN greatest(1, ceil(extract(epoch FROM
			pair_oldest + interval '15 minutes' - now())))::integer END,
		CASE WHEN addr_n >= 30 THEN greatest(1, ceil(extract(epoch FROM
			addr_oldest + interval '1 minute' - now())))::integer END);
	IF retry_after IS NOT NULL THEN
		RETURN;
	END IF;
	INSERT INTO cansd.login_failures (username, client_addr)
	VALUES (login_attempt.username, login_attempt.client_addr)
	RETURNING id INTO attempt_id;
	-- Old failures go a few at a time, so no attempt pays for a backlog.
	DELETE FROM cansd.login_failures WHERE id IN (
		SELECT f.id FROM cansd.login_failures f
		WHERE f.at < now() - interval '1 day' ORDER BY f.at LIMIT 100);
	SELECT u.id, u.password_hash, u.active INTO user_id, password_hash, active
	FROM cansd.users u WHERE u.username = login_attempt.username;
END
$$;

-- Starts a new refresh-token family for a successful login: the attempt was
-- no failure after all, and this pair's earlier failures are forgiven.
CREATE OR REPLACE FUNCTION cansd.session_start(user_id bigint, token_hash bytea,
	ttl_seconds integer, request_id text, client_addr text, attempt bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	PERFORM cansd.begin_request(user_id, request_id, client_addr);
	DELETE FROM cansd.login_failures f
	WHERE f.id = attempt
	   OR (f.client_addr = session_start.client_addr
	       AND f.username = (SELECT u.username FROM cansd.users u
	                         WHERE u.id = session_start.user_id));
	INSERT INTO cansd.refresh_tokens (family_id, user_id, token_hash, expires_at)
	VALUES (gen_random_uuid(), session_start.user_id, session_start.token_hash,
	        now() + make_interval(secs => ttl_seconds));
	PERFORM cansd.purge_refresh_tokens();
	PERFORM cansd.audit('login', 'user', user_id::text);
END
$$;

-- Refresh tokens that can never be used again go a few at a time: expired
-- for a day, or revoked for a day. A spent token stays until then, because
-- presenting it again is how a stolen family is detected and revoked.
CREATE OR REPLACE FUNCTION cansd.purge_refresh_tokens() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	DELETE FROM cansd.refresh_tokens WHERE id IN (
		(SELECT t.id FROM cansd.refresh_tokens t
		 WHERE t.expires_at < now() - interval '1 day' LIMIT 100)
		UNION
		(SELECT t.id FROM cansd.refresh_tokens t
		 WHERE t.revoked_at < now() - interval '1 day' LIMIT 100));
$$;

-- Spends a refresh token and issues its successor in the same family. A token
-- spent before is a replay: the whole family is revoked. Returns the user id,
-- or NULL with reason set.
CREATE OR REPLACE FUNCTION cansd.session_refresh(old_hash bytea, new_hash bytea,
	ttl_seconds integer, request_id text, client_addr text, family_max_age integer,
	OUT user_id bigint, OUT reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	token cansd.refresh_tokens;
BEGIN
	SELECT * INTO token FROM cansd.refresh_tokens WHERE token_hash = old_hash FOR UPDATE;
	IF NOT FOUND THEN
		reason := 'unknown';
		RETURN;
	END IF;
	PERFORM cansd.begin_request(token.user_id, request_id, client_addr);
	IF token.spent_at IS NOT NULL THEN
		UPDATE cansd.refresh_tokens SET revoked_at = now()
		WHERE family_id = token.family_id AND revoked_at IS NULL;
		PERFORM cansd.audit('refresh_token_reuse', 'user', token.user_id::text,
		                    jsonb_build_object('family_id', token.family_id));
		reason := 'reused';
		RETURN;
	END IF;
	IF token.revoked_at IS NOT NULL OR token.expires_at <= now() THEN
		reason := 'revoked_or_expired';
		RETURN;
	END IF;
	-- However often it rotates, a family ends family_max_age after its login.
	IF token.family_started_at + make_interval(secs => family_max_age) <= now() THEN
		UPDATE cansd.refresh_tokens SET revoked_at = now()
		WHERE family_id = token.family_id AND revoked_at IS NULL;
		reason := 'revoked_or_expired';
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.users u WHERE u.id = token.user_id AND u.active) THEN
		reason := 'inactive';
		RETURN;
	END IF;
	UPDATE cansd.refresh_tokens SET spent_at = now() WHERE id = token.id;
	INSERT INTO cansd.refresh_tokens (family_id, family_started_at, user_id, token_hash, expires_at)
	VALUES (token.family_id, token.family_started_at, token.user_id, new_hash,
	        least(now() + make_interval(secs => ttl_seconds),
	              token.family_started_at + make_interval(secs => family_max_age)));
	user_id := token.user_id;
END
$$;

-- Revokes the family of a refresh token, only for its owner.
CREATE OR REPLACE FUNCTION cansd.session_end(user_id bigint, token_hash bytea, request_id text,
	client_addr text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	family uuid;
BEGIN
	SELECT t.family_id INTO family FROM cansd.refresh_tokens t
	WHERE t.token_hash = session_end.token_hash AND t.user_id = session_end.user_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM cansd.begin_request(user_id, request_id, client_addr);
	UPDATE cansd.refresh_tokens t SET revoked_at = now()
	WHERE t.family_id = family AND t.revoked_at IS NULL;
	PERFORM cansd.audit('logout', 'user', user_id::text);
	RETURN true;
END
$$;

REVOKE ALL ON FUNCTION cansd.identity(bigint, text), cansd.login_attempt(text, text),
	cansd.session_start(bigint, bytea, integer, text, text, bigint),
	cansd.session_refresh(bytea, bytea, integer, text, text, integer),
	cansd.session_end(bigint, bytea, text, text), cansd.purge_refresh_tokens() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cansd.identity(bigint, text), cansd.login_attempt(text, text),
	cansd.session_start(bigint, bytea, integer, text, text, bigint),
	cansd.session_refresh(bytea, bytea, integer, text, text, integer),
	cansd.session_end(bigint, bytea, text, text) TO cansd_app;
