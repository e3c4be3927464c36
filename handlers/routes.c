/*
 * The route table: for every path and method, the handler, who may call it
 * and whether it needs a current CANS 2.0 certification. The dispatcher
 * enforces each row before the handler runs; tests/unit/test_routes.c walks
 * the table. Keep rows grouped by resource, in API.md's order.
 */
#include "routes.h"
#include "handlers.h"

#define ADMIN ROLE_PROGRAM_ADMIN
#define SUPERVISOR ROLE_SUPERVISOR
#define WORKER ROLE_WORKER
#define OFFICE ROLE_CERTIFICATION_OFFICE
#define QA ROLE_QA_ANALYST

#define PUBLIC(m, p, h, body)                                                                      \
	{                                                                                          \
		m, p, h, ACCESS_PUBLIC, ROLES_ANY, false, body                                     \
	}
#define SIGNED(m, p, h, roles, cert, body)                                                         \
	{                                                                                          \
		m, p, h, ACCESS_SIGNED_IN, roles, cert, body                                       \
	}

const struct route routes[] = {
	/* operations, outside /api/v1 */
	PUBLIC("GET", "/healthz", health_live, BODY_NONE),
	PUBLIC("GET", "/readyz", health_ready, BODY_NONE),
	PUBLIC("GET", "/metrics", metrics_get, BODY_NONE),

	/* authentication */
	PUBLIC("POST", "/api/v1/auth/login", auth_login, BODY_JSON),
	PUBLIC("POST", "/api/v1/auth/refresh", auth_refresh, BODY_JSON),
	SIGNED("POST", "/api/v1/auth/logout", auth_logout, ROLES_ANY, false, BODY_JSON),
	PUBLIC("GET", "/api/v1/.well-known/jwks.json", auth_jwks, BODY_NONE),
	SIGNED("GET", "/api/v1/me", me_get, ROLES_ANY, false, BODY_NONE),

	/* users and accounts */
	SIGNED("GET", "/api/v1/users", users_list, ADMIN | SUPERVISOR | OFFICE, false, BODY_NONE),
	SIGNED("POST", "/api/v1/users", users_create, ADMIN, false, BODY_JSON),
	SIGNED("GET", "/api/v1/users/{id}", users_get, ADMIN | SUPERVISOR | OFFICE, false,
	       BODY_NONE),
	SIGNED("PATCH", "/api/v1/users/{id}", users_update, ADMIN, false, BODY_JSON),

	/* training records, certification and account requests (issue 3) */
	SIGNED("GET", "/api/v1/trainings", trainings_list, ROLES_ANY, false, BODY_NONE),
	/* anyone may ask: the user themself is allowed whatever their role, and
	   row-level security answers 404 for users out of the caller's scope */
	SIGNED("GET", "/api/v1/users/{id}/training-records", training_records_list, ROLES_ANY,
	       false, BODY_NONE),
	SIGNED("POST", "/api/v1/users/{id}/training-records", training_records_create, OFFICE,
	       false, BODY_JSON),
	SIGNED("POST", "/api/v1/training-records/import", training_records_import, OFFICE, false,
	       BODY_CSV),
	SIGNED("GET", "/api/v1/training-records/{id}", training_records_get, ROLES_ANY, false,
	       BODY_NONE),
	SIGNED("PATCH", "/api/v1/training-records/{id}", training_records_update, OFFICE, false,
	       BODY_JSON),
	SIGNED("GET", "/api/v1/certifications", certifications_list, OFFICE | ADMIN | SUPERVISOR,
	       false, BODY_NONE),
	SIGNED("POST", "/api/v1/account-requests", account_requests_create, SUPERVISOR, false,
	       BODY_JSON),
	SIGNED("GET", "/api/v1/account-requests", account_requests_list, ADMIN | SUPERVISOR, false,
	       BODY_NONE),
	SIGNED("GET", "/api/v1/account-requests/{id}", account_requests_get, ADMIN | SUPERVISOR,
	       false, BODY_NONE),
	SIGNED("POST", "/api/v1/account-requests/{id}/approve", account_requests_approve, ADMIN,
	       false, BODY_JSON),
	SIGNED("POST", "/api/v1/account-requests/{id}/reject", account_requests_reject, ADMIN,
	       false, BODY_JSON),

	/* cases and members (issue 15): case data, so no certification; row-level
	   security narrows every row to the caller's cases (404 otherwise) */
	SIGNED("POST", "/api/v1/cases", cases_create, SUPERVISOR | ADMIN, false, BODY_JSON),
	SIGNED("GET", "/api/v1/cases", cases_list, WORKER | SUPERVISOR | QA | ADMIN, false,
	       BODY_NONE),
	SIGNED("GET", "/api/v1/cases/{id}", cases_get, WORKER | SUPERVISOR | QA | ADMIN, false,
	       BODY_NONE),
	SIGNED("PATCH", "/api/v1/cases/{id}", cases_update, SUPERVISOR | ADMIN, false, BODY_JSON),
	SIGNED("POST", "/api/v1/cases/{id}/extension-request", cases_extension_request,
	       WORKER | SUPERVISOR, false, BODY_JSON),
	SIGNED("POST", "/api/v1/cases/{id}/close", cases_close, WORKER | SUPERVISOR, false,
	       BODY_JSON),
	SIGNED("POST", "/api/v1/cases/{id}/members", members_create, WORKER | SUPERVISOR, false,
	       BODY_JSON),
	SIGNED("PATCH", "/api/v1/cases/{id}/members/{member_id}", members_update,
	       WORKER | SUPERVISOR, false, BODY_JSON),
	SIGNED("DELETE", "/api/v1/cases/{id}/members/{member_id}", members_delete,
	       WORKER | SUPERVISOR, false, BODY_NONE),
	SIGNED("GET", "/api/v1/cans-due", cans_due_list, WORKER | SUPERVISOR | QA | ADMIN, false,
	       BODY_NONE),
	SIGNED("POST", "/api/v1/cases/{id}/services", services_create, WORKER | SUPERVISOR, false,
	       BODY_JSON),
	/* reading the log is reading the case: QA and program admins too */
	SIGNED("GET", "/api/v1/cases/{id}/services", services_list,
	       WORKER | SUPERVISOR | QA | ADMIN, false, BODY_NONE),

	/* the CANS workflow (issue 16): every route but the form itself needs a
	   current certification, supervisors' too; row-level security scopes the
	   CANS like their cases (404 otherwise); QA analysts read and never change */
	SIGNED("GET", "/api/v1/instruments/cans-2.0", instruments_get, ROLES_ANY, false, BODY_NONE),
	SIGNED("POST", "/api/v1/cases/{id}/assessments", assessments_create, WORKER, true,
	       BODY_JSON),
	SIGNED("GET", "/api/v1/assessments", assessments_list, WORKER | SUPERVISOR | QA | ADMIN,
	       true, BODY_NONE),
	SIGNED("GET", "/api/v1/assessments/{id}", assessments_get, WORKER | SUPERVISOR | QA | ADMIN,
	       true, BODY_NONE),
	SIGNED("PUT", "/api/v1/assessments/{id}/ratings", assessments_put_ratings, WORKER, true,
	       BODY_JSON),
	SIGNED("GET", "/api/v1/assessments/{id}/completeness", assessments_completeness,
	       WORKER | SUPERVISOR | QA | ADMIN, true, BODY_NONE),
	SIGNED("POST", "/api/v1/assessments/{id}/submit", assessments_submit, WORKER, true,
	       BODY_JSON),
	SIGNED("GET", "/api/v1/approvals", approvals_list, SUPERVISOR, true, BODY_NONE),
	SIGNED("POST", "/api/v1/assessments/{id}/approve", assessments_approve, SUPERVISOR, true,
	       BODY_JSON),
	SIGNED("POST", "/api/v1/assessments/{id}/return", assessments_return, SUPERVISOR, true,
	       BODY_JSON),
	/* the author (a worker) or the supervisor it is routed to */
	SIGNED("POST", "/api/v1/assessments/{id}/reroute", assessments_reroute, WORKER | SUPERVISOR,
	       true, BODY_JSON),
	SIGNED("GET", "/api/v1/assessments/{id}/history", assessments_history,
	       WORKER | SUPERVISOR | QA | ADMIN, true, BODY_NONE),
	SIGNED("GET", "/api/v1/qc/flags", qc_flags_list, QA | ADMIN | SUPERVISOR, true, BODY_NONE),

	/* quality control and reports (issue 17). Reviewing a CANS and asking
	   its clinician to follow up judge its ratings, so they need a current
	   certification like every CANS route; listing and closing follow-ups do
	   not: a clinician whose certification lapsed must still see and close
	   what QA asked of them. Reports hold numbers only, no CANS content. */
	SIGNED("POST", "/api/v1/assessments/{id}/qc-reviews", qc_reviews_create, QA, true,
	       BODY_JSON),
	SIGNED("POST", "/api/v1/qc/follow-ups", qc_follow_ups_create, QA, true, BODY_JSON),
	/* the assignee (any role) or a QA analyst; row-level security decides */
	SIGNED("GET", "/api/v1/qc/follow-ups", qc_follow_ups_list, ROLES_ANY, false, BODY_NONE),
	SIGNED("POST", "/api/v1/qc/follow-ups/{id}/close", qc_follow_ups_close, ROLES_ANY, false,
	       BODY_NONE),
	SIGNED("GET", "/api/v1/reports/monthly", reports_monthly, QA | ADMIN | SUPERVISOR, false,
	       BODY_NONE),
	SIGNED("GET", "/api/v1/reports/quarterly", reports_quarterly, QA | ADMIN | SUPERVISOR,
	       false, BODY_NONE),

	/* the audit trail */
	SIGNED("GET", "/api/v1/audit", audit_list, ADMIN, false, BODY_NONE),
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
