-- QC reviews and follow-ups: QA analysts review any CANS and
-- ask its clinician to follow up; the assignee sees and closes theirs.
-- Tables and grants: sql/migrations/015_qc_reports.sql. Every change writes
-- its audit event in the same transaction. Applied at every start.
--
-- Who sees what (row-level security, the second line behind the route
-- table): QA analysts every review and follow-up; anyone else only the
-- follow-ups assigned to them (a follow-up out of reach is 404). The
-- automatic QC findings (qc_flags, GET /qc/flags): sql/functions/qc.sql.

CREATE POLICY qc_reviews_read ON cansd.qc_reviews FOR SELECT
	USING (cansd.has_role('qa_analyst'));
CREATE POLICY qc_reviews_insert ON cansd.qc_reviews FOR INSERT
	WITH CHECK (cansd.has_role('qa_analyst') AND reviewer_id = cansd.current_user_id());

CREATE POLICY qc_follow_ups_read ON cansd.qc_follow_ups FOR SELECT
	USING (cansd.has_role('qa_analyst') OR assigned_to = cansd.current_user_id());
CREATE POLICY qc_follow_ups_insert ON cansd.qc_follow_ups FOR INSERT
	WITH CHECK (cansd.has_role('qa_analyst') AND created_by = cansd.current_user_id());
CREATE POLICY qc_follow_ups_close ON cansd.qc_follow_ups FOR UPDATE
	USING (cansd.has_role('qa_analyst') OR assigned_to = cansd.current_user_id())
	WITH CHECK (closed_by = cansd.current_user_id());

CREATE OR REPLACE FUNCTION cansd.qc_review_json(r cansd.qc_reviews) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', r.id::text, 'assessment_id', r.assessment_id::text,
		'reviewer_id', r.reviewer_id::text, 'outcome', r.outcome, 'notes', r.notes,
		'reviewed_at', cansd.rfc3339(r.reviewed_at))
$$;

CREATE OR REPLACE FUNCTION cansd.qc_follow_up_json(f cansd.qc_follow_ups) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', f.id::text, 'assessment_id', f.assessment_id::text,
		'assigned_to', f.assigned_to::text, 'notes', f.notes, 'status', f.status,
		'created_by', f.created_by::text, 'created_at', cansd.rfc3339(f.created_at),
		'closed_by', f.closed_by::text, 'closed_at', cansd.rfc3339(f.closed_at))
$$;

-- An active worker or supervisor, read past the users policies (a QA
-- analyst may not list users, yet assigns follow-ups to them).
CREATE OR REPLACE FUNCTION cansd.is_active_clinician(user_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM cansd.users u
	               WHERE u.id = is_active_clinician.user_id AND u.active
	                 AND u.roles && ARRAY['worker', 'supervisor'])
$$;

-- The bodies of POST /assessments/{id}/qc-reviews and POST /qc/follow-ups.
CREATE TYPE api.qc_fields AS (
	outcome       text,
	notes         text,
	assessment_id bigint,
	assigned_to   bigint
);

-- POST /assessments/{id}/qc-reviews: about a CANS the caller may read (QA
-- analysts read every CANS), else 404 like one that does not exist.
CREATE OR REPLACE FUNCTION api.qc_reviews_create(actor bigint, request_id text,
	client_addr text, assessment_id bigint, request_body jsonb, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.qc_fields := jsonb_populate_record(NULL::api.qc_fields, request_body);
	cans cansd.assessments;
	review cansd.qc_reviews;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	cans := cansd.assessment_for_read(assessment_id);
	INSERT INTO cansd.qc_reviews (assessment_id, outcome, notes)
	VALUES (cans.id, fields.outcome, fields.notes)
	RETURNING * INTO review;
	PERFORM cansd.audit('qc_review.created', 'qc_review', review.id::text,
		jsonb_build_object('assessment_id', cans.id::text, 'outcome', review.outcome));
	body := cansd.qc_review_json(review)::text;
END
$$;

-- POST /qc/follow-ups: for a clinician (an active worker or supervisor).
CREATE OR REPLACE FUNCTION api.qc_follow_ups_create(actor bigint, request_id text,
	client_addr text, request_body jsonb, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
	fields api.qc_fields := jsonb_populate_record(NULL::api.qc_fields, request_body);
	follow_up cansd.qc_follow_ups;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	IF NOT EXISTS (SELECT 1 FROM cansd.assessments a WHERE a.id = fields.assessment_id) THEN
		PERFORM cansd.fail_field('assessment_id', 'not_found', 'must name an assessment');
	END IF;
	IF NOT cansd.is_active_clinician(fields.assigned_to) THEN
		PERFORM cansd.fail_field('assigned_to', 'invalid',
			'must name an active worker or supervisor');
	END IF;
	INSERT INTO cansd.qc_follow_ups (assessment_id, assigned_to, notes)
	VALUES (fields.assessment_id, fields.assigned_to, fields.notes)
	RETURNING * INTO follow_up;
	PERFORM cansd.audit('qc_follow_up.created', 'qc_follow_up', follow_up.id::text,
		jsonb_build_object('assessment_id', fields.assessment_id::text,
		                   'assigned_to', fields.assigned_to::text));
	body := cansd.qc_follow_up_json(follow_up)::text;
END
$$;

-- POST /qc/follow-ups/{id}/close: the assignee or a QA analyst; once.
CREATE OR REPLACE FUNCTION api.qc_follow_ups_close(actor bigint, request_id text,
	client_addr text, follow_up_id bigint, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
	follow_up cansd.qc_follow_ups;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT * INTO follow_up FROM cansd.qc_follow_ups q WHERE q.id = follow_up_id FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such follow-up.');
	END IF;
	IF follow_up.status = 'closed' THEN
		PERFORM cansd.fail('CN409', 'The follow-up is already closed.');
	END IF;
	UPDATE cansd.qc_follow_ups q
	SET status = 'closed', closed_by = cansd.current_user_id(), closed_at = now()
	WHERE q.id = follow_up_id
	RETURNING * INTO follow_up;
	PERFORM cansd.audit('qc_follow_up.closed', 'qc_follow_up', follow_up.id::text,
		jsonb_build_object('assessment_id', follow_up.assessment_id::text));
	body := cansd.qc_follow_up_json(follow_up)::text;
END
$$;

-- GET /qc/follow-ups?status=&assessment_id=&assigned_to=: oldest first.
CREATE OR REPLACE FUNCTION api.qc_follow_ups_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, status_filter text, assessment_filter bigint,
	assignee_filter bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	SELECT cansd.page_json(array_agg(cansd.qc_follow_up_json(p.f) ORDER BY (p.f).id),
	                       array_agg((p.f).id ORDER BY (p.f).id), page_size)
	INTO result
	FROM (SELECT f FROM cansd.qc_follow_ups f
	      WHERE (cursor_id IS NULL OR f.id > cursor_id)
	        AND (status_filter IS NULL OR status_filter = 'all' OR f.status = status_filter)
	        AND (assessment_filter IS NULL OR f.assessment_id = assessment_filter)
	        AND (assignee_filter IS NULL OR f.assigned_to = assignee_filter)
	      ORDER BY f.id LIMIT page_size + 1) p;
	RETURN result;
END
$$;
