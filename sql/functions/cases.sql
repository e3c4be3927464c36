-- Cases, members, member links and the service log: who sees which case
-- (row-level security), the program rules applied to them, and the api.*
-- functions behind /cases. Applied at every start after the migrations
-- (tables and grants: sql/migrations/008_cases.sql), so every statement
-- here is idempotent.
--
-- Scope by relation, enforced twice: the route table admits roles, and the
-- policies below decide rows, keyed on the caller of this transaction
-- (cansd.begin_request sets app.user_id). A worker sees the cases assigned
-- to them, a supervisor their team's (cases whose worker's supervisor they
-- are), QA analysts and program admins all, anyone else none; a case out of
-- scope is invisible, so every function answers it as CN404 like one that
-- does not exist (cansd.case_for_read, cansd.case_for_change).

-- The programs' day: calendar days are days in CANSD_TIMEZONE, which the
-- pool's sessions run with (core/db.c sets TimeZone at connect).
CREATE OR REPLACE FUNCTION cansd.program_day(instant timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (instant AT TIME ZONE current_setting('TimeZone'))::date
$$;

CREATE OR REPLACE FUNCTION cansd.today() RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT cansd.program_day(now())
$$;

-- A program rule (sql/migrations/008_cases.sql), NULL when the program has none.
CREATE OR REPLACE FUNCTION cansd.program_rule(program text, rule text) RETURNS numeric
LANGUAGE sql STABLE AS $$
	SELECT r.value FROM cansd.program_rules r
	WHERE r.program = program_rule.program AND r.key = program_rule.rule
$$;

-- May the caller read a case assigned to this worker?
CREATE OR REPLACE FUNCTION cansd.case_readable(worker bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT worker = cansd.current_user_id()
	    OR cansd.current_roles() && ARRAY['qa_analyst', 'program_admin']
	    OR (cansd.has_role('supervisor') AND cansd.is_my_team_member(worker))
$$;

-- May the caller work it (members, services, extension, close)? Its worker
-- and that worker's supervisor.
CREATE OR REPLACE FUNCTION cansd.case_workable(worker bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT worker = cansd.current_user_id()
	    OR (cansd.has_role('supervisor') AND cansd.is_my_team_member(worker))
$$;

-- May the caller open or assign a case for this worker? Program admins for
-- anyone, supervisors for the workers of their own team.
CREATE OR REPLACE FUNCTION cansd.case_assignable(worker bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT cansd.has_role('program_admin')
	    OR (cansd.has_role('supervisor') AND cansd.is_my_team_member(worker))
$$;

-- Rows of member, link and service tables follow their case. The cases
-- subquery is itself filtered by the cases policies.
CREATE OR REPLACE FUNCTION cansd.case_workable_id(case_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.cases c
	               WHERE c.id = case_workable_id.case_id AND cansd.case_workable(c.worker_id))
$$;

-- A CANS of this case was routed to the caller (assessment_routes, sql/
-- functions/assessments.sql): they read the case. A function, not an
-- EXISTS in the policy: the planner makes such a subquery a hashed subplan,
-- whose hash table is set up on every read of a case or a CANS even when
-- the case's own worker never reaches it. Its high COST tells the planner
-- it is dear, so that a policy asking cases for one row probes that row
-- instead of checking every case.
CREATE OR REPLACE FUNCTION cansd.case_routed_to_me(case_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE COST 10000 AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM cansd.assessment_routes r
	               WHERE r.case_id = case_routed_to_me.case_id
	                 AND r.supervisor_id = cansd.current_user_id());
END
$$;

-- One policy, the cheap tests first (OR stops at the first true): the
-- case's own worker never reaches the lookup of CANS routed to the caller.
CREATE POLICY cases_read ON cansd.cases FOR SELECT
	USING (cansd.case_readable(worker_id) OR cansd.case_routed_to_me(id));
CREATE POLICY cases_insert ON cansd.cases FOR INSERT
	WITH CHECK (cansd.case_assignable(worker_id));
CREATE POLICY cases_update ON cansd.cases FOR UPDATE
	USING (cansd.case_workable(worker_id) OR cansd.has_role('program_admin'))
	WITH CHECK (cansd.case_workable(worker_id) OR cansd.has_role('program_admin'));

CREATE POLICY members_read ON cansd.members FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
CREATE POLICY members_insert ON cansd.members FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));
CREATE POLICY members_update ON cansd.members FOR UPDATE
	USING (cansd.case_workable_id(case_id)) WITH CHECK (cansd.case_workable_id(case_id));
CREATE POLICY members_delete ON cansd.members FOR DELETE USING (cansd.case_workable_id(case_id));

CREATE POLICY member_links_read ON cansd.member_links FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
CREATE POLICY member_links_insert ON cansd.member_links FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));
CREATE POLICY member_links_delete ON cansd.member_links FOR DELETE
	USING (cansd.case_workable_id(case_id));

