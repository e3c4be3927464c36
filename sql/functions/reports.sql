-- The monthly and quarterly reports (issue 17): every figure of API.md "The
-- report body" in one call, as docs/REPORTS.md defines it (each figure's
-- heading there is cited below). Tables and indexes:
-- sql/migrations/015_qc_reports.sql. Applied at every start; idempotent.

-- --- the per-CANS summary (cansd.report_cans) ----------------------------------

-- What the reports keep of an approved CANS: the counted child ratings (a
-- module item only while its trigger holds on that CANS) in instrument
-- order, and its actionable needs. SECURITY DEFINER: nobody else writes
-- report_cans, and the owner reads the CANS whoever approves it (a
-- supervisor it was rerouted to no longer sees its case once approved).
CREATE OR REPLACE FUNCTION cansd.report_cans_refresh(aid bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	INSERT INTO cansd.report_items (code)
	SELECT i.code FROM cansd.instrument_items i
	WHERE i.subject = 'child' AND NOT EXISTS (SELECT 1 FROM cansd.report_items r
	                                          WHERE r.code = i.code)
	ON CONFLICT (code) DO NOTHING;
	INSERT INTO cansd.report_cans (assessment_id, case_id, child_id, reason, approved_at,
	                               first_submitted_at, actionable_needs, item_nums, ratings)
	SELECT a.id, a.case_id, a.child_id, a.reason, a.approved_at,
	       coalesce(a.first_submitted_at, a.approved_at), coalesce(r.actionable, 0)::integer,
	       coalesce(r.nums, '{}'), coalesce(r.ratings, '{}')
	FROM cansd.assessments a
	LEFT JOIN LATERAL (
		SELECT count(*) FILTER (WHERE i.scale = 'need' AND x.rating >= 2) AS actionable,
		       array_agg(n.n ORDER BY d.sort_order, i.sort_order) AS nums,
		       array_agg(x.rating ORDER BY d.sort_order, i.sort_order) AS ratings
		FROM cansd.assessment_ratings x
		JOIN cansd.instrument_items i ON i.code = x.item_code AND i.subject = 'child'
		JOIN cansd.instrument_domains d ON d.code = i.domain_code
		JOIN cansd.report_items n ON n.code = i.code
		LEFT JOIN cansd.assessment_ratings t
		       ON t.assessment_id = x.assessment_id AND t.subject_id = x.subject_id
		      AND t.item_code = i.trigger_item
		WHERE x.assessment_id = a.id AND x.subject_id = a.child_id
		  AND (i.trigger_item IS NULL OR t.rating >= i.trigger_min)) r ON true
	WHERE a.id = aid AND a.status = 'approved'
	ON CONFLICT (assessment_id) DO UPDATE
	SET approved_at = EXCLUDED.approved_at, first_submitted_at = EXCLUDED.first_submitted_at,
	    actionable_needs = EXCLUDED.actionable_needs, item_nums = EXCLUDED.item_nums,
	    ratings = EXCLUDED.ratings;
END
$$;

-- Every approved CANS the summary misses: for the demo seed and bulk loads,
-- which insert approved CANS directly, and at every start. Returns the count.
CREATE OR REPLACE FUNCTION cansd.report_cans_backfill() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	aid bigint;
	n integer := 0;
BEGIN
	FOR aid IN SELECT a.id FROM cansd.assessments a
	           WHERE a.status = 'approved'
	             AND NOT EXISTS (SELECT 1 FROM cansd.report_cans r WHERE r.assessment_id = a.id)
	LOOP
		PERFORM cansd.report_cans_refresh(aid);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION cansd.report_cans_on_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.report_cans_refresh(NEW.id);
	RETURN NULL;
END
$$;

-- On approval, and when an approved CANS's times are corrected by hand.
DROP TRIGGER IF EXISTS report_cans_on_approval ON cansd.assessments;
CREATE TRIGGER report_cans_on_approval
	AFTER INSERT OR UPDATE OF status, approved_at, first_submitted_at ON cansd.assessments
	FOR EACH ROW WHEN (NEW.status = 'approved')
	EXECUTE FUNCTION cansd.report_cans_on_approval();

-- --- the copies of cases and children (cansd.report_cases, report_children) ------

CREATE OR REPLACE FUNCTION cansd.report_cases_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	INSERT INTO cansd.report_cases AS r (case_id, program, worker_id, opened_on,
	                                     extension_requested_on, closed_on)
	VALUES (NEW.id, NEW.program, NEW.worker_id, NEW.opened_on, NEW.extension_requested_on,
	        NEW.closed_on)
	ON CONFLICT (case_id) DO UPDATE
	SET program = EXCLUDED.program, worker_id = EXCLUDED.worker_id,
	    opened_on = EXCLUDED.opened_on, extension_requested_on = EXCLUDED.extension_requested_on,
	    closed_on = EXCLUDED.closed_on;
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS report_cases_sync ON cansd.cases;
CREATE TRIGGER report_cases_sync AFTER INSERT OR UPDATE ON cansd.cases
	FOR EACH ROW EXECUTE FUNCTION cansd.report_cases_sync();

CREATE OR REPLACE FUNCTION cansd.report_children_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM cansd.report_children WHERE child_id = OLD.id;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.kind = 'child' THEN
		INSERT INTO cansd.report_children (child_id, case_id) VALUES (NEW.id, NEW.case_id);
	END IF;
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS report_children_sync ON cansd.members;
CREATE TRIGGER report_children_sync AFTER INSERT OR DELETE OR UPDATE OF kind, case_id
	ON cansd.members FOR EACH ROW EXECUTE FUNCTION cansd.report_children_sync();

-- --- the report ------------------------------------------------------------------

-- The first instant of a programs' day (CANSD_TIMEZONE: the session's zone).
CREATE OR REPLACE FUNCTION cansd.day_start(d date) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT d::timestamp AT TIME ZONE current_setting('TimeZone')
$$;

