/*
 * The people the case tests act as (two teams, QA, the certification
 * office, the admin), created through the API, and small helpers that open
 * cases and add members. Days are the programs' days: "today" is computed in
 * CANSD_TEST_TIMEZONE (what the pool runs with), not in UTC.
 */
#ifndef CANSD_TEST_CASES_FIXTURE_H
#define CANSD_TEST_CASES_FIXTURE_H

#include "http.h"

struct team {
	/* tokens */
	char *admin, *admin_token;
	char *sup1, *sup1_token, *sup1b; /* sup1b: a second session of sup1 */
	char *sup2, *sup2_token;
	char *w1_token, *w2_token, *w3_token, *qa_token, *office_token;
	/* ids: sup1 leads w1 and w2, sup2 leads w3 */
	char *sup1_id, *sup2_id, *w1, *w2, *w3;
};

/* Creates the users and logs them in; 0 on success (a cmocka group setup). */
int cases_fixture_setup(struct team *t);

/* The programs' today + offset days, "YYYY-MM-DD" (valid until 64 more calls). */
const char *day_text(int offset);

/* s with every character a SACWIS id may not hold replaced by '-'. */
const char *sacwis_safe(const char *s);

/*
 * POST /cases as token with a fresh SACWIS id; fails the test unless the
 * status is want (0: any). Returns the new id ("" when none; valid until 256
 * more calls). When out is not NULL the response is left there to free.
 */
const char *case_open(const char *token, const char *program, const char *opened_on,
		      const char *worker_id, long want, struct http_response *out);

/* An IFPS case opened yesterday with a referral time (201 expected). */
const char *case_open_referral(const char *token, const char *worker_id, const char *referral,
			       struct http_response *out);

/* POST /cases/{id}/members; returns the member id (malloc'd) or NULL. */
char *member_add(const char *token, const char *case_id, const char *body, long want,
		 struct http_response *out);

/* A new active worker whose supervisor is sup_id (valid until 64 more calls). */
const char *new_team_worker(const char *sup_id);

#endif
