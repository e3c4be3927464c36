-- Cases, members, member links and the service log (issue 15): who sees
-- which case (row-level security), the program rules applied to them, and
-- the api_* functions behind /cases. Applied at every start after the
-- migrations (tables and grants: sql/migrations/008_cases.sql), so every
-- statement here is idempotent.
--
-- Scope by relation, enforced twice: the route table admits roles, and the
-- policies below decide rows, keyed on the caller of this transaction
-- (cansd.begin_request sets app.user_id). A worker sees the cases assigned
-- to them, a supervisor their team's (cases whose worker's supervisor they
-- are), QA analysts and program admins all, anyone else none; a case out of
-- scope is invisible, so every function answers it as CN404 like one that
-- does not exist.

-- The programs' day: calendar days are days in CANSD_TIMEZONE, which the
-- pool's sessions run with (core/db.c sets TimeZone at connect).
CREATE OR REPLACE FUNCTION cansd.program_day(t timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (t AT TIME ZONE current_setting('TimeZone'))::date
$$;

CREATE OR REPLACE FUNCTION cansd.today() RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT cansd.program_day(now())
$$;

-- A program rule (sql/migrations/008_cases.sql), NULL when the program has none.
CREATE OR REPLACE FUNCTION cansd.program_rule(prog text, rule text) RETURNS numeric
LANGUAGE sql STABLE AS $$
	SELECT value FROM cansd.program_rules WHERE program = prog AND key = rule
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
CREATE OR REPLACE FUNCTION cansd.case_workable_id(cid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.cases c
	               WHERE c.id = cid AND cansd.case_workable(c.worker_id))
$$;

-- A CANS of this case was routed to the caller (assessment_routes, sql/
-- functions/assessments.sql): they read the case. A function, not an
-- EXISTS in the policy: as a subquery the planner made it a hashed subplan,
-- whose hash table was set up on every read of a case or a CANS even when
-- the case's own worker never reached it (a third of the policy's cost).
-- Its high COST tells the planner it is dear, so that a policy asking
-- cases for one row probes that row instead of checking every case.
CREATE OR REPLACE FUNCTION cansd.case_routed_to_me(cid bigint) RETURNS boolean
LANGUAGE plpgsql STABLE COST 10000 AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM cansd.assessment_routes r
	               WHERE r.case_id = cid AND r.supervisor_id = cansd.current_user_id());
END
$$;

DROP POLICY IF EXISTS cases_read ON cansd.cases;
-- One policy, the cheap tests first (OR stops at the first true): the
-- case's own worker never reaches the lookup of CANS routed to the caller.
CREATE POLICY cases_read ON cansd.cases FOR SELECT
	USING (cansd.case_readable(worker_id) OR cansd.case_routed_to_me(id));
DROP POLICY IF EXISTS cases_insert ON cansd.cases;
CREATE POLICY cases_insert ON cansd.cases FOR INSERT
	WITH CHECK (cansd.case_assignable(worker_id));
DROP POLICY IF EXISTS cases_update ON cansd.cases;
CREATE POLICY cases_update ON cansd.cases FOR UPDATE
	USING (cansd.case_workable(worker_id) OR cansd.has_role('program_admin'))
	WITH CHECK (cansd.case_workable(worker_id) OR cansd.has_role('program_admin'));

DROP POLICY IF EXISTS members_read ON cansd.members;
CREATE POLICY members_read ON cansd.members FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
DROP POLICY IF EXISTS members_insert ON cansd.members;
CREATE POLICY members_insert ON cansd.members FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));
DROP POLICY IF EXISTS members_update ON cansd.members;
CREATE POLICY members_update ON cansd.members FOR UPDATE
	USING (cansd.case_workable_id(case_id)) WITH CHECK (cansd.case_workable_id(case_id));
DROP POLICY IF EXISTS members_delete ON cansd.members;
CREATE POLICY members_delete ON cansd.members FOR DELETE USING (cansd.case_workable_id(case_id));

DROP POLICY IF EXISTS member_links_read ON cansd.member_links;
CREATE POLICY member_links_read ON cansd.member_links FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
DROP POLICY IF EXISTS member_links_insert ON cansd.member_links;
CREATE POLICY member_links_insert ON cansd.member_links FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));
DROP POLICY IF EXISTS member_links_delete ON cansd.member_links;
CREATE POLICY member_links_delete ON cansd.member_links FOR DELETE
	USING (cansd.case_workable_id(case_id));

