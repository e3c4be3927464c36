-- Functions and policies of the audit trail (tables: sql/migrations/
-- 001_identity.sql, 010_audit_chain.sql and 017_audit_seal_cursor.sql; its
-- append-only triggers: 022_triggers.sql).
-- GET /audit: the audit trail for program admins (row-level security on
-- audit_events admits no one else), oldest first, filtered and paged; each
-- call writes an audit.read event (also the audited read make bench times).

-- seq: the event's place in the hash chain, null until the sealer reaches it.
CREATE OR REPLACE FUNCTION cansd.audit_json(e cansd.audit_events, seq bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', e.id::text, 'at', cansd.rfc3339(e.at), 'actor_id', e.actor_id::text,
		'action', e.action, 'entity_type', e.entity_type, 'entity_id', e.entity_id,
		'request_id', e.request_id, 'client_addr', e.client_addr, 'detail', e.detail,
		'seq', seq::text)
$$;

CREATE OR REPLACE FUNCTION api.audit_list(actor bigint, request_id text, client_addr text,
	page_size integer, cursor_id bigint, entity_type_filter text, entity_id_filter text, actor_filter bigint,
	since timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, client_addr);
	-- Reading the trail is itself on the trail: who looked, for what.
	PERFORM cansd.audit('audit.read', 'audit', NULL, jsonb_strip_nulls(jsonb_build_object(
		'entity_type', entity_type_filter, 'entity_id', entity_id_filter,
		'actor_id', actor_filter::text, 'since', cansd.rfc3339(since),
		'cursor', cursor_id::text, 'limit', page_size)));
	SELECT cansd.page_json(array_agg(cansd.audit_json(p.e, s.seq) ORDER BY (p.e).id),
	                       array_agg((p.e).id ORDER BY (p.e).id), page_size)
	INTO result
	FROM (SELECT e FROM cansd.audit_events e
	      WHERE (cursor_id IS NULL OR e.id > cursor_id)
	        AND (entity_type_filter IS NULL OR e.entity_type = entity_type_filter)
	        AND (entity_id_filter IS NULL OR e.entity_id = entity_id_filter)
	        AND (actor_filter IS NULL OR e.actor_id = actor_filter)
	        AND (since IS NULL OR e.at >= since)
	      ORDER BY e.id LIMIT page_size + 1) p
	LEFT JOIN cansd.audit_seals s ON s.event_id = (p.e).id;
	RETURN result;
END
$$;

-- Only program admins read the trail. Changes write their events through
-- cansd.audit (SECURITY DEFINER, the owner: no policy applies); reads write
-- theirs as cansd_app (cansd.audit_read, migration 019), only in the name of
-- the request's user.
CREATE POLICY audit_admin_read ON cansd.audit_events FOR SELECT
	USING (cansd.has_role('program_admin'));
CREATE POLICY audit_insert ON cansd.audit_events FOR INSERT
	WITH CHECK (actor_id IS NOT DISTINCT FROM cansd.current_user_id());

-- The chain's links (sql/migrations/010_audit_chain.sql), for the same readers.
CREATE POLICY audit_seals_admin_read ON cansd.audit_seals FOR SELECT
	USING (cansd.has_role('program_admin'));

-- The events waiting for their link: after the sealer's cursor (migration
-- 017). audit-verify and the operators' checks read this.
CREATE OR REPLACE VIEW cansd.audit_unsealed AS
	SELECT e.id AS event_id
	FROM cansd.audit_events e, cansd.audit_seal_cursor c
	WHERE (e.xact, e.id) > (c.last_xact, c.last_id);
REVOKE ALL ON cansd.audit_unsealed FROM PUBLIC, cansd_app;

-- One field of the canonical content: "-," for NULL, else
-- "<octets>:<UTF-8 text>,", so that no two events share an encoding (NULL is
-- not "", and no field can run into the next). core/audit_chain.c encodes the
-- same way and must stay in step with this.
CREATE OR REPLACE FUNCTION cansd.audit_field(value text) RETURNS bytea
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN value IS NULL THEN '\x2d2c'::bytea
	            ELSE convert_to(octet_length(value)::text || ':' || value || ',', 'UTF8') END
$$;

