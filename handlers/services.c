/*
 * /cases/{id}/services: the service log of a case (service types are data,
 * cansd.service_types), and with its list the intervention hours per week
 * of the case against the program's weekly target (program_rules).
 */
#include "../core/db.h"
#include "../core/json_schema.h"
#include "common.h"
#include "handlers.h"

static const struct json_field create_fields[] = {
	{"service_type", JF_STRING, JF_REQUIRED, 1, 40, NULL},
	{"service_date", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"hours", JF_NUMBER, JF_REQUIRED, 0.01, 24, NULL},
	{"notes", JF_STRING, JF_NULLABLE, 0, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int services_create(struct request *req)
{
	const char *params[2];
	json_t *body;
	int status;

	if ((status = json_body(req, create_fields, &body)))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "services_create", 2, params), 201);
}

int services_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	const char *params[3];
	int status;

	if ((status = page_params(req, allowed, &params[1], &params[2])))
		return status;
	params[0] = req->path_params[0];
	return db_respond(req, db_call_as(req, "services_list", 3, params), 200);
}
