-- Cases, the people in them, their service log and the program rules:
-- tables, reference data and grants. The functions, views and row-level
-- security policies that act on them are source files applied at every
-- start: sql/functions/cases.sql and sql/functions/cans_due.sql; their
-- triggers: migration 022.

-- Program rules are data, not C constants: a state that changes a limit
-- changes a row. Keys (all numbers):
--   caseload_cap            open cases of this program one worker may hold
--   response_hours          referral to first contact; slower is flagged
--   flag_after_weeks        an open case past this many weeks without an
--                           extension request is flagged over_8_weeks
--   weekly_hours_min/max    intervention hours a family should get a week
--   initial_cans_due_days   the initial CANS is due on opened_on + this
-- A rule absent for a program does not apply to it (IPS has no cap).
CREATE TABLE cansd.program_rules (
	program     text NOT NULL CHECK (program IN ('IPS', 'IFPS')),
	key         text NOT NULL CHECK (key ~ '^[a-z0-9_]{1,64}$'),
	value       numeric NOT NULL,
	description text NOT NULL,
	PRIMARY KEY (program, key)
);
INSERT INTO cansd.program_rules (program, key, value, description) VALUES
	('IFPS', 'caseload_cap', 4, 'small caseloads: at most 4 open IFPS families per worker'),
	('IFPS', 'response_hours', 24, 'immediate response within 24 hours of referral'),
	('IFPS', 'flag_after_weeks', 8, 'short-term services, 4 to 8 weeks'),
	('IFPS', 'weekly_hours_min', 8, 'intensive interventions, 8 to 10 hours a week'),
	('IFPS', 'weekly_hours_max', 10, 'intensive interventions, 8 to 10 hours a week'),
	('IFPS', 'initial_cans_due_days', 30, 'the initial CANS within 30 days of case opening'),
	('IPS', 'initial_cans_due_days', 30, 'the initial CANS within 30 days of case opening');

-- The relationships an adult of a case may have, by kind of member.
CREATE TABLE cansd.member_relationships (
	code       text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
	kind       text NOT NULL CHECK (kind IN ('caregiver', 'collateral')),
	name       text NOT NULL,
	sort_order integer NOT NULL,
	UNIQUE (code, kind)
);
INSERT INTO cansd.member_relationships (code, kind, name, sort_order) VALUES
	('bio_parent', 'caregiver', 'Biological parent', 1),
	('adoptive_parent', 'caregiver', 'Adoptive parent', 2),
	('foster_parent', 'caregiver', 'Foster parent', 3),
	('relative_caregiver', 'caregiver', 'Relative caregiver', 4),
	('temporary_caregiver', 'caregiver', 'Temporary caregiver (e.g. under a safety plan)', 5),
	('paramour', 'collateral', 'A parent''s girlfriend or boyfriend', 6),
	('grandparent', 'collateral', 'Grandparent', 7),
	('aunt_uncle', 'collateral', 'Aunt or uncle', 8),
	('other_significant_adult', 'collateral', 'Other significant adult', 9);

