-- CANS at the SQL level: the child's age in whole months (birthdays at
-- month ends, 29 February), which items apply at an age, module triggers,
-- completeness, caregiver sections that follow the case's links, the guard
-- that keeps an approved CANS final, and the QC rules. Items are chosen from
-- cansd.instrument_items, never named, so the test holds for any catalogue
-- loaded from sql/data/. A pgTAP script (see helpers.psql), e.g.
--     pg_prove -d cansd tests/sql/assessments_test.sql
-- everything is rolled back.
\ir helpers.psql

BEGIN;
SELECT plan(47);

-- --- whole months, PostgreSQL age() semantics ------------------------------------
SELECT is(cansd.age_in_months('2020-01-31', '2020-02-29'), 0, 'Jan 31 -> Feb 29: 0');
SELECT is(cansd.age_in_months('2020-01-31', '2020-03-01'), 1, 'Jan 31 -> Mar 1: 1');
SELECT is(cansd.age_in_months('2020-01-31', '2020-04-30'), 2, 'Jan 31 -> Apr 30: 2');
SELECT is(cansd.age_in_months('2020-03-31', '2020-04-30'), 0, 'Mar 31 -> Apr 30: 0');
SELECT is(cansd.age_in_months('2020-03-31', '2020-05-01'), 1, 'Mar 31 -> May 1: 1');
SELECT is(cansd.age_in_months('2020-02-29', '2021-02-28'), 11, 'Feb 29 -> next Feb 28: 11');
SELECT is(cansd.age_in_months('2020-02-29', '2021-03-01'), 12, 'Feb 29 -> next Mar 1: 12');
SELECT is(cansd.age_in_months('2020-02-29', '2024-02-29'), 48, 'Feb 29 -> Feb 29: 48');
SELECT is(cansd.age_in_months('2020-02-29', '2026-02-28'), 71, 'six years less a day: 71');
SELECT is(cansd.age_in_months('2020-02-29', '2026-03-01'), 72, 'six years: 72');
SELECT is(cansd.age_in_months('2020-02-29', '2020-02-29'), 0, 'birth day: 0');

-- --- fixtures past row-level security (superuser) ---------------------------------
INSERT INTO cansd.users (username, full_name, email, roles, program)
VALUES ('zz-a-sup', 'Sup', 'as@example.invalid', '{supervisor}', 'IPS');
SELECT id AS sup FROM cansd.users WHERE username = 'zz-a-sup' \gset
INSERT INTO cansd.users (username, full_name, email, roles, program, supervisor_id)
VALUES ('zz-a-w', 'W', 'aw@example.invalid', '{worker}', 'IPS', :sup);
SELECT id AS w FROM cansd.users WHERE username = 'zz-a-w' \gset
INSERT INTO cansd.cases (sacwis_case_id, program, opened_on, worker_id)
VALUES ('ZZ-A1', 'IPS', DATE '2016-01-01', :w) RETURNING id AS cid \gset
INSERT INTO cansd.members (case_id, kind, full_name, birth_date)
VALUES (:cid, 'child', 'Leap Kid', DATE '2020-02-29') RETURNING id AS leap \gset
INSERT INTO cansd.members (case_id, kind, full_name, birth_date)
VALUES (:cid, 'child', 'Teen', DATE '2008-05-15') RETURNING id AS teen \gset
INSERT INTO cansd.members (case_id, kind, full_name, relationship, all_children)
VALUES (:cid, 'caregiver', 'Mum', 'bio_parent', true) RETURNING id AS mum \gset
INSERT INTO cansd.member_links (case_id, adult_id, child_id) VALUES (:cid, :mum, :leap), (:cid, :mum, :teen);

INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id)
VALUES (:cid, :leap, 'initial', DATE '2026-02-28', :w) RETURNING id AS at71 \gset
INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id)
VALUES (:cid, :leap, 'extension', DATE '2026-03-01', :w) RETURNING id AS at72 \gset
INSERT INTO cansd.assessment_caregivers (assessment_id, member_id) VALUES (:at71, :mum), (:at72, :mum);

