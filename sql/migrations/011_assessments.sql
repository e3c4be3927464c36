-- The CANS 2.0 workflow: the instrument, assessments, their caregiver
-- sections, ratings, history events and automatic QC findings. Tables,
-- reference data and grants only; functions and policies are in
-- sql/functions/instruments.sql, assessments.sql and qc.sql, the triggers
-- in migration 022.

-- The instrument is data: `cansd migrate` copies
-- sql/data/cans-2.0-items.csv into instrument_staging and
-- cansd.instrument_load() upserts it here at every start. Nothing about
-- items is written anywhere else; a state's catalogue replaces the file.
CREATE TABLE cansd.instrument_staging (
	line           bigint GENERATED ALWAYS AS IDENTITY, -- file order survives the heap's
	domain_code    text,
	domain_name    text,
	item_code      text,
	item_name      text,
	subject        text,
	scale          text,
	min_age_months text,
	max_age_months text,
	rated_when     text
);

CREATE TABLE cansd.instrument_domains (
	code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,64}$'),
	name       text NOT NULL,
	sort_order integer NOT NULL,
	active     boolean NOT NULL DEFAULT true
);

-- An item no longer in the file stays (old ratings name it) but inactive:
-- it applies to no new rating and is never required.
CREATE TABLE cansd.instrument_items (
	code           text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,64}$'),
	domain_code    text NOT NULL REFERENCES cansd.instrument_domains (code),
	name           text NOT NULL,
	subject        text NOT NULL CHECK (subject IN ('child', 'caregiver')),
	scale          text NOT NULL CHECK (scale IN ('need', 'strength')),
	min_age_months integer NOT NULL DEFAULT 0 CHECK (min_age_months >= 0),
	max_age_months integer CHECK (max_age_months >= min_age_months),
	-- a module item: required only while trigger_item is rated >= trigger_min
	rated_when     text,
	trigger_item   text,
	trigger_min    smallint CHECK (trigger_min BETWEEN 0 AND 3),
	sort_order     integer NOT NULL,
	active         boolean NOT NULL DEFAULT true,
	CHECK ((trigger_item IS NULL) = (trigger_min IS NULL))
);

-- One row per load: the ETag of GET /instruments/cans-2.0 is its hash.
CREATE TABLE cansd.instrument_meta (
	instrument text PRIMARY KEY,
	etag       text NOT NULL,
	loaded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cansd.assessments (
	id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id            bigint NOT NULL REFERENCES cansd.cases (id),
	child_id           bigint NOT NULL REFERENCES cansd.members (id),
	reason             text NOT NULL CHECK (reason IN ('initial', 'extension', 'case_close')),
	assessment_date    date NOT NULL,
	status             text NOT NULL DEFAULT 'draft'
	                   CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
	author_id          bigint NOT NULL REFERENCES cansd.users (id),
	-- the supervisor it is routed to (submitted); kept after return/approval
	routed_to          bigint REFERENCES cansd.users (id),
	routed_at          timestamptz,
	version            integer NOT NULL DEFAULT 1,
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	first_submitted_at timestamptz,
	submitted_at       timestamptz,
	returned_at        timestamptz,
	approved_at        timestamptz,
	approved_by        bigint REFERENCES cansd.users (id),
	-- The CANS as the API shows it, rewritten in the same transaction as
	-- every change of its ratings, its sections or their members (while not
	-- approved: an approved CANS keeps what it was approved with), so that
	-- reading a whole CANS costs one row rather than a row-level security
	-- check per rating and member. assessment_ratings and
	-- assessment_caregivers stay the source (reports, QC, completeness).
	ratings_json       json NOT NULL DEFAULT '{"child": {}, "caregivers": {}}',
	sections_json      json NOT NULL DEFAULT '[]',
	child_age_months   integer,
	CHECK (routed_to IS DISTINCT FROM author_id),
	CHECK (status = 'draft' OR first_submitted_at IS NOT NULL),
	CHECK (status <> 'submitted' OR routed_to IS NOT NULL),
	CHECK ((status = 'approved') = (approved_at IS NOT NULL AND approved_by IS NOT NULL)),
	CHECK (approved_by IS DISTINCT FROM author_id)
);
CREATE INDEX assessments_case_idx ON cansd.assessments (case_id, id);
CREATE INDEX assessments_child_idx ON cansd.assessments (child_id, assessment_date);
CREATE INDEX assessments_routed_idx ON cansd.assessments (routed_to, routed_at)
	WHERE status = 'submitted';

-- One caregiver section per adult linked to the child: caregivers and
-- collaterals alike. Adults linked later join while draft or returned.
CREATE TABLE cansd.assessment_caregivers (
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	member_id     bigint NOT NULL REFERENCES cansd.members (id),
	added_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (assessment_id, member_id)
);

-- subject_id is the member rated: the assessment's child for child items,
-- an adult of a caregiver section for caregiver items. Ratings outlive a
-- section removed and re-added while draft (a relinked adult keeps them).
CREATE TABLE cansd.assessment_ratings (
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	subject_id    bigint NOT NULL REFERENCES cansd.members (id),
	item_code     text NOT NULL REFERENCES cansd.instrument_items (code),
	rating        smallint NOT NULL CHECK (rating BETWEEN 0 AND 3),
	rated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (assessment_id, subject_id, item_code)
);

-- The history: created, ratings_changed, submitted, returned, rerouted, approved.
CREATE TABLE cansd.assessment_events (
	id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	assessment_id      bigint NOT NULL REFERENCES cansd.assessments (id),
	event              text NOT NULL CHECK (event IN ('created', 'ratings_changed', 'submitted',
	                                                  'returned', 'rerouted', 'approved')),
	actor_id           bigint NOT NULL REFERENCES cansd.users (id),
	at                 timestamptz NOT NULL DEFAULT now(),
	from_supervisor_id bigint REFERENCES cansd.users (id),
	to_supervisor_id   bigint REFERENCES cansd.users (id),
	comment            text CHECK (length(comment) BETWEEN 1 AND 4000),
	detail             jsonb
);
CREATE INDEX assessment_events_idx ON cansd.assessment_events (assessment_id, id);
CREATE INDEX assessment_events_kind_idx ON cansd.assessment_events (event, at);

-- Every supervisor a CANS was routed to (submitted or rerouted to them):
-- they read that CANS and its case from then on. Kept apart from the
-- events so that the cases policy asks one small indexed table whose own
-- policy names no other table (no recursion, no per-row function call).
CREATE TABLE cansd.assessment_routes (
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	supervisor_id bigint NOT NULL REFERENCES cansd.users (id),
	case_id       bigint NOT NULL REFERENCES cansd.cases (id),
	PRIMARY KEY (assessment_id, supervisor_id)
);
CREATE INDEX assessment_routes_supervisor_idx ON cansd.assessment_routes (supervisor_id, case_id);

-- Automatic QC rules are data: a code, the message a reviewer reads, a kind
-- that cansd.qc_rule_holds() knows how to test, and its parameters (domain
-- codes, thresholds). A state adds or retires a rule by changing rows.
CREATE TABLE cansd.qc_rules (
	code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{1,64}$'),
	message    text NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('identical_to_previous', 'no_need_above',
	                                         'no_strength_at_most', 'domain_without_domain')),
	params     jsonb NOT NULL DEFAULT '{}',
	active     boolean NOT NULL DEFAULT true,
	sort_order integer NOT NULL
);
INSERT INTO cansd.qc_rules (code, message, kind, params, sort_order) VALUES
	('IDENTICAL_TO_PREVIOUS', 'Every rating is identical to the child''s previous CANS.',
	 'identical_to_previous', '{}', 1),
	('NO_NEED_ABOVE_ZERO', 'No need of the child is rated above 0.',
	 'no_need_above', '{"above": 0}', 2),
	('NO_USEFUL_STRENGTH', 'No strength of the child is rated 0 or 1 (centerpiece or useful).',
	 'no_strength_at_most', '{"at_most": 1}', 3),
	('TRAUMA_SYMPTOM_WITHOUT_EXPERIENCE',
	 'A traumatic stress symptom is rated, but no trauma experience is.',
	 'domain_without_domain',
	 '{"domain": "TRAUMATIC_STRESS_SYMPTOMS", "above": 0, "requires_domain": "TRAUMA_EXPERIENCES"}', 4);

