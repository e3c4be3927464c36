-- CANS assessments: scope, the age and module rules that decide which
-- ratings a CANS needs, the lifecycle draft -> submitted -> approved (or
-- returned -> submitted again, or rerouted while submitted), the history,
-- and the api.* functions behind /assessments and /approvals. Tables and
-- grants: sql/migrations/011_assessments.sql; the triggers (the stored body,
-- the approved-CANS guard, sections following the links):
-- 022_triggers.sql. Nothing here names
-- an item of the instrument: items, subjects, age bounds and module
-- triggers are rows of cansd.instrument_items (sql/data/cans-2.0-items.csv).
--
-- Scope, as for cases: a CANS is visible exactly when its case is (a worker
-- their own cases, a supervisor their team's, QA analysts and program
-- admins all), plus the supervisor a submitted CANS is routed to, who may
-- be outside the team after a reroute; out of scope answers CN404
-- (cansd.assessment_for_read, cansd.assessment_for_change).

-- --- age and scope ----------------------------------------------------------------

-- The child's age in whole months on a day, with PostgreSQL's age()
-- semantics: a birthday on a month end (or 29 February) is reached on the
-- last day of a shorter month.
CREATE OR REPLACE FUNCTION cansd.age_in_months(birth date, on_day date) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT (extract(year FROM age(on_day, birth)) * 12
	        + extract(month FROM age(on_day, birth)))::integer
$$;

-- An active supervisor (read past the users policies: a worker may route
-- to a supervisor whose row they cannot read).
CREATE OR REPLACE FUNCTION cansd.is_active_supervisor(user_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.users u
	               WHERE u.id = is_active_supervisor.user_id AND u.active
	                 AND 'supervisor' = ANY (u.roles))
$$;

CREATE OR REPLACE FUNCTION cansd.supervisor_of(user_id bigint) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT u.supervisor_id FROM cansd.users u WHERE u.id = supervisor_of.user_id
$$;

-- The supervisors a CANS was ever routed to (submitted or rerouted to them)
-- read it, its case and its history, even outside their team and after
-- they acted on it; only the one it is routed to now may change it. The
-- policy is a plain indexed lookup, cheap enough to run for every row of
-- every table whose policy asks the cases policy.
CREATE POLICY assessment_routes_read ON cansd.assessment_routes FOR SELECT
	USING (supervisor_id = cansd.current_user_id());
CREATE POLICY assessment_routes_insert ON cansd.assessment_routes FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM cansd.assessments a
	                    WHERE a.id = assessment_id AND a.routed_to = supervisor_id
	                      AND (a.author_id = cansd.current_user_id()
	                           OR EXISTS (SELECT 1 FROM cansd.assessment_events e
	                                      WHERE e.assessment_id = a.id
	                                        AND e.to_supervisor_id = cansd.current_user_id()))));
-- A supervisor a CANS was routed to reads its case: the last clause of the
-- policy cases_read (sql/functions/cases.sql), one policy so that the cheap
-- tests run first.

CREATE OR REPLACE FUNCTION cansd.assessment_route(a cansd.assessments) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO cansd.assessment_routes (assessment_id, supervisor_id, case_id)
	VALUES (a.id, a.routed_to, a.case_id) ON CONFLICT DO NOTHING
$$;

CREATE POLICY assessments_read ON cansd.assessments FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
CREATE POLICY assessments_insert ON cansd.assessments FOR INSERT
	WITH CHECK (author_id = cansd.current_user_id()
	            AND EXISTS (SELECT 1 FROM cansd.cases c
	                        WHERE c.id = case_id AND c.worker_id = cansd.current_user_id()));
-- Who may change a CANS at all; what they may change is the api.*
-- functions' decision (the new row may be routed away from the caller).
CREATE POLICY assessments_update ON cansd.assessments FOR UPDATE
	USING (author_id = cansd.current_user_id() OR routed_to = cansd.current_user_id())
	WITH CHECK (true);

-- Sections follow the case's links, so whoever works the case (its worker,
-- their supervisor) adds and removes them, while the CANS is draft or
-- returned. Write policies are per command, never FOR ALL, so that reads
-- pay for the read policy only; their expressions are written out rather
-- than wrapped in SQL functions, which PostgreSQL cannot inline once they
-- hold a subquery and would then run as a function call per row.
CREATE POLICY assessment_caregivers_read ON cansd.assessment_caregivers FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.id = assessment_id));
CREATE POLICY assessment_caregivers_insert ON cansd.assessment_caregivers FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM cansd.assessments a JOIN cansd.cases c ON c.id = a.case_id
	                    WHERE a.id = assessment_id AND a.status IN ('draft', 'returned')
	                      AND (c.worker_id = cansd.current_user_id()
	                           OR (cansd.has_role('supervisor')
	                               AND cansd.is_my_team_member(c.worker_id)))));
