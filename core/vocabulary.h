/*
 * The statuses, reasons and kinds the API names, each list once in C
 * (NULL-ended: a JSON schema's or a query parameter's allowed values).
 * SQL has each once too, as the CHECK constraint of the column that holds
 * it; tests/statements/check.sh fails when a list and its column differ.
 * Roles and programs are core/roles.h's.
 */
#ifndef CANSD_VOCABULARY_H
#define CANSD_VOCABULARY_H

/* cansd.cases.status */
extern const char *const case_statuses[];
/* cansd.members.kind */
extern const char *const member_kinds[];
/* cansd.assessments.status */
extern const char *const assessment_statuses[];
/* cansd.assessments.reason: why a CANS is owed */
extern const char *const assessment_reasons[];
/* cansd.account_requests.status */
extern const char *const account_request_statuses[];
/* cansd.qc_reviews.outcome */
extern const char *const qc_review_outcomes[];
/* cansd.qc_follow_ups.status */
extern const char *const qc_follow_up_statuses[];

#endif
