-- The product's certification rule at its edges, against the one place it
-- is computed: cansd.certification(uid, day). Every day is explicit, so the
-- result never depends on when the test runs. A pgTAP script (see
-- helpers.psql), e.g. pg_prove -d cansd tests/sql/certification_test.sql;
-- everything is rolled back.
\ir helpers.psql

BEGIN;
SELECT plan(24);

-- One assertion: cansd.certification(uid, day) is exactly as given, shown as
-- (certified,certified_until,missing) when it is not.
CREATE FUNCTION pg_temp.expect(label text, uid bigint, day date, want_certified boolean,
	want_until date, want_missing text[]) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	got text;
BEGIN
	SELECT row(c.certified, c.certified_until, c.missing)::text INTO got
	FROM cansd.certification(uid, day) c;
	RETURN is(got, row(want_certified, want_until, want_missing)::text,
		format('%s (day %s)', label, day));
END
$$;

-- A test user with the given completions: ARRAY[[code, completed_on], ...].
CREATE FUNCTION pg_temp.user_with(uname text, active boolean, completions text[][])
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	uid bigint;
	i integer;
BEGIN
	INSERT INTO cansd.users (username, full_name, email, roles, active)
	VALUES (uname, 'Certification Test ' || uname, uname || '@example.invalid',
	        ARRAY['worker'], active)
	RETURNING id INTO uid;
	FOR i IN 1 .. coalesce(array_length(completions, 1), 0) LOOP
		INSERT INTO cansd.training_records (user_id, training_code, completed_on)
		VALUES (uid, completions[i][1], completions[i][2]::date);
	END LOOP;
	RETURN uid;
END
$$;

