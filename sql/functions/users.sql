-- The users resource as the API shows it, and the functions behind
-- /users. Each api_* function is SECURITY INVOKER: it sets the request
-- context, then row-level security decides what the caller may see or
-- change, and every change writes its audit event in the same transaction.

-- cansd_app may not read users.password_hash (sql/migrations/014_security.sql),
-- so nothing it runs may take a whole users row: functions pass rows of this
-- view, every column but the hash. security_invoker: row-level security on
-- users binds the caller through it.
DROP FUNCTION IF EXISTS cansd.user_json(cansd.users);
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
CREATE OR REPLACE FUNCTION api.users_list(actor bigint, request_id text, addr text,
	lim integer, cursor_id bigint, role_filter text, active_filter boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.page_json(array_agg(cansd.user_json(p.u) ORDER BY (p.u).id),
	                       array_agg((p.u).id ORDER BY (p.u).id), lim)
	INTO result
	FROM (SELECT u FROM cansd.users_public u
	      WHERE (cursor_id IS NULL OR u.id > cursor_id)
	        AND (role_filter IS NULL OR role_filter = ANY (u.roles))
	        AND (active_filter IS NULL OR u.active = active_filter)
	      ORDER BY u.id LIMIT lim + 1) p;
	RETURN result;
END
$$;
CREATE OR REPLACE FUNCTION api.users_get(actor bigint, request_id text, addr text, uid bigint,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.user_json(u)::text, u.version::text INTO body, etag
	FROM cansd.users_public u WHERE u.id = uid;
END
$$;
-- A supervisor_id must name an active supervisor the caller can see.
CREATE OR REPLACE FUNCTION cansd.check_supervisor(sid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF sid IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM cansd.users WHERE id = sid AND active AND 'supervisor' = ANY (roles)) THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'must name an active supervisor');
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION cansd.check_user_fields(b jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF b ? 'username' AND NOT (b->>'username' ~ '^[a-z0-9][a-z0-9._-]{1,62}$') THEN
		PERFORM cansd.fail_field('username', 'invalid',
			'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit');
	END IF;
	IF b ? 'email' AND NOT (b->>'email' ~ '^[^@\s]+@[^@\s]+$') THEN
		PERFORM cansd.fail_field('email', 'invalid', 'must be an e-mail address');
	END IF;
	IF b ? 'supervisor_id' AND jsonb_typeof(b->'supervisor_id') = 'string' THEN
		PERFORM cansd.check_supervisor((b->>'supervisor_id')::bigint);
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION api.users_create(actor bigint, request_id text, addr text, b jsonb,
	pw_hash text, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	u cansd.users_public;
	new_id bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	PERFORM cansd.check_user_fields(b);
	IF EXISTS (SELECT 1 FROM cansd.users_taken(b->>'username')) THEN
		PERFORM cansd.fail('CN409', 'That username is already in use.');
	END IF;
	INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program,
	                         password_hash)
	VALUES (b->>'username', b->>'full_name', b->>'email',
	        ARRAY(SELECT DISTINCT jsonb_array_elements_text(b->'roles')),
	        (b->>'supervisor_id')::bigint, b->>'program', pw_hash)
	RETURNING id INTO new_id;
	SELECT * INTO u FROM cansd.users_public WHERE id = new_id;
	PERFORM cansd.audit('user.created', 'user', u.id::text,
		jsonb_build_object('username', u.username, 'roles', to_jsonb(u.roles)));
	body := cansd.user_json(u)::text;
	etag := u.version::text;
END
$$;
-- Usernames are unique across rows the caller may not see.
CREATE OR REPLACE FUNCTION cansd.users_taken(uname text) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT id FROM cansd.users WHERE username = uname
$$;
CREATE OR REPLACE FUNCTION api.users_update(actor bigint, request_id text, addr text, uid bigint,
	b jsonb, if_version integer, pw_hash text, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	old cansd.users_public;
	u cansd.users_public;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	PERFORM 1 FROM cansd.users WHERE id = uid FOR UPDATE;
	SELECT * INTO old FROM cansd.users_public WHERE id = uid;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such user.');
	END IF;
	IF if_version IS NOT NULL AND if_version <> old.version THEN
		PERFORM cansd.fail('CN412', 'The user changed since you read it; reload and retry.');
	END IF;
	PERFORM cansd.check_user_fields(b);
	IF (b->>'supervisor_id')::bigint = uid THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'a user cannot supervise themself');
	END IF;
	UPDATE cansd.users SET
		full_name = coalesce(b->>'full_name', full_name),
		email = coalesce(b->>'email', email),
		roles = CASE WHEN b ? 'roles'
		             THEN ARRAY(SELECT DISTINCT jsonb_array_elements_text(b->'roles'))
		             ELSE roles END,
		supervisor_id = CASE WHEN b ? 'supervisor_id' THEN (b->>'supervisor_id')::bigint
		                     ELSE supervisor_id END,
		program = CASE WHEN b ? 'program' THEN b->>'program' ELSE program END,
		active = coalesce((b->>'active')::boolean, active),
		version = version + 1,
		updated_at = now()
	WHERE id = uid;
	-- Written, never read: the trigger users_revoke_on_deactivate ends every
	-- refresh-token family of the user with the old password.
	IF pw_hash IS NOT NULL THEN
		UPDATE cansd.users SET password_hash = pw_hash WHERE id = uid;
	END IF;
	SELECT * INTO u FROM cansd.users_public WHERE id = uid;
	PERFORM cansd.audit(CASE WHEN old.active AND NOT u.active THEN 'user.deactivated'
	                         ELSE 'user.updated' END,
		'user', u.id::text,
		jsonb_build_object('changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(b) k),
		                   'password_changed', pw_hash IS NOT NULL));
	body := cansd.user_json(u)::text;
	etag := u.version::text;
END
$$;

-- Who sees and changes users (sql/migrations/001_identity.sql enables RLS).
DROP POLICY IF EXISTS users_read ON cansd.users;
CREATE POLICY users_read ON cansd.users FOR SELECT USING (
	id = cansd.current_user_id()
	OR cansd.has_role('program_admin')
	OR cansd.has_role('certification_office')
	OR (cansd.has_role('supervisor') AND supervisor_id = cansd.current_user_id()));
DROP POLICY IF EXISTS users_admin_insert ON cansd.users;
CREATE POLICY users_admin_insert ON cansd.users FOR INSERT
	WITH CHECK (cansd.has_role('program_admin'));
DROP POLICY IF EXISTS users_admin_update ON cansd.users;
CREATE POLICY users_admin_update ON cansd.users FOR UPDATE
	USING (cansd.has_role('program_admin')) WITH CHECK (cansd.has_role('program_admin'));

-- Every role a user holds is one of cansd.roles (migration 009): the check a
-- foreign key would make if it could reach into an array.
CREATE OR REPLACE FUNCTION cansd.users_roles_known() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	unknown text;
BEGIN
	SELECT r INTO unknown FROM unnest(NEW.roles) r
	WHERE NOT EXISTS (SELECT 1 FROM cansd.roles k WHERE k.name = r) LIMIT 1;
	IF unknown IS NOT NULL OR array_position(NEW.roles, NULL) IS NOT NULL THEN
		RAISE check_violation USING MESSAGE = format('%L is not a role (cansd.roles)', unknown),
			CONSTRAINT = 'users_roles_known';
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS users_roles_known ON cansd.users;
CREATE TRIGGER users_roles_known BEFORE INSERT OR UPDATE OF roles ON cansd.users
	FOR EACH ROW EXECUTE FUNCTION cansd.users_roles_known();