CREATE POLICY services_read ON cansd.services FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
CREATE POLICY services_insert ON cansd.services FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));

-- True once a CANS rates this member (the child it is about, or an adult
-- with a caregiver section or a rating); DELETE of a rated member is 409.
CREATE OR REPLACE FUNCTION cansd.member_rated(member_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.child_id = member_rated.member_id)
	    OR EXISTS (SELECT 1 FROM cansd.assessment_caregivers c
	               WHERE c.member_id = member_rated.member_id)
	    OR EXISTS (SELECT 1 FROM cansd.assessment_ratings r
	               WHERE r.subject_id = member_rated.member_id)
$$;

-- --- the case as the API shows it ---------------------------------------------

-- Hours from referral to first contact (still waiting: NULL).
CREATE OR REPLACE FUNCTION cansd.case_response_hours(c cansd.cases) RETURNS numeric
LANGUAGE sql STABLE AS $$
	SELECT round((extract(epoch FROM c.first_contact_at - c.referral_received_at) / 3600)::numeric, 2)
$$;

-- over_8_weeks: open past flag_after_weeks with no extension request.
-- response_over_24_hours: first contact later than response_hours after the
-- referral, or none yet and that long has passed. Rules absent for a
-- program raise no flag.
CREATE OR REPLACE FUNCTION cansd.case_flags(c cansd.cases) RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT ARRAY(SELECT f FROM (VALUES
		('over_8_weeks',
		 c.status = 'open'
		 AND cansd.today() > c.opened_on
		     + (cansd.program_rule(c.program, 'flag_after_weeks') * 7)::integer),
		('response_over_24_hours',
		 c.referral_received_at IS NOT NULL
		 AND coalesce(c.first_contact_at, now()) - c.referral_received_at
		     > make_interval(hours => cansd.program_rule(c.program, 'response_hours')::integer))
	) AS v (f, raised) WHERE raised IS TRUE)
$$;

-- A member as the API shows it, with the ids it is linked to (a child's
-- adults, an adult's children) passed in: GET /cases/{id} reads every link
-- of the case in one query (case_with_members), a member's own write with
-- member_link_ids.
CREATE OR REPLACE FUNCTION cansd.member_json(m cansd.members, link_ids jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'id', m.id::text, 'case_id', m.case_id::text, 'kind', m.kind,
		'full_name', m.full_name, 'birth_date', m.birth_date,
		'relationship', m.relationship, 'version', m.version)
	    || CASE WHEN m.kind = 'child' THEN jsonb_build_object('adult_ids', link_ids)
	       ELSE jsonb_build_object('child_ids', link_ids,
	            'linked_to_all_children', m.all_children) END
$$;

CREATE OR REPLACE FUNCTION cansd.member_link_ids(m cansd.members) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(CASE WHEN m.kind = 'child'
		THEN (SELECT jsonb_agg(l.adult_id::text ORDER BY l.adult_id)
		      FROM cansd.member_links l WHERE l.child_id = m.id)
		ELSE (SELECT jsonb_agg(l.child_id::text ORDER BY l.child_id)
		      FROM cansd.member_links l WHERE l.adult_id = m.id) END, '[]')
$$;

-- One member with its links (its own writes).
CREATE OR REPLACE FUNCTION cansd.member_json(m cansd.members) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT cansd.member_json(m, cansd.member_link_ids(m))
$$;

CREATE OR REPLACE FUNCTION cansd.case_json(c cansd.cases) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', c.id::text, 'sacwis_case_id', c.sacwis_case_id, 'program', c.program,
		'opened_on', c.opened_on, 'worker_id', c.worker_id::text, 'status', c.status,
		'referral_received_at', cansd.rfc3339(c.referral_received_at),
		'first_contact_at', cansd.rfc3339(c.first_contact_at),
		'response_hours', cansd.case_response_hours(c),
		'extension_requested_on', c.extension_requested_on,
		'extension_reason', c.extension_reason, 'closed_on', c.closed_on,
		'flags', to_json(cansd.case_flags(c)), 'version', c.version,
		'created_at', cansd.rfc3339(c.created_at), 'updated_at', cansd.rfc3339(c.updated_at))
