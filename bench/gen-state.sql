-- Five years of a state-sized program for the report benchmarks:
-- :staff users (a tenth supervisors, 70% IPS), :cases cases with five
-- children and one caregiver each, :cans approved CANS with every child
-- rating that applies to the child's age and every caregiver rating, their
-- history (a tenth returned once, a twentieth rerouted), QC reviews of a
-- tenth with follow-ups, and the report summary. Set-based (INSERT ...
-- SELECT generate_series), deterministic, as superuser into an empty
-- database: bench/gen-state.sh runs it.
--   psql -v staff=2000 -v cases=20000 -v cans=250000 -v years=5 \
--        -v tz=America/Chicago -f bench/gen-state.sql
\set ON_ERROR_STOP 1
\timing on

-- A consistent bulk load: no per-row triggers (guards, the approval
-- trigger: the summary is built set-based below) and no per-row FK checks.
SET session_replication_role = replica;
SET TimeZone = :'tz';
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';

BEGIN;
CREATE TEMPORARY TABLE g ON COMMIT DROP AS
SELECT (now() AT TIME ZONE :'tz')::date AS today,
       (now() AT TIME ZONE :'tz')::date - (:years * 365) AS start,
       NULL::text AS hash;  -- nobody logs in: the benchmark calls the functions

-- --- staff: supervisors first, then workers spread over them ---------------------
INSERT INTO cansd.users (username, full_name, email, roles, program, password_hash)
SELECT 'bench.s' || i, 'Bench Supervisor ' || i, 'bench.s' || i || '@bench.invalid',
       ARRAY['supervisor'], CASE WHEN i % 10 < 7 THEN 'IPS' ELSE 'IFPS' END, g.hash
FROM g, generate_series(1, :staff / 10) i;
INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program, password_hash)
SELECT 'bench.w' || i, 'Bench Worker ' || i, 'bench.w' || i || '@bench.invalid',
       ARRAY['worker'], s.id, s.program, g.hash
FROM g, generate_series(1, :staff - :staff / 10) i
JOIN cansd.users s ON s.username = 'bench.s' || (1 + i % (:staff / 10));
INSERT INTO cansd.users (username, full_name, email, roles, password_hash)
SELECT 'bench.qa', 'Bench QA', 'bench.qa@bench.invalid', ARRAY['qa_analyst'], g.hash FROM g;

-- certified within the last 15 months (so some lapsed, some lapsing), SACWIS at start
INSERT INTO cansd.training_records (user_id, training_code, completed_on)
SELECT u.id, t.code, CASE WHEN t.code = 'CANS_SACWIS_FUNCTIONALITY' THEN g.start
                          ELSE g.today - (u.id * 7919 % 450)::integer END
FROM g, cansd.users u
CROSS JOIN (VALUES ('CANS_2_0_CERTIFICATION'), ('CANS_SACWIS_FUNCTIONALITY')) AS t (code)
WHERE u.username LIKE 'bench.%';

CREATE TEMPORARY TABLE w ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, program FROM cansd.users
WHERE username LIKE 'bench.w%';

-- --- cases: opened evenly over the years; closed after 45-74 days, an extension
-- requested on day 35 for three cases in five; the last two months still open
INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id, status,
                         extension_requested_on, extension_reason, closed_on)
SELECT 'BENCH-' || i, w.program, o.opened_on, w.id,
       CASE WHEN o.opened_on + 75 <= g.today THEN 'closed'
            WHEN i % 5 < 3 AND o.opened_on + 35 <= g.today THEN 'extension_requested'
            ELSE 'open' END,
       CASE WHEN i % 5 < 3 AND o.opened_on + 35 <= g.today THEN o.opened_on + 35 END,
       CASE WHEN i % 5 < 3 AND o.opened_on + 35 <= g.today THEN 'more time' END,
       CASE WHEN o.opened_on + 75 <= g.today THEN o.opened_on + (45 + i % 30)::integer END
FROM g, generate_series(1, :cases) i
JOIN w ON w.k = i % (SELECT count(*) FROM w)
CROSS JOIN LATERAL (SELECT g.start + ((i::bigint * (:years * 365 - 10)) / :cases)::integer
                           AS opened_on) o;

-- five children 6 to 17 years old, one caregiver linked to all
INSERT INTO cansd.members (case_id, kind, full_name, birth_date)
SELECT c.id, 'child', 'Child ' || n, c.opened_on - ((6 + (c.id + n) % 12) * 365 + n * 17)::integer
FROM cansd.cases c, generate_series(1, 5) n WHERE c.sacwis_case_id LIKE 'BENCH-%';
INSERT INTO cansd.members (case_id, kind, full_name, relationship, all_children)
SELECT c.id, 'caregiver', 'Caregiver', 'bio_parent', true
FROM cansd.cases c WHERE c.sacwis_case_id LIKE 'BENCH-%';
INSERT INTO cansd.member_links (case_id, adult_id, child_id)
SELECT a.case_id, a.id, ch.id FROM cansd.members a
JOIN cansd.members ch ON ch.case_id = a.case_id AND ch.kind = 'child'
WHERE a.kind = 'caregiver' AND a.full_name = 'Caregiver';

