-- The audit trail is append-only for everyone and sealed into a hash chain
-- (sql/migrations/010_audit_chain.sql, sql/functions/audit.sql). Run as
-- superuser on a migrated database, e.g.
--     psql -X -d cansd -f tests/sql/audit_test.sql
-- A mismatch raises and psql stops with a non-zero exit; everything is
-- rolled back either way.
\set ON_ERROR_STOP on
\set QUIET on
\o /dev/null
SET client_min_messages = warning;

-- One event of this test, committed: the sealer links only events whose
-- transaction has ended (migration 017). The audit trail is append-only, so
-- it stays; the test stack is thrown away.
INSERT INTO cansd.audit_events (action, entity_type, entity_id, detail)
VALUES ('audit_test', 'audit_test', 'one', '{"k": "v"}');

BEGIN;

-- Runs stmt and fails the script unless it is refused with SQLSTATE 42501
-- and, when given, a message containing want_message.
CREATE FUNCTION pg_temp.expect_refused(label text, stmt text, want_message text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN insufficient_privilege THEN
		IF want_message IS NOT NULL AND strpos(SQLERRM, want_message) = 0 THEN
			RAISE EXCEPTION 'audit_test: %: refused, but with "%"', label, SQLERRM;
		END IF;
		RETURN;
	END;
	RAISE EXCEPTION 'audit_test: %: % was not refused', label, stmt;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.expect_refused(text, text, text) TO PUBLIC;

-- Hold the sealer's lock for the rest of the transaction: the pool's sealer
-- then skips its rounds instead of racing this test for the next seq.
SELECT pg_advisory_xact_lock(hashtext('cansd.audit_seal'));
-- The committed event gets its link (a request still running when this
-- starts holds the horizon back for a moment, hence the few rounds).
DO $$
DECLARE r record;
BEGIN
	FOR round IN 1..50 LOOP
		SELECT * INTO r FROM cansd.audit_seal();
		EXIT WHEN EXISTS (SELECT 1 FROM cansd.audit_seals s JOIN cansd.audit_events e
		                  ON e.id = s.event_id WHERE e.action = 'audit_test');
		PERFORM pg_sleep(0.1);
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM cansd.audit_seals s JOIN cansd.audit_events e
	               ON e.id = s.event_id WHERE e.action = 'audit_test') THEN
		RAISE EXCEPTION 'audit_test: the committed event got no link: %', r;
	END IF;
	IF r.head_seq < 1 THEN
		RAISE EXCEPTION 'audit_test: no chain head after audit_seal: %', r;
	END IF;
END
$$;

-- An event whose transaction is still running waits: linking it now could
-- put it ahead of an older transaction's event that commits later.
DO $$
DECLARE
	eid bigint;
BEGIN
	INSERT INTO cansd.audit_events (action, entity_type, entity_id)
	VALUES ('audit_test', 'audit_test', 'open') RETURNING id INTO eid;
	PERFORM cansd.audit_seal();
	IF EXISTS (SELECT 1 FROM cansd.audit_seals WHERE event_id = eid) THEN
		RAISE EXCEPTION 'audit_test: event % linked before its transaction ended', eid;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM cansd.audit_unsealed WHERE event_id = eid) THEN
		RAISE EXCEPTION 'audit_test: event % of a running transaction is not waiting', eid;
	END IF;
END
$$;

-- An event written with the triggers off (how one is forged) records no
-- transaction: it never waits for a link, so audit-verify names it.
SET LOCAL session_replication_role = replica;
DO $$
DECLARE
	eid bigint;
BEGIN
	INSERT INTO cansd.audit_events (action, entity_type, entity_id)
	VALUES ('audit_test', 'audit_test', 'forged') RETURNING id INTO eid;
	IF EXISTS (SELECT 1 FROM cansd.audit_unsealed WHERE event_id = eid)
	   OR (SELECT xact FROM cansd.audit_events WHERE id = eid) IS NOT NULL THEN
		RAISE EXCEPTION 'audit_test: an event written with the triggers off waits for a link';
	END IF;
END
$$;
RESET session_replication_role;

-- Every link is sha256(previous link || canonical content), gapless from 1.
DO $$
DECLARE bad record;
BEGIN
	SELECT * INTO bad FROM (
		SELECT s.seq, s.hash,
		       sha256(coalesce(lag(s.hash) OVER (ORDER BY s.seq), decode(repeat('00', 32), 'hex'))
		              || cansd.audit_canonical(s.seq, e)) AS want,
		       row_number() OVER (ORDER BY s.seq) AS n
		FROM cansd.audit_seals s JOIN cansd.audit_events e ON e.id = s.event_id) x
	WHERE x.hash <> x.want OR x.seq <> x.n
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'audit_test: link seq % does not verify', bad.seq;
	END IF;
END
$$;

-- The application role: no UPDATE, DELETE or TRUNCATE (no grants), and no
-- direct write of a link.
SET ROLE cansd_app;
SELECT pg_temp.expect_refused('app update', $$UPDATE cansd.audit_events SET action = 'x' WHERE action = 'audit_test'$$, 'permission denied');
SELECT pg_temp.expect_refused('app delete', $$DELETE FROM cansd.audit_events WHERE action = 'audit_test'$$, 'permission denied');
SELECT pg_temp.expect_refused('app truncate', $$TRUNCATE cansd.audit_events$$, 'permission denied');
SELECT pg_temp.expect_refused('app link insert', $$INSERT INTO cansd.audit_seals (seq, event_id, hash) VALUES (999999999, 1, decode(repeat('00', 32), 'hex'))$$, 'permission denied');
SELECT pg_temp.expect_refused('app link delete', $$DELETE FROM cansd.audit_seals$$, 'permission denied');
SELECT pg_temp.expect_refused('app cursor move', $$UPDATE cansd.audit_seal_cursor SET last_id = 0$$, 'permission denied');
SELECT pg_temp.expect_refused('app waiting read', $$SELECT * FROM cansd.audit_unsealed$$, 'permission denied');
RESET ROLE;

-- The owner and the superuser: the triggers refuse, whatever the grants.
SET ROLE cansd_owner;
SELECT pg_temp.expect_refused('owner update', $$UPDATE cansd.audit_events SET action = 'x' WHERE action = 'audit_test'$$, 'append-only');
SELECT pg_temp.expect_refused('owner delete', $$DELETE FROM cansd.audit_events WHERE action = 'audit_test'$$, 'append-only');
SELECT pg_temp.expect_refused('owner truncate', $$TRUNCATE cansd.audit_events CASCADE$$, 'append-only');
SELECT pg_temp.expect_refused('owner link update', $$UPDATE cansd.audit_seals SET hash = hash$$, 'append-only');
RESET ROLE;
SELECT pg_temp.expect_refused('superuser update', $$UPDATE cansd.audit_events SET detail = NULL WHERE action = 'audit_test'$$, 'append-only');
SELECT pg_temp.expect_refused('superuser delete', $$DELETE FROM cansd.audit_events WHERE action = 'audit_test'$$, 'append-only');
SELECT pg_temp.expect_refused('superuser link delete', $$DELETE FROM cansd.audit_seals$$, 'append-only');
SELECT pg_temp.expect_refused('superuser link truncate', $$TRUNCATE cansd.audit_seals$$, 'append-only');

ROLLBACK;
\o
SELECT 'audit_test: ok';
