-- The base every resource builds on: the request context, the caller's
-- roles, the audit writer, refusals as SQLSTATEs, JSON helpers and paging.
-- Applied first by `cansd migrate` (core/migrate.c), after schema api was
-- re-created empty, all files in one transaction; every file is idempotent.
--
-- What the SQL source makes, and how it stays free of tombstones:
--   api.*       the entry points C calls: the schema is re-created whole.
--   policies    re-created whole: every policy on a table of schema cansd is
--               dropped here, read from the catalogue, and each file creates
--               its own with a plain CREATE POLICY (PostgreSQL has no CREATE
--               OR REPLACE POLICY). Safe because every policy is permissive:
--               a table under row-level security with no policy shows and
--               takes no row, and all of this is one transaction, so no
--               other session ever sees the tables without them. Nothing
--               creates a policy anywhere else (a migration's would be
--               dropped at the next start).
--   cansd.*     functions and views: CREATE OR REPLACE. One that goes, or
--               whose parameters change, is dropped by a migration.
-- Triggers and the functions they run are the migrations' (migration 022).
DO $policies$
DECLARE
	p record;
BEGIN
	FOR p IN SELECT pol.polname, pol.polrelid::regclass AS tab
	         FROM pg_policy pol
	         JOIN pg_class c ON c.oid = pol.polrelid
	         JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'cansd'
	LOOP
		EXECUTE format('DROP POLICY %I ON %s', p.polname, p.tab);
	END LOOP;
END
$policies$;

-- The caller's roles, read past row-level security so that policies on
-- users itself can ask without recursing.
-- PL/pgSQL, because a SECURITY DEFINER function is never inlined and an SQL
-- one's query is then planned on every call, where PL/pgSQL caches its plan
-- for the session. No SET search_path (it is switched in and out on every
-- call, and this runs on most requests): every name is schema-qualified,
-- the operator too (coalesce is syntax, not a function), and functions and
-- operators are never looked up in pg_temp.
CREATE OR REPLACE FUNCTION cansd.roles_of(user_id bigint) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
	RETURN coalesce((SELECT u.roles FROM cansd.users u
	                 WHERE u.id OPERATOR(pg_catalog.=) roles_of.user_id AND u.active),
	                '{}'::pg_catalog.text[]);
END
$$;