-- the reports' copies of cases and children (their triggers are off here)
INSERT INTO cansd.report_cases
SELECT id, program, worker_id, opened_on, extension_requested_on, closed_on FROM cansd.cases
WHERE sacwis_case_id LIKE 'BENCH-%';
INSERT INTO cansd.report_children
SELECT m.id, m.case_id FROM cansd.members m JOIN cansd.cases c ON c.id = m.case_id
WHERE m.kind = 'child' AND c.sacwis_case_id LIKE 'BENCH-%';

-- --- CANS: each child's initial (a tenth late), extension and case_close ones,
-- approved 0-9 days after first submission, up to :cans of them
CREATE TEMPORARY TABLE gen ON COMMIT DROP AS
SELECT (SELECT coalesce(max(id), 0) FROM cansd.assessments)
       + row_number() OVER (ORDER BY y.approved_at, y.child_id) AS id, y.*
FROM (
SELECT x.*
FROM (SELECT c.id AS case_id, m.id AS child_id, r.reason, r.day AS assessment_date,
             c.worker_id AS author_id, w.supervisor_id AS approver_id,
             cansd.day_start(r.day) + interval '9 hours' + (m.id % 480) * interval '1 minute'
                 AS first_submitted_at,
             cansd.day_start(r.day + (m.id % 10)::integer) + interval '10 hours'
                 + (m.id % 420) * interval '1 minute' AS approved_at,
             (r.day - m.birth_date) * 12 / 365 AS age_months,
             a.id AS adult_id
      FROM cansd.cases c
      JOIN cansd.users w ON w.id = c.worker_id
      JOIN cansd.members m ON m.case_id = c.id AND m.kind = 'child'
      JOIN cansd.members a ON a.case_id = c.id AND a.kind = 'caregiver'
      CROSS JOIN LATERAL (VALUES
          ('initial', c.opened_on + (CASE WHEN m.id % 10 = 0 THEN 35 ELSE 10 + m.id % 15 END)::integer),
          ('extension', c.extension_requested_on),
          ('case_close', c.closed_on)) AS r (reason, day)
      WHERE c.sacwis_case_id LIKE 'BENCH-%' AND r.day IS NOT NULL) x
WHERE x.approved_at < now()
-- the newest :cans, so that the last months (what gets reported) are full
ORDER BY x.approved_at DESC, x.child_id LIMIT :cans) y;

INSERT INTO cansd.assessments (id, case_id, child_id, reason, assessment_date, status,
                               author_id, routed_to, routed_at, version, created_at, updated_at,
                               first_submitted_at, submitted_at, returned_at, approved_at,
                               approved_by)
OVERRIDING SYSTEM VALUE
SELECT id, case_id, child_id, reason, assessment_date, 'approved', author_id, approver_id,
       first_submitted_at, 4, first_submitted_at - interval '2 days', approved_at,
       first_submitted_at, first_submitted_at, NULL, approved_at, approver_id
FROM gen;
SELECT setval(pg_get_serial_sequence('cansd.assessments', 'id'), (SELECT max(id) FROM gen));

INSERT INTO cansd.assessment_caregivers (assessment_id, member_id, added_at)
SELECT id, adult_id, first_submitted_at - interval '2 days' FROM gen;

-- every child item that applies at the child's age (module items only where
-- a trigger of 2 or more opens them: one CANS in four), every caregiver item
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating, rated_at)
SELECT a.id, a.child_id, i.code,
       CASE WHEN i.trigger_item IS NOT NULL THEN ((a.id + i.sort_order) % 4)
            WHEN a.id % 4 = 0 AND i.code IN (SELECT trigger_item FROM cansd.instrument_items
                                             WHERE trigger_item IS NOT NULL) THEN 2
            ELSE ((a.id * 31 + i.sort_order * 7) % 13 / 4) END,
       a.first_submitted_at - interval '1 day'
FROM gen a
JOIN cansd.instrument_items i ON i.subject = 'child' AND i.active
 AND a.age_months >= i.min_age_months AND (i.max_age_months IS NULL OR a.age_months <= i.max_age_months)
 AND (i.trigger_item IS NULL OR a.id % 4 = 0);
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating, rated_at)
SELECT a.id, a.adult_id, i.code, (a.id + i.sort_order) % 4, a.first_submitted_at - interval '1 day'
FROM gen a JOIN cansd.instrument_items i ON i.subject = 'caregiver' AND i.active;