CREATE TEMP TABLE t (name text PRIMARY KEY, uid bigint) ON COMMIT DROP;
INSERT INTO t VALUES
	-- 2025-03-10 + 1 year = 2026-03-10, 365 days later (no Feb 29 between)
	('plain', pg_temp.user_with('zz-cert-plain', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2025-03-10'], ['CANS_SACWIS_FUNCTIONALITY', '2025-03-01']])),
	-- 2023-03-01 + 1 year = 2024-03-01, 366 days later (2024-02-29 between)
	('leap-span', pg_temp.user_with('zz-cert-leapspan', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2023-03-01'], ['CANS_SACWIS_FUNCTIONALITY', '2023-03-01']])),
	-- completed on a leap day: 2024-02-29 + 1 year = 2025-02-28
	('leap-day', pg_temp.user_with('zz-cert-leapday', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2024-02-29'], ['CANS_SACWIS_FUNCTIONALITY', '2024-01-15']])),
	-- the rule's worked example
	('product', pg_temp.user_with('zz-cert-product', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2025-11-24'], ['CANS_SACWIS_FUNCTIONALITY', '2025-11-24']])),
	('cans-1-0-only', pg_temp.user_with('zz-cert-v1', true, ARRAY[
		['CANS_1_0_CERTIFICATION', '2025-06-01'], ['CANS_SACWIS_FUNCTIONALITY', '2025-06-01']])),
	('no-sacwis', pg_temp.user_with('zz-cert-nosacwis', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2025-06-01']])),
	('inactive', pg_temp.user_with('zz-cert-inactive', false, ARRAY[
		['CANS_2_0_CERTIFICATION', '2025-06-01'], ['CANS_SACWIS_FUNCTIONALITY', '2025-06-01']])),
	('recert-only', pg_temp.user_with('zz-cert-recert', true, ARRAY[
		['CANS_2_0_RECERTIFICATION', '2025-06-01'], ['CANS_SACWIS_FUNCTIONALITY', '2025-06-01']])),
	('cert-then-recert', pg_temp.user_with('zz-cert-renewed', true, ARRAY[
		['CANS_2_0_CERTIFICATION', '2023-01-10'], ['CANS_2_0_RECERTIFICATION', '2024-01-05'],
		['CANS_SACWIS_FUNCTIONALITY', '2023-01-10']])),
	('nothing', pg_temp.user_with('zz-cert-nothing', true, NULL));

SELECT pg_temp.expect(label, (SELECT uid FROM t WHERE name = who), day::date, certified,
                      until::date, missing)
FROM (VALUES
	-- D < C + 1 year, non-leap span: current from C through C + 364 days
	('completion day', 'plain', '2025-03-10', true, '2026-03-09', '{}'::text[]),
	('C + 364 days', 'plain', '2026-03-09', true, '2026-03-09', '{}'),
	('C + 365 days = C + 1 year', 'plain', '2026-03-10', false, '2026-03-09',
	 '{CANS_2_0_CERTIFICATION}'),
	('C + 366 days', 'plain', '2026-03-11', false, '2026-03-09', '{CANS_2_0_CERTIFICATION}'),
	-- a completion dated after the day asked about does not count yet
	('day before completion', 'plain', '2025-03-09', false, NULL, '{CANS_2_0_CERTIFICATION}'),

	-- leap span: C + 365 days is still before C + 1 year
	('leap span C + 365 days', 'leap-span', '2024-02-29', true, '2024-02-29', '{}'),
	('leap span C + 366 days = C + 1 year', 'leap-span', '2024-03-01', false, '2024-02-29',
	 '{CANS_2_0_CERTIFICATION}'),

	-- 2024-02-29 + 1 year = 2025-02-28: current through 2025-02-27
	('leap day, next year 02-27', 'leap-day', '2025-02-27', true, '2025-02-27', '{}'),
	('leap day, next year 02-28', 'leap-day', '2025-02-28', false, '2025-02-27',
	 '{CANS_2_0_CERTIFICATION}'),
	('leap day, next year 03-01', 'leap-day', '2025-03-01', false, '2025-02-27',
	 '{CANS_2_0_CERTIFICATION}'),

	-- the worked example: 2025-11-24 is current through 2026-11-23, lapsed on 2026-11-24
	('worked example last day', 'product', '2026-11-23', true, '2026-11-23', '{}'),
	('worked example lapse day', 'product', '2026-11-24', false, '2026-11-23',
	 '{CANS_2_0_CERTIFICATION}'),

	-- CANS 1.0 never makes anyone current
	('CANS 1.0 only', 'cans-1-0-only', '2025-06-02', false, NULL, '{CANS_2_0_CERTIFICATION}'),

	-- all three conditions are needed, and a refusal names the one that failed
	('no SACWIS training', 'no-sacwis', '2025-06-02', false, '2026-05-31',
	 '{CANS_SACWIS_FUNCTIONALITY}'),
	('inactive account', 'inactive', '2025-06-02', false, '2026-05-31', '{ACCOUNT_INACTIVE}'),
	('nothing at all', 'nothing', '2025-06-02', false, NULL,
	 '{CANS_2_0_CERTIFICATION,CANS_SACWIS_FUNCTIONALITY}'),
	-- SACWIS completed after the day asked about does not count on it
	('SACWIS not yet done', 'plain', '2025-03-05', false, NULL,
	 '{CANS_2_0_CERTIFICATION}'),
	('SACWIS done, CANS not yet', 'plain', '2025-03-01', false, NULL,
	 '{CANS_2_0_CERTIFICATION}'),

	-- a recertification counts exactly like a certification
	('recertification only', 'recert-only', '2025-06-01', true, '2026-05-31', '{}'),
	('recertification lapses like a certification', 'recert-only', '2026-06-01', false,
	 '2026-05-31', '{CANS_2_0_CERTIFICATION}'),
	-- the latest CANS 2.0 completion decides
	('renewed by recertification', 'cert-then-recert', '2024-06-01', true, '2025-01-04', '{}'),
	('before the renewal the first one counts', 'cert-then-recert', '2024-01-04', true,
	 '2024-01-09', '{}')
) AS cases(label, who, day, certified, until, missing);

-- An unknown user is never current.
SELECT pg_temp.expect('unknown user', -1, '2025-06-01', false, NULL,
                      '{ACCOUNT_INACTIVE,CANS_2_0_CERTIFICATION,CANS_SACWIS_FUNCTIONALITY}');

-- A correction takes effect on the next call: nothing is cached.
UPDATE cansd.training_records SET completed_on = '2025-03-12'
WHERE user_id = (SELECT uid FROM t WHERE name = 'plain') AND training_code = 'CANS_2_0_CERTIFICATION';
SELECT pg_temp.expect('after a correction', (SELECT uid FROM t WHERE name = 'plain'),
                      '2026-03-10', true, '2026-03-11', '{}');

SELECT * FROM finish();
ROLLBACK;