-- The service types of the service log (IPS's array; IFPS logs the same way).
CREATE TABLE cansd.service_types (
	code       text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
	name       text NOT NULL,
	sort_order integer NOT NULL
);
INSERT INTO cansd.service_types (code, name, sort_order) VALUES
	('individual_therapy', 'Individual therapy', 1),
	('family_therapy', 'Family therapy', 2),
	('respite', 'Respite', 3),
	('family_support', 'Family support', 4),
	('crisis_intervention', 'Crisis intervention', 5),
	('recreation_supplies', 'Recreation supplies', 6),
	('tutoring', 'Tutoring', 7),
	('school_advocacy', 'School advocacy', 8),
	('psychosocial_education', 'Psychosocial education', 9);

CREATE TABLE cansd.cases (
	id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sacwis_case_id         text NOT NULL UNIQUE CHECK (sacwis_case_id ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$'),
	program                text NOT NULL CHECK (program IN ('IPS', 'IFPS')),
	opened_on              date NOT NULL,
	worker_id              bigint NOT NULL REFERENCES cansd.users (id),
	status                 text NOT NULL DEFAULT 'open'
	                       CHECK (status IN ('open', 'extension_requested', 'closed')),
	referral_received_at   timestamptz,
	first_contact_at       timestamptz,
	extension_requested_on date,
	extension_reason       text CHECK (length(extension_reason) BETWEEN 1 AND 2000),
	closed_on              date,
	version                integer NOT NULL DEFAULT 1,
	created_by             bigint REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	created_at             timestamptz NOT NULL DEFAULT now(),
	updated_at             timestamptz NOT NULL DEFAULT now(),
	CHECK (CASE status
	       WHEN 'open' THEN extension_requested_on IS NULL AND closed_on IS NULL
	       WHEN 'extension_requested' THEN extension_requested_on IS NOT NULL AND closed_on IS NULL
	       ELSE closed_on IS NOT NULL END),
	CHECK (extension_requested_on IS NULL OR extension_requested_on >= opened_on),
	CHECK (closed_on IS NULL OR closed_on >= coalesce(extension_requested_on, opened_on)),
	CHECK (first_contact_at IS NULL OR referral_received_at IS NULL
	       OR first_contact_at >= referral_received_at)
);
CREATE INDEX cases_worker_idx ON cansd.cases (worker_id, program, status);

-- Children, caregivers and collaterals. A child needs a birth date; an adult
-- needs a relationship of its kind (the foreign key to (code, kind)).
CREATE TABLE cansd.members (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id       bigint NOT NULL REFERENCES cansd.cases (id),
	kind          text NOT NULL CHECK (kind IN ('child', 'caregiver', 'collateral')),
	full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
	birth_date    date,
	relationship  text,
	-- adults only: true while the adult is linked to every child of the case
	-- (the default), so that a child added later is linked too
	all_children  boolean NOT NULL DEFAULT false,
	version       integer NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	CHECK (kind <> 'child' OR (birth_date IS NOT NULL AND relationship IS NULL
	                           AND NOT all_children)),
	CHECK (kind = 'child' OR relationship IS NOT NULL),
	FOREIGN KEY (relationship, kind) REFERENCES cansd.member_relationships (code, kind)
);
CREATE INDEX members_case_idx ON cansd.members (case_id, id);

-- Which adult cares for or interacts with which child (same case). A CANS
-- of a child rates every adult linked to that child.
CREATE TABLE cansd.member_links (
	case_id  bigint NOT NULL REFERENCES cansd.cases (id),
	adult_id bigint NOT NULL REFERENCES cansd.members (id) ON DELETE CASCADE,
	child_id bigint NOT NULL REFERENCES cansd.members (id) ON DELETE CASCADE,
	PRIMARY KEY (adult_id, child_id)
);
CREATE INDEX member_links_child_idx ON cansd.member_links (child_id);

-- The service log per case; IFPS weekly intervention hours come from it.
CREATE TABLE cansd.services (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id      bigint NOT NULL REFERENCES cansd.cases (id),
	service_type text NOT NULL REFERENCES cansd.service_types (code),
	service_date date NOT NULL,
	hours        numeric(5, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
	notes        text CHECK (length(notes) <= 4000),
	recorded_by  bigint REFERENCES cansd.users (id) DEFAULT cansd.current_user_id(),
	recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_case_idx ON cansd.services (case_id, service_date, id);

-- Row-level security on every table that holds case data, FORCEd so that
-- not even the owner reads past it; the policies (which rows, for whom) are
-- in sql/functions/cases.sql. Until they are applied nobody sees anything.
ALTER TABLE cansd.cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.members FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.member_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.member_links FORCE ROW LEVEL SECURITY;
ALTER TABLE cansd.services ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.services FORCE ROW LEVEL SECURITY;

-- Column grants: ids, versions' owners, creators and timestamps come from
-- defaults; a case's SACWIS id, program and opening date never change.
GRANT SELECT ON cansd.program_rules, cansd.member_relationships, cansd.service_types TO cansd_app;
GRANT SELECT ON cansd.cases, cansd.members, cansd.member_links, cansd.services TO cansd_app;
GRANT INSERT (sacwis_case_id, program, opened_on, worker_id, referral_received_at)
	ON cansd.cases TO cansd_app;
GRANT UPDATE (worker_id, status, first_contact_at, extension_requested_on, extension_reason,
              closed_on, version, updated_at) ON cansd.cases TO cansd_app;
GRANT INSERT (case_id, kind, full_name, birth_date, relationship, all_children)
	ON cansd.members TO cansd_app;
GRANT UPDATE (full_name, birth_date, relationship, all_children, version, updated_at)
	ON cansd.members TO cansd_app;
GRANT DELETE ON cansd.members TO cansd_app;
GRANT INSERT, DELETE ON cansd.member_links TO cansd_app;
GRANT INSERT (case_id, service_type, service_date, hours, notes) ON cansd.services TO cansd_app;