-- The findings of the rules on one submission (replaced at each submission).
CREATE TABLE cansd.qc_flags (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	assessment_id bigint NOT NULL REFERENCES cansd.assessments (id),
	rule_code     text NOT NULL REFERENCES cansd.qc_rules (code),
	detail        jsonb,
	raised_at     timestamptz NOT NULL DEFAULT now(),
	UNIQUE (assessment_id, rule_code)
);

-- assessments is ENABLEd but not FORCEd: the owner's SECURITY DEFINER
-- functions (the approved-CANS guards of migration 022) read a CANS's
-- status past the policies, whoever writes. Nor is assessment_caregivers:
-- the owner's trigger cansd.member_links_follow() adds and removes sections for links
-- that row-level security on member_links already admitted, whoever wrote
-- them (the service, a seed). The service never connects as the owner.
ALTER TABLE cansd.assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_caregivers ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_ratings ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_ratings FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_events FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.assessment_routes FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.qc_flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.qc_flags FORCE ROW LEVEL SECURITY;

GRANT SELECT ON cansd.instrument_domains, cansd.instrument_items, cansd.instrument_meta,
	cansd.qc_rules TO cansd_app;
GRANT SELECT ON cansd.assessments, cansd.assessment_caregivers, cansd.assessment_ratings,
	cansd.assessment_events, cansd.assessment_routes, cansd.qc_flags TO cansd_app;
GRANT INSERT ON cansd.assessment_routes TO cansd_app;
GRANT INSERT (case_id, child_id, reason, assessment_date, author_id)
	ON cansd.assessments TO cansd_app;
GRANT UPDATE (status, routed_to, routed_at, version, updated_at, first_submitted_at,
              submitted_at, returned_at, approved_at, approved_by, ratings_json, sections_json,
              child_age_months)
	ON cansd.assessments TO cansd_app;
GRANT INSERT (assessment_id, member_id), DELETE ON cansd.assessment_caregivers TO cansd_app;
GRANT INSERT (assessment_id, subject_id, item_code, rating), UPDATE (rating, rated_at), DELETE
	ON cansd.assessment_ratings TO cansd_app;
GRANT INSERT (assessment_id, event, actor_id, from_supervisor_id, to_supervisor_id, comment,
              detail) ON cansd.assessment_events TO cansd_app;
GRANT INSERT (assessment_id, rule_code, detail), DELETE ON cansd.qc_flags TO cansd_app;

-- No JIT compilation for this database's sessions. Every statement here is
-- a short request, but row-level security makes the planner's cost
-- estimates large (a policy subplan per row of every table a CANS joins),
-- which crosses jit_above_cost and spends 50-100 ms compiling a query that
-- runs in under a millisecond (docs/PERFORMANCE.md).
DO $jit$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END
$jit$;
