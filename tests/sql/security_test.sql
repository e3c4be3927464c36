-- cansd_app reads every column of cansd.users but password_hash (sql/
-- migrations/014_security.sql); the functions it calls still work. Run as
-- superuser on a migrated database; a mismatch raises and psql stops with a
-- non-zero exit; everything is rolled back either way.
\set ON_ERROR_STOP on
\set QUIET on
\o /dev/null

BEGIN;

INSERT INTO cansd.users (username, full_name, email, roles, program, password_hash)
VALUES ('sec.test.admin', 'Security Test', 'sec@example.org', ARRAY['program_admin'], 'IPS',
        'pbkdf2-sha256$1$c2FsdA$aGFzaA');
INSERT INTO cansd.users (username, full_name, email, roles, program, password_hash)
VALUES ('sec.test.sup', 'Security Supervisor', 'sup@example.org', ARRAY['supervisor'], 'IPS',
        'pbkdf2-sha256$1$c2FsdA$aGFzaA');
INSERT INTO cansd.users (username, full_name, email, roles, program, password_hash, supervisor_id)
SELECT 'sec.test.member', 'Security Member', 'member@example.org', ARRAY['worker'], 'IPS',
       'pbkdf2-sha256$1$c2FsdA$aGFzaA', id
FROM cansd.users WHERE username = 'sec.test.sup';

SET ROLE cansd_app;

-- Reading the hash is refused outright, whatever the row-level policies say.
DO $$
BEGIN
	BEGIN
		PERFORM password_hash FROM cansd.users;
		RAISE EXCEPTION 'security_test: cansd_app read users.password_hash';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
	BEGIN
		PERFORM u FROM cansd.users u;
		RAISE EXCEPTION 'security_test: cansd_app read whole users rows';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
END
$$;

-- What cansd_app runs for /users, /me and login still works.
DO $$
DECLARE
	uid bigint := (SELECT t FROM cansd.users_taken('sec.test.admin') t);
	body text;
	etag text;
	other text;
	got record;
BEGIN
	SELECT * INTO got FROM cansd.identity(uid, NULL);
	IF got.username IS DISTINCT FROM 'sec.test.admin' THEN
		RAISE EXCEPTION 'security_test: identity() lost its user: %', got;
	END IF;
	SELECT * INTO got FROM cansd.login_attempt('sec.test.admin', '192.0.2.200');
	IF got.password_hash IS NULL OR got.user_id IS DISTINCT FROM uid THEN
		RAISE EXCEPTION 'security_test: login_attempt() cannot read the hash: %', got;
	END IF;
	SELECT a.body, a.etag INTO body, etag FROM api.users_get(uid, 'r1', '::1', uid) a;
	IF body IS NULL OR body LIKE '%password%' THEN
		RAISE EXCEPTION 'security_test: api_users_get: %', body;
	END IF;
	IF api.users_list(uid, 'r2', '::1', 10, uid - 1, NULL, NULL) NOT LIKE '%sec.test.admin%' THEN
		RAISE EXCEPTION 'security_test: api_users_list misses the admin';
	END IF;
	SELECT a.body INTO other FROM api.users_create(uid, 'r3', '::1',
		'{"username":"sec.test.new","full_name":"New","email":"n@example.org",
		  "roles":["worker"],"program":"IPS"}'::jsonb, 'pbkdf2-sha256$1$c2FsdA$aGFzaA') a;
	IF other NOT LIKE '%sec.test.new%' THEN
		RAISE EXCEPTION 'security_test: api_users_create: %', other;
	END IF;
	SELECT a.body INTO other FROM api.users_update(uid, 'r4', '::1',
		(other::jsonb->>'id')::bigint, '{"full_name":"Renamed"}'::jsonb, NULL,
		'pbkdf2-sha256$1$c2FsdA$bmV3') a;
	IF other NOT LIKE '%Renamed%' THEN
		RAISE EXCEPTION 'security_test: api_users_update: %', other;
	END IF;
END
$$;

