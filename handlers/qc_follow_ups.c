/*
 * /qc/follow-ups: a QA analyst asks a CANS's clinician to follow up, and the
 * clinician (or QA) closes it when done. Every step writes its audit event
 * in the same transaction (sql/functions/qc_reviews.sql); who sees which
 * follow-up is row-level security's decision: QA analysts all, anyone else
 * those assigned to them, and a follow-up out of reach answers 404.
 */
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

static const struct json_field follow_up_fields[] = {
	{"assessment_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"assigned_to", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"notes", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int qc_follow_ups_create(struct request *req)
{
	const char *params[1];
	json_t *body;
	int status;

	if ((status = json_body(req, follow_up_fields, &body)))
		return status;
	params[0] = json_text(req, body);
	return db_respond(req, db_call_as(req, "qc_follow_ups_create", 1, params), 201);
}

int qc_follow_ups_close(struct request *req)
{
	return db_respond(req, db_call_as(req, "qc_follow_ups_close", 1, req->path_params), 200);
}

int qc_follow_ups_list(struct request *req)
{
	static const char *const allowed[] = {"limit",         "cursor",      "status",
					      "assessment_id", "assigned_to", NULL};
	static const char *const statuses[] = {"open", "closed", "all", NULL};
	const char *params[5];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	params[2] = query_enum(req, "status", statuses, &status);
	if (!status)
		params[3] = query_id(req, "assessment_id", &status);
	if (!status)
		params[4] = query_id(req, "assigned_to", &status);
	if (status)
		return status;
	return db_respond(req, db_call_as(req, "qc_follow_ups_list", 5, params), 200);
}
