/*
 * The approval chain: the author submits a complete CANS to a supervisor
 * (their own, or one they name); the supervisor it is routed to approves it
 * or returns it with a comment; the author or that supervisor reroutes it to
 * another. GET /approvals is a supervisor's queue, oldest first. The state
 * checks, the lock that lets one of concurrent approvals win, QC on submit
 * and the history events are in sql/functions/assessments.sql.
 */
#include <stdbool.h>

#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

static const struct json_field submit_fields[] = {
	{"supervisor_id", JF_ID, JF_NULLABLE, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field approve_fields[] = {
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field return_fields[] = {
	{"comment", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field reroute_fields[] = {
	{"supervisor_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static bool any_required(const struct json_field *field)
{
	for (; field->name; field++)
		if (field->flags & JF_REQUIRED)
			return true;
	return false;
}

/*
 * id, body, If-Match version of an action. The body may be absent where
 * every field is optional (submit, approve): no body reads as {}.
 */
static int action_params(struct request *req, const struct json_field *fields,
			 const char *params[3])
{
	json_t *body = NULL;
	int status;

	if (req->body_len == 0 && !any_required(fields))
		params[1] = "{}";
	else if ((status = json_body(req, fields, &body)))
		return status;
	else
		params[1] = json_text(req, body);
	if ((status = if_match_version(req, &params[2])))
		return status;
	params[0] = req->path_params[0];
	return 0;
}

int assessments_submit(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = action_params(req, submit_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "assessments_submit", 3, params), 200);
}

int assessments_approve(struct request *req)
{
	const char *params[3];
	const char *call[2];
	int status;

	if ((status = action_params(req, approve_fields, params)))
		return status;
	call[0] = params[0];
	call[1] = params[2];
	return db_respond(req, db_call_as(req, "assessments_approve", 2, call), 200);
}

int assessments_return(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = action_params(req, return_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "assessments_return", 3, params), 200);
}

int assessments_reroute(struct request *req)
{
	const char *params[3];
	int status;

	if ((status = action_params(req, reroute_fields, params)))
		return status;
	return db_respond(req, db_call_as(req, "assessments_reroute", 3, params), 200);
}

int approvals_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	const char *params[2];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	return db_respond(req, db_call_as(req, "approvals_list", 2, params), 200);
}
