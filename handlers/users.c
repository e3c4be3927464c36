/*
 * POST and PATCH /users: program admins create and change accounts; the
 * password in the body is hashed here and only its hash reaches SQL. The
 * reads are route rows; supervisors see their team and the certification
 * office everyone (row-level security decides which rows, so an id out of
 * scope is a 404 like one that does not exist).
 */
#include <stdlib.h>
#include <string.h>

#include "../auth/password.h"
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/log.h"
#include "../core/problem.h"
#include "../core/roles.h"
#include "common.h"
#include "handlers.h"

static const struct json_field create_fields[] = {
	{"username", JF_STRING, JF_REQUIRED, 2, 63, NULL},
	{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"email", JF_STRING, JF_REQUIRED, 3, 254, NULL},
	{"roles", JF_STRING_ARRAY, JF_REQUIRED, 1, 5, role_granted_names},
	{"supervisor_id", JF_ID, JF_NULLABLE, 0, 0, NULL},
	{"program", JF_STRING, JF_NULLABLE, 0, 0, program_names},
	{"password", JF_STRING, JF_REQUIRED, 12, 1024, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field update_fields[] = {
	{"full_name", JF_STRING, 0, 1, 200, NULL},
	{"email", JF_STRING, 0, 3, 254, NULL},
	{"roles", JF_STRING_ARRAY, 0, 0, 5, role_granted_names},
	{"supervisor_id", JF_ID, JF_NULLABLE, 0, 0, NULL},
	{"program", JF_STRING, JF_NULLABLE, 0, 0, program_names},
	{"active", JF_BOOLEAN, 0, 0, 0, NULL},
	{"password", JF_STRING, 0, 12, 1024, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/*
 * Sets *hash to the stored form of the body's password (NULL when it sets
 * none) and removes the password from body. A hashing failure (OpenSSL out
 * of memory) is a 500 for this request only: the worker lives on.
 */
static int take_password(struct request *req, json_t *body, const char **hash)
{
	const char *password = json_string_value(json_object_get(body, "password"));
	char *out;

	*hash = NULL;
	if (!password)
		return 0;
	out = arena_alloc(req->arena, PASSWORD_HASH_MAX);
	if (password_hash(password, PASSWORD_ITERATIONS, out, PASSWORD_HASH_MAX)) {
		log_msg("error", req->request_id, "password hashing failed");
		return problem(req, 500, PROBLEM_INTERNAL, "The password could not be stored.");
	}
	json_object_del(body, "password");
	*hash = out;
	return 0;
}

int users_create(struct request *req)
{
	const char *params[2];
	json_t *body;
	int status;

	if ((status = json_body(req, create_fields, &body)))
		return status;
	if ((status = take_password(req, body, &params[1])))
		return status;
	params[0] = json_text(req, body);
	return db_respond(req, db_call_as(req, "users_create", 2, params), 201);
}

int users_update(struct request *req)
{
	const char *params[4];
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
	if ((status = if_match_version(req, &params[2])))
		return status;
	params[0] = req->path_params[0];
	if ((status = take_password(req, body, &params[3])))
		return status;
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "users_update", 4, params), 200);
}
