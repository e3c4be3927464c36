-- Demo users, training records and cases for `make run` (CANSD_DEMO=1), applied by
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
	('program.admin', 'Alex Admin', ARRAY['program_admin'], NULL, NULL),
	-- a second team: an IFPS worker at the caseload cap of 4
	('supervisor.chen', 'Jordan Chen', ARRAY['supervisor'], 'IFPS', NULL),
	('worker.ifps.full', 'Sam Okafor', ARRAY['worker'], 'IFPS', 'supervisor.chen'),
	('worker.ips2', 'Avery Novak', ARRAY['worker'], 'IPS', 'supervisor.chen');

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
	('worker.lapsed', 'CANS_1_0_CERTIFICATION', today - 10, 90.0),
	('supervisor.chen', 'CANS_2_0_CERTIFICATION', today - 100, 90.0),
	('supervisor.chen', 'CANS_SACWIS_FUNCTIONALITY', today - 100, NULL),
	('worker.ifps.full', 'CANS_2_0_CERTIFICATION', today - 30, 86.0),
	('worker.ifps.full', 'CANS_SACWIS_FUNCTIONALITY', today - 30, NULL),
	('worker.ips2', 'CANS_2_0_CERTIFICATION', today - 200, 91.0),
	('worker.ips2', 'CANS_SACWIS_FUNCTIONALITY', today - 200, NULL)
) AS r (username, training_code, completed_on, score)
JOIN cansd.users u ON u.username = r.username;

INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)
SELECT NULL, 'seed', 'user', u.id::text,
       jsonb_build_object('username', u.username, 'by', 'sql/seed/demo.sql')
FROM cansd.users u JOIN demo_user d ON d.username = u.username;

-- Cases, relative to today: both programs in every status, two
-- teams, worker.ifps.full at the IFPS cap of 4 (a closed IFPS case does not
-- count), IFPS-2001 open past 8 weeks with a late first contact.
--   sacwis, program, worker, opened (days ago), extension (days ago),
--   closed (days ago), referral (hours before opening day 09:00),
--   first contact (hours after the referral)
INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id, status,
                         referral_received_at, first_contact_at, extension_requested_on,
                         extension_reason, closed_on, created_by)
SELECT c.sacwis, c.program, today - c.opened, u.id,
       CASE WHEN c.closed IS NOT NULL THEN 'closed'
            WHEN c.ext IS NOT NULL THEN 'extension_requested' ELSE 'open' END,
       CASE WHEN c.referral IS NOT NULL
            THEN ((today - c.opened) + time '09:00') AT TIME ZONE :'tz'
                 - make_interval(hours => c.referral) END,
       CASE WHEN c.contact IS NOT NULL
            THEN ((today - c.opened) + time '09:00') AT TIME ZONE :'tz'
                 - make_interval(hours => c.referral) + make_interval(hours => c.contact) END,
       today - c.ext, CASE WHEN c.ext IS NOT NULL THEN 'The family needs more time to stabilise.' END,
       today - c.closed,
       (SELECT id FROM cansd.users WHERE username = 'supervisor.rivera')
FROM demo_day, (VALUES
	('IPS-1001', 'IPS', 'worker.current', 10, NULL, NULL, NULL, NULL),
	('IPS-1002', 'IPS', 'worker.current', 45, 2, NULL, NULL, NULL),
	('IPS-1003', 'IPS', 'worker.lapsing', 90, 40, 5, NULL, NULL),
	('IPS-1004', 'IPS', 'worker.lapsed', 31, NULL, NULL, NULL, NULL),
	('IFPS-2001', 'IFPS', 'worker.ifps', 70, NULL, NULL, 6, 30),
	('IFPS-2002', 'IFPS', 'worker.ifps', 20, NULL, NULL, 3, 5),
	('IFPS-3001', 'IFPS', 'worker.ifps.full', 25, NULL, NULL, 2, 4),
	('IFPS-3002', 'IFPS', 'worker.ifps.full', 14, NULL, NULL, 4, 20),
	('IFPS-3003', 'IFPS', 'worker.ifps.full', 6, NULL, NULL, 1, 2),
	('IFPS-3004', 'IFPS', 'worker.ifps.full', 50, 1, NULL, 8, 12),
	('IFPS-3005', 'IFPS', 'worker.ifps.full', 80, 25, 20, 5, 26),
	('IPS-4001', 'IPS', 'worker.ips2', 120, 60, 30, NULL, NULL)
) AS c (sacwis, program, worker, opened, ext, closed, referral, contact)
JOIN cansd.users u ON u.username = c.worker;

