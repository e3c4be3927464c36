-- Cases at the SQL level: row-level security scopes every table of case
-- data by the caller alone (queries with no handler filter), with no caller
-- nothing is visible, the caseload cap, the due-date arithmetic in the
-- programs' time zone, and the hook that keeps a rated member from being
-- deleted. A pgTAP script (see helpers.psql), e.g.
--     pg_prove -d cansd tests/sql/cases_test.sql
-- everything is rolled back.
\ir helpers.psql

BEGIN;
SELECT plan(23);

-- Fixtures past row-level security (superuser): two teams, QA, an admin,
-- the certification office, and a case per worker with members and services.
INSERT INTO cansd.users (username, full_name, email, roles, program) VALUES
	('zz-c-sup1', 'Sup One', 's1@example.invalid', '{supervisor}', 'IFPS'),
	('zz-c-sup2', 'Sup Two', 's2@example.invalid', '{supervisor}', 'IPS'),
	('zz-c-qa', 'QA', 'qa@example.invalid', '{qa_analyst}', NULL),
	('zz-c-admin', 'Admin', 'ad@example.invalid', '{program_admin}', NULL),
	('zz-c-office', 'Office', 'of@example.invalid', '{certification_office}', NULL);
INSERT INTO cansd.users (username, full_name, email, roles, program, supervisor_id)
SELECT v.u, v.u, v.u || '@example.invalid', '{worker}', 'IFPS', s.id
FROM (VALUES ('zz-c-w1', 'zz-c-sup1'), ('zz-c-w2', 'zz-c-sup1'), ('zz-c-w3', 'zz-c-sup2')) v (u, s)
JOIN cansd.users s ON s.username = v.s;

SELECT id AS sup1 FROM cansd.users WHERE username = 'zz-c-sup1' \gset
SELECT id AS sup2 FROM cansd.users WHERE username = 'zz-c-sup2' \gset
SELECT id AS qa FROM cansd.users WHERE username = 'zz-c-qa' \gset
SELECT id AS admin FROM cansd.users WHERE username = 'zz-c-admin' \gset
SELECT id AS office FROM cansd.users WHERE username = 'zz-c-office' \gset
SELECT id AS w1 FROM cansd.users WHERE username = 'zz-c-w1' \gset
SELECT id AS w2 FROM cansd.users WHERE username = 'zz-c-w2' \gset
SELECT id AS w3 FROM cansd.users WHERE username = 'zz-c-w3' \gset

INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id) VALUES
	('ZZ-W1', 'IFPS', DATE '2026-01-05', :w1),
	('ZZ-W2', 'IFPS', DATE '2026-01-05', :w2),
	('ZZ-W3', 'IPS', DATE '2026-01-05', :w3);
INSERT INTO cansd.members (case_id, kind, full_name, birth_date, relationship, all_children)
SELECT c.id, v.kind, v.name, v.born, v.rel, v.kind <> 'child'
FROM cansd.cases c, (VALUES ('child', 'Kid', DATE '2015-03-01', NULL),
                            ('caregiver', 'Mum', NULL::date, 'bio_parent')) v (kind, name, born, rel)
WHERE c.sacwis_case_id LIKE 'ZZ-W_';
INSERT INTO cansd.member_links (case_id, adult_id, child_id)
SELECT a.case_id, a.id, ch.id FROM cansd.members a
JOIN cansd.members ch ON ch.case_id = a.case_id AND ch.kind = 'child' WHERE a.kind <> 'child';
INSERT INTO cansd.services (case_id, service_type, service_date, hours)
SELECT id, 'family_therapy', opened_on, 2 FROM cansd.cases WHERE sacwis_case_id LIKE 'ZZ-W_';