-- history: created, submitted, (returned and submitted again), (rerouted), approved
INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at, from_supervisor_id,
                                     to_supervisor_id, comment)
SELECT a.id, e.event, e.actor, e.at, e.from_s, e.to_s, e.comment
FROM gen a
CROSS JOIN LATERAL (VALUES
	('created', a.author_id, a.first_submitted_at - interval '2 days', NULL::bigint, NULL::bigint, NULL),
	('submitted', a.author_id, a.first_submitted_at, NULL, a.approver_id, NULL),
	('returned', a.approver_id, a.first_submitted_at + interval '1 minute', a.approver_id, NULL,
	 'please revise'),
	('submitted', a.author_id, a.first_submitted_at + interval '2 minutes', NULL, a.approver_id, NULL),
	('rerouted', a.author_id, a.first_submitted_at + interval '3 minutes', a.approver_id,
	 a.approver_id, 'covering'),
	('approved', a.approver_id, a.approved_at, NULL, NULL, NULL)) AS e (event, actor, at, from_s, to_s, comment)
WHERE e.event IN ('created', 'approved')
   OR (e.event = 'submitted' AND (e.at = a.first_submitted_at OR a.id % 10 = 0))
   OR (e.event = 'returned' AND a.id % 10 = 0)
   OR (e.event = 'rerouted' AND a.id % 20 = 0);

-- QC: a tenth reviewed three days after approval, a quarter of those need a
-- follow-up, closed two weeks later unless that is still to come
INSERT INTO cansd.qc_reviews (assessment_id, reviewer_id, outcome, notes, reviewed_at)
SELECT a.id, q.id, CASE WHEN a.id % 40 = 0 THEN 'needs_follow_up' ELSE 'pass' END, 'bench',
       a.approved_at + interval '3 days'
FROM gen a, cansd.users q
WHERE q.username = 'bench.qa' AND a.id % 10 = 0 AND a.approved_at + interval '3 days' < now();
INSERT INTO cansd.qc_follow_ups (assessment_id, assigned_to, notes, status, created_by,
                                 created_at, closed_by, closed_at)
SELECT r.assessment_id, a.author_id, 'bench', CASE WHEN c.at < now() THEN 'closed' ELSE 'open' END,
       r.reviewer_id, r.reviewed_at, CASE WHEN c.at < now() THEN a.author_id END,
       CASE WHEN c.at < now() THEN c.at END
FROM cansd.qc_reviews r JOIN gen a ON a.id = r.assessment_id
CROSS JOIN LATERAL (SELECT r.reviewed_at + interval '14 days' AS at) c
WHERE r.outcome = 'needs_follow_up';

-- the report summary, set-based (the approval trigger's work for each CANS)
INSERT INTO cansd.report_items (code)
SELECT code FROM cansd.instrument_items WHERE subject = 'child' ON CONFLICT (code) DO NOTHING;
INSERT INTO cansd.report_cans (assessment_id, case_id, child_id, reason, approved_at,
                               first_submitted_at, actionable_needs, item_nums, ratings)
SELECT a.id, a.case_id, a.child_id, a.reason, a.approved_at, a.first_submitted_at,
       count(*) FILTER (WHERE i.scale = 'need' AND x.rating >= 2),
       array_agg(n.n ORDER BY d.sort_order, i.sort_order),
       array_agg(x.rating ORDER BY d.sort_order, i.sort_order)
FROM gen a
JOIN cansd.assessment_ratings x ON x.assessment_id = a.id AND x.subject_id = a.child_id
JOIN cansd.instrument_items i ON i.code = x.item_code
JOIN cansd.instrument_domains d ON d.code = i.domain_code
JOIN cansd.report_items n ON n.code = i.code
LEFT JOIN cansd.assessment_ratings t ON t.assessment_id = a.id AND t.subject_id = a.child_id
      AND t.item_code = i.trigger_item
WHERE i.trigger_item IS NULL OR t.rating >= i.trigger_min
GROUP BY a.id, a.case_id, a.child_id, a.reason, a.approved_at, a.first_submitted_at;
COMMIT;

RESET session_replication_role;
ANALYZE;
SELECT (SELECT count(*) FROM cansd.users WHERE username LIKE 'bench.%') AS staff,
       (SELECT count(*) FROM cansd.cases) AS cases,
       (SELECT count(*) FROM cansd.assessments WHERE status = 'approved') AS approved_cans,
       (SELECT count(*) FROM cansd.assessment_ratings) AS ratings,
       (SELECT count(*) FROM cansd.report_cans) AS summarised;
