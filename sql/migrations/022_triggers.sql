-- Every trigger, and the function it runs, is a migration's from here on:
-- what a trigger enforces or keeps (the approved-CANS guard, the append-only
-- audit trail, the stored CANS body, the reports' summary and copies, the
-- users checks) then holds for every write after this point, the backfills
-- of later migrations included, instead of only once the SQL source has run.
-- A change to one of these functions is a new migration (CREATE OR REPLACE
-- FUNCTION); a trigger function may call the SQL source's functions, which
-- PL/pgSQL looks up when it runs. The SQL source keeps the policies: they
-- only ever admit rows, so until they exist nobody sees anything.
--
-- Until now the SQL source made these at every start, so a database may
-- have them here or not (a new one has none): CREATE OR REPLACE makes them
-- the same on both.

-- --- the audit trail is append-only -------------------------------------------

-- For every role: no UPDATE, DELETE or TRUNCATE of an event or of a link.
-- There is no maintenance path: a retention job would need a chain-aware
-- design (an archive and a new genesis), not an exception here. Only someone
-- who may switch triggers off (the superuser or the table owner: ALTER TABLE
-- ... DISABLE TRIGGER, session_replication_role) gets past this, and the
-- hash chain is what shows that they did.
CREATE OR REPLACE FUNCTION cansd.audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
		MESSAGE = format('%s is append-only: %s refused', TG_TABLE_NAME, TG_OP);
END
$$;

CREATE OR REPLACE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON cansd.audit_events
	FOR EACH ROW EXECUTE FUNCTION cansd.audit_refuse_change();
CREATE OR REPLACE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON cansd.audit_events
	FOR EACH STATEMENT EXECUTE FUNCTION cansd.audit_refuse_change();
CREATE OR REPLACE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON cansd.audit_seals
	FOR EACH ROW EXECUTE FUNCTION cansd.audit_refuse_change();
CREATE OR REPLACE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON cansd.audit_seals
	FOR EACH STATEMENT EXECUTE FUNCTION cansd.audit_refuse_change();

-- --- users ----------------------------------------------------------------------

-- Every role a user holds is one of cansd.roles (migration 009): the check a
-- foreign key would make if it could reach into an array.
CREATE OR REPLACE FUNCTION cansd.users_roles_known() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	unknown text;
BEGIN
	SELECT r INTO unknown FROM unnest(NEW.roles) r
	WHERE NOT EXISTS (SELECT 1 FROM cansd.roles k WHERE k.name = r) LIMIT 1;
	IF unknown IS NOT NULL OR array_position(NEW.roles, NULL) IS NOT NULL THEN
		RAISE check_violation USING MESSAGE = format('%L is not a role (cansd.roles)', unknown),
			CONSTRAINT = 'users_roles_known';
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER users_roles_known BEFORE INSERT OR UPDATE OF roles ON cansd.users
	FOR EACH ROW EXECUTE FUNCTION cansd.users_roles_known();

-- Deactivating a user, or setting their password by any path (PATCH
-- /users/{id}, a reset by hand, bootstrap), revokes every refresh-token
-- family of theirs in the same transaction: a session opened with the old
-- password, perhaps by whoever stole it, ends with it.
CREATE OR REPLACE FUNCTION cansd.users_revoke_on_deactivate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF (OLD.active AND NOT NEW.active) OR OLD.password_hash IS DISTINCT FROM NEW.password_hash THEN
		UPDATE cansd.refresh_tokens SET revoked_at = now()
		WHERE user_id = NEW.id AND revoked_at IS NULL;
	END IF;
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER users_revoke_on_deactivate AFTER UPDATE OF active, password_hash
	ON cansd.users FOR EACH ROW EXECUTE FUNCTION cansd.users_revoke_on_deactivate();

-- --- a CANS: its stored body, its sections, and the approved-CANS guard ----------

-- Keeps assessments.body (migration 018) equal to cansd.assessment_json of
-- the row (sql/functions/assessments.sql) on every write, so that a read
-- fetches the text and builds nothing. Named to run before assessments_guard
-- (triggers fire in name order). A change of cansd.assessment_json reaches
-- only the bodies written after it: rewriting the stored ones is a migration.
CREATE OR REPLACE FUNCTION cansd.assessment_body() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.body := cansd.assessment_json(NEW);
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER assessments_body BEFORE INSERT OR UPDATE ON cansd.assessments
	FOR EACH ROW EXECUTE FUNCTION cansd.assessment_body();

