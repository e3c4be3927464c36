-- cansd_app reads every column of cansd.users but password_hash (sql/
-- migrations/014_security.sql); the functions it calls still work. A pgTAP
-- script (see helpers.psql), e.g.
--     pg_prove -d cansd tests/sql/security_test.sql
-- everything is rolled back.
\ir helpers.psql

BEGIN;
SELECT plan(17);

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
SELECT throws_ok('SELECT password_hash FROM cansd.users', '42501', NULL,
	'cansd_app cannot read users.password_hash');
SELECT throws_ok('SELECT u FROM cansd.users u', '42501', NULL,
	'cansd_app cannot read whole users rows');

-- What cansd_app runs for /users, /me and login still works.
SELECT t AS admin FROM cansd.users_taken('sec.test.admin') t \gset
SELECT is((SELECT username FROM cansd.identity(:admin, NULL)), 'sec.test.admin',
	'identity() finds its user');
SELECT ok(password_hash IS NOT NULL AND user_id IS NOT DISTINCT FROM :admin,
	'login_attempt() reads the hash')
FROM cansd.login_attempt('sec.test.admin', '192.0.2.200');
SELECT ok(body IS NOT NULL AND body NOT LIKE '%password%', 'api.users_get shows no password')
FROM api.users_get(:admin, 'r1', '::1', :admin);
SELECT ok(api.users_list(:admin, 'r2', '::1', 10, :admin - 1, NULL, NULL) LIKE '%sec.test.admin%',
	'api.users_list lists the admin');
SELECT body AS created FROM api.users_create(:admin, 'r3', '::1',
	'{"username":"sec.test.new","full_name":"New","email":"n@example.org",
	  "roles":["worker"],"program":"IPS"}'::jsonb, 'pbkdf2-sha256$1$c2FsdA$aGFzaA') \gset
SELECT ok(:'created' LIKE '%sec.test.new%', 'api.users_create creates');
SELECT ok(body LIKE '%Renamed%', 'api.users_update renames')
FROM api.users_update(:admin, 'r4', '::1', (:'created'::jsonb->>'id')::bigint,
	'{"full_name":"Renamed"}'::jsonb, NULL, 'pbkdf2-sha256$1$c2FsdA$bmV3');

-- The caller's roles are looked up when a policy first asks and kept for
-- the transaction beside the user id they belong to (cansd.kept):
-- another user id in the same transaction gets its own roles, never the
-- kept ones, and no user id gets none.
SELECT t AS worker FROM cansd.users_taken('sec.test.new') t \gset
SELECT cansd.request_context(:admin, 'r5', '::1') \g /dev/null
SELECT ok(cansd.has_role('program_admin') AND current_setting('app.roles_for', true) = :'admin',
	'the admin''s roles are looked up and kept');
SELECT cansd.request_context(:worker, 'r6', '::1') \g /dev/null
SELECT ok(NOT cansd.has_role('program_admin') AND cansd.has_role('worker'),
	'a second user id in one transaction gets its own roles, not the first one''s');
SELECT cansd.request_context(NULL, 'r7', '::1') \g /dev/null
SELECT is(cardinality(cansd.current_roles()), 0, 'no user id has no roles');

-- A supervisor's team is looked up once per transaction too (cansd.
-- current_team), and belongs to one user id as the roles do.
SELECT t AS sup FROM cansd.users_taken('sec.test.sup') t \gset
SELECT t AS member FROM cansd.users_taken('sec.test.member') t \gset
SELECT cansd.request_context(:sup, 'r9', '::1') \g /dev/null
SELECT ok(cansd.is_my_team_member(:member) AND NOT cansd.is_my_team_member(:admin)
          AND current_setting('app.team_for', true) = :'sup',
	'the supervisor''s team is looked up and kept');
SELECT cansd.request_context(:admin, 'r10', '::1') \g /dev/null
SELECT ok(NOT cansd.is_my_team_member(:member),
	'a second user id in one transaction does not get the first one''s team');

-- A read writes its audit event as cansd_app (cansd.audit_read, migration
-- 019), but only in the name of the request's user, and never sets the
-- server's columns (id, time, transaction).
SELECT cansd.request_context(:admin, 'r8', '::1') \g /dev/null
SELECT cansd.audit_read('security_test.read', 'security_test', '1') \g /dev/null
SELECT throws_ok(format($$INSERT INTO cansd.audit_events (actor_id, action, entity_type)
	VALUES (%s, 'security_test.forged', 'security_test')$$, :admin + 1), '42501', NULL,
	'cansd_app cannot write an event in another user''s name');
SELECT throws_ok(format($$INSERT INTO cansd.audit_events (actor_id, action, entity_type, at)
	VALUES (%s, 'security_test.forged', 'security_test', now() - interval '1 year')$$, :admin),
	'42501', NULL, 'cansd_app cannot set an event''s time');

RESET ROLE;

-- The read's event is there, written by the admin in request r8.
SELECT ok(EXISTS (SELECT 1 FROM cansd.audit_events e JOIN cansd.users u ON u.id = e.actor_id
                  WHERE e.action = 'security_test.read' AND e.request_id = 'r8'
                    AND u.username = 'sec.test.admin' AND e.xact IS NOT NULL),
	'audit_read wrote its event');

-- The update above set a password: it was stored.
SELECT is((SELECT password_hash FROM cansd.users WHERE username = 'sec.test.new'),
	'pbkdf2-sha256$1$c2FsdA$bmV3', 'the new password is stored');

SELECT * FROM finish();
ROLLBACK;
