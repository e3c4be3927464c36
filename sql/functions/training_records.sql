-- Functions, policies and triggers of training records (tables: sql/migrations/005_training_records.sql).
-- Re-applied at every start (scripts/lib.sh apply_sql_source); idempotent.
DROP POLICY IF EXISTS training_records_read ON cansd.training_records;
CREATE POLICY training_records_read ON cansd.training_records FOR SELECT USING (
	user_id = (SELECT cansd.current_user_id())
	OR (SELECT cansd.has_role('certification_office'))
	OR (SELECT cansd.has_role('program_admin'))
	OR ((SELECT cansd.has_role('supervisor')) AND cansd.is_my_team_member(user_id)));
DROP POLICY IF EXISTS training_records_office_insert ON cansd.training_records;
CREATE POLICY training_records_office_insert ON cansd.training_records FOR INSERT
	WITH CHECK ((SELECT cansd.has_role('certification_office')));
DROP POLICY IF EXISTS training_records_office_update ON cansd.training_records;
CREATE POLICY training_records_office_update ON cansd.training_records FOR UPDATE
	USING ((SELECT cansd.has_role('certification_office')))
	WITH CHECK ((SELECT cansd.has_role('certification_office')));
DROP POLICY IF EXISTS training_record_corrections_read ON cansd.training_record_corrections;
CREATE POLICY training_record_corrections_read ON cansd.training_record_corrections
	FOR SELECT USING (EXISTS (SELECT 1 FROM cansd.training_records r WHERE r.id = record_id));
DROP POLICY IF EXISTS training_record_corrections_office_insert ON cansd.training_record_corrections;
CREATE POLICY training_record_corrections_office_insert ON cansd.training_record_corrections
	FOR INSERT WITH CHECK ((SELECT cansd.has_role('certification_office')));

CREATE OR REPLACE FUNCTION cansd.training_record_json(r cansd.training_records) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', r.id::text, 'user_id', r.user_id::text, 'training_code', r.training_code,
		'completed_on', r.completed_on, 'score', trim_scale(r.score),
		'recorded_by', r.recorded_by::text, 'recorded_at', cansd.rfc3339(r.recorded_at),
		'version', r.version,
		'corrections', coalesce((
			SELECT json_agg(json_build_object(
				'corrected_at', cansd.rfc3339(c.corrected_at),
				'corrected_by', c.corrected_by::text, 'reason', c.reason,
				'before', json_build_object('completed_on', c.old_completed_on,
				                            'score', trim_scale(c.old_score)),
				'after', json_build_object('completed_on', c.new_completed_on,
				                           'score', trim_scale(c.new_score)))
				ORDER BY c.id)
			FROM cansd.training_record_corrections c WHERE c.record_id = r.id), '[]'))
$$;