-- The people in them: children of several ages, caregivers and collaterals
-- of every relationship. Adults are linked to every child of their case,
-- except where `only_child` names one.
CREATE TEMPORARY TABLE demo_member (
	sacwis text, kind text, full_name text, age_years integer, relationship text,
	only_child text
) ON COMMIT DROP;
INSERT INTO demo_member VALUES
	('IPS-1001', 'child', 'Jamie Ortiz', 9, NULL, NULL),
	('IPS-1001', 'child', 'Riley Ortiz', 14, NULL, NULL),
	('IPS-1001', 'caregiver', 'Elena Ortiz', NULL, 'bio_parent', NULL),
	('IPS-1001', 'caregiver', 'Tom Whitaker', NULL, 'foster_parent', NULL),
	('IPS-1001', 'collateral', 'Rosa Ortiz', NULL, 'grandparent', NULL),
	('IPS-1001', 'collateral', 'Chris Lane', NULL, 'paramour', 'Riley Ortiz'),
	('IPS-1002', 'child', 'Mia Brooks', 4, NULL, NULL),
	('IPS-1002', 'caregiver', 'Karen Brooks', NULL, 'adoptive_parent', NULL),
	('IPS-1002', 'collateral', 'Paul Brooks', NULL, 'aunt_uncle', NULL),
	('IPS-1003', 'child', 'Devon Hale', 16, NULL, NULL),
	('IPS-1003', 'caregiver', 'Gail Hale', NULL, 'relative_caregiver', NULL),
	('IPS-1003', 'collateral', 'Coach Reyes', NULL, 'other_significant_adult', NULL),
	('IPS-1004', 'child', 'Noah Kim', 12, NULL, NULL),
	('IPS-1004', 'caregiver', 'June Park', NULL, 'temporary_caregiver', NULL),
	('IFPS-2001', 'child', 'Liam Carter', 7, NULL, NULL),
	('IFPS-2001', 'child', 'Ava Carter', 11, NULL, NULL),
	('IFPS-2001', 'caregiver', 'Dana Carter', NULL, 'bio_parent', NULL),
	('IFPS-2001', 'collateral', 'Mike Stone', NULL, 'paramour', NULL),
	('IFPS-2002', 'child', 'Zoe Patel', 1, NULL, NULL),
	('IFPS-2002', 'caregiver', 'Nina Patel', NULL, 'bio_parent', NULL),
	('IFPS-2002', 'caregiver', 'Raj Patel', NULL, 'temporary_caregiver', NULL),
	('IFPS-3001', 'child', 'Owen Diaz', 5, NULL, NULL),
	('IFPS-3001', 'caregiver', 'Luis Diaz', NULL, 'bio_parent', NULL),
	('IFPS-3002', 'child', 'Ella Moore', 13, NULL, NULL),
	('IFPS-3002', 'caregiver', 'Sue Moore', NULL, 'adoptive_parent', NULL),
	('IFPS-3003', 'child', 'Leo Grant', 3, NULL, NULL),
	('IFPS-3003', 'caregiver', 'Amy Grant', NULL, 'bio_parent', NULL),
	('IFPS-3004', 'child', 'Ivy Young', 15, NULL, NULL),
	('IFPS-3004', 'collateral', 'Ruth Young', NULL, 'grandparent', NULL),
	('IFPS-3005', 'child', 'Max Bell', 8, NULL, NULL),
	('IFPS-3005', 'caregiver', 'Joe Bell', NULL, 'bio_parent', NULL),
	('IPS-4001', 'child', 'Sara Lopez', 17, NULL, NULL),
	('IPS-4001', 'caregiver', 'Ann Lopez', NULL, 'foster_parent', NULL);

INSERT INTO cansd.members (case_id, kind, full_name, birth_date, relationship, all_children)
SELECT c.id, m.kind, m.full_name,
       CASE WHEN m.age_years IS NOT NULL
            THEN (today - make_interval(years => m.age_years, days => 40 + length(m.full_name)))::date END,
       m.relationship, m.kind <> 'child' AND m.only_child IS NULL
FROM demo_day, demo_member m JOIN cansd.cases c ON c.sacwis_case_id = m.sacwis;

INSERT INTO cansd.member_links (case_id, adult_id, child_id)
SELECT a.case_id, a.id, ch.id
FROM demo_member d
JOIN cansd.cases c ON c.sacwis_case_id = d.sacwis
JOIN cansd.members a ON a.case_id = c.id AND a.full_name = d.full_name AND a.kind <> 'child'
JOIN cansd.members ch ON ch.case_id = c.id AND ch.kind = 'child'
	AND (d.only_child IS NULL OR ch.full_name = d.only_child);

-- Service logs: IFPS-2002 near its 8-10 hours a week, IFPS-2001 below it,
-- IPS-1001 a mix of the IPS service array.
INSERT INTO cansd.services (case_id, service_type, service_date, hours, notes, recorded_by)
SELECT c.id, s.service_type, c.opened_on + s.day, s.hours, s.notes, c.worker_id
FROM (VALUES
	('IFPS-2002', 'crisis_intervention', 0, 4.0, 'first home visit'),
	('IFPS-2002', 'family_therapy', 2, 3.0, NULL),
	('IFPS-2002', 'family_support', 4, 2.5, NULL),
	('IFPS-2002', 'family_therapy', 8, 3.5, NULL),
	('IFPS-2002', 'psychosocial_education', 10, 2.0, 'parenting skills'),
	('IFPS-2002', 'family_support', 12, 3.0, NULL),
	('IFPS-2001', 'family_therapy', 1, 2.0, NULL),
	('IFPS-2001', 'crisis_intervention', 9, 3.0, NULL),
	('IPS-1001', 'individual_therapy', 1, 1.0, NULL),
	('IPS-1001', 'respite', 3, 6.0, 'weekend respite'),
	('IPS-1001', 'tutoring', 5, 1.5, NULL),
	('IPS-1001', 'school_advocacy', 6, 2.0, 'IEP meeting'),
	('IPS-1001', 'recreation_supplies', 7, 0.5, 'soccer cleats')
) AS s (sacwis, service_type, day, hours, notes)
JOIN cansd.cases c ON c.sacwis_case_id = s.sacwis;

INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)
SELECT NULL, 'seed', 'case', c.id::text,
       jsonb_build_object('sacwis_case_id', c.sacwis_case_id, 'by', 'sql/seed/demo.sql')
FROM cansd.cases c;

COMMIT;
