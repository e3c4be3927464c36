-- The statements of the handlers that are C code of their own, one per
-- "-- name:" block, prepared at connect beside one statement per route row
-- that names its SQL function (handlers/routes.c: those are made from the
-- row and need no block here). Each is one round trip; the api.* functions
-- set the request context ($1 actor id, $2 request id, $3 client address)
-- and do one job.

-- Identity and sessions (auth/identity.c, handlers/auth.c).

-- name: identity
SELECT id, active, roles, certified, username, full_name, email, supervisor_id, program,
       certified_until, missing
FROM cansd.identity($1, $2)

-- name: login_attempt
SELECT user_id, password_hash, active, retry_after, attempt_id FROM cansd.login_attempt($1, $2)

-- name: session_start
SELECT cansd.session_start($1, $2, $3, $4, $5, $6)

-- name: session_refresh
SELECT user_id, reason FROM cansd.session_refresh($1, $2, $3, $4, $5, $6)

-- name: session_end
SELECT cansd.session_end($1, $2, $3, $4)

-- Users: the password is hashed in C (handlers/users.c).

-- name: users_create
SELECT body, etag FROM api.users_create($1, $2, $3, $4, $5)

-- name: users_update
SELECT body, etag FROM api.users_update($1, $2, $3, $4, $5, $6, $7)

-- Training records: a correction's rule and the CSV import
-- (handlers/training_records.c).

-- name: training_records_update
SELECT body, etag FROM api.training_records_update($1, $2, $3, $4, $5, $6)

-- name: training_records_import
SELECT api.training_records_import($1, $2, $3, $4, $5, $6)

-- The ratings of a CANS (handlers/assessments.c).

-- name: assessments_put_ratings
SELECT body, etag FROM api.assessments_put_ratings($1, $2, $3, $4, $5, $6)

-- Reports run on the reports connection (a replica when
-- CANSD_REPORTS_DATABASE_URL is set) and write nothing (handlers/reports.c).

-- name: reports_monthly
SELECT api.reports_monthly($1, $2, $3, $4, $5, $6, $7, $8)

-- name: reports_quarterly
SELECT api.reports_quarterly($1, $2, $3, $4, $5, $6, $7, $8)

-- The audit trail (handlers/audit.c).

-- name: audit_list
SELECT api.audit_list($1, $2, $3, $4, $5, $6, $7, $8, $9)
