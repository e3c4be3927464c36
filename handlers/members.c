/*
 * The bodies /cases/{id}/members takes: the children, caregivers and
 * collaterals of a case. Relationships are data
 * (cansd.member_relationships), checked in SQL with the kind they belong
 * to; an adult is linked to the children named in child_ids, or to every
 * child of the case when it names none.
 */
#include "../core/vocabulary.h"
#include "schemas.h"

const struct json_field member_create_body[] = {
	{"kind", JF_STRING, JF_REQUIRED, 0, 0, member_kinds},
	{"full_name", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"birth_date", JF_DATE, JF_NULLABLE | JF_NOT_FUTURE, 0, 0, NULL},
	{"relationship", JF_STRING, 0, 1, 40, NULL},
	{"child_ids", JF_ID_ARRAY, 0, 0, 100, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field member_update_body[] = {
	{"full_name", JF_STRING, 0, 1, 200, NULL},
	{"birth_date", JF_DATE, JF_NULLABLE | JF_NOT_FUTURE, 0, 0, NULL},
	{"relationship", JF_STRING, 0, 1, 40, NULL},
	{"child_ids", JF_ID_ARRAY, 0, 0, 100, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
