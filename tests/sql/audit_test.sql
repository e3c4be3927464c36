-- The audit trail is append-only for everyone and sealed into a hash chain
-- (sql/migrations/010_audit_chain.sql, sql/functions/audit.sql). A pgTAP
-- script (see helpers.psql), e.g.
--     pg_prove -d cansd tests/sql/audit_test.sql
-- everything but the one event below is rolled back.
\ir helpers.psql

-- One event of this test, committed: the sealer links only events whose
-- transaction has ended (migration 017). The audit trail is append-only, so
-- it stays; the test stack is thrown away.
INSERT INTO cansd.audit_events (action, entity_type, entity_id, detail)
VALUES ('audit_test', 'audit_test', 'one', '{"k": "v"}');

BEGIN;
SELECT plan(21);

-- Runs stmt; passes when it is refused with SQLSTATE 42501 and a message
-- containing want_message.
CREATE FUNCTION pg_temp.expect_refused(label text, stmt text, want_message text) RETURNS text
LANGUAGE sql AS $$
	SELECT matches(pg_temp.error_of(stmt), '^42501: .*' || want_message, label)
$$;

-- Hold the sealer's lock for the rest of the transaction: the pool's sealer
-- then skips its rounds instead of racing this test for the next seq.
SELECT pg_advisory_xact_lock(hashtext('cansd.audit_seal')) \g /dev/null
-- The committed event gets its link (a request still running when this
-- starts holds the horizon back for a moment, hence the few rounds).
DO $$
BEGIN
	FOR round IN 1..50 LOOP
		PERFORM cansd.audit_seal();
		EXIT WHEN EXISTS (SELECT 1 FROM cansd.audit_seals s JOIN cansd.audit_events e
		                  ON e.id = s.event_id WHERE e.action = 'audit_test');
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT ok(EXISTS (SELECT 1 FROM cansd.audit_seals s JOIN cansd.audit_events e
                  ON e.id = s.event_id WHERE e.action = 'audit_test'),
	'the committed event got its link');
SELECT cmp_ok((SELECT head_seq FROM cansd.audit_seal()), '>=', 1::bigint,
	'a chain head after audit_seal');

-- An event whose transaction is still running waits: linking it now could
-- put it ahead of an older transaction's event that commits later.
INSERT INTO cansd.audit_events (action, entity_type, entity_id)
VALUES ('audit_test', 'audit_test', 'open') RETURNING id AS open_event \gset
SELECT cansd.audit_seal() \g /dev/null
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.audit_seals WHERE event_id = :open_event),
	'an event is not linked before its transaction ends');
SELECT ok(EXISTS (SELECT 1 FROM cansd.audit_unsealed WHERE event_id = :open_event),
	'an event of a running transaction waits for a link');

-- An event written with the triggers off (how one is forged) records no
-- transaction: it never waits for a link, so audit-verify names it.
SET LOCAL session_replication_role = replica;
INSERT INTO cansd.audit_events (action, entity_type, entity_id)
VALUES ('audit_test', 'audit_test', 'forged') RETURNING id AS forged_event \gset
SELECT ok(NOT EXISTS (SELECT 1 FROM cansd.audit_unsealed WHERE event_id = :forged_event)
          AND (SELECT xact FROM cansd.audit_events WHERE id = :forged_event) IS NULL,
	'an event written with the triggers off records no transaction and never waits');
RESET session_replication_role;

-- Every link is sha256(previous link || canonical content), gapless from 1.
SELECT is((SELECT min(x.seq) FROM (
		SELECT s.seq, s.hash,
		       sha256(coalesce(lag(s.hash) OVER (ORDER BY s.seq), decode(repeat('00', 32), 'hex'))
		              || cansd.audit_canonical(s.seq, e)) AS want,
		       row_number() OVER (ORDER BY s.seq) AS n
		FROM cansd.audit_seals s JOIN cansd.audit_events e ON e.id = s.event_id) x
	   WHERE x.hash <> x.want OR x.seq <> x.n), NULL,
	'every link verifies (the first that does not is named)');

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

SELECT * FROM finish();
ROLLBACK;
