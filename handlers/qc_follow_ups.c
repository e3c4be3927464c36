/*
 * The body of POST /qc/follow-ups: a QA analyst asks a CANS's clinician to
 * follow up, and the clinician (or QA) closes it when done. Every step
 * writes its audit event in the same transaction
 * (sql/functions/qc_reviews.sql); who sees which follow-up is row-level
 * security's decision: QA analysts all, anyone else those assigned to them,
 * and a follow-up out of reach answers 404.
 */
#include "schemas.h"

const struct json_field qc_follow_up_create_body[] = {
	{"assessment_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"assigned_to", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"notes", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