-- The child items of a CANS are exactly the catalogue's for that age.
CREATE FUNCTION pg_temp.child_items_for_age(months integer) RETURNS text[]
LANGUAGE sql AS $$
	SELECT array_agg(code ORDER BY code) FROM cansd.instrument_items
	WHERE active AND subject = 'child'
	  AND months BETWEEN min_age_months AND coalesce(max_age_months, months)
$$;
CREATE FUNCTION pg_temp.grid_child_items(aid bigint) RETURNS text[]
LANGUAGE sql AS $$
	SELECT array_agg(item_code ORDER BY item_code) FROM cansd.assessment_grid(aid)
	WHERE subject = 'child'
$$;
SELECT ok(pg_temp.grid_child_items(:at71) = pg_temp.child_items_for_age(71),
	'child items at 71 months (born 29 Feb, rated the day before the 6th birthday)');
SELECT ok(pg_temp.grid_child_items(:at72) = pg_temp.child_items_for_age(72),
	'child items at 72 months (rated on 1 March)');
SELECT ok(EXISTS (SELECT 1 FROM cansd.instrument_items WHERE max_age_months = 71) <=
	(pg_temp.child_items_for_age(71) <> pg_temp.child_items_for_age(72)),
	'an item ending at 71 months drops out on 1 March');
SELECT ok((SELECT count(*) FROM cansd.assessment_grid(:at71) WHERE subject = :'mum')
	= (SELECT count(*) FROM cansd.instrument_items WHERE active AND subject = 'caregiver'),
	'every caregiver item once for the linked adult');

-- --- module triggers and completeness -------------------------------------------------
INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id)
VALUES (:cid, :teen, 'initial', DATE '2026-06-01', :w) RETURNING id AS t1 \gset
INSERT INTO cansd.assessment_caregivers (assessment_id, member_id) VALUES (:t1, :mum);
-- a module that applies at this age, its trigger and its threshold
SELECT i.trigger_item AS trig, i.trigger_min AS trig_min, count(*) AS module_n
FROM cansd.instrument_items i
WHERE i.active AND i.trigger_item IS NOT NULL
  AND cansd.age_in_months(DATE '2008-05-15', DATE '2026-06-01')
      BETWEEN i.min_age_months AND coalesce(i.max_age_months, 10000)
GROUP BY i.trigger_item, i.trigger_min ORDER BY i.trigger_item LIMIT 1 \gset

SELECT ok(json_array_length(cansd.assessment_missing(:t1)) =
	(SELECT count(*) FROM cansd.assessment_grid(:t1) WHERE required),
	'nothing rated: every required rating is missing');
SELECT ok((SELECT count(*) FROM json_array_elements(cansd.assessment_missing(:t1)) m
                      WHERE m->>'subject' = :'mum')
	= (SELECT count(*) FROM cansd.instrument_items WHERE active AND subject = 'caregiver'),
	'caregiver items are missing under the member id');
-- rate every required item 1 except the trigger, 0 (below any threshold >= 1)
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
SELECT :t1, g.subject_id, g.item_code, CASE WHEN g.item_code = :'trig' THEN 0 ELSE 1 END
FROM cansd.assessment_grid(:t1) g WHERE g.required;
SELECT ok(json_array_length(cansd.assessment_missing(:t1)) = 0,
	'complete with the module closed');
UPDATE cansd.assessment_ratings SET rating = :trig_min
WHERE assessment_id = :t1 AND subject_id = :teen AND item_code = :'trig';
SELECT ok(json_array_length(cansd.assessment_missing(:t1)) = :module_n,
	'trigger at its threshold: every module item is required');
SELECT ok((SELECT bool_and(m->>'subject' = 'child')
                      FROM json_array_elements(cansd.assessment_missing(:t1)) m),
	'module items are child items');
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
SELECT :t1, :teen, i.code, 2 FROM cansd.instrument_items i
WHERE i.active AND i.trigger_item = :'trig';
SELECT ok(json_array_length(cansd.assessment_missing(:t1)) = 0, 'module rated: complete');
SELECT ok((SELECT count(*) FROM cansd.assessment_counted(:t1) c
                      JOIN cansd.instrument_items i ON i.code = c.item_code
                      WHERE i.trigger_item = :'trig') = :module_n, 'module ratings count');
