-- This migration once held only functions; they live in sql/functions/users.sql,
-- re-applied at every start. Kept (empty) so that its version stays recorded.
SELECT 1;