-- The catalogue is data (002), so a new training needs no code. It pages
-- like every list; having no id, it takes its position in catalogue order as
-- the cursor (only a migration changes that order).
CREATE OR REPLACE FUNCTION api.trainings_list(actor bigint, request_id text, addr text,
	lim integer, cursor_pos bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.page_json(array_agg(json_build_object(
		'code', p.code, 'name', p.name, 'expires_after_days', p.expires_after_days,
		'counts_for_certification', p.certification_role IS NOT NULL) ORDER BY p.pos),
		array_agg(p.pos ORDER BY p.pos), lim)
	INTO result
	FROM (SELECT c.* FROM (SELECT t.*, row_number() OVER (ORDER BY t.sort_order, t.code) AS pos
	                       FROM cansd.trainings t) c
	      WHERE cursor_pos IS NULL OR c.pos > cursor_pos
	      ORDER BY c.pos LIMIT lim + 1) p;
	RETURN result;
END
$$;

-- A user the caller may not see is a 404 like one that does not exist.
CREATE OR REPLACE FUNCTION api.training_records_list(actor bigint, request_id text, addr text,
	uid bigint, lim integer, cursor_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	IF NOT EXISTS (SELECT 1 FROM cansd.users WHERE id = uid) THEN
		PERFORM cansd.fail('CN404', 'No such user.');
	END IF;
	SELECT cansd.page_json(array_agg(cansd.training_record_json(p.r) ORDER BY (p.r).id),
	                       array_agg((p.r).id ORDER BY (p.r).id), lim)
	INTO result
	FROM (SELECT r FROM cansd.training_records r
	      WHERE r.user_id = uid AND (cursor_id IS NULL OR r.id > cursor_id)
	      ORDER BY r.id LIMIT lim + 1) p;
	RETURN result;
END
$$;

CREATE OR REPLACE FUNCTION api.training_records_get(actor bigint, request_id text, addr text,
	rec_id bigint, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.training_record_json(r)::text, r.version::text INTO body, etag
	FROM cansd.training_records r WHERE r.id = rec_id;
END
$$;

-- b: {"training_code","completed_on","score"?}, types and bounds already
-- checked by the handler's schema; the rules about data are checked here.
CREATE OR REPLACE FUNCTION api.training_records_create(actor bigint, request_id text, addr text,
	uid bigint, b jsonb, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	r cansd.training_records;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	IF NOT EXISTS (SELECT 1 FROM cansd.users WHERE id = uid) THEN
		PERFORM cansd.fail('CN404', 'No such user.');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.trainings WHERE code = b->>'training_code') THEN
		PERFORM cansd.fail_field('training_code', 'unknown',
			'is not a training of the catalogue (GET /trainings)');
	END IF;
	IF (b->>'completed_on')::date > current_date THEN
		PERFORM cansd.fail_field('completed_on', 'future', 'must not be in the future');
	END IF;
	INSERT INTO cansd.training_records (user_id, training_code, completed_on, score)
	VALUES (uid, b->>'training_code', (b->>'completed_on')::date, (b->>'score')::numeric)
	RETURNING * INTO r;
	PERFORM cansd.audit('training_record.created', 'training_record', r.id::text,
		jsonb_build_object('user_id', r.user_id::text, 'training_code', r.training_code,
		                   'completed_on', r.completed_on, 'score', r.score));
	body := cansd.training_record_json(r)::text;
	etag := r.version::text;
END
$$;

-- b: {"completed_on"?, "score"? (null clears it), "reason"}. The old values,
-- the reason and the corrector are kept in training_record_corrections.
CREATE OR REPLACE FUNCTION api.training_records_update(actor bigint, request_id text, addr text,
	rec_id bigint, b jsonb, if_version integer, OUT body text, OUT etag text)
LANGUAGE plpgsql AS $$
DECLARE
	old cansd.training_records;
	r cansd.training_records;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT * INTO old FROM cansd.training_records WHERE id = rec_id FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM cansd.fail('CN404', 'No such training record.');
	END IF;
	IF if_version IS NOT NULL AND if_version <> old.version THEN
		PERFORM cansd.fail('CN412', 'The record changed since you read it; reload and retry.');
	END IF;
	IF (b->>'completed_on')::date > current_date THEN
		PERFORM cansd.fail_field('completed_on', 'future', 'must not be in the future');
	END IF;
	UPDATE cansd.training_records SET
		completed_on = coalesce((b->>'completed_on')::date, completed_on),
		score = CASE WHEN b ? 'score' THEN (b->>'score')::numeric ELSE score END,
		version = version + 1
	WHERE id = rec_id
	RETURNING * INTO r;
	INSERT INTO cansd.training_record_corrections (record_id, old_completed_on, old_score,
		new_completed_on, new_score, reason)
	VALUES (r.id, old.completed_on, old.score, r.completed_on, r.score, b->>'reason');
	PERFORM cansd.audit('training_record.corrected', 'training_record', r.id::text,
		jsonb_build_object('user_id', r.user_id::text, 'reason', b->>'reason',
			'before', jsonb_build_object('completed_on', old.completed_on, 'score', old.score),
			'after', jsonb_build_object('completed_on', r.completed_on, 'score', r.score)));
	body := cansd.training_record_json(r)::text;
	etag := r.version::text;
END
$$;

-- The CSV import, validated whole and committed whole. The handler parsed
-- the file and checked what needs no data (columns, dates, scores): its
-- findings arrive as pre_errors [{"row","ord","code","message"}], and the
-- rows it could read as csv_rows [[row, username, training_code, completed_on,
-- score], ...] (a date or score it refused is null), read here into
-- parallel arrays. This checks what needs data (usernames, training codes, "not in
-- the future" in the programs' time zone) with set-based joins, so 100,000
-- rows cost a few statements, not 100,000 round trips. Any problem raises
-- CN422 with every problem (at most max_errors of them, sorted by row and
-- column) and nothing is written.
CREATE OR REPLACE FUNCTION api.training_records_import(actor bigint, request_id text, addr text,
	csv_rows jsonb, pre_errors jsonb, max_errors integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	row_nos integer[];
	usernames text[];
	codes text[];
	days date[];
	scores numeric[];
	n_errors bigint;
	errors json;
	imported bigint;
	summary jsonb;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	-- One pass: the five aggregates see the rows in the same order, so the
	-- arrays stay aligned element by element.
	SELECT array_agg((e->>0)::integer), array_agg(e->>1), array_agg(e->>2),
	       array_agg((e->>3)::date), array_agg((e->>4)::numeric)
	INTO row_nos, usernames, codes, days, scores
	FROM jsonb_array_elements(csv_rows) AS r(e);
	WITH input AS (
		SELECT i.n, i.username, i.code, i.day
		FROM unnest(row_nos, usernames, codes, days) AS i(n, username, code, day)),
	found AS MATERIALIZED (
		SELECT i.n, i.username, i.code, i.day, u.id AS user_id, t.code AS known_code
		FROM input i
		LEFT JOIN cansd.users u ON u.username = i.username
		LEFT JOIN cansd.trainings t ON t.code = i.code),
	problems AS (
		SELECT n, 1 AS ord, 'unknown_username' AS code,
		       format('username "%s" names no user', left(username, 64)) AS message
		FROM found WHERE user_id IS NULL
		UNION ALL
		SELECT n, 2, 'unknown_training_code',
		       format('training_code "%s" is not a training of the catalogue', left(code, 64))
		FROM found WHERE known_code IS NULL
		UNION ALL
		SELECT n, 3, 'future_date', format('completed_on %s is in the future', day)
		FROM found WHERE day > current_date
		UNION ALL
		SELECT (e->>'row')::integer, (e->>'ord')::integer, e->>'code', e->>'message'
		FROM jsonb_array_elements(coalesce(pre_errors, '[]')) e),
	numbered AS (
		SELECT p.*, row_number() OVER (ORDER BY n, ord) AS k FROM problems p)
	SELECT count(*),
	       json_agg(json_build_object(
	           'field', CASE WHEN n = 0 THEN 'header' ELSE 'row ' || n END,
	           'code', code, 'message', message) ORDER BY k) FILTER (WHERE k <= max_errors)
	INTO n_errors, errors FROM numbered;
	IF n_errors > 0 THEN
		PERFORM cansd.fail('CN422',
			format('The file has %s problem(s); nothing was imported.', n_errors),
			json_build_object('errors', errors, 'error_count', n_errors,
			                  'errors_truncated', n_errors > max_errors));
	END IF;

	INSERT INTO cansd.training_records (user_id, training_code, completed_on, score)
	SELECT u.id, i.code, i.day, i.score
	FROM unnest(row_nos, usernames, codes, days, scores) AS i(n, username, code, day, score)
	JOIN cansd.users u ON u.username = i.username
	ORDER BY i.n;
	GET DIAGNOSTICS imported = ROW_COUNT;

	SELECT jsonb_build_object('imported', imported,
		'users', (SELECT count(DISTINCT x) FROM unnest(usernames) x),
		'by_training', coalesce((SELECT jsonb_object_agg(code, k) FROM (
			SELECT x AS code, count(*) AS k FROM unnest(codes) x GROUP BY x) c), '{}'),
		'completed_from', (SELECT min(x) FROM unnest(days) x),
		'completed_to', (SELECT max(x) FROM unnest(days) x))
	INTO summary;
	PERFORM cansd.audit('training_records.imported', 'training_record', NULL, summary);
	RETURN json_build_object('imported', imported)::text;
END
$$;

-- Users current today whose last current day is before today + within_days.
-- The certification office and program admins see everyone; a supervisor
-- sees their team (row-level security on users is the second wall).
CREATE OR REPLACE FUNCTION api.certifications_lapsing(actor bigint, request_id text, addr text,
	within_days integer, lim integer, cursor_id bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	everyone boolean;
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	everyone := cansd.has_role('certification_office') OR cansd.has_role('program_admin');
	SELECT cansd.page_json(array_agg(json_build_object('user_id', p.id::text,
	                           'username', p.username, 'certified_until', p.certified_until)
	                       ORDER BY p.id), array_agg(p.id ORDER BY p.id), lim)
	INTO result
	FROM (SELECT u.id, u.username, c.certified_until
	      FROM cansd.users u, LATERAL cansd.certification(u.id, current_date) c
	      WHERE u.active AND (cursor_id IS NULL OR u.id > cursor_id)
	        AND (everyone OR u.supervisor_id = cansd.current_user_id())
	        AND c.certified AND c.certified_until < current_date + within_days
	      ORDER BY u.id LIMIT lim + 1) p;
	RETURN result;
END
$$;
