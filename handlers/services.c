/*
 * The body of POST /cases/{id}/services: one entry of a case's service log
 * (service types are data, cansd.service_types). The list beside it adds
 * the intervention hours per week against the program's weekly target
 * (program_rules).
 */
#include "schemas.h"

const struct json_field service_create_body[] = {
	{"service_type", JF_STRING, JF_REQUIRED, 1, 40, NULL},
	{"service_date", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"hours", JF_NUMBER, JF_REQUIRED, 0.01, 24, NULL},
	{"notes", JF_STRING, JF_NULLABLE, 0, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