-- What a caller sees with no filter of any handler: counts of the fixture
-- rows of every case-data table, as cansd_app with row-level security on.
CREATE FUNCTION pg_temp.visible(uid bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM set_config('app.user_id', coalesce(uid::text, ''), true);
	SET LOCAL ROLE cansd_app;
	SELECT string_agg(c.sacwis_case_id, ',' ORDER BY c.sacwis_case_id)
	       || ' m' || (SELECT count(*) FROM cansd.members)
	       || ' l' || (SELECT count(*) FROM cansd.member_links)
	       || ' s' || (SELECT count(*) FROM cansd.services)
	INTO result FROM cansd.cases c WHERE c.sacwis_case_id LIKE 'ZZ-%';
	RESET ROLE;
	RETURN coalesce(result, 'none');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.visible(bigint) TO cansd_app;

SELECT ok(pg_temp.visible(:w1) = 'ZZ-W1 m2 l1 s1', 'worker 1 sees only their case');
SELECT ok(pg_temp.visible(:w3) = 'ZZ-W3 m2 l1 s1', 'worker 3 sees only their case');
SELECT ok(pg_temp.visible(:sup1) = 'ZZ-W1,ZZ-W2 m4 l2 s2', 'supervisor 1 sees their team');
SELECT ok(pg_temp.visible(:sup2) = 'ZZ-W3 m2 l1 s1', 'supervisor 2 sees their team');
SELECT ok(pg_temp.visible(:qa) LIKE 'ZZ-W1,ZZ-W2,ZZ-W3 %', 'QA sees all');
SELECT ok(pg_temp.visible(:admin) LIKE 'ZZ-W1,ZZ-W2,ZZ-W3 %', 'admin sees all');
SELECT ok(pg_temp.visible(:office) = 'none', 'the certification office sees none');
SELECT ok(pg_temp.visible(NULL) = 'none', 'no caller sees none');

-- The service role bypasses nothing: no BYPASSRLS, and the tables FORCE it.
SELECT ok(NOT rolbypassrls, 'cansd_app has no BYPASSRLS')
FROM pg_roles WHERE rolname = 'cansd_app';
SELECT ok(bool_and(relrowsecurity AND relforcerowsecurity), 'case tables force RLS')
FROM pg_class WHERE oid IN ('cansd.cases'::regclass, 'cansd.members'::regclass,
                            'cansd.member_links'::regclass, 'cansd.services'::regclass);

-- Writes: another team's worker cannot be assigned, another's case cannot
-- be changed (the row is invisible: the UPDATE touches nothing).
SET LOCAL ROLE cansd_app;
SELECT set_config('app.user_id', :'sup2', true) \g /dev/null
SELECT throws_ok(format($$INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id)
	VALUES ('ZZ-X', 'IPS', DATE '2026-01-05', %s)$$, :w1), '42501', NULL, 'supervisor 2 opens for team 1');
SELECT set_config('app.user_id', :'w1', true) \g /dev/null
UPDATE cansd.cases SET version = version + 1 WHERE sacwis_case_id = 'ZZ-W2';
RESET ROLE;
SELECT ok(version = 1, 'worker 1 cannot change worker 2''s case')
FROM cansd.cases WHERE sacwis_case_id = 'ZZ-W2';

-- The caseload cap is a rule of the data: 4 open IFPS cases, the fifth is CN409.
INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id)
SELECT 'ZZ-CAP-' || n, 'IFPS', DATE '2026-01-05', :w2 FROM generate_series(1, 3) n;
SET LOCAL ROLE cansd_app;
SELECT throws_ok(format($$SELECT api.cases_create(%s, 'r', '127.0.0.1',
	'{"sacwis_case_id":"ZZ-CAP-5","program":"IFPS","opened_on":"2026-01-06","worker_id":"%s"}')$$,
	:sup1, :w2), 'CN409', NULL, 'fifth IFPS case');
-- IPS has no cap; a closed IFPS case frees a place.
SELECT lives_ok(format($$SELECT api.cases_create(%s, 'r', '127.0.0.1',
	'{"sacwis_case_id":"ZZ-IPS-5","program":"IPS","opened_on":"2026-01-06","worker_id":"%s"}')$$,
	:sup1, :w2), 'IPS has no cap');
