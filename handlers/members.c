/*
 * /cases/{id}/members: the children, caregivers and collaterals of a case,
 * for its worker and their supervisor. Relationships are data
 * (cansd.member_relationships), checked in SQL with the kind they belong
 * to; an adult is linked to the children named in child_ids, or to every
 * child of the case when it names none.
 */
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

static const char *const kinds[] = {"child", "caregiver", "collateral", NULL};

static const struct json_field create_fields[] = {
	{"kind", JF_STRING, JF_REQUIRED, 0, 0, kinds},
	{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"birth_date", JF_DATE, JF_NULLABLE | JF_NOT_FUTURE, 0, 0, NULL},
	{"relationship", JF_STRING, 0, 1, 40, NULL},
	{"child_ids", JF_ID_ARRAY, 0, 0, 100, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field update_fields[] = {
	{"full_name", JF_STRING, 0, 1, 200, NULL},
	{"birth_date", JF_DATE, JF_NULLABLE | JF_NOT_FUTURE, 0, 0, NULL},
	{"relationship", JF_STRING, 0, 1, 40, NULL},
	{"child_ids", JF_ID_ARRAY, 0, 0, 100, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int members_create(struct request *req)
{
	const char *params[2];
	json_t *body;
	int status;

	if ((status = json_body(req, create_fields, &body)))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "members_create", 2, params), 201);
}

int members_update(struct request *req)
{
	const char *params[3];
	json_t *body;
	int status;

	if ((status = json_body(req, update_fields, &body)))
		return status;
	if (json_object_size(body) == 0) {
		static const struct field_error nothing = {"", "empty",
							   "name at least one field to change"};

		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The body names nothing to change.", &nothing, 1);
	}
	params[0] = req->path_params[0];
	params[1] = req->path_params[1];
	params[2] = json_text(req, body);
	return db_respond(req, db_call_as(req, "members_update", 3, params), 200);
}

int members_delete(struct request *req)
{
	if (!db_call_as(req, "members_delete", 2, req->path_params))
		return req->response.status;
	return response_empty(req, 204);
}
