-- Demo data for the reports and QC, applied by scripts/lib.sh
-- seed_demo right after sql/seed/demo.sql (same psql variables :'hash' and
-- :'tz', same superuser session rules). It makes every figure of last
-- month's report non-zero, whatever today is:
--   GET /reports/monthly?month=<last month>  (QA analyst or program admin)
-- Days are relative to M, the first day of last month in the programs'
-- zone; E (its last day) is at least M + 27.
--   DEMO-R1 (IPS, worker.current) opened M - 20: initial due M + 10, closed
--     M + 20 (case_close due then)
--     child A (5 1/2): initial submitted M+5, returned M+6, approved M+8 (on
--              time); case_close approved M+21
--     child B (15): initial submitted M+9, rerouted to supervisor.chen,
--              approved M+12 (late); case_close approved M+22
--     child C: no CANS at all, so initial and case_close overdue
--   Between A (under 6) and B (over 14 1/2) every child item applies, and
--   their two CANS each rate it a value and that value + 2, so every need
--   is actionable and every strength useful somewhere; open modules' items
--   are rated actionable.
--   DEMO-R2 (IFPS, worker.ifps) opened M - 10 (initial due M+20, never
--     approved: overdue), extension requested M+15, its CANS approved M+16
--   QC: A's initial reviewed M+9 (pass), B's M+13 (needs_follow_up) with a
--     follow-up to worker.current still open
--   worker.renewal (IPS): certified through E + 10, so lapsing on E
-- Standalone: psql -v hash=... -v tz=America/Chicago -d cansd -f sql/seed/demo_reports.sql

\set ON_ERROR_STOP 1

BEGIN;

-- The summary of the CANS demo_cans.sql approved (however they were
-- written: a row inserted as approved has no ratings yet when its trigger
-- runs).
SELECT count(cansd.report_cans_refresh(id)) FROM cansd.assessments WHERE status = 'approved';

CREATE TEMPORARY TABLE demo_month ON COMMIT DROP AS
SELECT m, (m + interval '1 month' - interval '1 day')::date AS e
FROM (SELECT (date_trunc('month', (now() AT TIME ZONE :'tz')::date) - interval '1 month')::date
             AS m) x;

-- a worker whose certification ran out ten days after last month
INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program, password_hash)
SELECT 'worker.renewal', 'Rene Wall', 'worker.renewal@demo.invalid', ARRAY['worker'], s.id, 'IPS',
       :'hash'
FROM cansd.users s WHERE s.username = 'supervisor.rivera';
INSERT INTO cansd.training_records (user_id, training_code, completed_on, score, recorded_by)
SELECT u.id, t.code, t.day, t.score, (SELECT id FROM cansd.users WHERE username = 'cert.office')
FROM demo_month, cansd.users u, LATERAL (VALUES
	('CANS_2_0_CERTIFICATION', (e + 10 - interval '1 year' + interval '1 day')::date, 84.0),
	('CANS_SACWIS_FUNCTIONALITY', (e - interval '1 year')::date, NULL)) AS t (code, day, score)
WHERE u.username = 'worker.renewal';

INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id, status,
                         extension_requested_on, extension_reason, closed_on, created_by)
SELECT c.sacwis, c.program, m + c.opened, u.id, c.status, m + c.ext,
       CASE WHEN c.ext IS NOT NULL THEN 'The family needs more time.' END, m + c.closed,
       (SELECT id FROM cansd.users WHERE username = 'supervisor.rivera')
FROM demo_month, (VALUES
	('DEMO-R1', 'IPS', 'worker.current', -20, NULL, 20, 'closed'),
	('DEMO-R2', 'IFPS', 'worker.ifps', -10, 15, NULL, 'extension_requested')
) AS c (sacwis, program, worker, opened, ext, closed, status)
JOIN cansd.users u ON u.username = c.worker;

