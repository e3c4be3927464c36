/*
 * The request bodies of the rows that name their SQL function
 * (handlers/routes.c), each declared beside its resource: a schema is a
 * NULL-ended list of fields (core/json_schema.h).
 */
#ifndef CANSD_HANDLERS_SCHEMAS_H
#define CANSD_HANDLERS_SCHEMAS_H

#include "../core/json_schema.h"

/* training_records.c */
extern const struct json_field training_record_create_body[];

/* account_requests.c */
extern const struct json_field account_request_create_body[];
extern const struct json_field account_request_approve_body[];
extern const struct json_field account_request_reject_body[];

/* cases.c */
extern const struct json_field case_create_body[];
extern const struct json_field case_update_body[];
extern const struct json_field case_extension_body[];
extern const struct json_field case_close_body[];

/* members.c, services.c */
extern const struct json_field member_create_body[];
extern const struct json_field member_update_body[];
extern const struct json_field service_create_body[];

/* assessments.c, assessment_workflow.c */
extern const struct json_field assessment_create_body[];
extern const struct json_field assessment_submit_body[];
extern const struct json_field assessment_approve_body[];
extern const struct json_field assessment_return_body[];
extern const struct json_field assessment_reroute_body[];

/* qc_reviews.c, qc_follow_ups.c */
extern const struct json_field qc_review_create_body[];
extern const struct json_field qc_follow_up_create_body[];

#endif
