-- Audited reads write their event themselves (sql/functions/base.sql,
-- cansd.audit_read). Through the owner's SECURITY DEFINER cansd.audit a
-- read paid for a second PL/pgSQL call, an executor start and a switch of
-- user and search_path (docs/PERFORMANCE.md). cansd_app may
-- already write any event through cansd.audit, so a grant of the columns a
-- writer sets gives it nothing new: the id, the time and the transaction
-- stay server-set, and the policy audit_insert (sql/functions/audit.sql)
-- holds the actor to the request's user.
GRANT INSERT (actor_id, action, entity_type, entity_id, request_id, client_addr, detail)
	ON cansd.audit_events TO cansd_app;

-- audit_read and audit_assessment_read return boolean now, so that a read
-- function can call them as an assignment (a plain expression, no executor
-- start); CREATE OR REPLACE cannot change a return type. sql/functions
-- creates them again right after the migrations.
DROP FUNCTION IF EXISTS cansd.audit_assessment_read(bigint, text);
DROP FUNCTION IF EXISTS cansd.audit_read(text, text, text, jsonb);
