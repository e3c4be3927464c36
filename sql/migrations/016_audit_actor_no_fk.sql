-- The audit trail takes no lock on the people it records. The foreign key
-- from audit_events.actor_id to users made every audited read run the
-- referential check, a SELECT ... FOR KEY SHARE of the reader's users row:
-- one user's parallel reads of a CANS all locked that row (a MultiXact per
-- read once two overlapped) and that check was a tenth of a read's cost.
-- It protected nothing the service needs: users are never deleted (they are
-- deactivated), actor_id is the signed-in caller set by begin_request, and
-- an audit event must outlive any row it names (the verifier, not a
-- constraint, is what notices a change: SECURITY.md, "The audit trail").
ALTER TABLE cansd.audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_id_fkey;