CREATE POLICY assessment_caregivers_delete ON cansd.assessment_caregivers FOR DELETE
	USING (EXISTS (SELECT 1 FROM cansd.assessments a JOIN cansd.cases c ON c.id = a.case_id
	               WHERE a.id = assessment_id AND a.status IN ('draft', 'returned')
	                 AND (c.worker_id = cansd.current_user_id()
	                      OR (cansd.has_role('supervisor')
	                          AND cansd.is_my_team_member(c.worker_id)))));

CREATE POLICY assessment_ratings_read ON cansd.assessment_ratings FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.id = assessment_id));
CREATE POLICY assessment_ratings_insert ON cansd.assessment_ratings FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM cansd.assessments a
	                    WHERE a.id = assessment_id AND a.author_id = cansd.current_user_id()
	                      AND a.status IN ('draft', 'returned')));
CREATE POLICY assessment_ratings_update ON cansd.assessment_ratings FOR UPDATE
	USING (EXISTS (SELECT 1 FROM cansd.assessments a
	               WHERE a.id = assessment_id AND a.author_id = cansd.current_user_id()
	                 AND a.status IN ('draft', 'returned')));
CREATE POLICY assessment_ratings_delete ON cansd.assessment_ratings FOR DELETE
	USING (EXISTS (SELECT 1 FROM cansd.assessments a
	               WHERE a.id = assessment_id AND a.author_id = cansd.current_user_id()
	                 AND a.status IN ('draft', 'returned')));

CREATE POLICY assessment_events_read ON cansd.assessment_events FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.id = assessment_id));
CREATE POLICY assessment_events_insert ON cansd.assessment_events FOR INSERT
	WITH CHECK (actor_id = cansd.current_user_id()
	            AND EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.id = assessment_id));

-- --- what a CANS needs --------------------------------------------------------------