INSERT INTO cansd.members (case_id, kind, full_name, birth_date, relationship, all_children)
SELECT c.id, d.kind, d.name, m - d.age_days, d.relationship, d.kind <> 'child'
FROM demo_month, (VALUES
	('DEMO-R1', 'child', 'Ana Reyes', 2010, NULL),
	('DEMO-R1', 'child', 'Ben Reyes', 5480, NULL),
	('DEMO-R1', 'child', 'Cleo Reyes', 2950, NULL),
	('DEMO-R1', 'caregiver', 'Carla Reyes', NULL, 'bio_parent'),
	('DEMO-R2', 'child', 'Dina Shaw', 3300, NULL),
	('DEMO-R2', 'caregiver', 'Earl Shaw', NULL, 'bio_parent')
) AS d (sacwis, kind, name, age_days, relationship)
JOIN cansd.cases c ON c.sacwis_case_id = d.sacwis;
INSERT INTO cansd.member_links (case_id, adult_id, child_id)
SELECT a.case_id, a.id, ch.id FROM cansd.cases c
JOIN cansd.members a ON a.case_id = c.id AND a.kind = 'caregiver'
JOIN cansd.members ch ON ch.case_id = c.id AND ch.kind = 'child'
WHERE c.sacwis_case_id IN ('DEMO-R1', 'DEMO-R2');

-- The CANS: submitted (with their history), rated, then approved by an
-- UPDATE, which fires the report summary trigger as an approval does.
CREATE TEMPORARY TABLE demo_report_cans ON COMMIT DROP AS
SELECT c.id AS case_id, ch.id AS child_id, a.id AS adult_id, d.reason, c.worker_id AS author_id,
       s.id AS approver_id, w.supervisor_id AS first_supervisor,
       (m + d.submitted + time '09:30') AT TIME ZONE :'tz' AS submitted_at,
       (m + d.approved + time '15:00') AT TIME ZONE :'tz' AS approved_at,
       d.extra, (m + d.extra_day + time '11:00') AT TIME ZONE :'tz' AS extra_at,
       d.base, NULL::bigint AS id
FROM demo_month, (VALUES
	('DEMO-R1', 'Ana Reyes', 'initial', 5, 8, 'returned', 6, 'supervisor.rivera', 1),
	('DEMO-R1', 'Ben Reyes', 'initial', 9, 12, 'rerouted', 10, 'supervisor.chen', 0),
	('DEMO-R1', 'Ana Reyes', 'case_close', 18, 21, NULL, NULL, 'supervisor.rivera', 3),
	('DEMO-R1', 'Ben Reyes', 'case_close', 18, 22, NULL, NULL, 'supervisor.rivera', 2),
	('DEMO-R2', 'Dina Shaw', 'extension', 14, 16, NULL, NULL, 'supervisor.rivera', 1)
) AS d (sacwis, child, reason, submitted, approved, extra, extra_day, approver, base)
JOIN cansd.cases c ON c.sacwis_case_id = d.sacwis
JOIN cansd.users w ON w.id = c.worker_id
JOIN cansd.members ch ON ch.case_id = c.id AND ch.full_name = d.child
JOIN cansd.members a ON a.case_id = c.id AND a.kind = 'caregiver'
JOIN cansd.users s ON s.username = d.approver;

WITH ins AS (
	INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, status, author_id,
	                               routed_to, routed_at, first_submitted_at, submitted_at,
	                               created_at, updated_at)
	SELECT case_id, child_id, reason, (submitted_at AT TIME ZONE :'tz')::date - 1, 'submitted',
	       author_id, approver_id, submitted_at, submitted_at, submitted_at,
	       submitted_at - interval '1 day', submitted_at
	FROM demo_report_cans RETURNING id, case_id, child_id, reason)
UPDATE demo_report_cans d SET id = ins.id FROM ins
WHERE ins.case_id = d.case_id AND ins.child_id = d.child_id AND ins.reason = d.reason;

INSERT INTO cansd.assessment_caregivers (assessment_id, member_id, added_at)
SELECT id, adult_id, submitted_at - interval '1 day' FROM demo_report_cans;

-- Every child item that applies (module items only when opened), every
-- caregiver item; `base` shifts the pattern from CANS to CANS.
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating, rated_at)
SELECT d.id, d.child_id, i.code, (i.sort_order + d.base) % 4,
       d.submitted_at - interval '1 hour'