RESET ROLE;
UPDATE cansd.cases SET status = 'closed', closed_on = DATE '2026-02-01' WHERE sacwis_case_id = 'ZZ-CAP-1';
SET LOCAL ROLE cansd_app;
SELECT lives_ok(format($$SELECT api.cases_create(%s, 'r', '127.0.0.1',
	'{"sacwis_case_id":"ZZ-CAP-6","program":"IFPS","opened_on":"2026-01-06","worker_id":"%s"}')$$,
	:sup1, :w2), 'a closed IFPS case frees a place');
RESET ROLE;

-- Due dates: initial on opened_on + 30, due through it, overdue after.
SELECT ok(
	(SELECT string_agg(d.reason || ' ' || d.due_on || ' ' || d.status, ';')
	 FROM cansd.cans_due_items(DATE '2026-02-04') d JOIN cansd.cases c ON c.id = d.case_id
	 WHERE c.sacwis_case_id = 'ZZ-W1') = 'initial 2026-02-04 due', 'due on its day');
SELECT ok(
	(SELECT d.status FROM cansd.cans_due_items(DATE '2026-02-05') d JOIN cansd.cases c ON c.id = d.case_id
	 WHERE c.sacwis_case_id = 'ZZ-W1') = 'overdue', 'overdue the day after');
SELECT ok(
	(SELECT d.status FROM cansd.cans_due_items(DATE '2026-02-03') d JOIN cansd.cases c ON c.id = d.case_id
	 WHERE c.sacwis_case_id = 'ZZ-W1') = 'due', 'due the day before');
-- extension and close are due on their own days
UPDATE cansd.cases SET status = 'closed', extension_requested_on = DATE '2026-02-20',
	closed_on = DATE '2026-03-02' WHERE sacwis_case_id = 'ZZ-W1';
SELECT ok(
	(SELECT string_agg(d.reason || ' ' || d.due_on || ' ' || d.status, ';' ORDER BY due_on)
	 FROM cansd.cans_due_items(DATE '2026-02-25') d JOIN cansd.cases c ON c.id = d.case_id
	 WHERE c.sacwis_case_id = 'ZZ-W1')
	= 'initial 2026-02-04 overdue;extension 2026-02-20 overdue;case_close 2026-03-02 due',
	'extension and case_close');

-- The programs' day, not UTC's: at 03:00 UTC on Feb 5 it is still Feb 4 in
-- Chicago, so the initial CANS of a case opened Jan 5 is due, not overdue.
SET LOCAL TimeZone = 'America/Chicago';
SELECT ok(cansd.program_day(TIMESTAMPTZ '2026-02-05 03:00:00+00') = DATE '2026-02-04',
	'Chicago day at 03:00 UTC');
SELECT ok(
	(SELECT d.status FROM cansd.cans_due_items(cansd.program_day(TIMESTAMPTZ '2026-02-05 03:00:00+00')) d
	 JOIN cansd.cases c ON c.id = d.case_id WHERE c.sacwis_case_id = 'ZZ-W2') = 'due',
	'due in Chicago while UTC has turned the day');
SET LOCAL TimeZone = 'UTC';
SELECT ok(cansd.program_day(TIMESTAMPTZ '2026-02-05 03:00:00+00') = DATE '2026-02-05',
	'UTC day at 03:00 UTC');

-- A member a CANS rates cannot be deleted (CN409).
SELECT id AS kid2 FROM cansd.members m WHERE kind = 'child'
	AND case_id = (SELECT id FROM cansd.cases WHERE sacwis_case_id = 'ZZ-W2') \gset
SELECT id AS case2 FROM cansd.cases WHERE sacwis_case_id = 'ZZ-W2' \gset
CREATE OR REPLACE FUNCTION cansd.member_rated(mid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT true $$;
SET LOCAL ROLE cansd_app;
SELECT throws_ok(format('SELECT api.members_delete(%s, ''r'', ''a'', %s, %s)',
	:w2, :case2, :kid2), 'CN409', NULL, 'delete a rated member');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
