-- Functions, policies and triggers of account requests (tables: sql/migrations/006_account_requests.sql).
-- Re-applied at every start (scripts/lib.sh apply_sql_source); idempotent.
DROP POLICY IF EXISTS account_requests_read ON cansd.account_requests;
CREATE POLICY account_requests_read ON cansd.account_requests FOR SELECT USING (
	(SELECT cansd.has_role('program_admin'))
	OR ((SELECT cansd.has_role('supervisor'))
	    AND requested_by = (SELECT cansd.current_user_id())));
DROP POLICY IF EXISTS account_requests_supervisor_insert ON cansd.account_requests;
CREATE POLICY account_requests_supervisor_insert ON cansd.account_requests FOR INSERT
	WITH CHECK ((SELECT cansd.has_role('supervisor'))
	            AND requested_by = (SELECT cansd.current_user_id())
	            AND supervisor_id = (SELECT cansd.current_user_id()));
DROP POLICY IF EXISTS account_requests_admin_update ON cansd.account_requests;
CREATE POLICY account_requests_admin_update ON cansd.account_requests FOR UPDATE
	USING ((SELECT cansd.has_role('program_admin')))
	WITH CHECK ((SELECT cansd.has_role('program_admin')));

-- Pending requests of other supervisors are hidden from the caller, but their
-- usernames are taken all the same.
CREATE OR REPLACE FUNCTION cansd.account_request_pending(uname text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.account_requests
	               WHERE username = uname AND status = 'pending')
$$;
REVOKE ALL ON FUNCTION cansd.account_request_pending(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cansd.account_request_pending(text) TO cansd_app;

CREATE OR REPLACE FUNCTION cansd.account_request_json(a cansd.account_requests) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', a.id::text, 'status', a.status, 'username', a.username,
		'full_name', a.full_name, 'email', a.email, 'program', a.program,
		'requested_by', a.requested_by::text, 'supervisor_id', a.supervisor_id::text,
		'reason', a.reason, 'decided_by', a.decided_by::text,
		'decided_at', cansd.rfc3339(a.decided_at), 'user_id', a.user_id::text,
		'created_at', cansd.rfc3339(a.created_at), 'updated_at', cansd.rfc3339(a.updated_at))
$$;

CREATE OR REPLACE FUNCTION api.account_requests_list(actor bigint, request_id text, addr text,
	lim integer, cursor_id bigint, status_filter text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.page_json(array_agg(cansd.account_request_json(p.a) ORDER BY (p.a).id),
	                       array_agg((p.a).id ORDER BY (p.a).id), lim)
	INTO result
	FROM (SELECT a FROM cansd.account_requests a
	      WHERE (cursor_id IS NULL OR a.id > cursor_id)
	        AND (status_filter IS NULL OR a.status = status_filter)
	      ORDER BY a.id LIMIT lim + 1) p;
	RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION api.account_requests_get(actor bigint, request_id text, addr text,
	ar_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	RETURN (SELECT cansd.account_request_json(a)::text FROM cansd.account_requests a
	        WHERE a.id = ar_id);
END
$$;

-- b: {"full_name","email","program","username"}; the requester is the
-- supervisor of the worker to be.
CREATE OR REPLACE FUNCTION api.account_requests_create(actor bigint, request_id text, addr text,
	b jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a cansd.account_requests;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	PERFORM cansd.check_user_fields(b);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(b->>'username')) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use.');
	END IF;
	IF cansd.account_request_pending(b->>'username') THEN
		PERFORM cansd.fail('CN409', 'A pending account request already names that username.');
	END IF;
	INSERT INTO cansd.account_requests (username, full_name, email, program)
	VALUES (b->>'username', b->>'full_name', b->>'email', b->>'program')
	RETURNING * INTO a;
	PERFORM cansd.audit('account_request.created', 'account_request', a.id::text,
		jsonb_build_object('username', a.username, 'program', a.program));
	RETURN cansd.account_request_json(a)::text;
END
$$;

-- Locks a request for a decision: 404 when it does not exist (or the caller
-- may not see it), 409 when it was decided already.
CREATE OR REPLACE FUNCTION cansd.account_request_for_decision(ar_id bigint) RETURNS cansd.account_requests
LANGUAGE plpgsql AS $$
DECLARE
	a cansd.account_requests;
BEGIN
	SELECT * INTO a FROM cansd.account_requests WHERE id = ar_id FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such account request.');
	END IF;
	IF a.status <> 'pending' THEN
		PERFORM cansd.fail('CN409', format('The account request is already %s.', a.status));
	END IF;
	RETURN a;
END
$$;

-- Creates the user (role worker, under the requesting supervisor, no
-- password) and answers with it as GET /users/{id} shows it.
CREATE OR REPLACE FUNCTION api.account_requests_approve(actor bigint, request_id text, addr text,
	ar_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	a cansd.account_requests;
	u cansd.users_public;
	new_id bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	a := cansd.account_request_for_decision(ar_id);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(a.username)) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use; reject the request.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.users WHERE id = a.supervisor_id AND active
	               AND 'supervisor' = ANY (roles)) THEN
		PERFORM cansd.fail('CN409',
			'The requesting supervisor is no longer an active supervisor; reject the request.');
	END IF;
	INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program,
	                         password_hash)
	VALUES (a.username, a.full_name, a.email, ARRAY['worker'], a.supervisor_id, a.program, NULL)
	RETURNING id INTO new_id;
	SELECT * INTO u FROM cansd.users_public WHERE id = new_id;
	UPDATE cansd.account_requests SET status = 'approved', user_id = u.id,
		decided_by = cansd.current_user_id(), decided_at = now(), updated_at = now()
	WHERE id = a.id;
	PERFORM cansd.audit('user.created', 'user', u.id::text,
		jsonb_build_object('username', u.username, 'roles', to_jsonb(u.roles),
		                   'account_request_id', a.id::text));
	PERFORM cansd.audit('account_request.approved', 'account_request', a.id::text,
		jsonb_build_object('user_id', u.id::text, 'username', u.username));
	body := cansd.user_json(u)::text;
	etag := u.version::text;
END
$$;

-- b: {"reason"}.
CREATE OR REPLACE FUNCTION api.account_requests_reject(actor bigint, request_id text, addr text,
	ar_id bigint, b jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	a cansd.account_requests;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	a := cansd.account_request_for_decision(ar_id);
	UPDATE cansd.account_requests SET status = 'rejected', reason = b->>'reason',
		decided_by = cansd.current_user_id(), decided_at = now(), updated_at = now()
	WHERE id = a.id
	RETURNING * INTO a;
	PERFORM cansd.audit('account_request.rejected', 'account_request', a.id::text,
		jsonb_build_object('username', a.username, 'reason', a.reason));
	RETURN cansd.account_request_json(a)::text;
END
$$;