-- The caller's roles are looked up when a policy first asks and kept for
-- the transaction beside the user id they belong to (cansd.kept):
-- another user id in the same transaction gets its own roles, never the
-- kept ones, and no user id gets none.
DO $$
DECLARE
	admin bigint := (SELECT t FROM cansd.users_taken('sec.test.admin') t);
	worker bigint := (SELECT t FROM cansd.users_taken('sec.test.new') t);
	ok boolean;
BEGIN
	ok := cansd.request_context(admin, 'r5', '::1');
	IF NOT cansd.has_role('program_admin') OR current_setting('app.roles_for', true) <> admin::text THEN
		RAISE EXCEPTION 'security_test: the admin''s roles were not looked up and kept';
	END IF;
	ok := cansd.request_context(worker, 'r6', '::1');
	IF cansd.has_role('program_admin') OR NOT cansd.has_role('worker') THEN
		RAISE EXCEPTION 'security_test: a second user id in one transaction got the first one''s roles';
	END IF;
	ok := cansd.request_context(NULL, 'r7', '::1');
	IF cardinality(cansd.current_roles()) <> 0 THEN
		RAISE EXCEPTION 'security_test: no user id has roles %', cansd.current_roles();
	END IF;
END
$$;

-- A supervisor's team is looked up once per transaction too (cansd.
-- current_team), and belongs to one user id as the roles do.
DO $$
DECLARE
	admin bigint := (SELECT t FROM cansd.users_taken('sec.test.admin') t);
	sup bigint := (SELECT t FROM cansd.users_taken('sec.test.sup') t);
	member bigint := (SELECT t FROM cansd.users_taken('sec.test.member') t);
	ok boolean;
BEGIN
	ok := cansd.request_context(sup, 'r9', '::1');
	IF NOT cansd.is_my_team_member(member) OR cansd.is_my_team_member(admin)
	   OR current_setting('app.team_for', true) <> sup::text THEN
		RAISE EXCEPTION 'security_test: the supervisor''s team was not looked up and kept';
	END IF;
	ok := cansd.request_context(admin, 'r10', '::1');
	IF cansd.is_my_team_member(member) THEN
		RAISE EXCEPTION 'security_test: a second user id in one transaction got the first one''s team';
	END IF;
END
$$;

-- A read writes its audit event as cansd_app (cansd.audit_read, migration
-- 019), but only in the name of the request's user, and never sets the
-- server's columns (id, time, transaction).
DO $$
DECLARE
	admin bigint := (SELECT t FROM cansd.users_taken('sec.test.admin') t);
	ok boolean;
BEGIN
	ok := cansd.request_context(admin, 'r8', '::1');
	ok := cansd.audit_read('security_test.read', 'security_test', '1');
	BEGIN
		INSERT INTO cansd.audit_events (actor_id, action, entity_type)
		VALUES (admin + 1, 'security_test.forged', 'security_test');
		RAISE EXCEPTION 'security_test: cansd_app wrote an event in another user''s name';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
	BEGIN
		INSERT INTO cansd.audit_events (actor_id, action, entity_type, at)
		VALUES (admin, 'security_test.forged', 'security_test', now() - interval '1 year');
		RAISE EXCEPTION 'security_test: cansd_app set an event''s time';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
END
$$;

RESET ROLE;

-- The read's event is there, written by the admin in request r8.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM cansd.audit_events e JOIN cansd.users u ON u.id = e.actor_id
	               WHERE e.action = 'security_test.read' AND e.request_id = 'r8'
	                 AND u.username = 'sec.test.admin' AND e.xact IS NOT NULL) THEN
		RAISE EXCEPTION 'security_test: audit_read wrote no event';
	END IF;
END
$$;

-- The update above set a password: it was stored.
DO $$
BEGIN
	IF (SELECT password_hash FROM cansd.users WHERE username = 'sec.test.new')
	   IS DISTINCT FROM 'pbkdf2-sha256$1$c2FsdA$bmV3' THEN
		RAISE EXCEPTION 'security_test: the new password was not stored';
	END IF;
END
$$;

ROLLBACK;
\o
SELECT 'security_test: ok';