-- The content a link covers: its position, then every column of the event.
-- The time is rendered in UTC to the microsecond; jsonb's text form is
-- canonical (keys sorted, no insignificant space).
-- audit_body is all but the seq, computed set-wise in the sealer's query,
-- where these SQL functions are inlined (a per-row call from PL/pgSQL is
-- not). They are STABLE, as to_char and convert_to are: declared
-- IMMUTABLE, PostgreSQL would never inline them and would parse every call.
CREATE OR REPLACE FUNCTION cansd.audit_canonical(seq bigint, e cansd.audit_events) RETURNS bytea
LANGUAGE sql STABLE AS $$
	SELECT cansd.audit_field(seq::text) || cansd.audit_body(e)
$$;

CREATE OR REPLACE FUNCTION cansd.audit_body(e cansd.audit_events) RETURNS bytea
LANGUAGE sql STABLE AS $$
	SELECT cansd.audit_field(e.id::text)
	    || cansd.audit_field(to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
	    || cansd.audit_field(e.actor_id::text) || cansd.audit_field(e.action)
	    || cansd.audit_field(e.entity_type) || cansd.audit_field(e.entity_id)
	    || cansd.audit_field(e.request_id) || cansd.audit_field(e.client_addr)
	    || cansd.audit_field(e.detail::text)
$$;

-- Seals the waiting events in (xact, id) order, in one transaction: each
-- gets the next seq and hash = sha256(previous hash || canonical content).
-- Waiting: after the cursor and written by a transaction older than every
-- one still running (migration 017 says why that loses none).
-- Called about once a second by the pool's sealer (fcgi/sealer.c). Only one
-- caller seals at a time (a second one returns at once: sealed = 0); events
-- committed while it runs wait for the next call. It never blocks a writer:
-- it takes no table lock, and inserts only rows nobody else writes.
-- Returns what it sealed and the chain's head, which the sealer logs.
CREATE OR REPLACE FUNCTION cansd.audit_seal(max_events integer DEFAULT 10000,
	OUT sealed bigint, OUT head_seq bigint, OUT head_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = cansd, pg_temp AS $$
DECLARE
	head bytea;
	first_seq bigint;
	horizon xid8;
	cur_xact xid8;
	cur_id bigint;
	e record;
	ids bigint[] := '{}';
	hashes bytea[] := '{}';
BEGIN
	sealed := 0;
	IF NOT pg_try_advisory_xact_lock(hashtext('cansd.audit_seal')) THEN
		RETURN;
	END IF;
	SELECT s.seq, s.hash INTO head_seq, head
	FROM cansd.audit_seals s ORDER BY s.seq DESC LIMIT 1;
	head_seq := coalesce(head_seq, 0);
	head := coalesce(head, decode(repeat('00', 32), 'hex'));
	first_seq := head_seq + 1;
	SELECT c.last_xact, c.last_id INTO cur_xact, cur_id FROM cansd.audit_seal_cursor c;
	-- Every transaction older than this one has ended: the events it
	-- committed are visible to the next statement, and it writes no more.
	horizon := pg_snapshot_xmin(pg_current_snapshot());
	-- An index range scan on (xact, id), linear in the batch whatever plan
	-- the session caches.
	FOR e IN SELECT ev.id, ev.xact, cansd.audit_body(ev) AS body
	         FROM cansd.audit_events ev
	         WHERE (ev.xact, ev.id) > (cur_xact, cur_id) AND ev.xact < horizon
	         ORDER BY ev.xact, ev.id LIMIT max_events
	LOOP
		head_seq := head_seq + 1;
		-- = sha256(head || cansd.audit_canonical(head_seq, event))
		head := sha256(head || cansd.audit_field(head_seq::text) || e.body);
		-- Appending to a plpgsql array is O(1) (expanded arrays); one INSERT
		-- of them all costs far less than one per link.
		ids := ids || e.id;
		hashes := hashes || head;
		cur_xact := e.xact;
		cur_id := e.id;
	END LOOP;
	sealed := head_seq - first_seq + 1;
	IF sealed > 0 THEN
		INSERT INTO cansd.audit_seals (seq, event_id, hash)
		SELECT first_seq + l.n - 1, l.id, l.hash
		FROM unnest(ids, hashes) WITH ORDINALITY AS l (id, hash, n);
		UPDATE cansd.audit_seal_cursor SET last_xact = cur_xact, last_id = cur_id;
	END IF;
	head_hash := encode(head, 'hex');
END
$$;
