-- Functions, policies and triggers of audit api (tables: sql/migrations/007_audit_api.sql).
-- Re-applied at every start (scripts/lib.sh apply_sql_source); idempotent.
-- GET /audit: the audit trail for program admins (row-level security on
-- audit_events admits no one else), oldest first, filtered and paged.

CREATE OR REPLACE FUNCTION cansd.audit_json(e cansd.audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', e.id::text, 'at', cansd.rfc3339(e.at), 'actor_id', e.actor_id::text,
		'action', e.action, 'entity_type', e.entity_type, 'entity_id', e.entity_id,
		'request_id', e.request_id, 'client_addr', e.client_addr, 'detail', e.detail)
$$;

CREATE OR REPLACE FUNCTION cansd.api_audit_list(actor bigint, request_id text, addr text, lim integer,
	cursor_id bigint, entity_type_filter text, entity_id_filter text, actor_filter bigint,
	since timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	PERFORM cansd.begin_request(actor, request_id, addr);
	SELECT cansd.page_json(array_agg(cansd.audit_json(p.e) ORDER BY (p.e).id),
	                       array_agg((p.e).id ORDER BY (p.e).id), lim)
	INTO result
	FROM (SELECT e FROM cansd.audit_events e
	      WHERE (cursor_id IS NULL OR e.id > cursor_id)
	        AND (entity_type_filter IS NULL OR e.entity_type = entity_type_filter)
	        AND (entity_id_filter IS NULL OR e.entity_id = entity_id_filter)
	        AND (actor_filter IS NULL OR e.actor_id = actor_filter)
	        AND (since IS NULL OR e.at >= since)
	      ORDER BY e.id LIMIT lim + 1) p;
	RETURN result;
END
$$;

-- Only program admins read the trail; entries are written only through
-- cansd.audit (SECURITY DEFINER).
DROP POLICY IF EXISTS audit_admin_read ON cansd.audit_events;
CREATE POLICY audit_admin_read ON cansd.audit_events FOR SELECT
	USING (cansd.has_role('program_admin'));
DROP POLICY IF EXISTS audit_insert ON cansd.audit_events;
CREATE POLICY audit_insert ON cansd.audit_events FOR INSERT WITH CHECK (true);
