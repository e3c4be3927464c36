-- Training records as the API shows them: the catalogue, recording and
-- correcting completions (every correction kept), the all-or-nothing CSV
-- import, and the list of who lapses soon. Certification currency itself is
-- still computed only by cansd.certification (002); nothing here caches it,
-- so a new or corrected record counts on the very next request.
--
-- Two walls: the route table lets only the certification office write, and
-- row-level security (its policies: sql/functions/training_records.sql)
-- decides which records anyone may read or change.

-- Who recorded or corrected a row is the request's user, never a value a
-- caller passes in.
ALTER TABLE cansd.training_records ALTER COLUMN recorded_by SET DEFAULT cansd.current_user_id();

CREATE TABLE cansd.training_record_corrections (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	record_id        bigint NOT NULL REFERENCES cansd.training_records (id),
	old_completed_on date NOT NULL,
	old_score        numeric(5, 2),
	new_completed_on date NOT NULL,
	new_score        numeric(5, 2),
	reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
	corrected_by     bigint REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	corrected_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_record_corrections_record_idx
	ON cansd.training_record_corrections (record_id, id);

-- Readers: the certification office and program admins (everyone), the
-- user themself, and their supervisor. The same set cansd.users shows, so
-- "may I see this user" and "may I see their records" never disagree.
-- Not FORCEd: the owner's SECURITY DEFINER functions (cansd.identity, which
-- inlines cansd.certification) must read every record. cansd.certification
-- itself reads with the caller's rights, so a caller computes currency only
-- for users whose records these policies let them see. The policies wrap
-- the caller's id and roles in (SELECT ...), so that each is computed once
-- per statement, not once per row (docs/PERFORMANCE.md).
ALTER TABLE cansd.training_records ENABLE ROW LEVEL SECURITY;

-- A correction is visible to whoever may see its record (the subquery is
-- itself filtered by the policy above). Corrections are never changed.
ALTER TABLE cansd.training_record_corrections ENABLE ROW LEVEL SECURITY;

-- Column grants: a record's person and training never change, a record is
-- never deleted, and recorded_by / corrected_by come from the defaults.
GRANT SELECT ON cansd.training_records, cansd.training_record_corrections TO cansd_app;
GRANT INSERT (user_id, training_code, completed_on, score) ON cansd.training_records TO cansd_app;
GRANT UPDATE (completed_on, score, version) ON cansd.training_records TO cansd_app;
GRANT INSERT (record_id, old_completed_on, old_score, new_completed_on, new_score, reason)
	ON cansd.training_record_corrections TO cansd_app;
