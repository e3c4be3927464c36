-- Demo CANS for `make run` (CANSD_DEMO=1), applied by scripts/lib.sh
-- seed_demo right after sql/seed/demo.sql (whose cases and people it rates),
-- as superuser postgres. psql variable :'tz' is the programs' time zone.
-- One CANS in every state, each with the history that led there:
--   IPS-1002  Mia Brooks (4)    initial    approved by supervisor.rivera
--   IPS-1001  Riley Ortiz (14)  initial    submitted, awaiting supervisor.rivera
--   IPS-1001  Jamie Ortiz (9)   initial    draft, trauma experiences rated
--   IPS-1003  Devon Hale (16)   initial    approved
--   IPS-1003  Devon Hale (16)   extension  returned by supervisor.rivera with a comment
--   IFPS-2001 Liam Carter (7)   initial    rerouted by worker.ifps to supervisor.chen
--   IFPS-2001 Ava Carter (11)   initial    rerouted by supervisor.rivera, approved by chen
-- worker.lapsed (IPS-1004) has none: their certification lapsed, so every
-- CANS route refuses them (403 certification-required).

\set ON_ERROR_STOP 1

BEGIN;

CREATE TEMPORARY TABLE demo_cans_day ON COMMIT DROP AS
	SELECT (now() AT TIME ZONE :'tz')::date AS today;

-- Every rating a CANS still needs, module items included (a rating that
-- opens a module makes its items needed: a few passes settle it). The
-- ratings vary by item, subject and CANS but are the same at every seeding.
CREATE FUNCTION pg_temp.rate_all(aid bigint, only_domain text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	FOR pass IN 1..3 LOOP
		INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
		SELECT aid, g.subject_id, g.item_code,
		       (ARRAY[0, 0, 0, 1, 1, 1, 2, 2, 3, 1])[1 + abs(hashtext(g.item_code || g.subject_id || aid)) % 10]
		FROM cansd.assessment_grid(aid) g
		WHERE g.required AND g.rating IS NULL
		  AND (only_domain IS NULL OR g.domain_code = only_domain);
	END LOOP;
END
$$;

CREATE TEMPORARY TABLE demo_cans (
	key text, sacwis text, child text, reason text, days_ago integer, status text
) ON COMMIT DROP;
INSERT INTO demo_cans VALUES
	('mia', 'IPS-1002', 'Mia Brooks', 'initial', 40, 'approved'),
	('riley', 'IPS-1001', 'Riley Ortiz', 'initial', 3, 'submitted'),
	('jamie', 'IPS-1001', 'Jamie Ortiz', 'initial', 2, 'draft'),
	('devon1', 'IPS-1003', 'Devon Hale', 'initial', 75, 'approved'),
	('devon2', 'IPS-1003', 'Devon Hale', 'extension', 38, 'returned'),
	('liam', 'IFPS-2001', 'Liam Carter', 'initial', 50, 'submitted'),
	('ava', 'IFPS-2001', 'Ava Carter', 'initial', 48, 'approved');

CREATE TEMPORARY TABLE demo_cans_id (key text, id bigint) ON COMMIT DROP;
WITH made AS (
	INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id,
	                               created_at, updated_at)
	SELECT c.id, m.id, d.reason, today - d.days_ago, c.worker_id,
	       (today - d.days_ago + time '10:00') AT TIME ZONE :'tz',
	       (today - d.days_ago + time '10:00') AT TIME ZONE :'tz'
	FROM demo_cans_day, demo_cans d
	JOIN cansd.cases c ON c.sacwis_case_id = d.sacwis
	JOIN cansd.members m ON m.case_id = c.id AND m.full_name = d.child
	ORDER BY d.days_ago DESC
	RETURNING id, child_id, reason)
INSERT INTO demo_cans_id
SELECT d.key, made.id FROM made
JOIN cansd.members m ON m.id = made.child_id
JOIN demo_cans d ON d.child = m.full_name AND d.reason = made.reason;