$$;

-- GET /cases/{id} and every write: the case with its members, appended as
-- the last member of the object (json keeps the order the API documents).
-- PL/pgSQL, not SQL: its query (the case, its members and their links, each
-- behind row-level security) is planned once per session, where an SQL
-- function called from PL/pgSQL is planned on every call. The links of the
-- whole case in the same query, not a lookup per member: member_json(m),
-- with its subqueries, is never inlined and so would be planned again on
-- every read. A member is a child or an adult, so its id says which side it
-- is on.
CREATE OR REPLACE FUNCTION cansd.case_with_members(c cansd.cases) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN left(cansd.case_json(c)::text, -1) || ', "members": ' || coalesce((
		SELECT json_agg(cansd.member_json(m, coalesce(k.ids, '[]')) ORDER BY m.id)
		FROM cansd.members m
		LEFT JOIN (SELECT l.child_id AS member_id,
		                  jsonb_agg(l.adult_id::text ORDER BY l.adult_id) AS ids
		           FROM cansd.member_links l WHERE l.case_id = c.id GROUP BY l.child_id
		           UNION ALL
		           SELECT l.adult_id, jsonb_agg(l.child_id::text ORDER BY l.child_id)
		           FROM cansd.member_links l WHERE l.case_id = c.id GROUP BY l.adult_id) k
		       ON k.member_id = m.id
		WHERE m.case_id = c.id), '[]')::text || '}';
END
$$;

-- One audit event per case read (a list writes one per case it shows), so
-- GET /audit?entity_type=case&entity_id=N answers every read of case N.
CREATE OR REPLACE FUNCTION cansd.audit_case_reads(ids bigint[], via text) RETURNS void
LANGUAGE sql AS $$
	SELECT cansd.audit_read('case.read', 'case', i::text, jsonb_build_object('via', via))
	FROM unnest(ids) AS i
$$;

-- --- checks shared by the writes ----------------------------------------------