-- What the caller's policies ask about them on every row they check (their
-- roles, a supervisor's team) is looked up the first time it is asked in a
-- transaction and kept in app.NAME, beside the user id it belongs to in
-- app.NAME_for, until the transaction ends, instead of a SECURITY DEFINER
-- call (planned anew each time) for every row a policy checks. Only when
-- asked: a worker reading their own case or CANS passes the policies on the
-- first test and never needs either. Anything that sets
-- app.user_id by other means, as the SQL tests do, gets a fresh lookup.
-- keep is STABLE although it sets the settings: they only ever hold what
-- roles_of and team_of answer for the current user id, so every call in a
-- transaction answers alike; they are local, gone at its end.
CREATE OR REPLACE FUNCTION cansd.kept(name text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN current_setting('app.' || name || '_for', true) = current_setting('app.user_id', true)
	                 AND current_setting('app.user_id', true) <> ''
	            THEN current_setting('app.' || name, true) END
$$;

CREATE OR REPLACE FUNCTION cansd.keep(name text, value text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	user_id text := current_setting('app.user_id', true);
	setting text;
BEGIN
	IF user_id <> '' THEN
		setting := set_config('app.' || name, value, true);
		setting := set_config('app.' || name || '_for', user_id, true);
	END IF;
	RETURN value;
END
$$;

-- Plain SQL, so the planner inlines it into policies.
CREATE OR REPLACE FUNCTION cansd.current_roles() RETURNS text[]
LANGUAGE sql STABLE AS $$
	SELECT coalesce(cansd.kept('roles'),
	                cansd.keep('roles', cansd.roles_of(cansd.current_user_id())::text))::text[]
$$;

-- The request context: who asks, for which request, from where. One
-- boolean expression, so that it is inlined where it is called: as
-- `ok := cansd.request_context(...)` in PL/pgSQL it is a plain expression,
-- evaluated without starting the executor (a PERFORM starts it). No SET
-- clause: that would undo these settings when it returns.
CREATE OR REPLACE FUNCTION cansd.request_context(actor bigint, request_id text, client_addr text)
RETURNS boolean LANGUAGE sql AS $$
	SELECT set_config('app.user_id', coalesce(actor::text, ''), true) IS NOT NULL
	   AND set_config('app.request_id', coalesce(request_id, ''), true) IS NOT NULL
	   AND set_config('app.client_addr', coalesce(client_addr, ''), true) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION cansd.begin_request(actor bigint, request_id text, client_addr text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	ok boolean;
BEGIN
	ok := cansd.request_context(actor, request_id, client_addr);
END
$$;

CREATE OR REPLACE FUNCTION cansd.has_role(role text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT role = ANY (cansd.current_roles())
$$;

-- A supervisor's team: the ids of the users whose supervisor they are,
-- read past row-level security (as roles_of, and for the same reason).
CREATE OR REPLACE FUNCTION cansd.team_of(user_id bigint) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
	RETURN coalesce((SELECT pg_catalog.array_agg(u.id) FROM cansd.users u
	                 WHERE u.supervisor_id OPERATOR(pg_catalog.=) team_of.user_id),
	                '{}'::pg_catalog.int8[]);
END
$$;

-- The caller's team, kept as the roles are (cansd.kept): a supervisor's
-- policies ask for it on every row they check (a case with six members: the
-- case behind every member and link).
CREATE OR REPLACE FUNCTION cansd.current_team() RETURNS bigint[]
LANGUAGE sql STABLE AS $$
	SELECT coalesce(cansd.kept('team'),
	                cansd.keep('team', cansd.team_of(cansd.current_user_id())::text))::bigint[]
$$;

-- Plain SQL, so the planner inlines it into the policies.
CREATE OR REPLACE FUNCTION cansd.is_my_team_member(member bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT member = ANY (cansd.current_team())
$$;

-- Every change writes its event in the same transaction through this.
-- PL/pgSQL so that the INSERT's plan is cached for the session (an SQL
-- function's would be planned on every call).
CREATE OR REPLACE FUNCTION cansd.audit(action text, entity_type text, entity_id text, detail jsonb DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
BEGIN
	INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id,
	                                request_id, client_addr, detail)
	VALUES (cansd.current_user_id(), action, entity_type, entity_id,
	        nullif(current_setting('app.request_id', true), ''),
	        nullif(current_setting('app.client_addr', true), ''), detail);
END
$$;

-- The audit event of a read (a case or a CANS shown to someone). The
-- transaction has written nothing else, so its commit need not wait for the
-- WAL flush: with synchronous_commit off for this transaction only, an
-- audited read costs no fsync. The event is still written in the read's own
-- transaction, in order; what an operating-system crash can lose is the
-- last ~0.6 s (3 x wal_writer_delay) of read events, never a change or a
-- change's event: a transaction that already wrote keeps synchronous commit,
-- and only read functions call this, last (SECURITY.md, "The audit trail").
-- Not through cansd.audit: read functions call this on every read, and
-- that would add a second PL/pgSQL call, an executor start and a switch of
-- user and search_path (migration 019 grants cansd_app the event's
-- columns). Returns true, so a read calls it as an assignment
-- (`ok := ...`, a plain expression) rather than a PERFORM.
CREATE OR REPLACE FUNCTION cansd.audit_read(action text, entity_type text, entity_id text,
	detail jsonb DEFAULT NULL) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	setting text;
BEGIN
	IF txid_current_if_assigned() IS NULL THEN
		setting := set_config('synchronous_commit', 'off', true);
	END IF;
	INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id,
	                                request_id, client_addr, detail)
	VALUES (cansd.current_user_id(), action, entity_type, entity_id,
	        nullif(current_setting('app.request_id', true), ''),
	        nullif(current_setting('app.client_addr', true), ''), detail);
	RETURN true;
END
$$;

-- Refusals the API names. The message is for clients; DETAIL, a JSON
-- object, adds members to the problem body (errors[], missing[]).
CREATE OR REPLACE FUNCTION cansd.fail(state text, message text, detail json DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message,
		DETAIL = coalesce(detail::text, '');
END
$$;

CREATE OR REPLACE FUNCTION cansd.fail_field(field text, code text, message text) RETURNS void
LANGUAGE sql AS $$
	SELECT cansd.fail('CN400', 'The request body breaks the rules of this endpoint.',
		json_build_object('errors', json_build_array(
			json_build_object('field', field, 'code', code, 'message', message))));
$$;

-- The one If-Match check of every change: if_version is the version the
-- client read (NULL: no If-Match, or "*"), what names the thing in the
-- message ("case", "CANS", ...). Not found is always CN404, raised where
-- the row is looked up: a row the caller may not see (row-level security)
-- answers exactly as one that does not exist.
CREATE OR REPLACE FUNCTION cansd.check_version(what text, if_version integer,
	current_version integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF if_version IS NOT NULL AND if_version <> current_version THEN
		PERFORM cansd.fail('CN412',
			format('The %s changed since you read it; reload and retry.', what));
	END IF;
END
$$;

-- STABLE, as to_char is: an SQL function declared IMMUTABLE over STABLE
-- builtins is never inlined, so each call would be parsed and planned anew.
CREATE OR REPLACE FUNCTION cansd.rfc3339(instant timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(instant AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Every list answers {"items": [...], "next_cursor": id | null}: callers
-- fetch page_size + 1 rows in id order, and the extra row only says there
-- is more.
CREATE OR REPLACE FUNCTION cansd.page_json(items json[], ids bigint[], page_size integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object(
		'items', coalesce(array_to_json(items[1:page_size]), '[]'::json),
		'next_cursor', CASE WHEN cardinality(items) > page_size THEN ids[page_size]::text END)::text
$$;

