/*
 * POST /assessments/{id}/qc-reviews: a QA analyst reviews any CANS (pass or
 * needs_follow_up, with notes). The review writes its audit event in the
 * same transaction (sql/functions/qc_reviews.sql); follow-ups asked of the
 * clinician are qc_follow_ups.c's.
 */
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

static const char *const outcomes[] = {"pass", "needs_follow_up", NULL};

static const struct json_field review_fields[] = {
	{"outcome", JF_STRING, JF_REQUIRED, 0, 0, outcomes},
	{"notes", JF_STRING, JF_REQUIRED, 0, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int qc_reviews_create(struct request *req)
{
	const char *params[2];
	json_t *body;
	int status;

	if ((status = json_body(req, review_fields, &body)))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "qc_reviews_create", 2, params), 201);
}
