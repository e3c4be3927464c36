-- Automatic QC findings on submit.
-- The rules are rows of cansd.qc_rules (code, message, kind, params); this
-- file knows how to test each kind, never which items or domains a rule is
-- about: those are its params. Findings are stored per CANS in qc_flags,
-- replaced at every submission, and read at GET /qc/flags by QA analysts,
-- program admins and the case's supervisor (the worker's supervisor).

CREATE POLICY qc_flags_read ON cansd.qc_flags FOR SELECT USING (EXISTS (
	SELECT 1 FROM cansd.assessments a JOIN cansd.cases c ON c.id = a.case_id
	WHERE a.id = assessment_id
	  AND (cansd.has_role('qa_analyst') OR cansd.has_role('program_admin')
	       OR (cansd.has_role('supervisor') AND cansd.is_my_team_member(c.worker_id))
	       -- the author's submission replaces them (the route table keeps
	       -- workers from GET /qc/flags)
	       OR a.author_id = cansd.current_user_id())));
-- The author's submission writes them (per command, so reads pay for the
-- read policy only).
CREATE POLICY qc_flags_insert ON cansd.qc_flags FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM cansd.assessments a
	                    WHERE a.id = assessment_id AND a.author_id = cansd.current_user_id()));
CREATE POLICY qc_flags_delete ON cansd.qc_flags FOR DELETE
	USING (EXISTS (SELECT 1 FROM cansd.assessments a
	               WHERE a.id = assessment_id AND a.author_id = cansd.current_user_id()));

-- The previous CANS of the same child (submitted or approved, before this
-- one by assessment date), or NULL.
CREATE OR REPLACE FUNCTION cansd.previous_assessment(a cansd.assessments) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT p.id FROM cansd.assessments p
	WHERE p.child_id = a.child_id AND p.id <> a.id AND p.status IN ('submitted', 'approved')
	  AND (p.assessment_date, p.id) < (a.assessment_date, a.id)
	ORDER BY p.assessment_date DESC, p.id DESC LIMIT 1
$$;

-- Does the rule hold for the CANS? NULL detail when it does not. Over the
-- ratings that count (cansd.assessment_counted): child items for the kinds
-- about needs, strengths and domains; every rating for identity.
CREATE OR REPLACE FUNCTION cansd.qc_rule_finding(assessment_id bigint, r cansd.qc_rules)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	cans cansd.assessments;
	previous_id bigint;
	items jsonb;
BEGIN
	SELECT * INTO cans FROM cansd.assessments a WHERE a.id = qc_rule_finding.assessment_id;
	CASE r.kind
	WHEN 'identical_to_previous' THEN
		previous_id := cansd.previous_assessment(cans);
		IF previous_id IS NOT NULL AND NOT EXISTS (
			(SELECT subject_id, item_code, rating FROM cansd.assessment_counted(assessment_id)
			 EXCEPT SELECT subject_id, item_code, rating FROM cansd.assessment_counted(previous_id))
			UNION ALL
			(SELECT subject_id, item_code, rating FROM cansd.assessment_counted(previous_id)
			 EXCEPT SELECT subject_id, item_code, rating FROM cansd.assessment_counted(assessment_id))) THEN
			RETURN jsonb_build_object('previous_assessment_id', previous_id::text);
		END IF;
	WHEN 'no_need_above' THEN
		IF EXISTS (SELECT 1 FROM cansd.assessment_counted(assessment_id) g
		           WHERE g.subject = 'child' AND g.scale = 'need')
		   AND NOT EXISTS (SELECT 1 FROM cansd.assessment_counted(assessment_id) g
		                   WHERE g.subject = 'child' AND g.scale = 'need'
		                     AND g.rating > (r.params->>'above')::integer) THEN
			RETURN '{}';
		END IF;
	WHEN 'no_strength_at_most' THEN
		IF EXISTS (SELECT 1 FROM cansd.assessment_counted(assessment_id) g
		           WHERE g.subject = 'child' AND g.scale = 'strength')
		   AND NOT EXISTS (SELECT 1 FROM cansd.assessment_counted(assessment_id) g
		                   WHERE g.subject = 'child' AND g.scale = 'strength'
		                     AND g.rating <= (r.params->>'at_most')::integer) THEN
			RETURN '{}';
		END IF;
	WHEN 'domain_without_domain' THEN
		SELECT jsonb_agg(g.item_code ORDER BY g.item_code) INTO items
		FROM cansd.assessment_counted(assessment_id) g
		WHERE g.subject = 'child' AND g.domain_code = r.params->>'domain'
		  AND g.rating > (r.params->>'above')::integer;
		IF items IS NOT NULL AND NOT EXISTS (
			SELECT 1 FROM cansd.assessment_counted(assessment_id) g
			WHERE g.subject = 'child' AND g.domain_code = r.params->>'requires_domain'
			  AND g.rating > (r.params->>'above')::integer) THEN
			RETURN jsonb_build_object('items', items);
		END IF;
	END CASE;
	RETURN NULL;
END
$$;

-- Runs every active rule on a CANS being submitted and stores what it finds.
CREATE OR REPLACE FUNCTION cansd.qc_run(assessment_id bigint) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM cansd.qc_flags f WHERE f.assessment_id = qc_run.assessment_id;
	INSERT INTO cansd.qc_flags (assessment_id, rule_code, detail)
	SELECT qc_run.assessment_id, r.code, f.finding
	FROM cansd.qc_rules r
	CROSS JOIN LATERAL (SELECT cansd.qc_rule_finding(qc_run.assessment_id, r) AS finding) f
	WHERE r.active AND f.finding IS NOT NULL;
$$;

CREATE OR REPLACE FUNCTION cansd.qc_flag_json(f cansd.qc_flags) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', f.id::text, 'assessment_id', f.assessment_id::text,
		'rule', f.rule_code, 'message', r.message, 'detail', f.detail,
		'raised_at', cansd.rfc3339(f.raised_at))
	FROM cansd.qc_rules r WHERE r.code = f.rule_code
$$;

-- GET /qc/flags?assessment_id=: one CANS's findings (404 when the caller
-- may not read them), or every finding the caller may read.
CREATE OR REPLACE FUNCTION api.qc_flags_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, assessment_filter bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	IF assessment_filter IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM cansd.assessments a JOIN cansd.cases c ON c.id = a.case_id
		WHERE a.id = assessment_filter
		  AND (cansd.has_role('qa_analyst') OR cansd.has_role('program_admin')
		       OR (cansd.has_role('supervisor') AND cansd.is_my_team_member(c.worker_id)))) THEN
		PERFORM cansd.fail('CN404', 'No such assessment.');
	END IF;
	SELECT cansd.page_json(array_agg(cansd.qc_flag_json(p.f) ORDER BY (p.f).id),
	                       array_agg((p.f).id ORDER BY (p.f).id), page_size)
	INTO result
	FROM (SELECT f FROM cansd.qc_flags f
	      WHERE (assessment_filter IS NULL OR f.assessment_id = assessment_filter)
	        AND (cursor_id IS NULL OR f.id > cursor_id)
	      ORDER BY f.id LIMIT page_size + 1) p;
	IF assessment_filter IS NOT NULL THEN
		PERFORM cansd.audit_assessment_read(assessment_filter, 'qc-flags');
	END IF;
	RETURN coalesce(result, cansd.page_json('{}', '{}', page_size));
END
$$;