DROP POLICY IF EXISTS services_read ON cansd.services;
CREATE POLICY services_read ON cansd.services FOR SELECT
	USING (EXISTS (SELECT 1 FROM cansd.cases c WHERE c.id = case_id));
DROP POLICY IF EXISTS services_insert ON cansd.services;
CREATE POLICY services_insert ON cansd.services FOR INSERT
	WITH CHECK (cansd.case_workable_id(case_id));

-- True once a CANS rates this member (the child it is about, or an adult
-- with a caregiver section or a rating); DELETE of a rated member is 409.
CREATE OR REPLACE FUNCTION cansd.member_rated(mid bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.child_id = mid)
	    OR EXISTS (SELECT 1 FROM cansd.assessment_caregivers c WHERE c.member_id = mid)
	    OR EXISTS (SELECT 1 FROM cansd.assessment_ratings r WHERE r.subject_id = mid)
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
-- behind row-level security) is planned once per session; as an SQL function
-- called from PL/pgSQL it was planned on every call, 4 of a GET's 5 ms.
-- The links of the whole case in the same query, not a lookup per member:
-- member_json(m) with its subqueries is never inlined, so it was planned
-- again on every read (about 0.4 ms of a supervisor's read of six members).
-- A member is a child or an adult, so its id says which side it is on.
DROP FUNCTION IF EXISTS cansd.case_with_members(cansd.cases);
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
	t timestamptz;
BEGIN
	IF value IS NULL THEN
		RETURN NULL;
	END IF;
	IF value !~ '^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$' THEN
		PERFORM cansd.fail_field(field, 'format', 'must be an RFC 3339 time with an offset');
	END IF;
	BEGIN
		t := value::timestamptz;
	EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
		PERFORM cansd.fail_field(field, 'format', 'must be a real time');
	END;
	IF t > now() + interval '60 seconds' THEN
		PERFORM cansd.fail_field(field, 'future', 'must not be in the future');
	END IF;
	RETURN t;
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
CREATE OR REPLACE FUNCTION cansd.check_caseload(worker bigint, prog text, except_case bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	cap numeric := cansd.program_rule(prog, 'caseload_cap');
	held integer;
BEGIN
	IF cap IS NULL THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('cansd.caseload'), worker::integer);
	SELECT count(*) INTO held FROM cansd.cases
	WHERE worker_id = worker AND program = prog AND status <> 'closed'
	  AND id IS DISTINCT FROM except_case;
	IF held >= cap THEN
		PERFORM cansd.fail('CN409', format(
			'The worker already holds %s open %s cases, the most the program allows.',
			held, prog));
	END IF;
END
$$;

-- The case to change, locked; CN404 when the caller may not see it, CN412
-- for a stale If-Match, CN409 once closed.
CREATE OR REPLACE FUNCTION cansd.case_for_change(cid bigint, if_version integer)
RETURNS cansd.cases LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
BEGIN
	SELECT * INTO c FROM cansd.cases WHERE id = cid FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such case.');
	END IF;
	IF if_version IS NOT NULL AND if_version <> c.version THEN
		PERFORM cansd.fail('CN412', 'The case changed since you read it; reload and retry.');
	END IF;
	IF c.status = 'closed' THEN
		PERFORM cansd.fail('CN409', 'The case is closed; it no longer changes.');
	END IF;
	RETURN c;
END
$$;

CREATE OR REPLACE FUNCTION cansd.case_touch(cid bigint) RETURNS cansd.cases
LANGUAGE sql AS $$
	UPDATE cansd.cases SET version = version + 1, updated_at = now() WHERE id = cid RETURNING *
$$;

-- --- /cases ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION api.cases_list(actor bigint, request_id text, addr text,
	lim integer, cursor_id bigint, status_filter text, program_filter text,
	worker_filter bigint, flag_filter text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	picked cansd.cases[];
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT array_agg(p.c ORDER BY (p.c).id) INTO picked
	FROM (SELECT c FROM cansd.cases c
	      WHERE (cursor_id IS NULL OR c.id > cursor_id)
	        AND (status_filter IS NULL OR c.status = status_filter)
	        AND (program_filter IS NULL OR c.program = program_filter)
	        AND (worker_filter IS NULL OR c.worker_id = worker_filter)
	        AND (flag_filter IS NULL OR flag_filter = ANY (cansd.case_flags(c)))
	      ORDER BY c.id LIMIT lim + 1) p (c);
	PERFORM cansd.audit_case_reads(ARRAY(SELECT (r).id FROM unnest(picked[1:lim]) r), 'list');
	RETURN cansd.page_json(ARRAY(SELECT cansd.case_json(r) FROM unnest(picked) r),
	                       ARRAY(SELECT (r).id FROM unnest(picked) r), lim);
END
$$;

CREATE OR REPLACE FUNCTION api.cases_get(actor bigint, request_id text, addr text,
	cid bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT * INTO c FROM cansd.cases WHERE id = cid;
	IF FOUND THEN
		PERFORM cansd.audit_case_reads(ARRAY[c.id], 'get');
		body := cansd.case_with_members(c);
		etag := c.version::text;
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_create(actor bigint, request_id text, addr text,
	b jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	worker bigint := (b->>'worker_id')::bigint;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	IF b->>'sacwis_case_id' !~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$' THEN
		PERFORM cansd.fail_field('sacwis_case_id', 'format',
			'1 to 32 letters, digits and "-", starting with a letter or digit');
	END IF;
	PERFORM cansd.check_assignee(worker);
	PERFORM cansd.check_caseload(worker, b->>'program', NULL);
	BEGIN
		INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id,
		                         referral_received_at)
		VALUES (b->>'sacwis_case_id', b->>'program', (b->>'opened_on')::date, worker,
		        cansd.parse_instant('referral_received_at', b->>'referral_received_at'))
		RETURNING * INTO c;
	EXCEPTION WHEN unique_violation THEN
		PERFORM cansd.fail('CN409', 'That SACWIS case id is already in use.');
	END;
	PERFORM cansd.audit('case.created', 'case', c.id::text,
		jsonb_build_object('sacwis_case_id', c.sacwis_case_id, 'program', c.program,
		                   'worker_id', c.worker_id::text));
	body := cansd.case_with_members(c);
	etag := c.version::text;
END
$$;

-- PATCH: worker_id (a reassignment counts against the new worker's cap) and
-- first_contact_at (not before the referral).
CREATE OR REPLACE FUNCTION api.cases_update(actor bigint, request_id text, addr text,
	cid bigint, b jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	old cansd.cases;
	c cansd.cases;
	worker bigint := (b->>'worker_id')::bigint;
	contact timestamptz := cansd.parse_instant('first_contact_at', b->>'first_contact_at');
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	old := cansd.case_for_change(cid, if_version);
	IF worker IS NOT NULL AND worker <> old.worker_id THEN
		PERFORM cansd.check_assignee(worker);
		PERFORM cansd.check_caseload(worker, old.program, old.id);
	END IF;
	IF contact < old.referral_received_at THEN
		PERFORM cansd.fail_field('first_contact_at', 'range', 'must not be before the referral');
	END IF;
	UPDATE cansd.cases SET
		worker_id = coalesce(worker, worker_id),
		first_contact_at = coalesce(contact, first_contact_at),
		version = version + 1, updated_at = now()
	WHERE id = cid RETURNING * INTO c;
	PERFORM cansd.audit('case.updated', 'case', c.id::text,
		jsonb_build_object('changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(b) k),
		                   'worker_from', old.worker_id::text, 'worker_to', c.worker_id::text));
	body := cansd.case_with_members(c);
	etag := c.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_extension_request(actor bigint, request_id text,
	addr text, cid bigint, b jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	requested date := (b->>'requested_on')::date;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	c := cansd.case_for_change(cid, if_version);
	IF c.status <> 'open' THEN
		PERFORM cansd.fail('CN409', 'An extension was already requested for this case.');
	END IF;
	IF requested < c.opened_on THEN
		PERFORM cansd.fail_field('requested_on', 'range', 'must not be before the case opened');
	END IF;
	UPDATE cansd.cases SET status = 'extension_requested', extension_requested_on = requested,
		extension_reason = b->>'reason', version = version + 1, updated_at = now()
	WHERE id = cid RETURNING * INTO c;
	PERFORM cansd.audit('case.extension_requested', 'case', c.id::text,
		jsonb_build_object('requested_on', requested));
	body := cansd.case_with_members(c);
	etag := c.version::text;
END
$$;

CREATE OR REPLACE FUNCTION api.cases_close(actor bigint, request_id text, addr text,
	cid bigint, b jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	closing date := (b->>'closed_on')::date;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	c := cansd.case_for_change(cid, if_version);
	IF closing < coalesce(c.extension_requested_on, c.opened_on) THEN
		PERFORM cansd.fail_field('closed_on', 'range',
			'must not be before the case opened or its extension request');
	END IF;
	UPDATE cansd.cases SET status = 'closed', closed_on = closing,
		version = version + 1, updated_at = now()
	WHERE id = cid RETURNING * INTO c;
	PERFORM cansd.audit('case.closed', 'case', c.id::text,
		jsonb_build_object('closed_on', closing));
	body := cansd.case_with_members(c);
	etag := c.version::text;
END
$$;

-- --- members ----------------------------------------------------------------------

-- An adult's relationship must be one of its kind (member_relationships).
CREATE OR REPLACE FUNCTION cansd.check_relationship(kind text, rel text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM cansd.member_relationships r
	               WHERE r.code = rel AND r.kind = check_relationship.kind) THEN
		PERFORM cansd.fail_field('relationship', 'invalid', format('a %s must be one of: %s', kind,
			(SELECT string_agg(r.code, ', ' ORDER BY r.sort_order)
			 FROM cansd.member_relationships r WHERE r.kind = check_relationship.kind)));
	END IF;
END
$$;

-- Links adult aid to the children of child_ids (every one a child of the case).
CREATE OR REPLACE FUNCTION cansd.link_children(cid bigint, aid bigint, child_ids jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	wanted bigint[] := ARRAY(SELECT DISTINCT x::bigint FROM jsonb_array_elements_text(child_ids) x);
BEGIN
	IF EXISTS (SELECT 1 FROM unnest(wanted) w
	           WHERE NOT EXISTS (SELECT 1 FROM cansd.members m
	                             WHERE m.id = w AND m.case_id = cid AND m.kind = 'child')) THEN
		PERFORM cansd.fail_field('child_ids', 'invalid', 'must name children of this case');
	END IF;
	DELETE FROM cansd.member_links WHERE adult_id = aid;
	INSERT INTO cansd.member_links (case_id, adult_id, child_id)
	SELECT cid, aid, w FROM unnest(wanted) w;
END
$$;

-- POST /cases/{id}/members. An adult without child_ids is linked to every
-- child of the case, now and added later (all_children); a new child is
-- linked to every such adult.
CREATE OR REPLACE FUNCTION api.members_create(actor bigint, request_id text, addr text,
	cid bigint, b jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	m cansd.members;
	k text := b->>'kind';
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	c := cansd.case_for_change(cid, NULL);
	IF k = 'child' THEN
		IF NOT b ? 'birth_date' OR b->'birth_date' = 'null' THEN
			PERFORM cansd.fail_field('birth_date', 'required', 'a child needs a birth date');
		END IF;
		IF b ? 'relationship' OR b ? 'child_ids' THEN
			PERFORM cansd.fail_field(CASE WHEN b ? 'relationship' THEN 'relationship'
			                              ELSE 'child_ids' END,
				'unknown', 'only caregivers and collaterals have this');
		END IF;
	ELSE
		PERFORM cansd.check_relationship(k, b->>'relationship');
	END IF;
	INSERT INTO cansd.members (case_id, kind, full_name, birth_date, relationship, all_children)
	VALUES (cid, k, b->>'full_name', (b->>'birth_date')::date, b->>'relationship',
	        k <> 'child' AND NOT b ? 'child_ids')
	RETURNING * INTO m;
	IF k = 'child' THEN
		INSERT INTO cansd.member_links (case_id, adult_id, child_id)
		SELECT cid, a.id, m.id FROM cansd.members a WHERE a.case_id = cid AND a.all_children;
	ELSIF b ? 'child_ids' THEN
		PERFORM cansd.link_children(cid, m.id, b->'child_ids');
	ELSE
		PERFORM cansd.link_children(cid, m.id, coalesce((SELECT jsonb_agg(ch.id::text)
			FROM cansd.members ch WHERE ch.case_id = cid AND ch.kind = 'child'), '[]'));
	END IF;
	PERFORM cansd.case_touch(cid);
	PERFORM cansd.audit('case.member_added', 'case', cid::text,
		jsonb_build_object('member_id', m.id::text, 'kind', m.kind));
	body := cansd.member_json(m)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.members_update(actor bigint, request_id text, addr text,
	cid bigint, mid bigint, b jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	m cansd.members;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	PERFORM cansd.case_for_change(cid, NULL);
	SELECT * INTO m FROM cansd.members WHERE id = mid AND case_id = cid FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such member of this case.');
	END IF;
	IF m.kind = 'child' THEN
		IF b ? 'relationship' OR b ? 'child_ids' THEN
			PERFORM cansd.fail_field(CASE WHEN b ? 'relationship' THEN 'relationship'
			                              ELSE 'child_ids' END,
				'unknown', 'only caregivers and collaterals have this');
		END IF;
		IF b ? 'birth_date' AND b->'birth_date' = 'null' THEN
			PERFORM cansd.fail_field('birth_date', 'required', 'a child needs a birth date');
		END IF;
	ELSIF b ? 'relationship' THEN
		PERFORM cansd.check_relationship(m.kind, b->>'relationship');
	END IF;
	IF b ? 'child_ids' THEN
		PERFORM cansd.link_children(cid, mid, b->'child_ids');
	END IF;
	UPDATE cansd.members SET
		full_name = coalesce(b->>'full_name', full_name),
		birth_date = CASE WHEN b ? 'birth_date' THEN (b->>'birth_date')::date ELSE birth_date END,
		relationship = coalesce(b->>'relationship', relationship),
		all_children = all_children AND NOT b ? 'child_ids',
		version = version + 1, updated_at = now()
	WHERE id = mid RETURNING * INTO m;
	PERFORM cansd.case_touch(cid);
	PERFORM cansd.audit('case.member_updated', 'case', cid::text,
		jsonb_build_object('member_id', m.id::text,
		                   'changed', (SELECT jsonb_agg(k) FROM jsonb_object_keys(b) k)));
	body := cansd.member_json(m)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.members_delete(actor bigint, request_id text, addr text,
	cid bigint, mid bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m cansd.members;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	PERFORM cansd.case_for_change(cid, NULL);
	SELECT * INTO m FROM cansd.members WHERE id = mid AND case_id = cid FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such member of this case.');
	END IF;
	IF cansd.member_rated(mid) THEN
		PERFORM cansd.fail('CN409', 'A CANS rates this member, so they stay on the case.');
	END IF;
	DELETE FROM cansd.members WHERE id = mid;
	PERFORM cansd.case_touch(cid);
	PERFORM cansd.audit('case.member_removed', 'case', cid::text,
		jsonb_build_object('member_id', m.id::text, 'kind', m.kind));
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

CREATE OR REPLACE FUNCTION api.services_create(actor bigint, request_id text, addr text,
	cid bigint, b jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	s cansd.services;
	day date := (b->>'service_date')::date;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT * INTO c FROM cansd.cases WHERE id = cid;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such case.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.service_types t WHERE t.code = b->>'service_type') THEN
		PERFORM cansd.fail_field('service_type', 'invalid', format('must be one of: %s',
			(SELECT string_agg(t.code, ', ' ORDER BY t.sort_order) FROM cansd.service_types t)));
	END IF;
	IF day < c.opened_on OR day > c.closed_on THEN
		PERFORM cansd.fail_field('service_date', 'range', 'must be a day the case was open');
	END IF;
	INSERT INTO cansd.services (case_id, service_type, service_date, hours, notes)
	VALUES (cid, b->>'service_type', day, (b->>'hours')::numeric, b->>'notes')
	RETURNING * INTO s;
	PERFORM cansd.audit('case.service_logged', 'case', cid::text,
		jsonb_build_object('service_id', s.id::text, 'service_type', s.service_type,
		                   'hours', s.hours));
	body := cansd.service_json(s)::text;
END
$$;

-- The page of services, plus the weekly hours over the whole log.
CREATE OR REPLACE FUNCTION api.services_list(actor bigint, request_id text, addr text,
	cid bigint, lim integer, cursor_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c cansd.cases;
	page text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT * INTO c FROM cansd.cases WHERE id = cid;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such case.');
	END IF;
	SELECT cansd.page_json(array_agg(cansd.service_json(p.s) ORDER BY (p.s).id),
	                       array_agg((p.s).id ORDER BY (p.s).id), lim)
	INTO page
	FROM (SELECT s FROM cansd.services s
	      WHERE s.case_id = cid AND (cursor_id IS NULL OR s.id > cursor_id)
	      ORDER BY s.id LIMIT lim + 1) p;
	PERFORM cansd.audit_case_reads(ARRAY[cid], 'services');
	RETURN (page::jsonb || jsonb_build_object('weekly_hours', cansd.case_weekly_hours(c)))::text;
END
$$;
