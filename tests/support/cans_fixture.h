/*
 * What the CANS integration tests share: certified people, a case with a
 * child and adults, a CANS rated complete. Everything goes through the API
 * (nginx -> pool -> PostgreSQL) the way a front-end would drive it.
 */
#ifndef CANSD_TEST_CANS_FIXTURE_H
#define CANSD_TEST_CANS_FIXTURE_H

#include <stdbool.h>

#include "http.h"

#define CANS_PASSWORD "correct horse battery"
#define WORKER_ROLES "[\"worker\"]"
#define SUPERVISOR_ROLES "[\"supervisor\"]"

struct cans_person {
	char *name;
	char *id;
	char *token;
};

/* Sets TZ to the programs' zone and logs in the admin; call once in setup. */
bool cans_fixture_init(void);
void cans_fixture_done(void);
const char *cans_admin_token(void);

/* "YYYY-MM-DD" n days before today in the programs' time zone (static buffer ring). */
const char *cans_days_ago(int n);

/*
 * A new user with these roles (JSON array) and supervisor (or NULL); when
 * certified_days_ago >= 0 the certification office records a CANS 2.0
 * certification that many days ago and the SACWIS training.
 */
void cans_person_new(struct cans_person *p, const char *prefix, const char *roles_json,
		     const char *supervisor_id, int certified_days_ago);
void cans_person_free(struct cans_person *p);

/*
 * The people most CANS tests need, all certified 30 days ago: a team (sup
 * with workers w and w2), another team's supervisor sup2, and a QA analyst.
 * Usernames start with prefix.
 */
struct cans_team {
	struct cans_person sup, sup2, w, w2, qa;
};

void cans_team_new(struct cans_team *t, const char *prefix);
void cans_team_free(struct cans_team *t);

/*
 * The group setup of a binary that works with one team: cans_fixture_init,
 * then cans_team_new(t, prefix); 0, or -1 when the admin could not log in.
 * cans_team_teardown undoes both.
 */
int cans_team_setup(struct cans_team *t, const char *prefix);
int cans_team_teardown(struct cans_team *t);

/* Records a training completion as the certification office; asserts 201. */
void cans_record_training(const char *user_id, const char *code, const char *day);

/* A case of this worker opened by this supervisor (opened 60 days ago); its id. */
char *cans_case_new(const char *supervisor_token, const char *worker_id);

/* Adds a member (JSON body) to a case as token; its id. */
char *cans_member_new(const char *token, const char *case_id, const char *json);

/* Starts a CANS as token; asserts 201 and returns its id. */
char *cans_assessment_new(const char *token, const char *case_id, const char *child_id,
			  const char *reason, const char *date);

/* Rates every missing rating `value` in one PUT; asserts the CANS is complete. */
void cans_rate_complete(const char *token, const char *assessment_id, int value);

/* The CANS's current version as an If-Match header line, malloc'd. */
char *cans_if_match(const char *token, const char *assessment_id);

/* POST with an optional JSON body (NULL: none) and optional If-Match line. */
void cans_post(struct http_response *r, const char *path, const char *token, const char *json,
	       const char *if_match);

/* A child's birth date for scenes: about 11 years old, every module applies. */
#define CANS_CHILD_BIRTH "2015-03-10"

/*
 * A case of worker opened by supervisor, with a child, a caregiver (mum) and
 * a collateral (para), both linked to every child; with start_cans, an
 * initial CANS by the worker dated 30 days ago. Every field malloc'd.
 */
struct cans_scene {
	char *case_id;
	char *child;
	char *mum;
	char *para;
	char *assessment;
};
void cans_scene_new(struct cans_scene *s, const struct cans_person *supervisor,
		    const struct cans_person *worker, bool start_cans);
void cans_scene_free(struct cans_scene *s);

/* GET path_fmt with its one %s filled by id, as token (status not asserted). */
void cans_get(struct http_response *r, const char *token, const char *path_fmt, const char *id);

/* The string member key of r's JSON body, or NULL. */
const char *cans_str(const struct http_response *r, const char *key);

#endif
