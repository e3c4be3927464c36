/*
 * The route table: for every path and method, who may call it, whether it
 * needs a current CANS 2.0 certification, what body it takes, and either
 * the SQL function that does its work (CALL rows: handlers/call.c checks
 * what the row declares and calls the function) or a handler of its own in
 * C. The dispatcher enforces each row before the handler runs;
 * tests/unit/test_route_table.c walks the table, and `cansd serve` refuses
 * to start when a row's function is missing or takes other arguments. Keep
 * rows grouped by resource.
 */
#include "routes.h"
#include "handlers.h"
#include "schemas.h"
#include "../core/roles.h"
#include "../core/vocabulary.h"

#define ADMIN ROLE_PROGRAM_ADMIN
#define SUPERVISOR ROLE_SUPERVISOR
#define WORKER ROLE_WORKER
#define OFFICE ROLE_CERTIFICATION_OFFICE
#define QA ROLE_QA_ANALYST

/* One macro a line reads better than the formatter's braces. */
/* clang-format off */
#define PUBLIC(m, p, h, kind)                                                                      \
	{.method = m, .path = p, .handler = h, .access = ACCESS_PUBLIC, .roles = ROLES_ANY,        \
	 .body = kind}
#define SIGNED(m, p, h, who, cert, kind)                                                           \
	{.method = m, .path = p, .handler = h, .access = ACCESS_SIGNED_IN, .roles = who,           \
	 .needs_certification = cert, .body = kind}

/*
 * A row that names its SQL function: api.fn(actor, request id, client
 * address, then the arguments listed, in that order) answers ok on success.
 * CALL takes no body; CALL_BODY takes a JSON body checked against schema.
 */
#define CALL_ROW(m, p, who, cert, kind, body_schema, body_flags, fn, ok, arguments)                \
	{.method = m, .path = p, .handler = call_route, .access = ACCESS_SIGNED_IN, .roles = who,  \
	 .needs_certification = cert, .body = kind,                                                \
	 .call = &(const struct route_call){.function = fn, .status = ok, .schema = body_schema,   \
					    .flags = body_flags, .args = arguments}}
#define CALL(m, p, who, cert, fn, ok, arguments)                                                   \
	CALL_ROW(m, p, who, cert, BODY_NONE, NULL, 0, fn, ok, arguments)
#define CALL_BODY(m, p, who, cert, schema, flags, fn, ok, arguments)                               \
	CALL_ROW(m, p, who, cert, BODY_JSON, schema, flags, fn, ok, arguments)

/* What a CALL row passes, after the three of the context (core/route.h). */
#define ARGS(...) ((const struct route_arg[]){__VA_ARGS__, {.kind = ARG_END}})
#define NO_ARGS ((const struct route_arg[]){{.kind = ARG_END}})
#define PATH(i) {.kind = ARG_PATH, .index = i}
#define JSON_BODY {.kind = ARG_BODY}
#define IF_MATCH {.kind = ARG_VERSION}
#define PAGE {.kind = ARG_LIMIT}, {.kind = ARG_CURSOR}
#define QUERY_ID(param) {.kind = ARG_ID, .name = param}
#define QUERY_ENUM(param, list) {.kind = ARG_ENUM, .name = param, .values = list}
#define QUERY_ENUM_OR(param, list, why)                                                            \
	{.kind = ARG_ENUM, .name = param, .values = list, .refusal = why}
#define QUERY_COUNT(param, max, absent, why)                                                       \
	{.kind = ARG_COUNT, .name = param, .index = max, .fallback = absent, .refusal = why}
/* clang-format on */

#define CERT true
#define NO_CERT false

/* Query filters that are computed, not stored: no column holds them. */
static const char *const case_flags[] = {"over_8_weeks", "response_over_24_hours", NULL};
static const char *const cans_due_filters[] = {"due", "overdue", "pending_approval",
					       "met", "all",     NULL};
static const char *const follow_up_filters[] = {"open", "closed", "all", NULL};
static const char *const true_false[] = {"true", "false", NULL};

