-- The sealer finds new events by their transaction instead of a queue.
--
-- Before, an AFTER INSERT trigger queued every event's id in
-- audit_unsealed and the sealer deleted it once linked: per audited read a
-- trigger call, a second insert and a delete to vacuum, about a third of
-- what an audited read of a CANS cost. Now each event records the
-- transaction that wrote it (xact, a column default: no trigger), and the
-- sealer links, in (xact, id) order, the events after its cursor whose
-- transaction is older than every transaction still running
-- (pg_snapshot_xmin): those are all committed or aborted, so none can appear
-- behind the cursor later. An event written with the triggers off
-- (session_replication_role = replica, the way to forge one) gets no xact, is
-- never linked, and `cansd audit-verify` names it, as before.
-- xact is bookkeeping, not content: the link's hash does not cover it.

ALTER TABLE cansd.audit_events ADD COLUMN xact xid8;
ALTER TABLE cansd.audit_events ALTER COLUMN xact SET DEFAULT
	CASE WHEN current_setting('session_replication_role') = 'origin' THEN pg_current_xact_id() END;
CREATE INDEX audit_events_xact_idx ON cansd.audit_events (xact, id);

-- The sealer's cursor: the (xact, id) of the last event it linked.
CREATE TABLE cansd.audit_seal_cursor (
	only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	last_xact xid8 NOT NULL,
	last_id   bigint NOT NULL
);
ALTER TABLE cansd.audit_seal_cursor ENABLE ROW LEVEL SECURITY;
INSERT INTO cansd.audit_seal_cursor (last_xact, last_id) VALUES ('0', 0);

-- Events still waiting in the old queue are linked by the new sealer: they
-- get xact 1, after the cursor and older than any running transaction.
-- Writes of events are refused by their trigger, whoever writes, hence the
-- trigger off inside this migration's transaction for this one backfill of
-- the column. The trigger is there on every database: migration 001 makes
-- it (and on a database older than that change, the SQL source had made it
-- at every start before this migration could run).
ALTER TABLE cansd.audit_events DISABLE TRIGGER audit_events_append_only;
UPDATE cansd.audit_events e SET xact = '1'
FROM cansd.audit_unsealed u WHERE u.event_id = e.id;
ALTER TABLE cansd.audit_events ENABLE TRIGGER audit_events_append_only;

DROP TRIGGER IF EXISTS audit_events_enqueue ON cansd.audit_events;
DROP FUNCTION IF EXISTS cansd.audit_enqueue();
DROP TABLE cansd.audit_unsealed;
