/*
 * The bodies /cases takes: open, reassign, request an extension for and
 * close a case. Who sees which case is row-level security's decision (a
 * worker their own, a supervisor their team's, QA and program admins all),
 * so a case out of scope answers 404 like one that does not exist; the
 * rules (caseload cap, transitions, dates) live in sql/functions/cases.sql.
 */
#include "../core/roles.h"
#include "schemas.h"

/* Times are RFC 3339 strings; their form and range are checked in SQL. */
const struct json_field case_create_body[] = {
	{"sacwis_case_id", JF_STRING, JF_REQUIRED, 1, 32, NULL},
	{"program", JF_STRING, JF_REQUIRED, 0, 0, program_names},
	{"opened_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"worker_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"referral_received_at", JF_STRING, 0, 20, 40, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field case_update_body[] = {
	{"worker_id", JF_ID, 0, 0, 0, NULL},
	{"first_contact_at", JF_STRING, 0, 20, 40, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field case_extension_body[] = {
	{"requested_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 1, 2000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field case_close_body[] = {
	{"closed_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
