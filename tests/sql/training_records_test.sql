-- The api.* functions of training records, certification and account
-- requests as the service calls them: as cansd_app, so row-level security
-- acts, with refusals checked by their SQLSTATE. A pgTAP script (see
-- helpers.psql), e.g.
--     pg_prove -d cansd tests/sql/training_records_test.sql
-- everything is rolled back.
\ir helpers.psql

BEGIN;
SELECT plan(53);

-- Fixture users, inserted past row-level security as the superuser.
INSERT INTO cansd.users (username, full_name, email, roles, program) VALUES
	('zz-office', 'Office', 'o@example.invalid', '{certification_office}', NULL),
	('zz-admin', 'Admin', 'a@example.invalid', '{program_admin}', NULL),
	('zz-sup', 'Sup', 's@example.invalid', '{supervisor}', 'IPS'),
	('zz-sup2', 'Sup Two', 's2@example.invalid', '{supervisor}', 'IPS'),
	('zz-qa', 'QA', 'q@example.invalid', '{qa_analyst}', NULL);
INSERT INTO cansd.users (username, full_name, email, roles, program, supervisor_id)
SELECT v.u, v.u, v.u || '@example.invalid', '{worker}', 'IPS', s.id
FROM (VALUES ('zz-w1', 'zz-sup'), ('zz-w2', 'zz-sup2'), ('zz-w3', 'zz-sup')) v(u, s)
JOIN cansd.users s ON s.username = v.s;

SELECT id AS office FROM cansd.users WHERE username = 'zz-office' \gset
SELECT id AS admin FROM cansd.users WHERE username = 'zz-admin' \gset
SELECT id AS sup FROM cansd.users WHERE username = 'zz-sup' \gset
SELECT id AS sup2 FROM cansd.users WHERE username = 'zz-sup2' \gset
SELECT id AS qa FROM cansd.users WHERE username = 'zz-qa' \gset
SELECT id AS w1 FROM cansd.users WHERE username = 'zz-w1' \gset
SELECT id AS w2 FROM cansd.users WHERE username = 'zz-w2' \gset
SELECT id AS w3 FROM cansd.users WHERE username = 'zz-w3' \gset

SET ROLE cansd_app;

-- The catalogue
SELECT ok(
	(SELECT count(*) = 4
	        AND bool_and((i->>'counts_for_certification')::boolean = (i->>'code' <> 'CANS_1_0_CERTIFICATION'))
	        AND (j->'next_cursor') = 'null'::jsonb
	 FROM (SELECT api.trainings_list(:w1, 'r', 'a', 50, NULL)::jsonb AS j) x,
	      jsonb_array_elements(j->'items') i
	 GROUP BY j), 'trainings list');
SELECT ok((SELECT i->'expires_after_days' = 'null'::jsonb
	FROM jsonb_array_elements(api.trainings_list(:w1, 'r', 'a', 50, NULL)::jsonb->'items') i
	WHERE i->>'code' = 'CANS_SACWIS_FUNCTIONALITY'), 'SACWIS never expires');
-- Paged: the cursor is the position in catalogue order
SELECT ok(
	(SELECT jsonb_array_length(j->'items') = 3 AND j->>'next_cursor' = '3'
	 FROM (SELECT api.trainings_list(:w1, 'r', 'a', 3, NULL)::jsonb AS j) x)
	AND (SELECT jsonb_array_length(j->'items') = 1 AND j->'next_cursor' = 'null'::jsonb
	            AND j->'items'->0->>'code' = 'CANS_1_0_CERTIFICATION'
	     FROM (SELECT api.trainings_list(:w1, 'r', 'a', 3, 3)::jsonb AS j) x),
	'trainings list pages');

-- Recording: the office only, known codes, past dates, known users
SELECT body::jsonb AS rec, etag AS rec_etag FROM api.training_records_create(:office, 'req-1', '127.0.0.1',
	:w1, '{"training_code":"CANS_2_0_CERTIFICATION","completed_on":"2025-01-10","score":92.5}') \gset
SELECT (:'rec'::jsonb)->>'id' AS rec_id \gset
SELECT ok(:'rec'::jsonb @> format('{"user_id":"%s","training_code":"CANS_2_0_CERTIFICATION","completed_on":"2025-01-10","score":92.5,"version":1,"recorded_by":"%s","corrections":[]}', :w1, :office)::jsonb
	AND :'rec_etag' = '1', 'record created');