FROM demo_report_cans d
JOIN cansd.members ch ON ch.id = d.child_id
JOIN cansd.instrument_items i ON i.subject = 'child' AND i.active AND i.trigger_item IS NULL
 AND cansd.age_in_months(ch.birth_date, (d.submitted_at AT TIME ZONE :'tz')::date - 1)
     BETWEEN i.min_age_months AND coalesce(i.max_age_months, 10000);
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating, rated_at)
SELECT d.id, d.adult_id, i.code, (i.sort_order + d.base) % 4, d.submitted_at - interval '1 hour'
FROM demo_report_cans d JOIN cansd.instrument_items i ON i.subject = 'caregiver' AND i.active;
-- open modules need their items: rate them where a trigger holds
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating, rated_at)
SELECT d.id, d.child_id, i.code, 2 + i.sort_order % 2, d.submitted_at - interval '1 hour'
FROM demo_report_cans d
JOIN cansd.instrument_items i ON i.subject = 'child' AND i.active AND i.trigger_item IS NOT NULL
JOIN cansd.assessment_ratings t ON t.assessment_id = d.id AND t.subject_id = d.child_id
 AND t.item_code = i.trigger_item AND t.rating >= i.trigger_min;

INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at, from_supervisor_id,
                                     to_supervisor_id, comment)
SELECT d.id, e.event, e.actor, e.at, e.from_s, e.to_s, e.comment
FROM demo_report_cans d CROSS JOIN LATERAL (VALUES
	('created', d.author_id, d.submitted_at - interval '1 day', NULL::bigint, NULL::bigint, NULL),
	('submitted', d.author_id, d.submitted_at, NULL, CASE WHEN d.extra = 'rerouted'
	                                                      THEN d.first_supervisor
	                                                      ELSE d.approver_id END, NULL),
	('returned', d.approver_id, d.extra_at, d.approver_id, NULL,
	 'Please re-rate school functioning.'),
	('submitted', d.author_id, d.extra_at + interval '1 day', NULL, d.approver_id, NULL),
	('rerouted', d.author_id, d.extra_at, d.first_supervisor, d.approver_id,
	 'Dana is on leave this week.'),
	('approved', d.approver_id, d.approved_at, NULL, NULL, NULL)
) AS e (event, actor, at, from_s, to_s, comment)
WHERE e.event IN ('created', 'approved')
   OR (e.event = 'submitted' AND e.at = d.submitted_at)
   OR (e.event IN ('returned') AND d.extra = 'returned')
   OR (e.event = 'submitted' AND d.extra = 'returned' AND e.at = d.extra_at + interval '1 day')
   OR (e.event = 'rerouted' AND d.extra = 'rerouted');

UPDATE cansd.assessments a SET status = 'approved', approved_at = d.approved_at,
       approved_by = d.approver_id, returned_at = CASE WHEN d.extra = 'returned' THEN d.extra_at END
FROM demo_report_cans d WHERE a.id = d.id;

-- QC: A's initial passes; B's needs a follow-up, still open
INSERT INTO cansd.qc_reviews (assessment_id, reviewer_id, outcome, notes, reviewed_at)
SELECT d.id, q.id, r.outcome, r.notes, (m + r.day + time '10:00') AT TIME ZONE :'tz'
FROM demo_month, demo_report_cans d, cansd.users q, (VALUES
	('Ana Reyes', 9, 'pass', 'Ratings match the notes.'),
	('Ben Reyes', 13, 'needs_follow_up', 'Trauma symptoms rated without an experience.')
) AS r (child, day, outcome, notes)
JOIN cansd.members ch ON ch.full_name = r.child
WHERE q.username = 'qa.analyst' AND d.child_id = ch.id AND d.reason = 'initial';
INSERT INTO cansd.qc_follow_ups (assessment_id, assigned_to, notes, created_by, created_at)
SELECT r.assessment_id, d.author_id, 'Please review the trauma ratings with your supervisor.',
       r.reviewer_id, r.reviewed_at + interval '5 minutes'
FROM cansd.qc_reviews r JOIN demo_report_cans d ON d.id = r.assessment_id
WHERE r.outcome = 'needs_follow_up';

COMMIT;
