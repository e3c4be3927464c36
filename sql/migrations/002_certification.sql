-- Training catalogue, training records and the one place certification
-- currency is computed (cansd.certification). Every check that needs it, C
-- or SQL, calls that function, so a new or corrected record takes effect on
-- the very next request.

CREATE TABLE cansd.trainings (
	code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,64}$'),
	name               text NOT NULL,
	expires_after_days integer CHECK (expires_after_days > 0),
	-- which condition of the certification rule a completion satisfies:
	-- 'cans_2_0' (certification or recertification) or 'sacwis'; NULL: none
	certification_role text CHECK (certification_role IN ('cans_2_0', 'sacwis')),
	sort_order         integer NOT NULL DEFAULT 0
);

INSERT INTO cansd.trainings (code, name, expires_after_days, certification_role, sort_order) VALUES
	('CANS_2_0_CERTIFICATION', 'CANS 2.0 certification', 365, 'cans_2_0', 1),
	('CANS_2_0_RECERTIFICATION', 'CANS 2.0 recertification', 365, 'cans_2_0', 2),
	('CANS_SACWIS_FUNCTIONALITY', 'CANS in SACWIS functionality', NULL, 'sacwis', 3),
	('CANS_1_0_CERTIFICATION', 'CANS 1.0 certification (superseded; never makes anyone current)', 365, NULL, 4);

CREATE TABLE cansd.training_records (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id       bigint NOT NULL REFERENCES cansd.users (id),
	training_code text NOT NULL REFERENCES cansd.trainings (code),
	completed_on  date NOT NULL,
	score         numeric(5, 2) CHECK (score BETWEEN 0 AND 100),
	recorded_by   bigint REFERENCES cansd.users (id),
	recorded_at   timestamptz NOT NULL DEFAULT now(),
	version       integer NOT NULL DEFAULT 1
);
CREATE INDEX training_records_user_idx ON cansd.training_records (user_id, training_code, completed_on);

-- The rule of PRODUCT.md: on day D a user is current when the account is
-- active, a CANS 2.0 certification or recertification was completed on C
-- with C <= D < C + 1 year (PostgreSQL's date arithmetic: 2024-02-29 + 1 year
-- is 2025-02-28), and the SACWIS functionality training was completed.
--
-- Plain LANGUAGE sql, not SECURITY DEFINER, so the planner inlines it into
-- the caller's query (a definer function is planned anew on every call:
-- 0.7 ms instead of 0.14 ms for the per-request identity lookup). It reads
-- with the caller's rights: row-level security on training_records lets
-- each caller compute it for exactly the users whose records they may see.
-- One pass over the user's records answers both training conditions, and the
-- CTE is MATERIALIZED so each output does not re-run it: executor start-up
-- is most of this query's cost, so fewer plan nodes is faster.
CREATE FUNCTION cansd.certification(uid bigint, day date)
RETURNS TABLE (certified boolean, certified_until date, missing text[])
LANGUAGE sql STABLE AS $$
	WITH status AS MATERIALIZED (
		SELECT coalesce((SELECT u.active FROM cansd.users u WHERE u.id = uid), false) AS active,
		       (a.last_on + interval '1 year' - interval '1 day')::date AS until,
		       coalesce(a.sacwis, false) AS done
		FROM (SELECT max(r.completed_on) FILTER (WHERE t.certification_role = 'cans_2_0')
		                 AS last_on,
		             bool_or(t.certification_role = 'sacwis') AS sacwis
		      FROM cansd.training_records r
		      JOIN cansd.trainings t ON t.code = r.training_code
		      WHERE r.user_id = uid AND r.completed_on <= day) a)
	SELECT s.active AND s.until IS NOT NULL AND s.until >= day AND s.done,
	       s.until,
	       array_remove(ARRAY[
	           CASE WHEN NOT s.active THEN 'ACCOUNT_INACTIVE' END,
	           CASE WHEN s.until IS NULL OR s.until < day THEN 'CANS_2_0_CERTIFICATION' END,
	           CASE WHEN NOT s.done THEN 'CANS_SACWIS_FUNCTIONALITY' END], NULL)
	FROM status s
$$;

ALTER TABLE cansd.trainings ENABLE ROW LEVEL SECURITY;
CREATE POLICY trainings_read ON cansd.trainings FOR SELECT USING (true);
GRANT SELECT ON cansd.trainings TO cansd_app;
