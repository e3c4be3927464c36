/*
 * What the certification integration tests share (test_training_records.c,
 * test_certification_status.c, test_training_import.c, test_lapsing.c,
 * test_account_requests.c): people created through the API, the
 * certification office that records training, and the calls that record
 * and read training and /me. Days are tests/support/calendar.h's.
 */
#ifndef CANSD_TEST_CERT_FIXTURE_H
#define CANSD_TEST_CERT_FIXTURE_H

#include <jansson.h>

#include "admin_fixture.h"
#include "calendar.h"
#include "http.h"
#include "response_check.h"

#define PASSWORD "correct horse battery"
#define API "/api/v1"
#define WORKER_ROLES "[\"worker\"]"
#define SUPERVISOR_ROLES "[\"supervisor\"]"

extern const char *const csv_type[];

struct person {
	char *name;
	char *id;
	char *token;
};

/* A certification_office user, logged in for the whole binary. */
extern struct person office;

/*
 * The group setup: TZ set to the programs' zone, admin_token (admin_fixture)
 * and office. cert_teardown frees them.
 */
int cert_setup(void **state);
int cert_teardown(void **state);

/* A new user with these roles (and supervisor), created by the admin and logged in. */
void person_new(struct person *p, const char *prefix, const char *roles_json,
		const char *supervisor_id);
void person_free(struct person *p);

/* Records a completion as the office; score_json is a JSON number, or NULL to omit it. */
char *record(const char *user_id, const char *code, struct ymd day, const char *score_json);
void record_and_forget(const char *user_id, const char *code, struct ymd day);

/* GET the user's training records as token (status not asserted). */
void list_records(struct http_response *r, const char *token, const char *user_id);

/* GET /me as token (status 200 asserted). */
void get_me(struct http_response *r, const char *token);

/* /me's certification object (asserted present). */
json_t *certification_of(const struct http_response *me);

#endif