CREATE OR REPLACE FUNCTION cansd.report_rate(n bigint, d bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN d > 0 THEN round(n::numeric / d, 4) END
$$;

-- SECURITY DEFINER: the figures are numbers over the caller's scope, which
-- this function decides explicitly (docs/REPORTS.md "Scope and the program
-- filter"), so it reads the report_* copies and the QC tables past their
-- policies instead of paying a policy call per row (cases and members are
-- FORCEd: 40 us a row). It writes nothing: it runs on a read replica.
CREATE OR REPLACE FUNCTION cansd.report(actor bigint, request_id text, addr text, kind text,
	label text, p_from date, p_to date, prog text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp
-- JIT compiling this one statement costs seconds (its estimate crosses
-- jit_inline_above_cost) to save milliseconds: measured, 4.8 s against 0.9 s.
SET jit = off AS $$
DECLARE
	me bigint;
	roles text[];
	team boolean;
	through date;  -- the last counted day
	staff_day date;
	t_from timestamptz;
	t_end timestamptz;  -- the first instant after the last counted day
	figures json;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	me := cansd.current_user_id();
	roles := cansd.current_roles();
	IF roles && ARRAY['qa_analyst', 'program_admin'] THEN
		team := false;
	ELSIF 'supervisor' = ANY (roles) THEN
		team := true;
	ELSE
		PERFORM cansd.fail('CN403', 'Your role does not allow reports.');
	END IF;
	through := least(p_to, cansd.today());
	staff_day := CASE WHEN through < p_from THEN cansd.today() ELSE through END;
	t_from := cansd.day_start(p_from);
	t_end := cansd.day_start(through + 1);

	WITH scoped AS MATERIALIZED (
		-- the cases whose CANS count: program, then team (the case's current worker)
		SELECT c.case_id AS id, c.program, c.opened_on, c.extension_requested_on, c.closed_on
		FROM cansd.report_cases c
		WHERE (prog IS NULL OR c.program = prog)
		  AND (NOT team OR c.worker_id IN (SELECT u.id FROM cansd.users u
		                                   WHERE u.supervisor_id = me))),
	approved AS MATERIALIZED (
		SELECT r.* FROM cansd.report_cans r JOIN scoped s ON s.id = r.case_id
		WHERE r.approved_at >= t_from AND r.approved_at < t_end),
	rules AS MATERIALIZED (
		SELECT program, value::integer AS initial_days FROM cansd.program_rules
		WHERE key = 'initial_cans_due_days'),
	due AS MATERIALIZED (
		-- "Due item": one per child and reason, due day in the counted range
		SELECT s.id AS case_id, m.child_id, d.reason, d.due_on
		FROM scoped s
		JOIN rules r ON r.program = s.program
		JOIN cansd.report_children m ON m.case_id = s.id
		CROSS JOIN LATERAL (VALUES
			('initial', s.opened_on + r.initial_days),
			('extension', s.extension_requested_on),
			('case_close', s.closed_on)) AS d (reason, due_on)
		WHERE d.due_on BETWEEN p_from AND through
		  -- cheap pre-filter (initial_cans_due_days is far below 400)
		  AND (s.opened_on BETWEEN p_from - 400 AND through
		       OR s.extension_requested_on BETWEEN p_from AND through
		       OR s.closed_on BETWEEN p_from AND through)),
	due_met AS (
		SELECT d.*,
		       (SELECT min(r.approved_at) FROM cansd.report_cans r
		        WHERE r.case_id = d.case_id AND r.child_id = d.child_id
		          AND r.reason = d.reason) AS met_at
		FROM due d),
	events AS (
		SELECT e.event FROM cansd.assessment_events e
		JOIN cansd.assessments a ON a.id = e.assessment_id
		JOIN scoped s ON s.id = a.case_id
		WHERE e.event IN ('returned', 'rerouted') AND e.at >= t_from AND e.at < t_end),
	reviews AS (
		SELECT q.outcome FROM cansd.qc_reviews q
		JOIN cansd.assessments a ON a.id = q.assessment_id
		JOIN scoped s ON s.id = a.case_id
		WHERE q.reviewed_at >= t_from AND q.reviewed_at < t_end),
	item_counts AS (
		-- per item number and rating first (integers), then names and scales
		SELECT n.code, sum(x.k) AS rated,
		       sum(x.k) FILTER (WHERE (i.scale = 'need' AND x.rating >= 2)
		                           OR (i.scale = 'strength' AND x.rating <= 1)) AS hits
		FROM (SELECT u.num, u.rating, count(*) AS k
		      FROM approved a
		      CROSS JOIN LATERAL unnest(a.item_nums, a.ratings) AS u (num, rating)
		      GROUP BY u.num, u.rating) x
		JOIN cansd.report_items n ON n.n = x.num
		JOIN cansd.instrument_items i ON i.code = n.code
		GROUP BY n.code),
	closes AS (
		SELECT DISTINCT ON (a.case_id, a.child_id) a.case_id, a.child_id, a.actionable_needs
		FROM approved a WHERE a.reason = 'case_close'
		ORDER BY a.case_id, a.child_id, a.approved_at DESC),
	pairs AS (
		SELECT c.actionable_needs AS at_close,
		       (SELECT r.actionable_needs FROM cansd.report_cans r
		        WHERE r.case_id = c.case_id AND r.child_id = c.child_id
		          AND r.reason = 'initial' AND r.approved_at < t_end
		        ORDER BY r.approved_at LIMIT 1) AS at_start
		FROM closes c),
	staff AS (
		SELECT cert.certified_until
		FROM cansd.users u
		CROSS JOIN LATERAL cansd.certification(u.id, staff_day) cert
		WHERE u.active AND u.roles && ARRAY['worker', 'supervisor']
		  AND (prog IS NULL OR u.program = prog)
		  AND (NOT team OR u.id = me OR u.supervisor_id = me)
		  AND cert.certified)
	SELECT json_build_object(
		-- cans_approved
		'cans_approved', (SELECT json_build_object(
			'initial', count(*) FILTER (WHERE reason = 'initial'),
			'extension', count(*) FILTER (WHERE reason = 'extension'),
			'case_close', count(*) FILTER (WHERE reason = 'case_close'),
			'total', count(*)) FROM approved),
		-- initial_on_time
		'initial_on_time', (SELECT json_build_object(
			'count', count(*) FILTER (WHERE met_at < cansd.day_start(due_on + 1)),
			'of', count(*),
			'rate', cansd.report_rate(count(*) FILTER (WHERE met_at < cansd.day_start(due_on + 1)),
			                          count(*)))
			FROM due_met WHERE reason = 'initial'),
		-- overdue
		'overdue', (SELECT count(*) FROM due_met
		            WHERE due_on < through AND (met_at IS NULL OR met_at >= t_end)),
		-- days_submit_to_approval
		'days_submit_to_approval', (SELECT json_build_object(
			'median', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric, 2),
			'p90', round(percentile_cont(0.9) WITHIN GROUP (ORDER BY d)::numeric, 2))
			FROM (SELECT cansd.program_day(approved_at) - cansd.program_day(first_submitted_at)
			             AS d FROM approved) x),
		-- returns, reroutes
		'returns', (SELECT count(*) FROM events WHERE event = 'returned'),
		'reroutes', (SELECT count(*) FROM events WHERE event = 'rerouted'),
		-- qc_reviews
		'qc_reviews', (SELECT json_build_object(
			'count', count(*), 'passed', count(*) FILTER (WHERE outcome = 'pass'),
			'pass_rate', cansd.report_rate(count(*) FILTER (WHERE outcome = 'pass'), count(*)))
			FROM reviews),
		-- follow_ups_open
		'follow_ups_open', (SELECT count(*) FROM cansd.qc_follow_ups f
		                    JOIN cansd.assessments a ON a.id = f.assessment_id
		                    JOIN scoped s ON s.id = a.case_id
		                    WHERE f.created_at < t_end
		                      AND (f.closed_at IS NULL OR f.closed_at >= t_end)),
		-- items
		'items', (SELECT coalesce(json_agg(json_build_object(
			'item', i.code, 'scale', i.scale, 'rated', coalesce(c.rated, 0)::bigint,
			'share', cansd.report_rate(coalesce(c.hits, 0)::bigint, c.rated::bigint)) ORDER BY d.sort_order, i.sort_order), '[]')
			FROM cansd.instrument_items i
			JOIN cansd.instrument_domains d ON d.code = i.domain_code
			LEFT JOIN item_counts c ON c.code = i.code
			WHERE i.subject = 'child' AND (i.active OR c.rated > 0)),
		-- start_and_close
		'start_and_close', (SELECT json_build_object(
			'children', count(*),
			'actionable_at_start', coalesce(sum(at_start), 0),
			'actionable_at_close', coalesce(sum(at_close), 0))
			FROM pairs WHERE at_start IS NOT NULL),
		-- staff_certified, staff_lapsing_within_30_days
		'staff_certified', (SELECT count(*) FROM staff),
		'staff_lapsing_within_30_days', (SELECT count(*) FROM staff
		                                 WHERE certified_until < staff_day + 30))
	INTO figures;

	RETURN json_build_object(
		'period', json_build_object('kind', kind, 'label', label, 'from', p_from, 'to', p_to,
		                            'through', through),
		'program', prog, 'scope', CASE WHEN team THEN 'team' ELSE 'all' END,
		'figures', figures)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.reports_monthly(actor bigint, request_id text, addr text,
	kind text, label text, p_from date, p_to date, prog text) RETURNS text
LANGUAGE sql AS $$
	SELECT cansd.report(actor, request_id, addr, kind, label, p_from, p_to, prog)
$$;

CREATE OR REPLACE FUNCTION api.reports_quarterly(actor bigint, request_id text, addr text,
	kind text, label text, p_from date, p_to date, prog text) RETURNS text
LANGUAGE sql AS $$
	SELECT cansd.report(actor, request_id, addr, kind, label, p_from, p_to, prog)
$$;

-- Approved CANS that reached the tables without the trigger (bulk loads).
SELECT cansd.report_cans_backfill();