UPDATE cansd.assessment_ratings SET rating = :trig_min - 1
WHERE assessment_id = :t1 AND subject_id = :teen AND item_code = :'trig';
SELECT ok(json_array_length(cansd.assessment_missing(:t1)) = 0,
	'trigger lowered: still complete');
SELECT ok((SELECT count(*) FROM cansd.assessment_ratings r
                      JOIN cansd.instrument_items i ON i.code = r.item_code
                      WHERE r.assessment_id = :t1 AND i.trigger_item = :'trig') = :module_n,
	'trigger lowered: module ratings kept');
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.assessment_counted(:t1) c
                                 JOIN cansd.instrument_items i ON i.code = c.item_code
                                 WHERE i.trigger_item = :'trig'),
	'trigger lowered: module ratings no longer count');

-- --- sections follow the links while draft or returned ----------------------------------
INSERT INTO cansd.members (case_id, kind, full_name, relationship)
VALUES (:cid, 'collateral', 'Paramour', 'paramour') RETURNING id AS para \gset
INSERT INTO cansd.member_links (case_id, adult_id, child_id) VALUES (:cid, :para, :teen);
SELECT ok(EXISTS (SELECT 1 FROM cansd.assessment_caregivers
                             WHERE assessment_id = :t1 AND member_id = :para),
	'a collateral linked later joins the draft');
SELECT ok(json_array_length(cansd.assessment_missing(:t1))
	= (SELECT count(*) FROM cansd.instrument_items WHERE active AND subject = 'caregiver'),
	'the new section is missing every caregiver item');
DELETE FROM cansd.member_links WHERE adult_id = :para;
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.assessment_caregivers
                                 WHERE assessment_id = :t1 AND member_id = :para),
	'unlinked while draft: the section leaves');
UPDATE cansd.assessments SET status = 'submitted', routed_to = :sup, routed_at = now(),
	submitted_at = now(), first_submitted_at = now() WHERE id = :t1;
INSERT INTO cansd.member_links (case_id, adult_id, child_id) VALUES (:cid, :para, :teen);
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.assessment_caregivers
                                 WHERE assessment_id = :t1 AND member_id = :para),
	'never after submission');

-- --- QC rules (data) on a submitted CANS -------------------------------------------------
SELECT ok((SELECT count(*) FROM cansd.qc_rules WHERE active) >= 4, 'four rules at least');
-- every counted rating 1: needs above 0 and useful strengths, so no flag
-- but the trauma rule when symptoms are rated and experiences are not
SELECT params->>'domain' AS symptoms, params->>'requires_domain' AS experiences
FROM cansd.qc_rules WHERE kind = 'domain_without_domain' LIMIT 1 \gset
UPDATE cansd.assessment_ratings r SET rating = 0 FROM cansd.instrument_items i
WHERE r.assessment_id = :t1 AND i.code = r.item_code AND i.domain_code = :'experiences';
SELECT cansd.qc_run(:t1) \g /dev/null
SELECT ok((SELECT array_agg(q.kind) FROM cansd.qc_flags f
                      JOIN cansd.qc_rules q ON q.code = f.rule_code WHERE f.assessment_id = :t1)
	= ARRAY['domain_without_domain'], 'symptoms without experiences: one flag');
-- all needs 0, all strengths 3: both rules hold
UPDATE cansd.assessment_ratings r SET rating = CASE i.scale WHEN 'need' THEN 0 ELSE 3 END
FROM cansd.instrument_items i WHERE r.assessment_id = :t1 AND i.code = r.item_code;
SELECT cansd.qc_run(:t1) \g /dev/null
SELECT ok((SELECT array_agg(q.kind ORDER BY q.kind) FROM cansd.qc_flags f
                      JOIN cansd.qc_rules q ON q.code = f.rule_code WHERE f.assessment_id = :t1)
	= ARRAY['no_need_above', 'no_strength_at_most'], 'no need, no useful strength: two flags');