INSERT INTO cansd.assessment_caregivers (assessment_id, member_id, added_at)
SELECT i.id, l.adult_id, a.created_at
FROM demo_cans_id i JOIN cansd.assessments a ON a.id = i.id
JOIN cansd.member_links l ON l.child_id = a.child_id;

SELECT pg_temp.rate_all(i.id, CASE WHEN i.key = 'jamie' THEN
	(SELECT domain_code FROM cansd.instrument_items ORDER BY sort_order LIMIT 1) END)
FROM demo_cans_id i;

-- Riley's ratings show a traumatic stress symptom with no trauma
-- experience: the QC rule of that kind flags it on submission.
UPDATE cansd.assessment_ratings r SET rating = CASE
	WHEN it.domain_code = q.params->>'requires_domain' THEN 0 ELSE 2 END
FROM cansd.instrument_items it, cansd.qc_rules q, demo_cans_id i
WHERE q.kind = 'domain_without_domain' AND i.key = 'riley' AND r.assessment_id = i.id
  AND it.code = r.item_code
  AND it.domain_code IN (q.params->>'requires_domain', q.params->>'domain');

-- The history, step by step: (CANS, step, event, actor, days after the
-- assessment date, from and to supervisor, comment).
CREATE TEMPORARY TABLE demo_step (
	key text, seq integer, event text, actor text, after_days integer,
	from_sup text, to_sup text, comment text
) ON COMMIT DROP;
INSERT INTO demo_step VALUES
	('mia', 1, 'created', 'worker.current', 0, NULL, NULL, NULL),
	('mia', 2, 'ratings_changed', 'worker.current', 1, NULL, NULL, NULL),
	('mia', 3, 'submitted', 'worker.current', 2, NULL, 'supervisor.rivera', NULL),
	('mia', 4, 'approved', 'supervisor.rivera', 4, 'supervisor.rivera', NULL, NULL),
	('riley', 1, 'created', 'worker.current', 0, NULL, NULL, NULL),
	('riley', 2, 'ratings_changed', 'worker.current', 0, NULL, NULL, NULL),
	('riley', 3, 'submitted', 'worker.current', 1, NULL, 'supervisor.rivera', NULL),
	('jamie', 1, 'created', 'worker.current', 0, NULL, NULL, NULL),
	('jamie', 2, 'ratings_changed', 'worker.current', 1, NULL, NULL, NULL),
	('devon1', 1, 'created', 'worker.lapsing', 0, NULL, NULL, NULL),
	('devon1', 2, 'ratings_changed', 'worker.lapsing', 2, NULL, NULL, NULL),
	('devon1', 3, 'submitted', 'worker.lapsing', 3, NULL, 'supervisor.rivera', NULL),
	('devon1', 4, 'approved', 'supervisor.rivera', 5, 'supervisor.rivera', NULL, NULL),
	('devon2', 1, 'created', 'worker.lapsing', 0, NULL, NULL, NULL),
	('devon2', 2, 'ratings_changed', 'worker.lapsing', 1, NULL, NULL, NULL),
	('devon2', 3, 'submitted', 'worker.lapsing', 2, NULL, 'supervisor.rivera', NULL),
	('devon2', 4, 'returned', 'supervisor.rivera', 4, 'supervisor.rivera', NULL,
	 'Substance use is rated 0, but the extension request describes weekly use. Please review the risk behaviors and re-submit.'),
	('liam', 1, 'created', 'worker.ifps', 0, NULL, NULL, NULL),
	('liam', 2, 'ratings_changed', 'worker.ifps', 1, NULL, NULL, NULL),
	('liam', 3, 'submitted', 'worker.ifps', 2, NULL, 'supervisor.rivera', NULL),
	('liam', 4, 'rerouted', 'worker.ifps', 5, 'supervisor.rivera', 'supervisor.chen',
	 'Dana Rivera is on leave until next month.'),
	('ava', 1, 'created', 'worker.ifps', 0, NULL, NULL, NULL),
	('ava', 2, 'ratings_changed', 'worker.ifps', 1, NULL, NULL, NULL),
	('ava', 3, 'submitted', 'worker.ifps', 2, NULL, 'supervisor.rivera', NULL),
	('ava', 4, 'rerouted', 'supervisor.rivera', 3, 'supervisor.rivera', 'supervisor.chen',
	 'I supervised the family''s previous placement; please approve this one.'),
	('ava', 5, 'approved', 'supervisor.chen', 6, 'supervisor.chen', NULL, NULL);

INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at, from_supervisor_id,
                                     to_supervisor_id, comment)
SELECT i.id, s.event, actor.id,
       (a.assessment_date + s.after_days + time '10:00' + make_interval(mins => s.seq))
           AT TIME ZONE :'tz',
       fs.id, ts.id, s.comment
FROM demo_step s
JOIN demo_cans_id i ON i.key = s.key
JOIN cansd.assessments a ON a.id = i.id
JOIN cansd.users actor ON actor.username = s.actor
LEFT JOIN cansd.users fs ON fs.username = s.from_sup
LEFT JOIN cansd.users ts ON ts.username = s.to_sup
ORDER BY a.assessment_date, i.key, s.seq;

-- Every supervisor a CANS was routed to reads it (and its case).
INSERT INTO cansd.assessment_routes (assessment_id, supervisor_id, case_id)
SELECT DISTINCT e.assessment_id, e.to_supervisor_id, a.case_id
FROM cansd.assessment_events e JOIN demo_cans_id i ON i.id = e.assessment_id
JOIN cansd.assessments a ON a.id = e.assessment_id
WHERE e.to_supervisor_id IS NOT NULL;

-- What each CANS shows of its ratings and sections, before approval.
SELECT cansd.assessment_refresh(id) FROM demo_cans_id;

-- Each CANS's row follows its history; from here on the database keeps
-- the approved ones final.
UPDATE cansd.assessments a SET
	status = d.status,
	first_submitted_at = (SELECT min(e.at) FROM cansd.assessment_events e
	                      WHERE e.assessment_id = a.id AND e.event = 'submitted'),
	submitted_at = (SELECT max(e.at) FROM cansd.assessment_events e
	                WHERE e.assessment_id = a.id AND e.event = 'submitted'),
	returned_at = (SELECT max(e.at) FROM cansd.assessment_events e
	               WHERE e.assessment_id = a.id AND e.event = 'returned'),
	routed_to = CASE WHEN d.status IN ('submitted', 'approved') THEN
		(SELECT e.to_supervisor_id FROM cansd.assessment_events e
		 WHERE e.assessment_id = a.id AND e.to_supervisor_id IS NOT NULL
		 ORDER BY e.at DESC LIMIT 1) END,
	routed_at = CASE WHEN d.status IN ('submitted', 'approved') THEN
		(SELECT max(e.at) FROM cansd.assessment_events e
		 WHERE e.assessment_id = a.id AND e.to_supervisor_id IS NOT NULL) END,
	version = (SELECT count(*) FROM cansd.assessment_events e
	           WHERE e.assessment_id = a.id AND e.event <> 'created') + 1,
	updated_at = (SELECT max(e.at) FROM cansd.assessment_events e WHERE e.assessment_id = a.id),
	approved_at = (SELECT e.at FROM cansd.assessment_events e
	               WHERE e.assessment_id = a.id AND e.event = 'approved'),
	approved_by = (SELECT e.actor_id FROM cansd.assessment_events e
	               WHERE e.assessment_id = a.id AND e.event = 'approved')
FROM demo_cans_id i JOIN demo_cans d ON d.key = i.key
WHERE a.id = i.id;

-- QC findings of every CANS that was submitted, in submission order.
SELECT cansd.qc_run(a.id) FROM cansd.assessments a JOIN demo_cans_id i ON i.id = a.id
WHERE a.first_submitted_at IS NOT NULL ORDER BY a.first_submitted_at;

INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)
SELECT NULL, 'seed', 'assessment', i.id::text,
       jsonb_build_object('case', d.sacwis, 'status', d.status, 'by', 'sql/seed/demo_cans.sql')
FROM demo_cans_id i JOIN demo_cans d ON d.key = i.key;

COMMIT;
