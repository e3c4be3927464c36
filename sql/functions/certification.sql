-- Certification currency and the catalogue's policy (tables: sql/migrations/002_certification.sql).

-- The certification rule: on day D a user is current when the account is
-- active, a CANS 2.0 certification or recertification was completed on C
-- with C <= D < C + 1 year (PostgreSQL's date arithmetic: 2024-02-29 + 1 year
-- is 2025-02-28), and the SACWIS functionality training was completed.
--
-- Plain LANGUAGE sql, not SECURITY DEFINER, so the planner inlines it into
-- the caller's query (a definer function is planned anew on every call, and
-- the per-request identity lookup calls this). It reads
-- with the caller's rights: row-level security on training_records lets
-- each caller compute it for exactly the users whose records they may see.
-- One pass over the user's records answers both training conditions, and the
-- CTE is MATERIALIZED so each output does not re-run it: executor start-up
-- is most of this query's cost, so fewer plan nodes is faster.
CREATE OR REPLACE FUNCTION cansd.certification(user_id bigint, day date)
RETURNS TABLE (certified boolean, certified_until date, missing text[])
LANGUAGE sql STABLE AS $$
	WITH status AS MATERIALIZED (
		SELECT coalesce((SELECT u.active FROM cansd.users u WHERE u.id = certification.user_id),
		                false) AS active,
		       (a.last_on + interval '1 year' - interval '1 day')::date AS until,
		       coalesce(a.sacwis, false) AS done
		FROM (SELECT max(r.completed_on) FILTER (WHERE t.certification_role = 'cans_2_0')
		                 AS last_on,
		             bool_or(t.certification_role = 'sacwis') AS sacwis
		      FROM cansd.training_records r
		      JOIN cansd.trainings t ON t.code = r.training_code
		      WHERE r.user_id = certification.user_id AND r.completed_on <= day) a)
	SELECT s.active AND s.until IS NOT NULL AND s.until >= day AND s.done,
	       s.until,
	       array_remove(ARRAY[
	           CASE WHEN NOT s.active THEN 'ACCOUNT_INACTIVE' END,
	           CASE WHEN s.until IS NULL OR s.until < day THEN 'CANS_2_0_CERTIFICATION' END,
	           CASE WHEN NOT s.done THEN 'CANS_SACWIS_FUNCTIONALITY' END], NULL)
	FROM status s
$$;
CREATE POLICY trainings_read ON cansd.trainings FOR SELECT USING (true);
