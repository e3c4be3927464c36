-- Users, sessions (refresh-token families), login throttling and the audit
-- trail: what every request needs before any feature. Runs as cansd_owner;
-- the service connects as cansd_app, which owns nothing, so row-level
-- security applies to it.

CREATE SCHEMA cansd;
GRANT USAGE ON SCHEMA cansd TO cansd_app;

-- Request context, set per transaction by cansd.begin_request(). The second
-- argument of current_setting makes a missing setting NULL, and nullif covers
-- the '' a setting becomes after its transaction.
CREATE FUNCTION cansd.current_user_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT nullif(current_setting('app.user_id', true), '')::bigint
$$;

CREATE TABLE cansd.users (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
	full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
	email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
	roles         text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['worker', 'supervisor',
	                  'certification_office', 'qa_analyst', 'program_admin']::text[]),
	supervisor_id bigint REFERENCES cansd.users (id),
	program       text CHECK (program IN ('IPS', 'IFPS')),
	active        boolean NOT NULL DEFAULT true,
	password_hash text,
	version       integer NOT NULL DEFAULT 1,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	CHECK (supervisor_id IS DISTINCT FROM id)
);
CREATE INDEX users_supervisor_idx ON cansd.users (supervisor_id);

CREATE TABLE cansd.refresh_tokens (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	family_id   uuid NOT NULL,
	user_id     bigint NOT NULL REFERENCES cansd.users (id),
	token_hash  bytea NOT NULL UNIQUE,
	issued_at   timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	spent_at    timestamptz,
	revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON cansd.refresh_tokens (family_id);

CREATE TABLE cansd.login_failures (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username    text NOT NULL,
	client_addr text NOT NULL,
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username_idx ON cansd.login_failures (username, at);
CREATE INDEX login_failures_addr_idx ON cansd.login_failures (client_addr, at);

CREATE TABLE cansd.audit_events (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT now(),
	actor_id    bigint REFERENCES cansd.users (id),
	action      text NOT NULL,
	entity_type text NOT NULL,
	entity_id   text,
	request_id  text,
	client_addr text,
	detail      jsonb
);
CREATE INDEX audit_events_entity_idx ON cansd.audit_events (entity_type, entity_id, id);
CREATE INDEX audit_events_actor_idx ON cansd.audit_events (actor_id, id);

-- Append-only from the first migration on, for every role: a later
-- migration that must backfill a column of past events switches the trigger
-- off inside its own transaction, knowing it is there. (Migration 022 keeps
-- the function and adds the TRUNCATE guard and the seals' triggers.)
CREATE OR REPLACE FUNCTION cansd.audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
		MESSAGE = format('%s is append-only: %s refused', TG_TABLE_NAME, TG_OP);
END
$$;
CREATE OR REPLACE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON cansd.audit_events
	FOR EACH ROW EXECUTE FUNCTION cansd.audit_refuse_change();

-- Not FORCEd: the owner's SECURITY DEFINER functions (current_roles, the
-- login and identity lookups) must read past the policies, and the service
-- never connects as the owner, so the policies always bind cansd_app.
ALTER TABLE cansd.users ENABLE ROW LEVEL SECURITY;

ALTER TABLE cansd.audit_events ENABLE ROW LEVEL SECURITY;

-- Sessions and throttling are reached only through SECURITY DEFINER
-- functions (there is no user yet when they run).
ALTER TABLE cansd.refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.login_failures ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE ON cansd.users TO cansd_app;
GRANT SELECT ON cansd.audit_events TO cansd_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cansd TO cansd_app;