-- a second CANS of the same child with the same ratings
INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, author_id)
VALUES (:cid, :teen, 'extension', DATE '2026-07-01', :w) RETURNING id AS t2 \gset
INSERT INTO cansd.assessment_caregivers (assessment_id, member_id) VALUES (:t2, :mum);
INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
SELECT :t2, subject_id, item_code, rating FROM cansd.assessment_ratings WHERE assessment_id = :t1;
SELECT cansd.qc_run(:t2) \g /dev/null
SELECT ok(EXISTS (SELECT 1 FROM cansd.qc_flags f JOIN cansd.qc_rules q ON q.code = f.rule_code
                             WHERE f.assessment_id = :t2 AND q.kind = 'identical_to_previous'
                               AND f.detail->>'previous_assessment_id' = :'t1'),
	'identical to the previous CANS');
UPDATE cansd.assessment_ratings SET rating = 2
WHERE assessment_id = :t2 AND subject_id = :mum
  AND item_code = (SELECT min(code) FROM cansd.instrument_items WHERE subject = 'caregiver');
SELECT cansd.qc_run(:t2) \g /dev/null
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.qc_flags f JOIN cansd.qc_rules q ON q.code = f.rule_code
                                 WHERE f.assessment_id = :t2 AND q.kind = 'identical_to_previous'),
	'one rating differs: not identical');
-- a rule turned off raises nothing
UPDATE cansd.qc_rules SET active = false WHERE kind = 'no_need_above';
SELECT cansd.qc_run(:t1) \g /dev/null
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.qc_flags f JOIN cansd.qc_rules q ON q.code = f.rule_code
                                 WHERE f.assessment_id = :t1 AND q.kind = 'no_need_above'),
	'inactive rule: no flag');

-- --- an approved CANS never changes, whoever writes ----------------------------------------
UPDATE cansd.assessments SET status = 'approved', approved_at = now(), approved_by = :sup WHERE id = :t1;
SELECT throws_ok(format('UPDATE cansd.assessment_ratings SET rating = 3 WHERE assessment_id = %s', :t1),
	'CN409', NULL, 'superuser changes a rating of an approved CANS');
SELECT throws_ok(format('DELETE FROM cansd.assessment_ratings WHERE assessment_id = %s', :t1),
	'CN409', NULL, 'superuser clears a rating of an approved CANS');
SELECT throws_ok(format('INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, rating)
	SELECT %s, %s, code, 1 FROM cansd.instrument_items WHERE subject = ''caregiver'' LIMIT 1', :t1, :para),
	'CN409', NULL, 'superuser adds a rating to an approved CANS');
SELECT throws_ok(format('UPDATE cansd.assessments SET status = ''returned'' WHERE id = %s', :t1),
	'CN409', NULL, 'an approved CANS goes back');
SELECT throws_ok(format('DELETE FROM cansd.assessment_caregivers WHERE assessment_id = %s', :t1),
	'CN409', NULL, 'a section of an approved CANS removed');
SELECT throws_ok(format('UPDATE cansd.assessments SET body = ''{}'' WHERE id = %s', :t1),
	'CN409', NULL, 'the stored body of an approved CANS rewritten');
SELECT throws_ok(format('UPDATE cansd.assessments SET body = NULL, reason = ''annual'' WHERE id = %s', :t1),
	'CN409', NULL, 'an approved CANS changed beside its body');

-- --- the stored body is what assessment_json builds, after every write --------------------------
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.assessments a
                                 WHERE a.body IS DISTINCT FROM cansd.assessment_json(a)),
	'every stored body equals assessment_json of its row');

-- --- due dates: met by an approved CANS of that reason, pending while submitted ----------------
SELECT ok(cansd.cans_due_progress(:cid, :teen, 'initial') = 'met', 'approved initial: met');
SELECT ok(cansd.cans_due_progress(:cid, :leap, 'initial') IS NULL, 'draft: nothing yet');
UPDATE cansd.assessments SET status = 'submitted', routed_to = :sup, routed_at = now(),
	submitted_at = now(), first_submitted_at = now() WHERE id = :at71;
SELECT ok(cansd.cans_due_progress(:cid, :leap, 'initial') = 'pending_approval',
	'submitted initial: pending approval');
SELECT ok(cansd.member_rated(:mum) AND cansd.member_rated(:leap), 'rated members stay');

SELECT * FROM finish();
ROLLBACK;
