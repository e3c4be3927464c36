-- GET /cans-due: which CANS each child of a case owes, by when, and whether
-- it is met. Computed, never stored, so a new case,
-- child, extension request or closing shows at once. Scoped by the cases
-- and members policies: the caller only ever sees their cases' children.

-- 'met' when an approved CANS of that reason rates this child in this
-- case, 'pending_approval' when one is submitted and awaits approval, NULL
-- otherwise.
CREATE OR REPLACE FUNCTION cansd.cans_due_progress(case_id bigint, child_id bigint, reason text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN bool_or(a.status = 'approved') THEN 'met'
		WHEN bool_or(a.status = 'submitted') THEN 'pending_approval' END
	FROM cansd.assessments a
	WHERE a.case_id = cans_due_progress.case_id AND a.child_id = cans_due_progress.child_id
	  AND a.reason = cans_due_progress.reason
	  AND a.status IN ('approved', 'submitted')
$$;

-- Every due item on day `today` (the programs' day, cansd.today()):
--   initial     due on opened_on + initial_cans_due_days (program_rules: 30)
--   extension   due on the day the extension was requested
--   case_close  due on the closing day
-- An item is 'due' through due_on and 'overdue' after it, unless the hook
-- says it is met or pending approval.
CREATE OR REPLACE FUNCTION cansd.cans_due_items(today date)
RETURNS TABLE (case_id bigint, child_id bigint, reason text, due_on date, status text)
LANGUAGE sql STABLE AS $$
	SELECT d.case_id, d.child_id, d.reason, d.due_on,
	       coalesce(cansd.cans_due_progress(d.case_id, d.child_id, d.reason),
	                CASE WHEN today <= d.due_on THEN 'due' ELSE 'overdue' END)
	FROM (SELECT c.id AS case_id, m.id AS child_id, r.reason, r.due_on
	      FROM cansd.cases c
	      JOIN cansd.members m ON m.case_id = c.id AND m.kind = 'child'
	      CROSS JOIN LATERAL (VALUES
	          ('initial', 1, c.opened_on
	                         + cansd.program_rule(c.program, 'initial_cans_due_days')::integer),
	          ('extension', 2, c.extension_requested_on),
	          ('case_close', 3, c.closed_on)) AS r (reason, ord, due_on)
	      WHERE r.due_on IS NOT NULL) d
$$;

CREATE OR REPLACE FUNCTION api.cans_due_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_offset bigint, status_filter text, case_filter bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	items jsonb[];
	case_ids bigint[];
	skip bigint := coalesce(cursor_offset, 0);
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	IF case_filter IS NOT NULL THEN
		PERFORM cansd.case_for_read(case_filter);
	END IF;
	SELECT array_agg(jsonb_build_object('case_id', i.case_id::text, 'child_id', i.child_id::text,
	                                    'reason', i.reason, 'due_on', i.due_on,
	                                    'status', i.status) ORDER BY n),
	       array_agg(DISTINCT i.case_id) FILTER (WHERE n <= skip + page_size)
	INTO items, case_ids
	FROM (SELECT x.*, row_number() OVER (ORDER BY x.due_on, x.case_id, x.child_id,
	                 array_position(ARRAY['initial', 'extension', 'case_close'], x.reason)) AS n
	      FROM cansd.cans_due_items(cansd.today()) x
	      WHERE (case_filter IS NULL OR x.case_id = case_filter)
	        AND (status_filter IS NULL OR status_filter = 'all' OR x.status = status_filter)
	      ORDER BY n OFFSET skip LIMIT page_size + 1) i;
	PERFORM cansd.audit_case_reads(coalesce(case_ids, '{}'), 'cans-due');
	RETURN json_build_object(
		'items', coalesce(to_json(items[1:page_size]), '[]'),
		'next_cursor', CASE WHEN cardinality(items) > page_size THEN (skip + page_size)::text END)::text;
END
$$;
