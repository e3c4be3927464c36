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

INSERT INTO cansd.audit_events (action, entity_type, entity_id, detail)
VALUES ('audit_test', 'audit_test', 'one', '{"k": "v"}');

-- Hold the sealer's lock for the rest of the transaction: the pool's sealer
-- then skips its rounds instead of racing this test for the next seq.
SELECT pg_advisory_xact_lock(hashtext('cansd.audit_seal'));
DO $$
DECLARE r record;
BEGIN
	SELECT * INTO r FROM cansd.audit_seal();
	IF r.sealed < 1 OR r.head_seq < 1 THEN
		RAISE EXCEPTION 'audit_test: audit_seal sealed nothing: %', r;
	END IF;
	IF EXISTS (SELECT 1 FROM cansd.audit_unsealed) THEN
		RAISE EXCEPTION 'audit_test: events still unsealed after audit_seal';
	END IF;
END
$$;

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
SELECT pg_temp.expect_refused('app queue delete', $$DELETE FROM cansd.audit_unsealed$$, 'permission denied');
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
