/*
 * Account requests: a supervisor asks for an account for a new worker on
 * their team; a program admin approves it (which creates the user: role
 * worker, that supervisor, no password, so it cannot log in until an admin
 * sets one with PATCH /users/{id}) or rejects it with a reason. Supervisors
 * see their own requests, program admins all (row-level security).
 */
#include <string.h>

#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "../core/roles.h"
#include "common.h"
#include "handlers.h"

static const struct json_field create_fields[] = {
	{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"email", JF_STRING, JF_REQUIRED, 3, 254, NULL},
	{"program", JF_STRING, JF_REQUIRED, 0, 0, program_names},
	{"username", JF_STRING, JF_REQUIRED, 2, 63, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field reject_fields[] = {
	{"reason", JF_STRING, JF_REQUIRED, 1, 1000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/* Approval takes no fields; an empty object or no body at all. */
static const struct json_field approve_fields[] = {
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int account_requests_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", "status", NULL};
	const char *params[3];
	const char *status_filter;
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	status_filter = request_query_param(req, "status");
	if (status_filter && strcmp(status_filter, "pending") &&
	    strcmp(status_filter, "approved") && strcmp(status_filter, "rejected"))
		return problem(req, 400, PROBLEM_MALFORMED,
			       "status must be pending, approved or rejected.");
	params[2] = status_filter;
	return db_respond(req, db_call_as(req, "account_requests_list", 3, params), 200);
}

int account_requests_get(struct request *req)
{
	return db_respond(req, db_call_as(req, "account_requests_get", 1, req->path_params), 200);
}

int account_requests_create(struct request *req)
{
	const char *params[1];
	json_t *body;
	int status;

	if ((status = json_body(req, create_fields, &body)))
		return status;
	params[0] = json_text(req, body);
	return db_respond(req, db_call_as(req, "account_requests_create", 1, params), 201);
}

int account_requests_approve(struct request *req)
{
	json_t *body;
	int status;

	if (req->body_len > 0 && (status = json_body(req, approve_fields, &body)))
		return status;
	return db_respond(req, db_call_as(req, "account_requests_approve", 1, req->path_params),
			  201);
}

int account_requests_reject(struct request *req)
{
	const char *params[2];
	json_t *body;
	int status;

	if ((status = json_body(req, reject_fields, &body)))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "account_requests_reject", 2, params), 200);
}
