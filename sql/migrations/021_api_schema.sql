-- The entry points C calls moved from cansd.api_* to schema api, which the
-- SQL source re-creates whole at every start. A database made before that
-- still holds the old functions; nothing depends on them.
DO $$
DECLARE
	entry regprocedure;
BEGIN
	FOR entry IN
		SELECT p.oid::regprocedure
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'cansd' AND p.proname LIKE 'api\_%'
	LOOP
		EXECUTE format('DROP FUNCTION %s', entry);
	END LOOP;
END
$$;
