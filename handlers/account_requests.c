/*
 * The bodies of account requests: a supervisor asks for an account for a
 * new worker on their team; a program admin approves it (which creates the
 * user: role worker, that supervisor, no password, so it cannot log in until
 * an admin sets one with PATCH /users/{id}) or rejects it with a reason.
 * Supervisors see their own requests, program admins all (row-level
 * security).
 */
#include "../core/roles.h"
#include "schemas.h"

const struct json_field account_request_create_body[] = {
	{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"email", JF_STRING, JF_REQUIRED, 3, 254, NULL},
	{"program", JF_STRING, JF_REQUIRED, 0, 0, program_names},
	{"username", JF_STRING, JF_REQUIRED, 2, 63, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/* Approval takes no fields; an empty object or no body at all. */
const struct json_field account_request_approve_body[] = {
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field account_request_reject_body[] = {
	{"reason", JF_STRING, JF_REQUIRED, 1, 1000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
