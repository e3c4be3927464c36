/* Every handler, named after its route; the table in routes.c wires them. */
#ifndef CANSD_HANDLERS_H
#define CANSD_HANDLERS_H

#include "../core/request.h"

/* operations (health.c, metrics.c) */
int health_live(struct request *req);
int health_ready(struct request *req);
int metrics_get(struct request *req);

/* authentication (auth.c) */
int auth_login(struct request *req);
int auth_refresh(struct request *req);
int auth_logout(struct request *req);
int auth_jwks(struct request *req);

/* the caller (me.c) */
int me_get(struct request *req);

/* users (users.c) */
int users_list(struct request *req);
int users_get(struct request *req);
int users_create(struct request *req);
int users_update(struct request *req);

/* training records and certification (trainings.c, training_records.c, certifications.c) */
int trainings_list(struct request *req);
int training_records_list(struct request *req);
int training_records_get(struct request *req);
int training_records_create(struct request *req);
int training_records_update(struct request *req);
int training_records_import(struct request *req);
int certifications_list(struct request *req);

/* account requests (account_requests.c) */
int account_requests_list(struct request *req);
int account_requests_get(struct request *req);
int account_requests_create(struct request *req);
int account_requests_approve(struct request *req);
int account_requests_reject(struct request *req);

/* cases, members, services and due CANS (cases.c, members.c, services.c, cans_due.c) */
int cases_list(struct request *req);
int cases_get(struct request *req);
int cases_create(struct request *req);
int cases_update(struct request *req);
int cases_extension_request(struct request *req);
int cases_close(struct request *req);
int members_create(struct request *req);
int members_update(struct request *req);
int members_delete(struct request *req);
int services_create(struct request *req);
int services_list(struct request *req);
int cans_due_list(struct request *req);

/* quality control reviews and follow-ups (qc_reviews.c, qc_follow_ups.c) */
int qc_reviews_create(struct request *req);
int qc_follow_ups_create(struct request *req);
int qc_follow_ups_close(struct request *req);
int qc_follow_ups_list(struct request *req);

/* reports (reports.c) */
int reports_monthly(struct request *req);
int reports_quarterly(struct request *req);
/* the CANS and its workflow (instruments.c, assessments.c, assessment_workflow.c, qc_flags.c) */
int instruments_get(struct request *req);
int assessments_create(struct request *req);
int assessments_list(struct request *req);
int assessments_get(struct request *req);
int assessments_put_ratings(struct request *req);
int assessments_completeness(struct request *req);
int assessments_history(struct request *req);
int assessments_submit(struct request *req);
int assessments_approve(struct request *req);
int assessments_return(struct request *req);
int assessments_reroute(struct request *req);
int approvals_list(struct request *req);
int qc_flags_list(struct request *req);

/* the audit trail (audit.c) */
int audit_list(struct request *req);

#endif