SELECT throws_ok(format($$SELECT api.training_records_create(%s, 'r', 'a', %s, '{"training_code":"CANS_SACWIS_FUNCTIONALITY","completed_on":"2025-01-10"}')$$, :sup, :w1), '42501', NULL, 'a supervisor cannot record');
SELECT format($$SELECT api.training_records_create(%s, 'r', 'a', %s, '{"training_code":"NOPE","completed_on":"2025-01-10"}')$$, :office, :w1) AS stmt \gset
SELECT throws_ok(:'stmt', 'CN400', NULL, 'unknown training code');
SELECT is(pg_temp.error_detail(:'stmt', 'CN400')::jsonb #>> '{errors,0,field}', 'training_code', 'unknown code names the field');
SELECT throws_ok(format($$SELECT api.training_records_create(%s, 'r', 'a', -5, '{"training_code":"CANS_2_0_CERTIFICATION","completed_on":"2025-01-10"}')$$, :office), 'CN404', NULL, 'unknown user');
SELECT format($$SELECT api.training_records_create(%s, 'r', 'a', %s, '{"training_code":"CANS_2_0_CERTIFICATION","completed_on":"%s"}')$$, :office, :w1, current_date + 1) AS stmt \gset
SELECT throws_ok(:'stmt', 'CN400', NULL, 'future date');
SELECT is(pg_temp.error_detail(:'stmt', 'CN400')::jsonb #>> '{errors,0,code}', 'future', 'future date refused');
SELECT api.training_records_create(:office, 'r', 'a', :w2,
	'{"training_code":"CANS_SACWIS_FUNCTIONALITY","completed_on":"2025-01-10"}') \g /dev/null

-- Reading: the user, their supervisor, the office, program admins; others 404
SELECT ok(jsonb_array_length(api.training_records_list(:w1, 'r', 'a', :w1, 50, NULL)::jsonb->'items') = 1, 'the user sees their own');
SELECT ok(jsonb_array_length(api.training_records_list(:sup, 'r', 'a', :w1, 50, NULL)::jsonb->'items') = 1, 'the supervisor sees their worker''s');
SELECT ok(jsonb_array_length(api.training_records_list(:admin, 'r', 'a', :w1, 50, NULL)::jsonb->'items') = 1, 'program admin sees all');
SELECT ok(jsonb_array_length(api.training_records_list(:office, 'r', 'a', :w2, 50, NULL)::jsonb->'items') = 1, 'office sees all');
SELECT throws_ok(format($$SELECT api.training_records_list(%s, 'r', 'a', %s, 50, NULL)$$, :w2, :w1), 'CN404', NULL, 'another worker');
SELECT throws_ok(format($$SELECT api.training_records_list(%s, 'r', 'a', %s, 50, NULL)$$, :sup2, :w1), 'CN404', NULL, 'another team''s supervisor');
SELECT throws_ok(format($$SELECT api.training_records_list(%s, 'r', 'a', %s, 50, NULL)$$, :qa, :w1), 'CN404', NULL, 'qa analyst');
SELECT ok((SELECT body IS NULL FROM api.training_records_get(:w2, 'r', 'a', :rec_id)), 'record out of scope reads as nothing');
SELECT cansd.begin_request(:w2, 'r', 'a') \g /dev/null
SELECT ok((SELECT count(*) = 0 FROM cansd.training_records WHERE user_id = :w1),
	'row-level security hides other users'' records');
SELECT cansd.begin_request(:sup, 'r', 'a') \g /dev/null
SELECT ok((SELECT count(*) = 1 FROM cansd.training_records WHERE user_id = :w1),
	'row-level security shows the supervisor their team''s records');

-- Correcting: old values, reason and corrector kept; versions checked
SELECT throws_ok(format($$SELECT api.training_records_update(%s, 'r', 'a', %s, '{"score":90,"reason":"typo"}', 7)$$, :office, :rec_id), 'CN412', NULL, 'stale version');
SELECT throws_ok(format($$SELECT api.training_records_update(%s, 'r', 'a', %s, '{"score":90,"reason":"typo"}', NULL)$$, :sup, :rec_id), 'CN404', NULL, 'supervisor cannot correct');
SELECT body::jsonb AS fixed, etag AS fixed_etag FROM api.training_records_update(:office, 'r', 'a', :rec_id,
	'{"completed_on":"2025-01-12","score":null,"reason":"wrong day on the sheet"}', 1) \gset
SELECT ok(:'fixed'::jsonb @> format('{"completed_on":"2025-01-12","score":null,"version":2,"corrections":[{"reason":"wrong day on the sheet","corrected_by":"%s","before":{"completed_on":"2025-01-10","score":92.5},"after":{"completed_on":"2025-01-12","score":null}}]}', :office)::jsonb
	AND :'fixed_etag' = '2', 'correction kept with the record');
SELECT ok(jsonb_array_length(api.training_records_list(:w1, 'r', 'a', :w1, 50, NULL)::jsonb #> '{items,0,corrections}') = 1, 'the user sees the correction history');

-- Import: every bad row named, nothing written
SELECT format($$SELECT api.training_records_import(%s, 'r', 'a',
		'[[1,"zz-w1","CANS_2_0_CERTIFICATION","2025-02-01","80"],
		  [2,"nobody","CANS_2_0_CERTIFICATION","2025-02-01",null],
		  [4,"zz-w2","NOPE","2999-01-01",null]]',
		'[{"row":3,"ord":0,"code":"column_count","message":"has 3 columns"}]', 100)$$, :office) AS stmt \gset
SELECT throws_ok(:'stmt', 'CN422', NULL, 'bad import');
SELECT ok((SELECT e::jsonb #> '{errors}' = '[
	{"field":"row 2","code":"unknown_username","message":"username \"nobody\" names no user"},
	{"field":"row 3","code":"column_count","message":"has 3 columns"},
	{"field":"row 4","code":"unknown_training_code","message":"training_code \"NOPE\" is not a training of the catalogue"},
	{"field":"row 4","code":"future_date","message":"completed_on 2999-01-01 is in the future"}]'::jsonb
	AND (e::jsonb->>'error_count')::integer = 4
	FROM pg_temp.error_detail(:'stmt', 'CN422') e), 'bad import names every bad row in order');
SELECT ok((SELECT count(*) = 1 FROM cansd.training_records WHERE user_id = :w1), 'failed import wrote nothing');
SELECT format($$SELECT api.training_records_import(%s, 'r', 'a',
		'[[1,"x","CANS_2_0_CERTIFICATION","2025-02-01",null],
		  [2,"y","CANS_2_0_CERTIFICATION","2025-02-01",null]]', '[]', 1)$$, :office) AS stmt \gset
SELECT throws_ok(:'stmt', 'CN422', NULL, 'truncated');
SELECT ok((SELECT (e::jsonb->>'errors_truncated')::boolean AND jsonb_array_length(e::jsonb->'errors') = 1
	FROM pg_temp.error_detail(:'stmt', 'CN422') e), 'errors beyond the cap are counted, not listed');
SELECT throws_ok(format($$SELECT api.training_records_import(%s, 'r', 'a',
	'[[1,"zz-w1","CANS_2_0_CERTIFICATION","2025-02-01",null]]', '[]', 100)$$, :admin), '42501', NULL, 'only the office imports');
SELECT ok(api.training_records_import(:office, 'req-imp', '127.0.0.1',
	jsonb_build_array(
		jsonb_build_array(1, 'zz-w1', 'CANS_SACWIS_FUNCTIONALITY', current_date - 400, NULL),
		jsonb_build_array(2, 'zz-w1', 'CANS_2_0_RECERTIFICATION', current_date - 350, '77.5'),
		jsonb_build_array(3, 'zz-w3', 'CANS_2_0_CERTIFICATION', current_date, '100')),
	'[]', 100)::jsonb = '{"imported":3}',
	'good import');
RESET ROLE;
SELECT ok((SELECT count(*) = 1 FROM cansd.audit_events WHERE action = 'training_records.imported'
	AND request_id = 'req-imp' AND (detail->>'imported')::integer = 3 AND actor_id = :office),
	'one audit event for the import');
SET ROLE cansd_app;

-- Currency: the next call sees the new records (w1: recertified 350 days ago)
SELECT ok((SELECT certified AND certified_until = current_date - 350 + interval '1 year' - interval '1 day'
	FROM cansd.certification(:w1, current_date)), 'imported records count at once');

-- Lapsing: w1 is current and lapses within 30 days; w3 has no SACWIS
SELECT ok(api.certifications_lapsing(:office, 'r', 'a', 30, 50, NULL)::jsonb
	@> format('{"items":[{"user_id":"%s","username":"zz-w1"}]}', :w1)::jsonb, 'office sees w1 lapsing');
SELECT ok(NOT api.certifications_lapsing(:office, 'r', 'a', 1, 50, NULL)::jsonb
	@> format('{"items":[{"user_id":"%s"}]}', :w1)::jsonb, 'not lapsing within 1 day');
SELECT ok(api.certifications_lapsing(:sup, 'r', 'a', 30, 50, NULL)::jsonb
	@> format('{"items":[{"user_id":"%s"}]}', :w1)::jsonb, 'supervisor sees their team');
SELECT ok(api.certifications_lapsing(:sup2, 'r', 'a', 30, 50, NULL)::jsonb
	= '{"items":[],"next_cursor":null}', 'another supervisor does not');

-- Account requests
SELECT api.account_requests_create(:sup, 'r', 'a',
	'{"full_name":"New Worker","email":"nw@example.invalid","program":"IFPS","username":"zz-new"}')::jsonb AS ar \gset
SELECT (:'ar'::jsonb)->>'id' AS ar_id \gset
SELECT ok(:'ar'::jsonb @> format('{"status":"pending","requested_by":"%s","supervisor_id":"%s","username":"zz-new","program":"IFPS","user_id":null}', :sup, :sup)::jsonb, 'request filed');
SELECT throws_ok(format($$SELECT api.account_requests_create(%s, 'r', 'a', '{"full_name":"X","email":"x@example.invalid","program":"IPS","username":"zz-new"}')$$, :sup2), 'CN409', NULL, 'pending username');
SELECT throws_ok(format($$SELECT api.account_requests_create(%s, 'r', 'a', '{"full_name":"X","email":"x@example.invalid","program":"IPS","username":"zz-w1"}')$$, :sup), 'CN409', NULL, 'taken username');
SELECT throws_ok(format($$SELECT api.account_requests_create(%s, 'r', 'a', '{"full_name":"X","email":"x@example.invalid","program":"IPS","username":"zz-x"}')$$, :admin), '42501', NULL, 'only supervisors request');
SELECT ok(jsonb_array_length(api.account_requests_list(:sup, 'r', 'a', 50, NULL, 'pending')::jsonb->'items') = 1, 'requester sees theirs');
SELECT ok(jsonb_array_length(api.account_requests_list(:sup2, 'r', 'a', 50, NULL, NULL)::jsonb->'items') = 0, 'other supervisors do not');
SELECT ok(jsonb_array_length(api.account_requests_list(:admin, 'r', 'a', 50, NULL, 'pending')::jsonb->'items') = 1, 'admin sees all');
SELECT throws_ok(format($$SELECT api.account_requests_approve(%s, 'r', 'a', %s)$$, :sup, :ar_id), 'CN404', NULL, 'a supervisor cannot approve');
SELECT body::jsonb AS newuser FROM api.account_requests_approve(:admin, 'r', 'a', :ar_id) \gset
SELECT ok(:'newuser'::jsonb @> format('{"username":"zz-new","roles":["worker"],"supervisor_id":"%s","program":"IFPS","active":true}', :sup)::jsonb, 'approval creates the worker');
RESET ROLE;
SELECT ok((SELECT password_hash IS NULL FROM cansd.users WHERE username = 'zz-new'), 'no password yet');
SELECT ok((SELECT count(*) = 2 FROM cansd.audit_events WHERE (entity_type, action) IN
	(('user', 'user.created'), ('account_request', 'account_request.approved'))
	AND detail->>'username' = 'zz-new'), 'approval audited for the request and the user');
SET ROLE cansd_app;
SELECT throws_ok(format($$SELECT api.account_requests_approve(%s, 'r', 'a', %s)$$, :admin, :ar_id), 'CN409', NULL, 'approve twice');
SELECT throws_ok(format($$SELECT api.account_requests_reject(%s, 'r', 'a', %s, '{"reason":"late"}')$$, :admin, :ar_id), 'CN409', NULL, 'reject an approved one');
SELECT ok(api.account_requests_get(:sup, 'r', 'a', :ar_id)::jsonb @> '{"status":"approved"}', 'requester sees the decision');
SELECT api.account_requests_create(:sup2, 'r', 'a',
	'{"full_name":"Other","email":"ot@example.invalid","program":"IPS","username":"zz-other"}')::jsonb->>'id' AS ar2 \gset
SELECT ok(api.account_requests_reject(:admin, 'r', 'a', :ar2, '{"reason":"no budget"}')::jsonb
	@> '{"status":"rejected","reason":"no budget"}', 'rejection keeps the reason');
-- a username taken between request and approval
SELECT api.account_requests_create(:sup, 'r', 'a',
	'{"full_name":"Late","email":"late@example.invalid","program":"IPS","username":"zz-late"}')::jsonb->>'id' AS ar3 \gset
SELECT api.users_create(:admin, 'r', 'a', '{"username":"zz-late","full_name":"L","email":"l@example.invalid","roles":["worker"],"program":"IPS"}', NULL) \g /dev/null
SELECT throws_ok(format($$SELECT api.account_requests_approve(%s, 'r', 'a', %s)$$, :admin, :ar3), 'CN409', NULL, 'username taken at approval');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
