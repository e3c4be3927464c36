/*
 * The body of POST /assessments/{id}/qc-reviews: a QA analyst reviews any
 * CANS (pass or needs_follow_up, with notes). The review writes its audit
 * event in the same transaction (sql/functions/qc_reviews.sql); follow-ups
 * asked of the clinician are qc_follow_ups.c's.
 */
#include "../core/vocabulary.h"
#include "schemas.h"

const struct json_field qc_review_create_body[] = {
	{"outcome", JF_STRING, JF_REQUIRED, 0, 0, qc_review_outcomes},
	{"notes", JF_STRING, JF_REQUIRED, 0, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
