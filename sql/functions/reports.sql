-- The monthly and quarterly reports: every figure of the report body in one
-- call, as docs/REPORTS.md defines it (each figure's heading there is cited
-- below). Tables and indexes: sql/migrations/015_qc_reports.sql.

-- The per-CANS summary (cansd.report_cans) and the copies of cases and
-- children (report_cases, report_children) are kept by triggers, which
-- migration 022 defines with the functions they run.

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
-- FORCEd). It writes nothing: it runs on a read replica.
CREATE OR REPLACE FUNCTION cansd.report(actor bigint, request_id text, client_addr text,
	kind text, label text, p_from date, p_to date, program_filter text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp
-- No JIT: this one statement's estimate crosses jit_inline_above_cost, and
-- compiling it costs far more than it saves.
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
	PERFORM cansd.begin_request(actor, request_id, client_addr);
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
		WHERE (program_filter IS NULL OR c.program = program_filter)
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
		  AND (program_filter IS NULL OR u.program = program_filter)
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
		'program', program_filter, 'scope', CASE WHEN team THEN 'team' ELSE 'all' END,
		'figures', figures)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.reports_monthly(actor bigint, request_id text, client_addr text,
	kind text, label text, p_from date, p_to date, program_filter text) RETURNS text
LANGUAGE sql AS $$
	SELECT cansd.report(actor, request_id, client_addr, kind, label, p_from, p_to, program_filter)
$$;

CREATE OR REPLACE FUNCTION api.reports_quarterly(actor bigint, request_id text, client_addr text,
	kind text, label text, p_from date, p_to date, program_filter text) RETURNS text
LANGUAGE sql AS $$
	SELECT cansd.report(actor, request_id, client_addr, kind, label, p_from, p_to, program_filter)
$$;

