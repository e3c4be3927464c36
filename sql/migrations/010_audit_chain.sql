-- The audit trail's hash chain. audit_events stays as it
-- was and is never updated; each event gets one link in audit_seals, written
-- by cansd.audit_seal() (sql/functions/audit.sql) which the pool's sealer
-- process calls about once a second. seq is the chain's position: gapless,
-- assigned by the sealer in the order it sees events committed (not the
-- event id: identity values have gaps from rolled-back transactions and are
-- committed out of order). hash = SHA-256(previous hash || the event's
-- canonical content with seq); the first link's previous hash is 32 zero bytes.
CREATE TABLE cansd.audit_seals (
	seq       bigint PRIMARY KEY CHECK (seq > 0),
	-- No foreign key: its per-row check was half the sealer's time, and it
	-- would stop no one: only a role that can switch triggers off can delete
	-- an event, and that switches the foreign-key check off too. The
	-- verifier reports a link whose event is gone.
	event_id  bigint NOT NULL UNIQUE,
	hash      bytea NOT NULL CHECK (octet_length(hash) = 32),
	sealed_at timestamptz NOT NULL DEFAULT now()
);

-- The events still waiting for their link, filled by a trigger on
-- audit_events (so that every writer, also the admin bootstrap and the demo
-- seed, is covered) and emptied by the sealer: finding the unsealed events
-- costs what is waiting, not a scan of the whole trail. An event in neither
-- table was written with the triggers switched off: the verifier reports it.
-- Migration 017 replaced the queue (table and trigger) by a cursor.
CREATE TABLE cansd.audit_unsealed (
	event_id bigint PRIMARY KEY
);
INSERT INTO cansd.audit_unsealed (event_id) SELECT id FROM cansd.audit_events;

ALTER TABLE cansd.audit_seals ENABLE ROW LEVEL SECURITY;
ALTER TABLE cansd.audit_unsealed ENABLE ROW LEVEL SECURITY;

-- The application role reads (program admins, through the policy) and
-- writes nothing directly: cansd.audit and cansd.audit_seal are SECURITY
-- DEFINER. Spelled out, although none of these was ever granted.
REVOKE UPDATE, DELETE, TRUNCATE ON cansd.audit_events FROM cansd_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON cansd.audit_seals FROM cansd_app;
GRANT SELECT ON cansd.audit_seals TO cansd_app;
