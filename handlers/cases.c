/*
 * /cases: open, read, reassign, request an extension for and close a case.
 * Who sees which case is row-level security's decision (a worker their own,
 * a supervisor their team's, QA and program admins all), so a case out of
 * scope answers 404 like one that does not exist; the rules (caseload cap,
 * transitions, dates) live in sql/functions/cases.sql.
 */
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "../core/roles.h"
#include "common.h"
#include "handlers.h"

static const char *const statuses[] = {"open", "extension_requested", "closed", NULL};
static const char *const flags[] = {"over_8_weeks", "response_over_24_hours", NULL};

/* Times are RFC 3339 strings; their form and range are checked in SQL. */
static const struct json_field create_fields[] = {
	{"sacwis_case_id", JF_STRING, JF_REQUIRED, 1, 32, NULL},
	{"program", JF_STRING, JF_REQUIRED, 0, 0, program_names},
	{"opened_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"worker_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"referral_received_at", JF_STRING, 0, 20, 40, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field update_fields[] = {
	{"worker_id", JF_ID, 0, 0, 0, NULL},
	{"first_contact_at", JF_STRING, 0, 20, 40, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field extension_fields[] = {
	{"requested_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 1, 2000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field close_fields[] = {
	{"closed_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int cases_list(struct request *req)
{
	static const char *const allowed[] = {"limit",     "cursor", "status", "program",
					      "worker_id", "flag",   NULL};
	const char *params[6];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	params[2] = query_enum(req, "status", statuses, &status);
	if (!status)
		params[3] = query_enum(req, "program", program_names, &status);
	if (!status)
		params[4] = query_id(req, "worker_id", &status);
	if (!status)
		params[5] = query_enum(req, "flag", flags, &status);
	if (status)
		return status;
	return db_respond(req, db_call_as(req, "cases_list", 6, params), 200);
}

int cases_get(struct request *req)
{
	return db_respond(req, db_call_as(req, "cases_get", 1, req->path_params), 200);
}

int cases_create(struct request *req)
{
	const char *params[1];
	json_t *body;
	int status;

	if ((status = json_body(req, create_fields, &body)))
		return status;
	params[0] = json_text(req, body);
	return db_respond(req, db_call_as(req, "cases_create", 1, params), 201);
}

/*
 * The parameters of the writes that take a body and an optional If-Match
 * (PATCH and the actions): case id, body, version. Returns 0 or the status
 * of the problem written.
 */
static int case_change_params(struct request *req, const struct json_field *fields,
			      const char *params[3])
{
	json_t *body;
	int status;

	if ((status = json_body(req, fields, &body)))
		return status;
	if (json_object_size(body) == 0) {
		static const struct field_error nothing = {"", "empty",
							   "name at least one field to change"};

		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The body names nothing to change.", &nothing, 1);
	}
	if ((status = if_match_version(req, &params[2])))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return 0;
}

int cases_update(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = case_change_params(req, update_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "cases_update", 3, params), 200);
}

int cases_extension_request(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = case_change_params(req, extension_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "cases_extension_request", 3, params), 200);
}

int cases_close(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = case_change_params(req, close_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "cases_close", 3, params), 200);
}