-- An approved CANS never changes, nor do its ratings or caregiver sections.
-- SECURITY DEFINER: the status is read past the policies, so the guard holds
-- whoever writes (the service, a seed, a superuser at psql).
CREATE OR REPLACE FUNCTION cansd.assessment_guard_ratings() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	st text;
BEGIN
	SELECT status INTO st FROM cansd.assessments
	WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.assessment_id ELSE NEW.assessment_id END;
	IF st = 'approved' THEN
		RAISE EXCEPTION USING ERRCODE = 'CN409',
			MESSAGE = 'The CANS is approved; its ratings never change.';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE OR REPLACE TRIGGER assessment_ratings_guard BEFORE INSERT OR UPDATE OR DELETE
	ON cansd.assessment_ratings FOR EACH ROW EXECUTE FUNCTION cansd.assessment_guard_ratings();
CREATE OR REPLACE TRIGGER assessment_caregivers_guard BEFORE INSERT OR UPDATE OR DELETE
	ON cansd.assessment_caregivers FOR EACH ROW EXECUTE FUNCTION cansd.assessment_guard_ratings();

-- No exception: the one write an approved CANS took before (its body filled
-- in once, for rows from before migration 018) is done below, before the
-- guard exists.
CREATE OR REPLACE FUNCTION cansd.assessment_guard_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.status = 'approved' THEN
		RAISE EXCEPTION USING ERRCODE = 'CN409', MESSAGE = 'The CANS is approved; it never changes.';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- The bodies still missing: rows from before migration 018 on a database
-- that never started since (the SQL source filled them at every start,
-- through an exception in the guard). The guard the SQL source made goes
-- first, so that approved rows take their body too; then the guard is this
-- migration's, for good. On every other database this updates no row.
DROP TRIGGER IF EXISTS assessments_guard ON cansd.assessments;
UPDATE cansd.assessments SET body = NULL WHERE body IS NULL;
CREATE TRIGGER assessments_guard BEFORE UPDATE OR DELETE ON cansd.assessments
	FOR EACH ROW EXECUTE FUNCTION cansd.assessment_guard_row();

-- An adult linked to a child later joins that child's CANS while draft or
-- returned (a new section, and a new version: the CANS changed); an adult
-- unlinked leaves them (their ratings are kept should they be linked again).
-- SECURITY DEFINER so that the case's supervisor, who is not the author,
-- can bump the version; the sections' own policy still binds the caller.
CREATE OR REPLACE FUNCTION cansd.member_links_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	changed bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		WITH added AS (
			INSERT INTO cansd.assessment_caregivers (assessment_id, member_id)
			SELECT a.id, NEW.adult_id FROM cansd.assessments a
			WHERE a.child_id = NEW.child_id AND a.status IN ('draft', 'returned')
			ON CONFLICT DO NOTHING RETURNING assessment_id)
		SELECT array_agg(assessment_id) INTO changed FROM added;
	ELSE
		WITH removed AS (
			DELETE FROM cansd.assessment_caregivers c USING cansd.assessments a
			WHERE c.assessment_id = a.id AND a.child_id = OLD.child_id
			  AND c.member_id = OLD.adult_id AND a.status IN ('draft', 'returned')
			RETURNING c.assessment_id)
		SELECT array_agg(assessment_id) INTO changed FROM removed;
	END IF;
	UPDATE cansd.assessments SET version = version + 1, updated_at = now()
	WHERE id = ANY (coalesce(changed, '{}'));
	PERFORM cansd.assessment_refresh(x) FROM unnest(coalesce(changed, '{}')) x;
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER member_links_follow AFTER INSERT OR DELETE ON cansd.member_links
	FOR EACH ROW EXECUTE FUNCTION cansd.member_links_follow();

-- A member renamed, or a child's birth date corrected: the CANS that show
-- them follow, except approved ones (final as approved). SECURITY DEFINER
-- for the same reason as above.
CREATE OR REPLACE FUNCTION cansd.members_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	PERFORM cansd.assessment_refresh(a.id) FROM cansd.assessments a
	WHERE a.status <> 'approved'
	  AND (a.child_id = NEW.id
	       OR EXISTS (SELECT 1 FROM cansd.assessment_caregivers c
	                  WHERE c.assessment_id = a.id AND c.member_id = NEW.id));
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER members_follow AFTER UPDATE OF full_name, birth_date, relationship
	ON cansd.members FOR EACH ROW EXECUTE FUNCTION cansd.members_follow();

-- --- what the reports keep (migration 015) --------------------------------------

