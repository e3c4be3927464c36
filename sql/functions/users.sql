-- The users resource as the API shows it, and the functions behind
-- /users. Each api.* function is SECURITY INVOKER: it sets the request
-- context, then row-level security decides what the caller may see or
-- change, and every change writes its audit event in the same transaction.

-- cansd_app may not read users.password_hash (sql/migrations/014_security.sql),
-- so nothing it runs may take a whole users row: functions pass rows of this
-- view, every column but the hash. security_invoker: row-level security on
-- users binds the caller through it.
CREATE OR REPLACE VIEW cansd.users_public WITH (security_invoker = true) AS
	SELECT id, username, full_name, email, roles, supervisor_id, program, active, version,
	       created_at, updated_at
	FROM cansd.users;
GRANT SELECT ON cansd.users_public TO cansd_app;

CREATE OR REPLACE FUNCTION cansd.user_json(u cansd.users_public) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', u.id::text, 'username', u.username, 'full_name', u.full_name,
		'email', u.email, 'roles', to_json(u.roles),
		'supervisor_id', u.supervisor_id::text, 'program', u.program,
		'active', u.active, 'version', u.version,
		'certification', (SELECT json_build_object('certified', c.certified,
		                      'certified_until', c.certified_until, 'missing', to_json(c.missing))
		                  FROM cansd.certification(u.id, current_date) c),
		'created_at', cansd.rfc3339(u.created_at), 'updated_at', cansd.rfc3339(u.updated_at))
$$;
CREATE OR REPLACE FUNCTION api.users_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, role_filter text, active_filter boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT cansd.page_json(array_agg(cansd.user_json(p.u) ORDER BY (p.u).id),
	                       array_agg((p.u).id ORDER BY (p.u).id), page_size)
	INTO result
	FROM (SELECT u FROM cansd.users_public u
	      WHERE (cursor_id IS NULL OR u.id > cursor_id)
	        AND (role_filter IS NULL OR role_filter = ANY (u.roles))
	        AND (active_filter IS NULL OR u.active = active_filter)
	      ORDER BY u.id LIMIT page_size + 1) p;
	RETURN result;
END
$$;
CREATE OR REPLACE FUNCTION api.users_get(actor bigint, request_id text, client_addr text,
	user_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT cansd.user_json(u)::text, u.version::text INTO body, etag
	FROM cansd.users_public u WHERE u.id = users_get.user_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such user.');
	END IF;
END
$$;

-- A supervisor_id must name an active supervisor the caller can see.
CREATE OR REPLACE FUNCTION cansd.check_supervisor(supervisor_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF check_supervisor.supervisor_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM cansd.users u
		WHERE u.id = check_supervisor.supervisor_id AND u.active
		  AND 'supervisor' = ANY (u.roles)) THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'must name an active supervisor');
	END IF;
END
$$;