-- Every rating a CANS may hold: the child items that apply at the child's
-- age in whole months on the assessment date, and every caregiver item for
-- each adult with a section. `required` is false for a module item whose
-- trigger (another child item rated >= N) does not hold: its rating is kept
-- but neither required nor counted. subject is "child" or the member id.
CREATE OR REPLACE FUNCTION cansd.assessment_grid(assessment_id bigint)
RETURNS TABLE (subject_id bigint, subject text, subject_order bigint, item_code text,
               domain_code text, scale text, sort_order integer, rating smallint,
               required boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH a AS (
		SELECT a.id, a.child_id, cansd.age_in_months(m.birth_date, a.assessment_date) AS age
		FROM cansd.assessments a JOIN cansd.members m ON m.id = a.child_id
		WHERE a.id = assessment_grid.assessment_id),
	subjects AS (
		SELECT a.child_id AS subject_id, 'child'::text AS subject, 'child'::text AS kind,
		       0::bigint AS subject_order
		FROM a
		UNION ALL
		SELECT c.member_id, c.member_id::text, 'caregiver', c.member_id
		FROM cansd.assessment_caregivers c WHERE c.assessment_id = assessment_grid.assessment_id),
	applicable AS (
		SELECT s.subject_id, s.subject, s.subject_order, i.code, i.domain_code, i.scale,
		       i.sort_order, i.trigger_item, i.trigger_min
		FROM subjects s CROSS JOIN a
		JOIN cansd.instrument_items i ON i.subject = s.kind AND i.active
		WHERE s.kind = 'caregiver'
		   OR a.age BETWEEN i.min_age_months AND coalesce(i.max_age_months, a.age))
	SELECT p.subject_id, p.subject, p.subject_order, p.code, p.domain_code, p.scale,
	       p.sort_order, r.rating,
	       p.trigger_item IS NULL OR coalesce(t.rating >= p.trigger_min, false)
	FROM applicable p
	LEFT JOIN cansd.assessment_ratings r
	       ON r.assessment_id = assessment_grid.assessment_id AND r.subject_id = p.subject_id
	      AND r.item_code = p.code
	LEFT JOIN cansd.assessment_ratings t
	       ON t.assessment_id = assessment_grid.assessment_id AND t.subject_id = p.subject_id
	      AND t.item_code = p.trigger_item;
END
$$;

-- The ratings that count (reports, QC): rated and required.
CREATE OR REPLACE FUNCTION cansd.assessment_counted(assessment_id bigint)
RETURNS TABLE (subject_id bigint, subject text, item_code text, domain_code text, scale text,
               rating smallint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	SELECT g.subject_id, g.subject, g.item_code, g.domain_code, g.scale, g.rating
	FROM cansd.assessment_grid(assessment_counted.assessment_id) g
	WHERE g.required AND g.rating IS NOT NULL;
END
$$;

-- Every missing rating, child first, then each caregiver, in form order:
-- what GET .../completeness shows and what submit refuses with.
CREATE OR REPLACE FUNCTION cansd.assessment_missing(assessment_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(json_agg(json_build_object('subject', g.subject, 'item', g.item_code)
	                                 ORDER BY g.subject_order, g.sort_order), '[]')
	        FROM cansd.assessment_grid(assessment_id) g WHERE g.required AND g.rating IS NULL);
END
$$;

-- --- the assessment as the API shows it ---------------------------------------------

CREATE OR REPLACE FUNCTION cansd.assessment_summary(a cansd.assessments) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', a.id::text, 'case_id', a.case_id::text, 'child_id', a.child_id::text,
		'reason', a.reason, 'assessment_date', a.assessment_date, 'instrument', 'CANS-2.0',
		'status', a.status, 'author_id', a.author_id::text, 'routed_to', a.routed_to::text,
		'version', a.version,
		'created_at', cansd.rfc3339(a.created_at), 'updated_at', cansd.rfc3339(a.updated_at),
		'first_submitted_at', cansd.rfc3339(a.first_submitted_at),
		'submitted_at', cansd.rfc3339(a.submitted_at),
		'routed_at', cansd.rfc3339(a.routed_at),
		'returned_at', cansd.rfc3339(a.returned_at),
		'approved_at', cansd.rfc3339(a.approved_at), 'approved_by', a.approved_by::text)
$$;

-- The ratings as the API shows them, in form order: what
-- assessments.ratings_json holds. PL/pgSQL, not SQL: a session plans these
-- statements once and reuses the plans, where an SQL function's queries
-- would be planned (row-level security included) on every call.
CREATE OR REPLACE FUNCTION cansd.assessment_ratings_json(assessment_id bigint, child_id bigint)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	child_ratings json;
	caregivers json;
BEGIN
	SELECT coalesce(json_object_agg(r.item_code, r.rating ORDER BY i.sort_order), '{}')
	INTO child_ratings
	FROM cansd.assessment_ratings r JOIN cansd.instrument_items i ON i.code = r.item_code
	WHERE r.assessment_id = assessment_ratings_json.assessment_id
	  AND r.subject_id = assessment_ratings_json.child_id;
	SELECT coalesce(json_object_agg(c.member_id::text, coalesce(x.ratings, '{}') ORDER BY c.member_id),
	                '{}')
	INTO caregivers
	FROM cansd.assessment_caregivers c
	LEFT JOIN LATERAL (
		SELECT json_object_agg(r.item_code, r.rating ORDER BY i.sort_order) AS ratings
		FROM cansd.assessment_ratings r JOIN cansd.instrument_items i ON i.code = r.item_code
		WHERE r.assessment_id = assessment_ratings_json.assessment_id
		  AND r.subject_id = c.member_id) x ON true
	WHERE c.assessment_id = assessment_ratings_json.assessment_id;
	RETURN json_build_object('child', child_ratings, 'caregivers', caregivers);
END
$$;

-- Rewrites what a CANS shows of its ratings, sections and child (the
-- columns ratings_json, sections_json, child_age_months) from the source
-- tables; called by every change of them, in the same transaction.
CREATE OR REPLACE FUNCTION cansd.assessment_refresh(assessment_id bigint)
RETURNS cansd.assessments LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
	age integer;
	sections json;
BEGIN
	SELECT * INTO cans FROM cansd.assessments a WHERE a.id = assessment_refresh.assessment_id;
	SELECT cansd.age_in_months(m.birth_date, cans.assessment_date) INTO age
	FROM cansd.members m WHERE m.id = cans.child_id;
	SELECT coalesce(json_agg(json_build_object(
		'member_id', c.member_id::text, 'kind', m.kind, 'relationship', m.relationship,
		'full_name', m.full_name, 'added_at', cansd.rfc3339(c.added_at)) ORDER BY c.member_id), '[]')
	INTO sections
	FROM cansd.assessment_caregivers c JOIN cansd.members m ON m.id = c.member_id
	WHERE c.assessment_id = assessment_refresh.assessment_id;
	UPDATE cansd.assessments a
	SET ratings_json = cansd.assessment_ratings_json(cans.id, cans.child_id),
		sections_json = sections, child_age_months = age
	WHERE a.id = cans.id RETURNING * INTO cans;
	RETURN cans;
END
$$;

-- The whole CANS in one row: the summary, then the child's age, the
-- caregiver sections and the ratings (appended to keep the key order).
CREATE OR REPLACE FUNCTION cansd.assessment_json(a cansd.assessments) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT left(cansd.assessment_summary(a)::text, -1) || ', ' || right(json_build_object(
		'child_age_months', a.child_age_months, 'caregivers', a.sections_json,
		'ratings', a.ratings_json)::text, -1)
$$;

CREATE OR REPLACE FUNCTION cansd.event_json(e cansd.assessment_events) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_strip_nulls(json_build_object(
		'id', e.id::text, 'event', e.event, 'actor_id', e.actor_id::text,
		'at', cansd.rfc3339(e.at), 'from_supervisor_id', e.from_supervisor_id::text,
		'to_supervisor_id', e.to_supervisor_id::text, 'comment', e.comment))
$$;

CREATE OR REPLACE FUNCTION cansd.assessment_event(assessment_id bigint, event text,
	from_supervisor_id bigint, to_supervisor_id bigint, comment text, detail jsonb DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, from_supervisor_id,
	                                     to_supervisor_id, comment, detail)
	VALUES (assessment_event.assessment_id, assessment_event.event, cansd.current_user_id(),
	        assessment_event.from_supervisor_id, assessment_event.to_supervisor_id,
	        assessment_event.comment, assessment_event.detail)
$$;

-- The audit event of a CANS change (cansd.audit, entity "assessment").
CREATE OR REPLACE FUNCTION cansd.audit_assessment(assessment_id bigint, action text,
	detail jsonb DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$
	SELECT cansd.audit('assessment.' || action, 'assessment', assessment_id::text, detail)
$$;

-- The audit event of a CANS read (cansd.audit_read: no WAL flush wait).
CREATE OR REPLACE FUNCTION cansd.audit_assessment_read(assessment_id bigint, via text)
RETURNS boolean LANGUAGE sql AS $$
	SELECT cansd.audit_read('assessment.read', 'assessment', assessment_id::text,
		jsonb_build_object('via', via))
$$;

-- --- loading a CANS, and the checks shared by the writes --------------------------------

-- A CANS the caller may read; CN404 when they may not see it (or there is
-- no such CANS). Every function that reads one CANS starts here, except
-- api.assessments_get, which fetches only the stored body and version.
CREATE OR REPLACE FUNCTION cansd.assessment_for_read(assessment_id bigint)
RETURNS cansd.assessments LANGUAGE plpgsql STABLE AS $$
DECLARE
	cans cansd.assessments;
BEGIN
	SELECT * INTO cans FROM cansd.assessments a WHERE a.id = assessment_for_read.assessment_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such assessment.');
	END IF;
	RETURN cans;
END
$$;

-- The CANS to change, locked (concurrent writers queue here, and the loser
-- then sees the winner's version or status); CN404 when out of scope,
-- CN412 for a stale If-Match. Every change of a CANS starts here.
CREATE OR REPLACE FUNCTION cansd.assessment_for_change(assessment_id bigint, if_version integer)
RETURNS cansd.assessments LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
BEGIN
	-- FOR UPDATE sees only the rows the caller may update (the author's, or
	-- routed to them): one they may merely read is a conflict, not a 404.
	SELECT * INTO cans FROM cansd.assessments a
	WHERE a.id = assessment_for_change.assessment_id FOR UPDATE;
	IF NOT FOUND THEN
		IF EXISTS (SELECT 1 FROM cansd.assessments a
		           WHERE a.id = assessment_for_change.assessment_id) THEN
			PERFORM cansd.fail('CN409',
				'Only the author or the supervisor it is routed to acts on this CANS.');
		END IF;
		PERFORM cansd.fail('CN404', 'No such assessment.');
	END IF;
	PERFORM cansd.check_version('CANS', if_version, cans.version);
	RETURN cans;
END
$$;

CREATE OR REPLACE FUNCTION cansd.assessment_editable_by_me(cans cansd.assessments) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF cans.author_id <> cansd.current_user_id() THEN
		PERFORM cansd.fail('CN409', 'Only the author of this CANS may change it.');
	END IF;
	IF cans.status NOT IN ('draft', 'returned') THEN
		PERFORM cansd.fail('CN409', format(
			'The CANS is %s; it changes only while draft or returned.', cans.status));
	END IF;
END
$$;

-- A submitted CANS that the caller, as the supervisor it is routed to, decides on.
CREATE OR REPLACE FUNCTION cansd.assessment_decidable_by_me(cans cansd.assessments) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF cans.author_id = cansd.current_user_id() THEN
		PERFORM cansd.fail('CN409', 'Nobody approves or returns their own CANS.');
	END IF;
	IF cans.status <> 'submitted' THEN
		PERFORM cansd.fail('CN409', format('The CANS is %s, not submitted.', cans.status));
	END IF;
	IF cans.routed_to <> cansd.current_user_id() THEN
		PERFORM cansd.fail('CN409', 'The CANS is routed to another supervisor.');
	END IF;
END
$$;

-- The supervisor a CANS goes to: active, a supervisor, never its author.
CREATE OR REPLACE FUNCTION cansd.check_route_target(target bigint, author bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF target IS NULL THEN
		PERFORM cansd.fail_field('supervisor_id', 'required',
			'the author has no supervisor: name the supervisor to route it to');
	END IF;
	IF target = author THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid',
			'a CANS is never routed to its author');
	END IF;
	IF NOT cansd.is_active_supervisor(target) THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'must name an active supervisor');
	END IF;
END
$$;

-- The body of POST /cases/{id}/assessments, as the handler's schema admits it.
CREATE TYPE api.assessment_fields AS (
	child_id        bigint,
	reason          text,
	assessment_date date
);

-- The bodies of submit, return and reroute.
CREATE TYPE api.routing_fields AS (
	supervisor_id bigint,
	comment       text,
	reason        text
);

-- --- /cases/{id}/assessments, /assessments -------------------------------------------

CREATE OR REPLACE FUNCTION api.assessments_create(actor bigint, request_id text,
	client_addr text, case_id bigint, request_body jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.assessment_fields :=
		jsonb_populate_record(NULL::api.assessment_fields, request_body);
	case_row cansd.cases;
	child cansd.members;
	cans cansd.assessments;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_read(case_id);
	IF case_row.worker_id <> actor THEN
		PERFORM cansd.fail('CN403', 'Only the case''s worker starts a CANS on it.');
	END IF;
	SELECT * INTO child FROM cansd.members m
	WHERE m.id = fields.child_id AND m.case_id = case_row.id AND m.kind = 'child';
	IF NOT FOUND THEN
		PERFORM cansd.fail_field('child_id', 'invalid', 'must name a child of this case');
	END IF;
	IF fields.assessment_date < case_row.opened_on THEN
		PERFORM cansd.fail_field('assessment_date', 'range', 'must not be before the case opened');
	END IF;
	IF fields.assessment_date < child.birth_date THEN
		PERFORM cansd.fail_field('assessment_date', 'range', 'must not be before the child''s birth');
	END IF;
	INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id)
	VALUES (case_row.id, child.id, fields.reason, fields.assessment_date, actor)
	RETURNING * INTO cans;
	INSERT INTO cansd.assessment_caregivers (assessment_id, member_id)
	SELECT cans.id, l.adult_id FROM cansd.member_links l WHERE l.child_id = child.id;
	cans := cansd.assessment_refresh(cans.id);
	PERFORM cansd.assessment_event(cans.id, 'created', NULL, NULL, NULL,
		jsonb_build_object('reason', cans.reason, 'assessment_date', cans.assessment_date));
	PERFORM cansd.audit_assessment(cans.id, 'created',
		jsonb_build_object('case_id', case_row.id::text, 'child_id', child.id::text,
		                   'reason', cans.reason));
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, status_filter text, case_filter bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	picked cansd.assessments[];
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT array_agg(p.a ORDER BY (p.a).id) INTO picked
	FROM (SELECT a FROM cansd.assessments a
	      WHERE (cursor_id IS NULL OR a.id > cursor_id)
	        AND (status_filter IS NULL OR a.status = status_filter)
	        AND (case_filter IS NULL OR a.case_id = case_filter)
	      ORDER BY a.id LIMIT page_size + 1) p (a);
	PERFORM cansd.audit_assessment_read((r).id, 'list')
	FROM unnest(picked[1:page_size]) r;
	RETURN cansd.page_json(ARRAY(SELECT cansd.assessment_summary(r) FROM unnest(picked) r),
	                       ARRAY(SELECT (r).id FROM unnest(picked) r), page_size);
END
$$;

-- The service's busiest audited read: assignments, not PERFORMs (plain
-- expressions, no executor start), and only the stored body (trigger
-- assessments_body) and version are fetched, so nothing is built here.
CREATE OR REPLACE FUNCTION api.assessments_get(actor bigint, request_id text, client_addr text,
	assessment_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	ok boolean;
BEGIN
	ok := cansd.request_context(actor, request_id, client_addr);
	SELECT x.body, x.version::text INTO body, etag FROM cansd.assessments x
	WHERE x.id = assessments_get.assessment_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such assessment.');
	END IF;
	ok := cansd.audit_assessment_read(assessment_id, 'get');
END
$$;

-- The entries of a PUT .../ratings body, one per rating: its field name,
-- the member it rates, the subject kind the item must have, whether that
-- member has a section on this CANS, the item code and the JSON value.
CREATE OR REPLACE FUNCTION cansd.rating_input(cans cansd.assessments, ratings jsonb)
RETURNS TABLE (field text, subject_id bigint, kind text, section boolean, item_code text,
               value jsonb)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	SELECT 'child.' || e.key, cans.child_id, 'child', true, e.key, e.value
	FROM jsonb_each(coalesce(ratings->'child', '{}')) e
	UNION ALL
	SELECT 'caregivers.' || s.key || '.' || e.key, s.key::bigint, 'caregiver',
	       EXISTS (SELECT 1 FROM cansd.assessment_caregivers c
	               WHERE c.assessment_id = cans.id AND c.member_id = s.key::bigint),
	       e.key, e.value
	FROM jsonb_each(coalesce(ratings->'caregivers', '{}')) s, jsonb_each(s.value) e;
END
$$;

-- PUT .../ratings: {"child": {ITEM: 0..3 | null}, "caregivers": {"<member id>": {...}}}.
-- C checked the shape (objects, ids); every value and item is checked here
-- against this CANS, and every bad field is named in one CN400. The body is
-- a map of item codes, so it stays jsonb (cansd.rating_input reads it).
CREATE OR REPLACE FUNCTION api.assessments_put_ratings(actor bigint, request_id text,
	client_addr text, assessment_id bigint, request_body jsonb, if_version integer,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
	errors json;
	set_n integer;
	cleared_n integer;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_change(assessment_id, if_version);
	PERFORM cansd.assessment_editable_by_me(cans);

	SELECT json_agg(json_build_object('field', x.field, 'code', x.code, 'message', x.message)
	                ORDER BY x.field)
	INTO errors
	FROM (
		SELECT 'caregivers.' || s.key AS field, 'unknown' AS code,
		       'not a caregiver section of this CANS' AS message
		FROM jsonb_each(coalesce(request_body->'caregivers', '{}')) s
		WHERE NOT EXISTS (SELECT 1 FROM cansd.assessment_caregivers c
		                  WHERE c.assessment_id = cans.id AND c.member_id = s.key::bigint)
		UNION ALL
		SELECT i.field, v.code, v.message
		FROM cansd.rating_input(cans, request_body) i
		LEFT JOIN cansd.instrument_items it ON it.code = i.item_code AND it.active
		LEFT JOIN cansd.assessment_grid(cans.id) g
		       ON g.subject_id = i.subject_id AND g.item_code = i.item_code
		CROSS JOIN LATERAL (SELECT CASE
			WHEN it.code IS NULL THEN 'unknown'
			WHEN it.subject <> i.kind THEN 'invalid'
			WHEN g.item_code IS NULL THEN 'not_applicable'
			WHEN jsonb_typeof(i.value) = 'null' THEN NULL
			WHEN jsonb_typeof(i.value) <> 'number' OR i.value::text !~ '^[0-3]$' THEN 'range'
			END AS code) c
		CROSS JOIN LATERAL (SELECT c.code, CASE c.code
			WHEN 'unknown' THEN 'no such item in the instrument'
			WHEN 'invalid' THEN format('a %s item; rate it under %s', it.subject,
			                           CASE WHEN it.subject = 'child' THEN 'child'
			                                ELSE 'caregivers.<member id>' END)
			WHEN 'not_applicable' THEN format('does not apply to a child of %s months',
			                                  cansd.age_in_months((SELECT m.birth_date FROM cansd.members m
			                                                       WHERE m.id = cans.child_id),
			                                                      cans.assessment_date))
			ELSE 'must be an integer from 0 to 3, or null to clear'
			END AS message) v
		WHERE i.section AND c.code IS NOT NULL) x;
	IF errors IS NOT NULL THEN
		PERFORM cansd.fail('CN400', 'The ratings break the rules of this CANS.',
			json_build_object('errors', errors));
	END IF;

	DELETE FROM cansd.assessment_ratings r USING cansd.rating_input(cans, request_body) i
	WHERE r.assessment_id = cans.id AND r.subject_id = i.subject_id AND r.item_code = i.item_code
	  AND jsonb_typeof(i.value) = 'null';
	GET DIAGNOSTICS cleared_n = ROW_COUNT;
	INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
	SELECT cans.id, i.subject_id, i.item_code, i.value::text::smallint
	FROM cansd.rating_input(cans, request_body) i WHERE jsonb_typeof(i.value) = 'number'
	-- the primary key (assessment_id, subject_id, item_code), named: a column
	-- list here would be ambiguous with the parameter assessment_id
	ON CONFLICT ON CONSTRAINT assessment_ratings_pkey DO UPDATE
		SET rating = EXCLUDED.rating, rated_at = now()
		WHERE cansd.assessment_ratings.rating <> EXCLUDED.rating;
	GET DIAGNOSTICS set_n = ROW_COUNT;

	UPDATE cansd.assessments a SET version = a.version + 1, updated_at = now() WHERE a.id = cans.id;
	cans := cansd.assessment_refresh(cans.id);
	PERFORM cansd.assessment_event(cans.id, 'ratings_changed', NULL, NULL, NULL,
		jsonb_build_object('set', set_n, 'cleared', cleared_n));
	PERFORM cansd.audit_assessment(cans.id, 'ratings_changed',
		jsonb_build_object('set', set_n, 'cleared', cleared_n));
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_completeness(actor bigint, request_id text,
	client_addr text, assessment_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
	missing json;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_read(assessment_id);
	missing := cansd.assessment_missing(cans.id);
	PERFORM cansd.audit_assessment_read(cans.id, 'completeness');
	body := json_build_object('assessment_id', cans.id::text,
		'complete', json_array_length(missing) = 0, 'missing', missing)::text;
	etag := cans.version::text;
END
$$;

-- --- the approval chain ------------------------------------------------------------------

CREATE OR REPLACE FUNCTION api.assessments_submit(actor bigint, request_id text, client_addr text,
	assessment_id bigint, request_body jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.routing_fields := jsonb_populate_record(NULL::api.routing_fields, request_body);
	cans cansd.assessments;
	missing json;
	target bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_change(assessment_id, if_version);
	IF cans.author_id <> actor THEN
		PERFORM cansd.fail('CN409', 'Only the author submits this CANS.');
	END IF;
	IF cans.status NOT IN ('draft', 'returned') THEN
		PERFORM cansd.fail('CN409', format('The CANS is %s; only a draft or returned CANS is submitted.',
		                                   cans.status));
	END IF;
	target := coalesce(fields.supervisor_id, cansd.supervisor_of(actor));
	PERFORM cansd.check_route_target(target, cans.author_id);
	missing := cansd.assessment_missing(cans.id);
	IF json_array_length(missing) > 0 THEN
		PERFORM cansd.fail('CN423', format('The CANS is incomplete: %s ratings are missing.',
		                                   json_array_length(missing)),
			json_build_object('missing', missing));
	END IF;
	UPDATE cansd.assessments a SET status = 'submitted', routed_to = target, routed_at = now(),
		submitted_at = now(), first_submitted_at = coalesce(a.first_submitted_at, now()),
		version = a.version + 1, updated_at = now()
	WHERE a.id = cans.id RETURNING * INTO cans;
	PERFORM cansd.assessment_route(cans);
	PERFORM cansd.assessment_event(cans.id, 'submitted', NULL, target, NULL);
	PERFORM cansd.qc_run(cans.id);
	PERFORM cansd.audit_assessment(cans.id, 'submitted', jsonb_build_object('to', target::text));
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_approve(actor bigint, request_id text, client_addr text,
	assessment_id bigint, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_change(assessment_id, if_version);
	PERFORM cansd.assessment_decidable_by_me(cans);
	UPDATE cansd.assessments a SET status = 'approved', approved_at = now(), approved_by = actor,
		version = a.version + 1, updated_at = now()
	WHERE a.id = cans.id RETURNING * INTO cans;
	PERFORM cansd.assessment_event(cans.id, 'approved', actor, NULL, NULL);
	PERFORM cansd.audit_assessment(cans.id, 'approved');
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_return(actor bigint, request_id text, client_addr text,
	assessment_id bigint, request_body jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.routing_fields := jsonb_populate_record(NULL::api.routing_fields, request_body);
	cans cansd.assessments;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_change(assessment_id, if_version);
	PERFORM cansd.assessment_decidable_by_me(cans);
	UPDATE cansd.assessments a SET status = 'returned', returned_at = now(), routed_to = NULL,
		routed_at = NULL, version = a.version + 1, updated_at = now()
	WHERE a.id = cans.id RETURNING * INTO cans;
	PERFORM cansd.assessment_event(cans.id, 'returned', actor, NULL, fields.comment);
	PERFORM cansd.audit_assessment(cans.id, 'returned');
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_reroute(actor bigint, request_id text,
	client_addr text, assessment_id bigint, request_body jsonb, if_version integer,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.routing_fields := jsonb_populate_record(NULL::api.routing_fields, request_body);
	cans cansd.assessments;
	old_target bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_change(assessment_id, if_version);
	IF cans.status <> 'submitted' THEN
		PERFORM cansd.fail('CN409', format('The CANS is %s; only a submitted CANS is rerouted.',
		                                   cans.status));
	END IF;
	IF actor <> cans.author_id AND actor <> cans.routed_to THEN
		PERFORM cansd.fail('CN409',
			'Only the author or the supervisor it is routed to reroutes this CANS.');
	END IF;
	PERFORM cansd.check_route_target(fields.supervisor_id, cans.author_id);
	IF fields.supervisor_id = cans.routed_to THEN
		PERFORM cansd.fail_field('supervisor_id', 'invalid', 'the CANS is already routed there');
	END IF;
	old_target := cans.routed_to;
	UPDATE cansd.assessments a SET routed_to = fields.supervisor_id, routed_at = now(),
		version = a.version + 1, updated_at = now()
	WHERE a.id = cans.id RETURNING * INTO cans;
	PERFORM cansd.assessment_route(cans);
	PERFORM cansd.assessment_event(cans.id, 'rerouted', old_target, fields.supervisor_id,
		fields.reason);
	PERFORM cansd.audit_assessment(cans.id, 'rerouted',
		jsonb_build_object('from', old_target::text, 'to', fields.supervisor_id::text));
	body := cans.body; -- written by trigger assessments_body in the same UPDATE
	etag := cans.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.assessments_history(actor bigint, request_id text,
	client_addr text, assessment_id bigint, page_size integer, cursor_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	cans cansd.assessments;
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_read(assessment_id);
	SELECT cansd.page_json(array_agg(cansd.event_json(p.e) ORDER BY (p.e).id),
	                       array_agg((p.e).id ORDER BY (p.e).id), page_size)
	INTO result
	FROM (SELECT e FROM cansd.assessment_events e
	      WHERE e.assessment_id = cans.id AND (cursor_id IS NULL OR e.id > cursor_id)
	      ORDER BY e.id LIMIT page_size + 1) p;
	PERFORM cansd.audit_assessment_read(cans.id, 'history');
	RETURN coalesce(result, cansd.page_json('{}', '{}', page_size));
END
$$;

-- GET /approvals: the submitted CANS routed to the caller, oldest routing
-- first. The cursor is an offset into that order.
CREATE OR REPLACE FUNCTION api.approvals_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_offset bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	picked cansd.assessments[];
	skip bigint := coalesce(cursor_offset, 0);
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT array_agg(p.a ORDER BY (p.a).routed_at, (p.a).id) INTO picked
	FROM (SELECT a FROM cansd.assessments a
	      WHERE a.routed_to = actor AND a.status = 'submitted'
	      ORDER BY a.routed_at, a.id OFFSET skip LIMIT page_size + 1) p (a);
	PERFORM cansd.audit_assessment_read((r).id, 'approvals')
	FROM unnest(picked[1:page_size]) r;
	RETURN json_build_object(
		'items', coalesce((SELECT json_agg(cansd.assessment_summary(r))
		                   FROM unnest(picked[1:page_size]) r), '[]'),
		'next_cursor', CASE WHEN cardinality(picked) > page_size THEN (skip + page_size)::text END)::text;
END
$$;
