-- Functions and policies of account requests (tables: sql/migrations/006_account_requests.sql).
CREATE POLICY account_requests_read ON cansd.account_requests FOR SELECT USING (
	(SELECT cansd.has_role('program_admin'))
	OR ((SELECT cansd.has_role('supervisor'))
	    AND requested_by = (SELECT cansd.current_user_id())));
CREATE POLICY account_requests_supervisor_insert ON cansd.account_requests FOR INSERT
	WITH CHECK ((SELECT cansd.has_role('supervisor'))
	            AND requested_by = (SELECT cansd.current_user_id())
	            AND supervisor_id = (SELECT cansd.current_user_id()));
CREATE POLICY account_requests_admin_update ON cansd.account_requests FOR UPDATE
	USING ((SELECT cansd.has_role('program_admin')))
	WITH CHECK ((SELECT cansd.has_role('program_admin')));

-- Pending requests of other supervisors are hidden from the caller, but their
-- usernames are taken all the same.
CREATE OR REPLACE FUNCTION cansd.account_request_pending(username text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.account_requests r
	               WHERE r.username = account_request_pending.username AND r.status = 'pending')
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

CREATE OR REPLACE FUNCTION api.account_requests_list(actor bigint, request_id text,
	client_addr text, page_size integer, cursor_id bigint, status_filter text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT cansd.page_json(array_agg(cansd.account_request_json(p.a) ORDER BY (p.a).id),
	                       array_agg((p.a).id ORDER BY (p.a).id), page_size)
	INTO result
	FROM (SELECT a FROM cansd.account_requests a
	      WHERE (cursor_id IS NULL OR a.id > cursor_id)
	        AND (status_filter IS NULL OR a.status = status_filter)
	      ORDER BY a.id LIMIT page_size + 1) p;
	RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION api.account_requests_get(actor bigint, request_id text,
	client_addr text, account_request_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	body text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT cansd.account_request_json(a)::text INTO body FROM cansd.account_requests a
	WHERE a.id = account_request_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such account request.');
	END IF;
	RETURN body;
END
$$;

-- The body of POST /account-requests; the requester is the supervisor of
-- the worker to be.
CREATE TYPE api.account_request_fields AS (
	username  text,
	full_name text,
	email     text,
	program   text
);

CREATE OR REPLACE FUNCTION api.account_requests_create(actor bigint, request_id text,
	client_addr text, request_body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	fields api.account_request_fields :=
		jsonb_populate_record(NULL::api.account_request_fields, request_body);
	created cansd.account_requests;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM cansd.check_user_fields(request_body);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(fields.username)) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use.');
	END IF;
	IF cansd.account_request_pending(fields.username) THEN
		PERFORM cansd.fail('CN409', 'A pending account request already names that username.');
	END IF;
	INSERT INTO cansd.account_requests (username, full_name, email, program)
	VALUES (fields.username, fields.full_name, fields.email, fields.program)
	RETURNING * INTO created;
	PERFORM cansd.audit('account_request.created', 'account_request', created.id::text,
		jsonb_build_object('username', created.username, 'program', created.program));
	RETURN cansd.account_request_json(created)::text;
END
$$;

-- Locks a request for a decision: 404 when it does not exist (or the caller
-- may not see it), 409 when it was decided already.
CREATE OR REPLACE FUNCTION cansd.account_request_for_decision(account_request_id bigint)
RETURNS cansd.account_requests LANGUAGE plpgsql AS $$
DECLARE
	account_request cansd.account_requests;
BEGIN
	SELECT * INTO account_request FROM cansd.account_requests r
	WHERE r.id = account_request_id FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such account request.');
	END IF;
	IF account_request.status <> 'pending' THEN
		PERFORM cansd.fail('CN409',
			format('The account request is already %s.', account_request.status));
	END IF;
	RETURN account_request;
END
$$;

-- Creates the user (role worker, under the requesting supervisor, no
-- password) and answers with it as GET /users/{id} shows it.
CREATE OR REPLACE FUNCTION api.account_requests_approve(actor bigint, request_id text,
	client_addr text, account_request_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	account_request cansd.account_requests;
	created cansd.users_public;
	new_id bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	account_request := cansd.account_request_for_decision(account_request_id);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(account_request.username)) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use; reject the request.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.users WHERE id = account_request.supervisor_id AND active
	               AND 'supervisor' = ANY (roles)) THEN
		PERFORM cansd.fail('CN409',
			'The requesting supervisor is no longer an active supervisor; reject the request.');
	END IF;
	INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program,
	                         password_hash)
	VALUES (account_request.username, account_request.full_name, account_request.email,
	        ARRAY['worker'], account_request.supervisor_id, account_request.program, NULL)
	RETURNING id INTO new_id;
	SELECT * INTO created FROM cansd.users_public WHERE id = new_id;
	UPDATE cansd.account_requests SET status = 'approved', user_id = created.id,
		decided_by = cansd.current_user_id(), decided_at = now(), updated_at = now()
	WHERE id = account_request.id;
	PERFORM cansd.audit('user.created', 'user', created.id::text,
		jsonb_build_object('username', created.username, 'roles', to_jsonb(created.roles),
		                   'account_request_id', account_request.id::text));
	PERFORM cansd.audit('account_request.approved', 'account_request', account_request.id::text,
		jsonb_build_object('user_id', created.id::text, 'username', created.username));
	body := cansd.user_json(created)::text;
	etag := created.version::text;
END
$$;

-- The body: {"reason"}.
CREATE OR REPLACE FUNCTION api.account_requests_reject(actor bigint, request_id text,
	client_addr text, account_request_id bigint, request_body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	account_request cansd.account_requests;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	account_request := cansd.account_request_for_decision(account_request_id);
	UPDATE cansd.account_requests SET status = 'rejected', reason = request_body->>'reason',
		decided_by = cansd.current_user_id(), decided_at = now(), updated_at = now()
	WHERE id = account_request.id
	RETURNING * INTO account_request;
	PERFORM cansd.audit('account_request.rejected', 'account_request', account_request.id::text,
		jsonb_build_object('username', account_request.username,
		                   'reason', account_request.reason));
	RETURN cansd.account_request_json(account_request)::text;
END
$$;