const struct route routes[] = {
	/* operations, outside /api/v1 */
	PUBLIC("GET", "/healthz", health_live, BODY_NONE),
	PUBLIC("GET", "/readyz", health_ready, BODY_NONE),
	PUBLIC("GET", "/metrics", metrics_get, BODY_NONE),

	/* authentication */
	PUBLIC("POST", "/api/v1/auth/login", auth_login, BODY_JSON),
	PUBLIC("POST", "/api/v1/auth/refresh", auth_refresh, BODY_JSON),
	SIGNED("POST", "/api/v1/auth/logout", auth_logout, ROLES_ANY, NO_CERT, BODY_JSON),
	PUBLIC("GET", "/api/v1/.well-known/jwks.json", auth_jwks, BODY_NONE),
	SIGNED("GET", "/api/v1/me", me_get, ROLES_ANY, NO_CERT, BODY_NONE),

	/* users and accounts */
	/* A role no user can hold (certified_cans_user is computed) would only ever match no one.
	 */
	CALL("GET", "/api/v1/users", ADMIN | SUPERVISOR | OFFICE, NO_CERT, "users_list", 200,
	     ARGS(PAGE,
		  QUERY_ENUM_OR("role", role_granted_names, "role is not a role a user can hold."),
		  QUERY_ENUM_OR("active", true_false, "active must be true or false."))),
	SIGNED("POST", "/api/v1/users", users_create, ADMIN, NO_CERT, BODY_JSON),
	CALL("GET", "/api/v1/users/{id}", ADMIN | SUPERVISOR | OFFICE, NO_CERT, "users_get", 200,
	     ARGS(PATH(0))),
	SIGNED("PATCH", "/api/v1/users/{id}", users_update, ADMIN, NO_CERT, BODY_JSON),

	/* training records, certification and account requests */
	/* the catalogue is data (cansd.trainings): a new training code needs a migration */
	CALL("GET", "/api/v1/trainings", ROLES_ANY, NO_CERT, "trainings_list", 200, ARGS(PAGE)),
	/* anyone may ask: the user themself is allowed whatever their role, and
	   row-level security answers 404 for users out of the caller's scope */
	CALL("GET", "/api/v1/users/{id}/training-records", ROLES_ANY, NO_CERT,
	     "training_records_list", 200, ARGS(PATH(0), PAGE)),
	CALL_BODY("POST", "/api/v1/users/{id}/training-records", OFFICE, NO_CERT,
		  training_record_create_body, 0, "training_records_create", 201,
		  ARGS(PATH(0), JSON_BODY)),
	SIGNED("POST", "/api/v1/training-records/import", training_records_import, OFFICE, NO_CERT,
	       BODY_CSV),
	CALL("GET", "/api/v1/training-records/{id}", ROLES_ANY, NO_CERT, "training_records_get",
	     200, ARGS(PATH(0))),
	SIGNED("PATCH", "/api/v1/training-records/{id}", training_records_update, OFFICE, NO_CERT,
	       BODY_JSON),
	/* who is current today but stops being current within N days (30: the reports') */
	CALL("GET", "/api/v1/certifications", OFFICE | ADMIN | SUPERVISOR, NO_CERT,
	     "certifications_lapsing", 200,
	     ARGS(QUERY_COUNT("lapsing_within_days", 366, "30",
			      "lapsing_within_days must be an integer from 0 to 366."),
		  PAGE)),
	CALL_BODY("POST", "/api/v1/account-requests", SUPERVISOR, NO_CERT,
		  account_request_create_body, 0, "account_requests_create", 201, ARGS(JSON_BODY)),
	CALL("GET", "/api/v1/account-requests", ADMIN | SUPERVISOR, NO_CERT,
	     "account_requests_list", 200,
	     ARGS(PAGE, QUERY_ENUM_OR("status", account_request_statuses,
				      "status must be pending, approved or rejected."))),
	CALL("GET", "/api/v1/account-requests/{id}", ADMIN | SUPERVISOR, NO_CERT,
	     "account_requests_get", 200, ARGS(PATH(0))),
	CALL_BODY("POST", "/api/v1/account-requests/{id}/approve", ADMIN, NO_CERT,
		  account_request_approve_body, CALL_BODY_OPTIONAL, "account_requests_approve", 201,
		  ARGS(PATH(0))),
	CALL_BODY("POST", "/api/v1/account-requests/{id}/reject", ADMIN, NO_CERT,
		  account_request_reject_body, 0, "account_requests_reject", 200,
		  ARGS(PATH(0), JSON_BODY)),

	/* cases and members: case data, so no certification; row-level security
	   narrows every row to the caller's cases (404 otherwise) */
	CALL_BODY("POST", "/api/v1/cases", SUPERVISOR | ADMIN, NO_CERT, case_create_body, 0,
		  "cases_create", 201, ARGS(JSON_BODY)),
	CALL("GET", "/api/v1/cases", WORKER | SUPERVISOR | QA | ADMIN, NO_CERT, "cases_list", 200,
	     ARGS(PAGE, QUERY_ENUM("status", case_statuses), QUERY_ENUM("program", program_names),
		  QUERY_ID("worker_id"), QUERY_ENUM("flag", case_flags))),
	CALL("GET", "/api/v1/cases/{id}", WORKER | SUPERVISOR | QA | ADMIN, NO_CERT, "cases_get",
	     200, ARGS(PATH(0))),
	CALL_BODY("PATCH", "/api/v1/cases/{id}", SUPERVISOR | ADMIN, NO_CERT, case_update_body,
		  CALL_BODY_NONEMPTY, "cases_update", 200, ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	CALL_BODY("POST", "/api/v1/cases/{id}/extension-request", WORKER | SUPERVISOR, NO_CERT,
		  case_extension_body, CALL_BODY_NONEMPTY, "cases_extension_request", 200,
		  ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	CALL_BODY("POST", "/api/v1/cases/{id}/close", WORKER | SUPERVISOR, NO_CERT, case_close_body,
		  CALL_BODY_NONEMPTY, "cases_close", 200, ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	CALL_BODY("POST", "/api/v1/cases/{id}/members", WORKER | SUPERVISOR, NO_CERT,
		  member_create_body, 0, "members_create", 201, ARGS(PATH(0), JSON_BODY)),
	CALL_BODY("PATCH", "/api/v1/cases/{id}/members/{member_id}", WORKER | SUPERVISOR, NO_CERT,
		  member_update_body, CALL_BODY_NONEMPTY, "members_update", 200,
		  ARGS(PATH(0), PATH(1), JSON_BODY)),
	CALL("DELETE", "/api/v1/cases/{id}/members/{member_id}", WORKER | SUPERVISOR, NO_CERT,
	     "members_delete", 204, ARGS(PATH(0), PATH(1))),
	/* the CANS each child owes, when, and whether it is met; the cursor is an offset */
	CALL("GET", "/api/v1/cans-due", WORKER | SUPERVISOR | QA | ADMIN, NO_CERT, "cans_due_list",
	     200, ARGS(PAGE, QUERY_ENUM("status", cans_due_filters), QUERY_ID("case_id"))),
	CALL_BODY("POST", "/api/v1/cases/{id}/services", WORKER | SUPERVISOR, NO_CERT,
		  service_create_body, 0, "services_create", 201, ARGS(PATH(0), JSON_BODY)),
	/* reading the log is reading the case: QA and program admins too */
	CALL("GET", "/api/v1/cases/{id}/services", WORKER | SUPERVISOR | QA | ADMIN, NO_CERT,
	     "services_list", 200, ARGS(PATH(0), PAGE)),

	/* the CANS workflow: every route but the form itself needs a current
	   certification, supervisors' too; row-level security scopes the CANS
	   like their cases (404 otherwise); QA analysts read and never change */
	/* the item catalogue, loaded at start; its ETag is a hash of the content */
	CALL("GET", "/api/v1/instruments/cans-2.0", ROLES_ANY, NO_CERT, "instruments_get", 200,
	     NO_ARGS),
	CALL_BODY("POST", "/api/v1/cases/{id}/assessments", WORKER, CERT, assessment_create_body, 0,
		  "assessments_create", 201, ARGS(PATH(0), JSON_BODY)),
	CALL("GET", "/api/v1/assessments", WORKER | SUPERVISOR | QA | ADMIN, CERT,
	     "assessments_list", 200,
	     ARGS(PAGE, QUERY_ENUM("status", assessment_statuses), QUERY_ID("case_id"))),
	/* the body PostgreSQL built, passed through as it is */
	CALL("GET", "/api/v1/assessments/{id}", WORKER | SUPERVISOR | QA | ADMIN, CERT,
	     "assessments_get", 200, ARGS(PATH(0))),
	SIGNED("PUT", "/api/v1/assessments/{id}/ratings", assessments_put_ratings, WORKER, CERT,
	       BODY_JSON),
	CALL("GET", "/api/v1/assessments/{id}/completeness", WORKER | SUPERVISOR | QA | ADMIN, CERT,
	     "assessments_completeness", 200, ARGS(PATH(0))),
	CALL_BODY("POST", "/api/v1/assessments/{id}/submit", WORKER, CERT, assessment_submit_body,
		  CALL_BODY_OPTIONAL, "assessments_submit", 200,
		  ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	/* a supervisor's queue, oldest first */
	CALL("GET", "/api/v1/approvals", SUPERVISOR, CERT, "approvals_list", 200, ARGS(PAGE)),
	CALL_BODY("POST", "/api/v1/assessments/{id}/approve", SUPERVISOR, CERT,
		  assessment_approve_body, CALL_BODY_OPTIONAL, "assessments_approve", 200,
		  ARGS(PATH(0), IF_MATCH)),
	CALL_BODY("POST", "/api/v1/assessments/{id}/return", SUPERVISOR, CERT,
		  assessment_return_body, 0, "assessments_return", 200,
		  ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	/* the author (a worker) or the supervisor it is routed to */
	CALL_BODY("POST", "/api/v1/assessments/{id}/reroute", WORKER | SUPERVISOR, CERT,
		  assessment_reroute_body, 0, "assessments_reroute", 200,
		  ARGS(PATH(0), JSON_BODY, IF_MATCH)),
	CALL("GET", "/api/v1/assessments/{id}/history", WORKER | SUPERVISOR | QA | ADMIN, CERT,
	     "assessments_history", 200, ARGS(PATH(0), PAGE)),
	/* the automatic findings stored at submit (the rules are data: cansd.qc_rules) */
	CALL("GET", "/api/v1/qc/flags", QA | ADMIN | SUPERVISOR, CERT, "qc_flags_list", 200,
	     ARGS(PAGE, QUERY_ID("assessment_id"))),

	/* quality control and reports. Reviewing a CANS and asking its
	   clinician to follow up judge its ratings, so they need a current
	   certification like every CANS route; listing and closing follow-ups do
	   not: a clinician whose certification lapsed must still see and close
	   what QA asked of them. Reports hold numbers only, no CANS content. */
	CALL_BODY("POST", "/api/v1/assessments/{id}/qc-reviews", QA, CERT, qc_review_create_body, 0,
		  "qc_reviews_create", 201, ARGS(PATH(0), JSON_BODY)),
	CALL_BODY("POST", "/api/v1/qc/follow-ups", QA, CERT, qc_follow_up_create_body, 0,
		  "qc_follow_ups_create", 201, ARGS(JSON_BODY)),
	/* the assignee (any role) or a QA analyst; row-level security decides */
	CALL("GET", "/api/v1/qc/follow-ups", ROLES_ANY, NO_CERT, "qc_follow_ups_list", 200,
	     ARGS(PAGE, QUERY_ENUM("status", follow_up_filters), QUERY_ID("assessment_id"),
		  QUERY_ID("assigned_to"))),
	CALL("POST", "/api/v1/qc/follow-ups/{id}/close", ROLES_ANY, NO_CERT, "qc_follow_ups_close",
	     200, ARGS(PATH(0))),
	SIGNED("GET", "/api/v1/reports/monthly", reports_monthly, QA | ADMIN | SUPERVISOR, NO_CERT,
	       BODY_NONE),
	SIGNED("GET", "/api/v1/reports/quarterly", reports_quarterly, QA | ADMIN | SUPERVISOR,
	       NO_CERT, BODY_NONE),

	/* the audit trail */
	SIGNED("GET", "/api/v1/audit", audit_list, ADMIN, NO_CERT, BODY_NONE),
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
