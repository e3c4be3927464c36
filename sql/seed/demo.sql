-- Demo users and training records for `make run` (CANSD_DEMO=1), applied by
-- scripts/lib.sh seed_demo as superuser postgres (which bypasses row-level
-- security) into a database whose only user is admin. psql variables:
--   :'hash'  the encoded hash of the shared demo password (cansd hash-password)
--   :'tz'    the programs' time zone (CANSD_TIMEZONE): "today" is today there
-- Standalone: psql -v hash=... -v tz=America/Chicago -d cansd -f sql/seed/demo.sql

\set ON_ERROR_STOP 1

BEGIN;

CREATE TEMPORARY TABLE demo_day ON COMMIT DROP AS
	SELECT (now() AT TIME ZONE :'tz')::date AS today;

CREATE TEMPORARY TABLE demo_user (
	username text, full_name text, roles text[], program text, reports_to text
) ON COMMIT DROP;
INSERT INTO demo_user VALUES
	('supervisor.rivera', 'Dana Rivera', ARRAY['supervisor'], 'IPS', NULL),
	('worker.current', 'Casey Current', ARRAY['worker'], 'IPS', 'supervisor.rivera'),
	('worker.lapsing', 'Lee Lapsing', ARRAY['worker'], 'IPS', 'supervisor.rivera'),
	('worker.lapsed', 'Pat Lapsed', ARRAY['worker'], 'IPS', 'supervisor.rivera'),
	('worker.ifps', 'Robin Fields', ARRAY['worker'], 'IFPS', 'supervisor.rivera'),
	('cert.office', 'Morgan Records', ARRAY['certification_office'], NULL, NULL),
	('qa.analyst', 'Quinn Analyst', ARRAY['qa_analyst'], NULL, NULL),
	('program.admin', 'Alex Admin', ARRAY['program_admin'], NULL, NULL);

-- Supervisors first, so that workers can name them.
INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program, password_hash)
SELECT d.username, d.full_name, d.username || '@demo.invalid', d.roles, NULL, d.program, :'hash'
FROM demo_user d WHERE d.reports_to IS NULL;

INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program, password_hash)
SELECT d.username, d.full_name, d.username || '@demo.invalid', d.roles, s.id, d.program, :'hash'
FROM demo_user d JOIN cansd.users s ON s.username = d.reports_to;

-- Training completions relative to today in the programs' time zone:
--   certified (CANS 2.0 60 days ago + SACWIS): supervisor.rivera,
--     worker.current, worker.ifps, qa.analyst
--   worker.lapsing: recertified 1 year - 20 days ago, so current for 19 more days
--   worker.lapsed: certified 400 days ago; a CANS 1.0 certification 10 days
--     ago never counts
INSERT INTO cansd.training_records (user_id, training_code, completed_on, score, recorded_by)
SELECT u.id, r.training_code, r.completed_on, r.score,
       (SELECT id FROM cansd.users WHERE username = 'cert.office')
FROM demo_day, LATERAL (VALUES
	('supervisor.rivera', 'CANS_2_0_CERTIFICATION', today - 60, 92.0),
	('supervisor.rivera', 'CANS_SACWIS_FUNCTIONALITY', today - 58, NULL),
	('worker.current', 'CANS_2_0_CERTIFICATION', today - 60, 85.5),
	('worker.current', 'CANS_SACWIS_FUNCTIONALITY', today - 58, NULL),
	('worker.ifps', 'CANS_2_0_CERTIFICATION', today - 60, 88.0),
	('worker.ifps', 'CANS_SACWIS_FUNCTIONALITY', today - 58, NULL),
	('qa.analyst', 'CANS_2_0_CERTIFICATION', today - 60, 95.0),
	('qa.analyst', 'CANS_SACWIS_FUNCTIONALITY', today - 58, NULL),
	('worker.lapsing', 'CANS_2_0_CERTIFICATION', (today - interval '2 years' + interval '20 days')::date, 81.0),
	('worker.lapsing', 'CANS_2_0_RECERTIFICATION', (today - interval '1 year' + interval '20 days')::date, 83.0),
	('worker.lapsing', 'CANS_SACWIS_FUNCTIONALITY', (today - interval '2 years' + interval '22 days')::date, NULL),
	('worker.lapsed', 'CANS_2_0_CERTIFICATION', today - 400, 79.0),
	('worker.lapsed', 'CANS_SACWIS_FUNCTIONALITY', today - 398, NULL),
	('worker.lapsed', 'CANS_1_0_CERTIFICATION', today - 10, 90.0)
) AS r (username, training_code, completed_on, score)
JOIN cansd.users u ON u.username = r.username;

INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)
SELECT NULL, 'seed', 'user', u.id::text,
       jsonb_build_object('username', u.username, 'by', 'sql/seed/demo.sql')
FROM cansd.users u JOIN demo_user d ON d.username = u.username;

COMMIT;
