-- Quality-control reviews and follow-ups, and the per-CANS summary the
-- reports read: tables, indexes and grants. Functions and policies:
-- sql/functions/qc_reviews.sql and sql/functions/reports.sql; the triggers
-- that keep the summary and the copies: migration 022. Needs the CANS
-- tables of 011_assessments.sql.

-- A QA analyst's review of one CANS (any status); a CANS may be reviewed
-- more than once, and each review counts in the period it was recorded.
CREATE TABLE cansd.qc_reviews (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	reviewer_id   bigint NOT NULL REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	outcome       text NOT NULL CHECK (outcome IN ('pass', 'needs_follow_up')),
	notes         text NOT NULL CHECK (length(notes) <= 4000),
	reviewed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qc_reviews_assessment_idx ON cansd.qc_reviews (assessment_id, id);
CREATE INDEX qc_reviews_at_idx ON cansd.qc_reviews (reviewed_at);

-- A follow-up QA asks of a clinician about one CANS; open until the
-- assignee (or QA) closes it. Never deleted: the reports count follow-ups
-- open at the end of a past day.
CREATE TABLE cansd.qc_follow_ups (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	assigned_to   bigint NOT NULL REFERENCES cansd.users (id),
	notes         text NOT NULL CHECK (length(notes) BETWEEN 1 AND 4000),
	status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	created_by    bigint NOT NULL REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	created_at    timestamptz NOT NULL DEFAULT now(),
	closed_by     bigint REFERENCES cansd.users (id),
	closed_at     timestamptz,
	CHECK ((status = 'closed') = (closed_at IS NOT NULL AND closed_by IS NOT NULL)),
	CHECK (closed_at IS NULL OR closed_at >= created_at)
);
CREATE INDEX qc_follow_ups_assignee_idx ON cansd.qc_follow_ups (assigned_to, status, id);
CREATE INDEX qc_follow_ups_assessment_idx ON cansd.qc_follow_ups (assessment_id, id);
CREATE INDEX qc_follow_ups_created_idx ON cansd.qc_follow_ups (created_at);

-- A small number per child item for the summary's arrays (2 bytes instead
-- of a code of 15): assigned on first use, never reused, so a replaced
-- instrument file renumbers nothing.
CREATE TABLE cansd.report_items (
	n    smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE
);

-- One row per approved CANS, written by a trigger in the approving
-- transaction (migration 022): what the reports need of it, so
-- a report reads one row per CANS of its period by approval time and never
-- the ratings (25 million rows at state scale). item_nums (report_items)
-- and ratings are parallel arrays of the counted child ratings (module
-- items only while their module is open), in instrument order.
CREATE TABLE cansd.report_cans (
	assessment_id      bigint PRIMARY KEY REFERENCES cansd.assessments (id),
	case_id            bigint NOT NULL REFERENCES cansd.cases (id),
	child_id           bigint NOT NULL REFERENCES cansd.members (id),
	reason             text NOT NULL,
	approved_at        timestamptz NOT NULL,
	first_submitted_at timestamptz NOT NULL,
	actionable_needs   integer NOT NULL,
	item_nums          smallint[] NOT NULL,
	ratings            smallint[] NOT NULL,
	CHECK (cardinality(item_nums) = cardinality(ratings))
);
CREATE INDEX report_cans_approved_idx ON cansd.report_cans (approved_at)
	INCLUDE (case_id, reason);
CREATE INDEX report_cans_child_idx ON cansd.report_cans (case_id, child_id, reason, approved_at);

-- What the reports need of cases and children, copied by triggers
-- (migration 022) on every write: cases and members are FORCEd under
-- row-level security, and a report would pay a policy call for every case
-- and child before it counted anything (docs/PERFORMANCE.md). These copies
-- hold no names.
CREATE TABLE cansd.report_cases (
	case_id                bigint PRIMARY KEY,
	program                text NOT NULL,
	worker_id              bigint NOT NULL,
	opened_on              date NOT NULL,
	extension_requested_on date,
	closed_on              date
);
CREATE INDEX report_cases_opened_idx ON cansd.report_cases (opened_on);
CREATE TABLE cansd.report_children (
	child_id bigint PRIMARY KEY,
	case_id  bigint NOT NULL
);
CREATE INDEX report_children_case_idx ON cansd.report_children (case_id);

-- The copies of what exists already: the owner reads past its own FORCE
-- for the length of this transaction only.
ALTER TABLE cansd.cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.members NO FORCE ROW LEVEL SECURITY;
INSERT INTO cansd.report_cases
SELECT id, program, worker_id, opened_on, extension_requested_on, closed_on FROM cansd.cases;
INSERT INTO cansd.report_children SELECT id, case_id FROM cansd.members WHERE kind = 'child';
ALTER TABLE cansd.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.members FORCE ROW LEVEL SECURITY;

-- Row-level security: the policies in sql/functions/qc_reviews.sql admit
-- QA analysts to every review and follow-up and an assignee to theirs. Not
-- FORCEd: the owner's SECURITY DEFINER report function counts them for a
-- supervisor's team too (numbers only). The report_* tables have no policy
-- and no grant: only the report functions (owner) read and write them. The
-- service never connects as owner.
ALTER TABLE cansd.qc_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.qc_follow_ups ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.report_cans ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.report_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.report_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.report_children ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT (assessment_id, outcome, notes) ON cansd.qc_reviews TO cansd_app;
GRANT SELECT, INSERT (assessment_id, assigned_to, notes) ON cansd.qc_follow_ups TO cansd_app;
GRANT UPDATE (status, closed_by, closed_at) ON cansd.qc_follow_ups TO cansd_app;