-- What the reports keep of an approved CANS: the counted child ratings (a
-- module item only while its trigger holds on that CANS) in instrument
-- order, and its actionable needs. Stored data, so a change here is a
-- migration that recomputes the rows too (the SQL source made it until now,
-- with another parameter name). SECURITY DEFINER: nobody else
-- writes report_cans, and the owner reads the CANS whoever approves it (a
-- supervisor it was rerouted to no longer sees its case once approved).
DROP FUNCTION IF EXISTS cansd.report_cans_refresh(bigint);
CREATE FUNCTION cansd.report_cans_refresh(assessment_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
#variable_conflict use_column
BEGIN
	INSERT INTO cansd.report_items (code)
	SELECT i.code FROM cansd.instrument_items i
	WHERE i.subject = 'child' AND NOT EXISTS (SELECT 1 FROM cansd.report_items r
	                                          WHERE r.code = i.code)
	ON CONFLICT (code) DO NOTHING;
	INSERT INTO cansd.report_cans (assessment_id, case_id, child_id, reason, approved_at,
	                               first_submitted_at, actionable_needs, item_nums, ratings)
	SELECT a.id, a.case_id, a.child_id, a.reason, a.approved_at,
	       coalesce(a.first_submitted_at, a.approved_at), coalesce(r.actionable, 0)::integer,
	       coalesce(r.nums, '{}'), coalesce(r.ratings, '{}')
	FROM cansd.assessments a
	LEFT JOIN LATERAL (
		SELECT count(*) FILTER (WHERE i.scale = 'need' AND x.rating >= 2) AS actionable,
		       array_agg(n.n ORDER BY d.sort_order, i.sort_order) AS nums,
		       array_agg(x.rating ORDER BY d.sort_order, i.sort_order) AS ratings
		FROM cansd.assessment_ratings x
		JOIN cansd.instrument_items i ON i.code = x.item_code AND i.subject = 'child'
		JOIN cansd.instrument_domains d ON d.code = i.domain_code
		JOIN cansd.report_items n ON n.code = i.code
		LEFT JOIN cansd.assessment_ratings t
		       ON t.assessment_id = x.assessment_id AND t.subject_id = x.subject_id
		      AND t.item_code = i.trigger_item
		WHERE x.assessment_id = a.id AND x.subject_id = a.child_id
		  AND (i.trigger_item IS NULL OR t.rating >= i.trigger_min)) r ON true
	WHERE a.id = report_cans_refresh.assessment_id AND a.status = 'approved'
	ON CONFLICT (assessment_id) DO UPDATE
	SET approved_at = EXCLUDED.approved_at, first_submitted_at = EXCLUDED.first_submitted_at,
	    actionable_needs = EXCLUDED.actionable_needs, item_nums = EXCLUDED.item_nums,
	    ratings = EXCLUDED.ratings;
END
$$;

CREATE OR REPLACE FUNCTION cansd.report_cans_on_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM cansd.report_cans_refresh(NEW.id);
	RETURN NULL;
END
$$;

-- On approval, and when an approved CANS's times are corrected by hand.
CREATE OR REPLACE TRIGGER report_cans_on_approval
	AFTER INSERT OR UPDATE OF status, approved_at, first_submitted_at ON cansd.assessments
	FOR EACH ROW WHEN (NEW.status = 'approved')
	EXECUTE FUNCTION cansd.report_cans_on_approval();

-- The approved CANS the summary misses: on a database from before migration
-- 015 that never started since (the SQL source ran this at every start).
SELECT cansd.report_cans_refresh(a.id) FROM cansd.assessments a
WHERE a.status = 'approved'
  AND NOT EXISTS (SELECT 1 FROM cansd.report_cans r WHERE r.assessment_id = a.id);

-- The copies of cases and children (migration 015 copied what existed then).
CREATE OR REPLACE FUNCTION cansd.report_cases_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	INSERT INTO cansd.report_cases AS r (case_id, program, worker_id, opened_on,
	                                     extension_requested_on, closed_on)
	VALUES (NEW.id, NEW.program, NEW.worker_id, NEW.opened_on, NEW.extension_requested_on,
	        NEW.closed_on)
	ON CONFLICT (case_id) DO UPDATE
	SET program = EXCLUDED.program, worker_id = EXCLUDED.worker_id,
	    opened_on = EXCLUDED.opened_on, extension_requested_on = EXCLUDED.extension_requested_on,
	    closed_on = EXCLUDED.closed_on;
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER report_cases_sync AFTER INSERT OR UPDATE ON cansd.cases
	FOR EACH ROW EXECUTE FUNCTION cansd.report_cases_sync();

CREATE OR REPLACE FUNCTION cansd.report_children_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM cansd.report_children WHERE child_id = OLD.id;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.kind = 'child' THEN
		INSERT INTO cansd.report_children (child_id, case_id) VALUES (NEW.id, NEW.case_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER report_children_sync AFTER INSERT OR DELETE OR UPDATE OF kind, case_id
	ON cansd.members FOR EACH ROW EXECUTE FUNCTION cansd.report_children_sync();
