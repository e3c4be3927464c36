-- The statements the workers prepare at connect, one per "-- name:" block.
-- Each is one round trip; the api_* functions set the request context
-- ($1 actor id, $2 request id, $3 client address) and do one job.

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

-- name: users_list
SELECT api.users_list($1, $2, $3, $4, $5, $6, $7)

-- name: users_get
SELECT body, etag FROM api.users_get($1, $2, $3, $4)

-- name: users_create
SELECT body, etag FROM api.users_create($1, $2, $3, $4, $5)

-- name: users_update
SELECT body, etag FROM api.users_update($1, $2, $3, $4, $5, $6, $7)

-- Training records, certification currency and account requests (issue 3;
-- sql/functions/training_records.sql and account_requests.sql).

-- name: trainings_list
SELECT api.trainings_list($1, $2, $3, $4, $5)

-- name: training_records_list
SELECT api.training_records_list($1, $2, $3, $4, $5, $6)

-- name: training_records_get
SELECT body, etag FROM api.training_records_get($1, $2, $3, $4)

-- name: training_records_create
SELECT body, etag FROM api.training_records_create($1, $2, $3, $4, $5)

-- name: training_records_update
SELECT body, etag FROM api.training_records_update($1, $2, $3, $4, $5, $6)

-- name: training_records_import
SELECT api.training_records_import($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)

-- name: certifications_lapsing
SELECT api.certifications_lapsing($1, $2, $3, $4, $5, $6)

-- name: account_requests_list
SELECT api.account_requests_list($1, $2, $3, $4, $5, $6)

-- name: account_requests_get
SELECT api.account_requests_get($1, $2, $3, $4)

-- name: account_requests_create
SELECT api.account_requests_create($1, $2, $3, $4)

-- name: account_requests_approve
SELECT body, etag FROM api.account_requests_approve($1, $2, $3, $4)

-- name: account_requests_reject
SELECT api.account_requests_reject($1, $2, $3, $4, $5)

-- name: audit_list
SELECT api.audit_list($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- Cases, members, services and due CANS (issue 15; sql/functions/cases.sql
-- and cans_due.sql).

-- name: cases_list
SELECT api.cases_list($1, $2, $3, $4, $5, $6, $7, $8, $9)

-- name: cases_get
SELECT body, etag FROM api.cases_get($1, $2, $3, $4)

-- name: cases_create
SELECT body, etag FROM api.cases_create($1, $2, $3, $4)

-- name: cases_update
SELECT body, etag FROM api.cases_update($1, $2, $3, $4, $5, $6)

-- name: cases_extension_request
SELECT body, etag FROM api.cases_extension_request($1, $2, $3, $4, $5, $6)

-- name: cases_close
SELECT body, etag FROM api.cases_close($1, $2, $3, $4, $5, $6)

-- name: members_create
SELECT body, etag FROM api.members_create($1, $2, $3, $4, $5)

-- name: members_update
SELECT body, etag FROM api.members_update($1, $2, $3, $4, $5, $6)

-- name: members_delete
SELECT api.members_delete($1, $2, $3, $4, $5)

-- name: services_create
SELECT body, etag FROM api.services_create($1, $2, $3, $4, $5)

-- name: services_list
SELECT api.services_list($1, $2, $3, $4, $5, $6)

-- name: cans_due_list
SELECT api.cans_due_list($1, $2, $3, $4, $5, $6, $7)

-- Quality control and reports (issue 17; sql/functions/qc_reviews.sql and
-- reports.sql). Reports run on the reports connection (a replica when
-- CANSD_REPORTS_DATABASE_URL is set) and write nothing.

-- name: qc_reviews_create
SELECT body FROM api.qc_reviews_create($1, $2, $3, $4, $5)

-- name: qc_follow_ups_create
SELECT body FROM api.qc_follow_ups_create($1, $2, $3, $4)

-- name: qc_follow_ups_close
SELECT body FROM api.qc_follow_ups_close($1, $2, $3, $4)

-- name: qc_follow_ups_list
SELECT api.qc_follow_ups_list($1, $2, $3, $4, $5, $6, $7, $8)

-- name: reports_monthly
SELECT api.reports_monthly($1, $2, $3, $4, $5, $6, $7, $8)

-- name: reports_quarterly
SELECT api.reports_quarterly($1, $2, $3, $4, $5, $6, $7, $8)
-- The CANS 2.0 workflow (issue 16; sql/functions/instruments.sql,
-- assessments.sql and qc.sql).

-- name: instruments_get
SELECT body, etag FROM api.instruments_get($1, $2, $3)

-- name: assessments_create
SELECT body, etag FROM api.assessments_create($1, $2, $3, $4, $5)

-- name: assessments_list
SELECT api.assessments_list($1, $2, $3, $4, $5, $6, $7)

-- name: assessments_get
SELECT body, etag FROM api.assessments_get($1, $2, $3, $4)

-- name: assessments_put_ratings
SELECT body, etag FROM api.assessments_put_ratings($1, $2, $3, $4, $5, $6)

-- name: assessments_completeness
SELECT body, etag FROM api.assessments_completeness($1, $2, $3, $4)

-- name: assessments_history
SELECT api.assessments_history($1, $2, $3, $4, $5, $6)

-- name: assessments_submit
SELECT body, etag FROM api.assessments_submit($1, $2, $3, $4, $5, $6)

-- name: assessments_approve
SELECT body, etag FROM api.assessments_approve($1, $2, $3, $4, $5)

-- name: assessments_return
SELECT body, etag FROM api.assessments_return($1, $2, $3, $4, $5, $6)

-- name: assessments_reroute
SELECT body, etag FROM api.assessments_reroute($1, $2, $3, $4, $5, $6)

-- name: approvals_list
SELECT api.approvals_list($1, $2, $3, $4, $5)

-- name: qc_flags_list
SELECT api.qc_flags_list($1, $2, $3, $4, $5, $6)