-- The rules of a user's fields that the handler's schema does not check;
-- POST /users and /account-requests and PATCH /users/{id} share them.
CREATE OR REPLACE FUNCTION cansd.check_user_fields(request_body jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF request_body ? 'username'
	   AND NOT (request_body->>'username' ~ '^[a-z0-9][a-z0-9._-]{1,62}$') THEN
		PERFORM cansd.fail_field('username', 'invalid',
			'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit');
	END IF;
	IF request_body ? 'email' AND NOT (request_body->>'email' ~ '^[^@\s]+@[^@\s]+$') THEN
		PERFORM cansd.fail_field('email', 'invalid', 'must be an e-mail address');
	END IF;
	IF request_body ? 'supervisor_id' AND jsonb_typeof(request_body->'supervisor_id') = 'string' THEN
		PERFORM cansd.check_supervisor((request_body->>'supervisor_id')::bigint);
	END IF;
END
$$;

-- The body of POST /users and PATCH /users/{id}, as the handler's schema
-- admits it. PATCH: a field absent and a field null both read as NULL here,
-- so where the difference matters the body itself is asked; roles, a set,
-- is read from the body as before (its order is the DISTINCT's).
CREATE TYPE api.user_fields AS (
	username      text,
	full_name     text,
	email         text,
	supervisor_id bigint,
	program       text,
	active        boolean
);

CREATE OR REPLACE FUNCTION api.users_create(actor bigint, request_id text, client_addr text,
	request_body jsonb, password_hash text, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.user_fields := jsonb_populate_record(NULL::api.user_fields, request_body);
	created cansd.users_public;
	new_id bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM cansd.check_user_fields(request_body);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(fields.username)) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use.');
	END IF;
	INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program,
	                         password_hash)
	VALUES (fields.username, fields.full_name, fields.email,
	        ARRAY(SELECT DISTINCT jsonb_array_elements_text(request_body->'roles')),
	        fields.supervisor_id, fields.program,
	        users_create.password_hash)
	RETURNING id INTO new_id;
	SELECT * INTO created FROM cansd.users_public u WHERE u.id = new_id;
	PERFORM cansd.audit('user.created', 'user', created.id::text,
		jsonb_build_object('username', created.username, 'roles', to_jsonb(created.roles)));
	body := cansd.user_json(created)::text;
	etag := created.version::text;
END
$$;

-- Usernames are unique across rows the caller may not see.
CREATE OR REPLACE FUNCTION cansd.users_taken(username text) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT u.id FROM cansd.users u WHERE u.username = users_taken.username
$$;

CREATE OR REPLACE FUNCTION api.users_update(actor bigint, request_id text, client_addr text,
	user_id bigint, request_body jsonb, if_version integer, password_hash text,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.user_fields := jsonb_populate_record(NULL::api.user_fields, request_body);
	previous cansd.users_public;
	updated cansd.users_public;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM 1 FROM cansd.users u WHERE u.id = users_update.user_id FOR UPDATE;
	SELECT * INTO previous FROM cansd.users_public u WHERE u.id = users_update.user_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such user.');
	END IF;
	PERFORM cansd.check_version('user', if_version, previous.version);
	PERFORM cansd.check_user_fields(request_body);
	IF fields.supervisor_id = users_update.user_id THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'a user cannot supervise themself');
	END IF;
	UPDATE cansd.users u SET
		full_name = coalesce(fields.full_name, u.full_name),
		email = coalesce(fields.email, u.email),
		roles = CASE WHEN request_body ? 'roles'
		             THEN ARRAY(SELECT DISTINCT jsonb_array_elements_text(request_body->'roles'))
		             ELSE u.roles END,
		supervisor_id = CASE WHEN request_body ? 'supervisor_id' THEN fields.supervisor_id
		                     ELSE u.supervisor_id END,
		program = CASE WHEN request_body ? 'program' THEN fields.program ELSE u.program END,
		active = coalesce(fields.active, u.active),
		version = u.version + 1,
		updated_at = now()
	WHERE u.id = users_update.user_id;
	-- Written, never read: the trigger users_revoke_on_deactivate ends every
	-- refresh-token family of the user with the old password.
	IF users_update.password_hash IS NOT NULL THEN
		UPDATE cansd.users u SET password_hash = users_update.password_hash
		WHERE u.id = users_update.user_id;
	END IF;
	SELECT * INTO updated FROM cansd.users_public u WHERE u.id = users_update.user_id;
	PERFORM cansd.audit(CASE WHEN previous.active AND NOT updated.active THEN 'user.deactivated'
	                         ELSE 'user.updated' END,
		'user', updated.id::text,
		jsonb_build_object('changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(request_body) k),
		                   'password_changed', users_update.password_hash IS NOT NULL));
	body := cansd.user_json(updated)::text;
	etag := updated.version::text;
END
$$;

-- Who sees and changes users (sql/migrations/001_identity.sql enables RLS).
CREATE POLICY users_read ON cansd.users FOR SELECT USING (
	id = cansd.current_user_id()
	OR cansd.has_role('program_admin')
	OR cansd.has_role('certification_office')
	OR (cansd.has_role('supervisor') AND supervisor_id = cansd.current_user_id()));
CREATE POLICY users_admin_insert ON cansd.users FOR INSERT
	WITH CHECK (cansd.has_role('program_admin'));
CREATE POLICY users_admin_update ON cansd.users FOR UPDATE
	USING (cansd.has_role('program_admin')) WITH CHECK (cansd.has_role('program_admin'));
