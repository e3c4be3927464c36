/*
 * The handlers with work of their own in C, named after their route, and
 * call_route, which runs every row that names its SQL function. The table
 * in routes.c wires them.
 */
#ifndef CANSD_HANDLERS_H
#define CANSD_HANDLERS_H

#include "../core/request.h"

/* every row with a route_call (call.c) */
int call_route(struct request *req);

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

/* users: the password is hashed here (users.c) */
int users_create(struct request *req);
int users_update(struct request *req);

/* training records: a correction's rule and the CSV import (training_records.c) */
int training_records_update(struct request *req);
int training_records_import(struct request *req);

/* the ratings of a CANS, whose item codes are data (assessments.c) */
int assessments_put_ratings(struct request *req);

/* reports, JSON or CSV (reports.c) */
int reports_monthly(struct request *req);
int reports_quarterly(struct request *req);

/* the audit trail (audit.c) */
int audit_list(struct request *req);

#endif