-- An RFC 3339 instant with an explicit offset, not in the future (60 s of
-- clock skew allowed); PostgreSQL's casts alone would also take 'now',
-- 'epoch' and local times.
CREATE OR REPLACE FUNCTION cansd.parse_instant(field text, value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
	instant timestamptz;
BEGIN
	IF value IS NULL THEN
		RETURN NULL;
	END IF;
	IF value !~ '^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$' THEN
		PERFORM cansd.fail_field(field, 'format', 'must be an RFC 3339 time with an offset');
	END IF;
	BEGIN
		instant := value::timestamptz;
	EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
		PERFORM cansd.fail_field(field, 'format', 'must be a real time');
	END;
	IF instant > now() + interval '60 seconds' THEN
		PERFORM cansd.fail_field(field, 'future', 'must not be in the future');
	END IF;
	RETURN instant;
END
$$;

-- The worker a case is assigned to: an active worker the caller may assign.
CREATE OR REPLACE FUNCTION cansd.check_assignee(worker bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM cansd.users u
	               WHERE u.id = worker AND u.active AND 'worker' = ANY (u.roles)
	                 AND cansd.case_assignable(u.id)) THEN
		PERFORM cansd.fail_field('worker_id', 'invalid',
			CASE WHEN cansd.has_role('program_admin') THEN 'must name an active worker'
			     ELSE 'must name an active worker of your team' END);
	END IF;
END
$$;

-- The caseload cap (program_rules caseload_cap): counting and assigning are
-- serialised per worker by a transaction-level advisory lock, so two
-- supervisors assigning the fifth family at once cannot both win: the
-- second waits, then (READ COMMITTED: a new snapshot per statement) counts
-- the first one's committed case. Every case of the worker is within the
-- caller's scope (the caller may assign them), so the count sees them all.
CREATE OR REPLACE FUNCTION cansd.check_caseload(worker bigint, program text, except_case bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	cap numeric := cansd.program_rule(program, 'caseload_cap');
	held integer;
BEGIN
	IF cap IS NULL THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('cansd.caseload'), worker::integer);
	SELECT count(*) INTO held FROM cansd.cases c
	WHERE c.worker_id = worker AND c.program = check_caseload.program AND c.status <> 'closed'
	  AND c.id IS DISTINCT FROM except_case;
	IF held >= cap THEN
		PERFORM cansd.fail('CN409', format(
			'The worker already holds %s open %s cases, the most the program allows.',
			held, program));
	END IF;
END
$$;

-- --- loading a case ----------------------------------------------------------------

-- A case the caller may read; CN404 when they may not see it (or there is
-- no such case). Every function that reads one case starts here.
CREATE OR REPLACE FUNCTION cansd.case_for_read(case_id bigint) RETURNS cansd.cases
LANGUAGE plpgsql STABLE AS $$
DECLARE
	case_row cansd.cases;
BEGIN
	SELECT * INTO case_row FROM cansd.cases c WHERE c.id = case_for_read.case_id;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such case.');
	END IF;
	RETURN case_row;
END
$$;

-- The case to change, locked (concurrent writers queue here); CN404 as
-- above, CN412 for a stale If-Match, CN409 once closed. Every change of a
-- case, or of its members, starts here.
CREATE OR REPLACE FUNCTION cansd.case_for_change(case_id bigint, if_version integer)
RETURNS cansd.cases LANGUAGE plpgsql AS $$
DECLARE
	case_row cansd.cases;
BEGIN
	SELECT * INTO case_row FROM cansd.cases c WHERE c.id = case_for_change.case_id FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such case.');
	END IF;
	PERFORM cansd.check_version('case', if_version, case_row.version);
	IF case_row.status = 'closed' THEN
		PERFORM cansd.fail('CN409', 'The case is closed; it no longer changes.');
	END IF;
	RETURN case_row;
END
$$;

-- A change of a member is a change of its case: a new version.
CREATE OR REPLACE FUNCTION cansd.case_touch(case_id bigint) RETURNS cansd.cases
LANGUAGE sql AS $$
	UPDATE cansd.cases c SET version = c.version + 1, updated_at = now()
	WHERE c.id = case_touch.case_id RETURNING *
$$;

-- The body of POST /cases, PATCH /cases/{id} and the extension and closing
-- requests, as the handlers' schemas admit it; times stay text, parsed by
-- cansd.parse_instant (which names the field it refuses).
CREATE TYPE api.case_fields AS (
	sacwis_case_id       text,
	program              text,
	opened_on            date,
	worker_id            bigint,
	referral_received_at text,
	first_contact_at     text,
	requested_on         date,
	reason               text,
	closed_on            date
);

-- --- /cases ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION api.cases_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, status_filter text, program_filter text,
	worker_filter bigint, flag_filter text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	picked cansd.cases[];
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT array_agg(p.c ORDER BY (p.c).id) INTO picked
	FROM (SELECT c FROM cansd.cases c
	      WHERE (cursor_id IS NULL OR c.id > cursor_id)
	        AND (status_filter IS NULL OR c.status = status_filter)
	        AND (program_filter IS NULL OR c.program = program_filter)
	        AND (worker_filter IS NULL OR c.worker_id = worker_filter)
	        AND (flag_filter IS NULL OR flag_filter = ANY (cansd.case_flags(c)))
	      ORDER BY c.id LIMIT page_size + 1) p (c);
	PERFORM cansd.audit_case_reads(ARRAY(SELECT (r).id FROM unnest(picked[1:page_size]) r),
	                               'list');
	RETURN cansd.page_json(ARRAY(SELECT cansd.case_json(r) FROM unnest(picked) r),
	                       ARRAY(SELECT (r).id FROM unnest(picked) r), page_size);
END
$$;

CREATE OR REPLACE FUNCTION api.cases_get(actor bigint, request_id text, client_addr text,
	case_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	case_row cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_read(case_id);
	PERFORM cansd.audit_case_reads(ARRAY[case_row.id], 'get');
	body := cansd.case_with_members(case_row);
	etag := case_row.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_create(actor bigint, request_id text, client_addr text,
	request_body jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.case_fields := jsonb_populate_record(NULL::api.case_fields, request_body);
	created cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	IF fields.sacwis_case_id !~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$' THEN
		PERFORM cansd.fail_field('sacwis_case_id', 'format',
			'1 to 32 letters, digits and "-", starting with a letter or digit');
	END IF;
	PERFORM cansd.check_assignee(fields.worker_id);
	PERFORM cansd.check_caseload(fields.worker_id, fields.program, NULL);
	BEGIN
		INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id,
		                         referral_received_at)
		VALUES (fields.sacwis_case_id, fields.program, fields.opened_on, fields.worker_id,
		        cansd.parse_instant('referral_received_at', fields.referral_received_at))
		RETURNING * INTO created;
	EXCEPTION WHEN unique_violation THEN
		PERFORM cansd.fail('CN409', 'That SACWIS case id is already in use.');
	END;
	PERFORM cansd.audit('case.created', 'case', created.id::text,
		jsonb_build_object('sacwis_case_id', created.sacwis_case_id, 'program', created.program,
		                   'worker_id', created.worker_id::text));
	body := cansd.case_with_members(created);
	etag := created.version::text;
END
$$;

-- PATCH: worker_id (a reassignment counts against the new worker's cap) and
-- first_contact_at (not before the referral).
CREATE OR REPLACE FUNCTION api.cases_update(actor bigint, request_id text, client_addr text,
	case_id bigint, request_body jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.case_fields := jsonb_populate_record(NULL::api.case_fields, request_body);
	contact timestamptz := cansd.parse_instant('first_contact_at', fields.first_contact_at);
	previous cansd.cases;
	updated cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	previous := cansd.case_for_change(case_id, if_version);
	IF fields.worker_id IS NOT NULL AND fields.worker_id <> previous.worker_id THEN
		PERFORM cansd.check_assignee(fields.worker_id);
		PERFORM cansd.check_caseload(fields.worker_id, previous.program, previous.id);
	END IF;
	IF contact < previous.referral_received_at THEN
		PERFORM cansd.fail_field('first_contact_at', 'range', 'must not be before the referral');
	END IF;
	UPDATE cansd.cases c SET
		worker_id = coalesce(fields.worker_id, c.worker_id),
		first_contact_at = coalesce(contact, c.first_contact_at),
		version = c.version + 1, updated_at = now()
	WHERE c.id = cases_update.case_id RETURNING * INTO updated;
	PERFORM cansd.audit('case.updated', 'case', updated.id::text,
		jsonb_build_object('changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(request_body) k),
		                   'worker_from', previous.worker_id::text,
		                   'worker_to', updated.worker_id::text));
	body := cansd.case_with_members(updated);
	etag := updated.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_extension_request(actor bigint, request_id text,
	client_addr text, case_id bigint, request_body jsonb, if_version integer,
	OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.case_fields := jsonb_populate_record(NULL::api.case_fields, request_body);
	case_row cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_change(case_id, if_version);
	IF case_row.status <> 'open' THEN
		PERFORM cansd.fail('CN409', 'An extension was already requested for this case.');
	END IF;
	IF fields.requested_on < case_row.opened_on THEN
		PERFORM cansd.fail_field('requested_on', 'range', 'must not be before the case opened');
	END IF;
	UPDATE cansd.cases c SET status = 'extension_requested',
		extension_requested_on = fields.requested_on, extension_reason = fields.reason,
		version = c.version + 1, updated_at = now()
	WHERE c.id = cases_extension_request.case_id RETURNING * INTO case_row;
	PERFORM cansd.audit('case.extension_requested', 'case', case_row.id::text,
		jsonb_build_object('requested_on', fields.requested_on));
	body := cansd.case_with_members(case_row);
	etag := case_row.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_close(actor bigint, request_id text, client_addr text,
	case_id bigint, request_body jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.case_fields := jsonb_populate_record(NULL::api.case_fields, request_body);
	case_row cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_change(case_id, if_version);
	IF fields.closed_on < coalesce(case_row.extension_requested_on, case_row.opened_on) THEN
		PERFORM cansd.fail_field('closed_on', 'range',
			'must not be before the case opened or its extension request');
	END IF;
	UPDATE cansd.cases c SET status = 'closed', closed_on = fields.closed_on,
		version = c.version + 1, updated_at = now()
	WHERE c.id = cases_close.case_id RETURNING * INTO case_row;
	PERFORM cansd.audit('case.closed', 'case', case_row.id::text,
		jsonb_build_object('closed_on', fields.closed_on));
	body := cansd.case_with_members(case_row);
	etag := case_row.version::text;
END
$$;

-- --- members ----------------------------------------------------------------------

-- An adult's relationship must be one of its kind (member_relationships).
CREATE OR REPLACE FUNCTION cansd.check_relationship(kind text, relationship text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM cansd.member_relationships r
	               WHERE r.code = check_relationship.relationship
	                 AND r.kind = check_relationship.kind) THEN
		PERFORM cansd.fail_field('relationship', 'invalid', format('a %s must be one of: %s', kind,
			(SELECT string_agg(r.code, ', ' ORDER BY r.sort_order)
			 FROM cansd.member_relationships r WHERE r.kind = check_relationship.kind)));
	END IF;
END
$$;

-- Links the adult to the children of child_ids (every one a child of the case).
CREATE OR REPLACE FUNCTION cansd.link_children(case_id bigint, adult_id bigint, child_ids jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	wanted bigint[] := ARRAY(SELECT DISTINCT x::bigint FROM jsonb_array_elements_text(child_ids) x);
BEGIN
	IF EXISTS (SELECT 1 FROM unnest(wanted) w
	           WHERE NOT EXISTS (SELECT 1 FROM cansd.members m
	                             WHERE m.id = w AND m.case_id = link_children.case_id
	                               AND m.kind = 'child')) THEN
		PERFORM cansd.fail_field('child_ids', 'invalid', 'must name children of this case');
	END IF;
	DELETE FROM cansd.member_links l WHERE l.adult_id = link_children.adult_id;
	INSERT INTO cansd.member_links (case_id, adult_id, child_id)
	SELECT link_children.case_id, link_children.adult_id, w FROM unnest(wanted) w;
END
$$;

-- The body of POST /cases/{id}/members and PATCH .../members/{id}; child_ids
-- stays in the body (a list). PATCH: a field absent and a field null both
-- read as NULL here, so where the difference matters the body is asked.
CREATE TYPE api.member_fields AS (
	kind         text,
	full_name    text,
	birth_date   date,
	relationship text
);

-- POST /cases/{id}/members. An adult without child_ids is linked to every
-- child of the case, now and added later (all_children); a new child is
-- linked to every such adult.
CREATE OR REPLACE FUNCTION api.members_create(actor bigint, request_id text, client_addr text,
	case_id bigint, request_body jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.member_fields := jsonb_populate_record(NULL::api.member_fields, request_body);
	member cansd.members;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM cansd.case_for_change(case_id, NULL);
	IF fields.kind = 'child' THEN
		IF fields.birth_date IS NULL THEN
			PERFORM cansd.fail_field('birth_date', 'required', 'a child needs a birth date');
		END IF;
		IF request_body ? 'relationship' OR request_body ? 'child_ids' THEN
			PERFORM cansd.fail_field(CASE WHEN request_body ? 'relationship' THEN 'relationship'
			                              ELSE 'child_ids' END,
				'unknown', 'only caregivers and collaterals have this');
		END IF;
	ELSE
		PERFORM cansd.check_relationship(fields.kind, fields.relationship);
	END IF;
	INSERT INTO cansd.members (case_id, kind, full_name, birth_date, relationship, all_children)
	VALUES (members_create.case_id, fields.kind, fields.full_name, fields.birth_date,
	        fields.relationship, fields.kind <> 'child' AND NOT request_body ? 'child_ids')
	RETURNING * INTO member;
	IF fields.kind = 'child' THEN
		INSERT INTO cansd.member_links (case_id, adult_id, child_id)
		SELECT members_create.case_id, a.id, member.id FROM cansd.members a
		WHERE a.case_id = members_create.case_id AND a.all_children;
	ELSIF request_body ? 'child_ids' THEN
		PERFORM cansd.link_children(case_id, member.id, request_body->'child_ids');
	ELSE
		PERFORM cansd.link_children(case_id, member.id, coalesce((SELECT jsonb_agg(ch.id::text)
			FROM cansd.members ch WHERE ch.case_id = members_create.case_id AND ch.kind = 'child'),
			'[]'));
	END IF;
	PERFORM cansd.case_touch(case_id);
	PERFORM cansd.audit('case.member_added', 'case', case_id::text,
		jsonb_build_object('member_id', member.id::text, 'kind', member.kind));
	body := cansd.member_json(member)::text;
END
$$;

-- The member to change, locked: one of this case's, else CN404.
CREATE OR REPLACE FUNCTION cansd.member_for_change(case_id bigint, member_id bigint)
RETURNS cansd.members LANGUAGE plpgsql AS $$
DECLARE
	member cansd.members;
BEGIN
	SELECT * INTO member FROM cansd.members m
	WHERE m.id = member_for_change.member_id AND m.case_id = member_for_change.case_id
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such member of this case.');
	END IF;
	RETURN member;
END
$$;

CREATE OR REPLACE FUNCTION api.members_update(actor bigint, request_id text, client_addr text,
	case_id bigint, member_id bigint, request_body jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.member_fields := jsonb_populate_record(NULL::api.member_fields, request_body);
	member cansd.members;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM cansd.case_for_change(case_id, NULL);
	member := cansd.member_for_change(case_id, member_id);
	IF member.kind = 'child' THEN
		IF request_body ? 'relationship' OR request_body ? 'child_ids' THEN
			PERFORM cansd.fail_field(CASE WHEN request_body ? 'relationship' THEN 'relationship'
			                              ELSE 'child_ids' END,
				'unknown', 'only caregivers and collaterals have this');
		END IF;
		IF request_body ? 'birth_date' AND fields.birth_date IS NULL THEN
			PERFORM cansd.fail_field('birth_date', 'required', 'a child needs a birth date');
		END IF;
	ELSIF request_body ? 'relationship' THEN
		PERFORM cansd.check_relationship(member.kind, fields.relationship);
	END IF;
	IF request_body ? 'child_ids' THEN
		PERFORM cansd.link_children(case_id, member_id, request_body->'child_ids');
	END IF;
	UPDATE cansd.members m SET
		full_name = coalesce(fields.full_name, m.full_name),
		birth_date = CASE WHEN request_body ? 'birth_date' THEN fields.birth_date
		                  ELSE m.birth_date END,
		relationship = coalesce(fields.relationship, m.relationship),
		all_children = m.all_children AND NOT request_body ? 'child_ids',
		version = m.version + 1, updated_at = now()
	WHERE m.id = members_update.member_id RETURNING * INTO member;
	PERFORM cansd.case_touch(case_id);
	PERFORM cansd.audit('case.member_updated', 'case', case_id::text,
		jsonb_build_object('member_id', member.id::text,
		                   'changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(request_body) k)));
	body := cansd.member_json(member)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.members_delete(actor bigint, request_id text, client_addr text,
	case_id bigint, member_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	member cansd.members;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	PERFORM cansd.case_for_change(case_id, NULL);
	member := cansd.member_for_change(case_id, member_id);
	IF cansd.member_rated(member_id) THEN
		PERFORM cansd.fail('CN409', 'A CANS rates this member, so they stay on the case.');
	END IF;
	DELETE FROM cansd.members m WHERE m.id = members_delete.member_id;
	PERFORM cansd.case_touch(case_id);
	PERFORM cansd.audit('case.member_removed', 'case', case_id::text,
		jsonb_build_object('member_id', member.id::text, 'kind', member.kind));
END
$$;

-- --- the service log --------------------------------------------------------------

CREATE OR REPLACE FUNCTION cansd.service_json(s cansd.services) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', s.id::text, 'case_id', s.case_id::text, 'service_type', s.service_type,
		'service_date', s.service_date, 'hours', trim_scale(s.hours), 'notes', s.notes,
		'recorded_by', s.recorded_by::text, 'recorded_at', cansd.rfc3339(s.recorded_at))
$$;

-- Intervention hours per week of the case (week 1 starts on opened_on),
-- from the opening to today or the closing, with the program's weekly
-- target (weekly_hours_min/max; none for a program without one).
CREATE OR REPLACE FUNCTION cansd.case_weekly_hours(c cansd.cases) RETURNS json
LANGUAGE sql STABLE AS $$
	WITH target AS (
		SELECT cansd.program_rule(c.program, 'weekly_hours_min') AS lo,
		       cansd.program_rule(c.program, 'weekly_hours_max') AS hi),
	weeks AS (
		SELECT n, c.opened_on + 7 * (n - 1) AS week_start
		FROM generate_series(1, greatest(1,
			(least(cansd.today(), coalesce(c.closed_on, cansd.today())) - c.opened_on) / 7 + 1)) n)
	SELECT json_build_object(
		'target', (SELECT CASE WHEN lo IS NOT NULL THEN json_build_object('min', lo, 'max', hi) END
		           FROM target),
		'weeks', coalesce(json_agg(json_build_object(
			'week', w.n, 'week_start', w.week_start, 'hours', trim_scale(w.hours),
			'within_target', (SELECT CASE WHEN lo IS NOT NULL THEN w.hours BETWEEN lo AND hi END
			                  FROM target)) ORDER BY w.n), '[]'))
	FROM (SELECT weeks.n, weeks.week_start,
	             coalesce((SELECT sum(s.hours) FROM cansd.services s
	                       WHERE s.case_id = c.id AND s.service_date >= weeks.week_start
	                         AND s.service_date < weeks.week_start + 7), 0) AS hours
	      FROM weeks) w
$$;

-- The body of POST /cases/{id}/services.
CREATE TYPE api.service_fields AS (
	service_type text,
	service_date date,
	hours        numeric,
	notes        text
);

CREATE OR REPLACE FUNCTION api.services_create(actor bigint, request_id text, client_addr text,
	case_id bigint, request_body jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.service_fields := jsonb_populate_record(NULL::api.service_fields, request_body);
	case_row cansd.cases;
	service cansd.services;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_read(case_id);
	IF NOT EXISTS (SELECT 1 FROM cansd.service_types t WHERE t.code = fields.service_type) THEN
		PERFORM cansd.fail_field('service_type', 'invalid', format('must be one of: %s',
			(SELECT string_agg(t.code, ', ' ORDER BY t.sort_order) FROM cansd.service_types t)));
	END IF;
	IF fields.service_date < case_row.opened_on OR fields.service_date > case_row.closed_on THEN
		PERFORM cansd.fail_field('service_date', 'range', 'must be a day the case was open');
	END IF;
	INSERT INTO cansd.services (case_id, service_type, service_date, hours, notes)
	VALUES (services_create.case_id, fields.service_type, fields.service_date, fields.hours,
	        fields.notes)
	RETURNING * INTO service;
	PERFORM cansd.audit('case.service_logged', 'case', case_id::text,
		jsonb_build_object('service_id', service.id::text, 'service_type', service.service_type,
		                   'hours', service.hours));
	body := cansd.service_json(service)::text;
END
$$;

-- The page of services, plus the weekly hours over the whole log.
CREATE OR REPLACE FUNCTION api.services_list(actor bigint, request_id text, client_addr text,
	case_id bigint, page_size integer, cursor_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	case_row cansd.cases;
	page text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	case_row := cansd.case_for_read(case_id);
	SELECT cansd.page_json(array_agg(cansd.service_json(p.s) ORDER BY (p.s).id),
	                       array_agg((p.s).id ORDER BY (p.s).id), page_size)
	INTO page
	FROM (SELECT s FROM cansd.services s
	      WHERE s.case_id = services_list.case_id AND (cursor_id IS NULL OR s.id > cursor_id)
	      ORDER BY s.id LIMIT page_size + 1) p;
	PERFORM cansd.audit_case_reads(ARRAY[case_row.id], 'services');
	RETURN (page::jsonb || jsonb_build_object('weekly_hours', cansd.case_weekly_hours(case_row)))::text;
END
$$;
