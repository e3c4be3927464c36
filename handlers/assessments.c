/*
 * The CANS itself: the body that starts one, and PUT
 * /assessments/{id}/ratings, whose shape no static schema can state. Every
 * route needs a current CANS certification (routes.c); which CANS a caller
 * sees is row-level security's decision (as for cases: out of scope is
 * 404), and the rules (who may change what, in which status, which items
 * apply at the child's age, module triggers) live in
 * sql/functions/assessments.sql.
 */
#include "../core/db.h"
#include "../core/id.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "../core/vocabulary.h"
#include "common.h"
#include "handlers.h"
#include "schemas.h"

const struct json_field assessment_create_body[] = {
	{"child_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 0, 0, assessment_reasons},
	{"assessment_date", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/*
 * The PUT body's shape: item codes are data, so no static schema can name
 * them. The schema checks {"child": {...}, "caregivers": {...}}, this the
 * caregivers' keys and sections; SQL checks every value and item against
 * this CANS and names every bad one at once.
 */
static size_t ratings_shape(struct request *req, json_t *body, struct field_error *errors)
{
	const char *member;
	json_t *section;
	size_t n = 0;

	json_object_foreach (json_object_get(body, "caregivers"), member, section) {
		if (n >= JSON_SCHEMA_MAX_ERRORS)
			break;
		if (!id_valid(member))
			errors[n++] = (struct field_error){
				arena_printf(req->arena, "caregivers.%s", member), "invalid",
				"must be the member id of a caregiver section"};
		else if (!json_is_object(section))
			errors[n++] = (struct field_error){
				arena_printf(req->arena, "caregivers.%s", member), "type",
				"must be an object of item codes"};
	}
	return n;
}

int assessments_put_ratings(struct request *req)
{
	static const struct json_field any_fields[] = {
		{"child", JF_OBJECT, 0, 0, 0, NULL},
		{"caregivers", JF_OBJECT, 0, 0, 0, NULL},
		{NULL, JF_STRING, 0, 0, 0, NULL},
	};
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	const char *params[3];
	json_t *body;
	size_t n;
	int status;

	if ((status = json_body(req, any_fields, &body)))
		return status;
	if ((n = ratings_shape(req, body, errors)))
		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The ratings body has the wrong shape.", errors, n);
	if ((status = if_match_version(req, &params[2])))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "assessments_put_ratings", 3, params), 200);
}
