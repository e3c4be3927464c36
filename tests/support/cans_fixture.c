#include "cans_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cert_fixture.h"

const char *cans_admin_token(void)
{
	return admin_token;
}

const char *cans_days_ago(int n)
{
	static char ring[16][11];
	static int next;
	char *out = ring[next++ % 16];
	time_t t = time(NULL) - (time_t)n * 86400;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return out;
}

/* cert_fixture's group setup: the zone, the admin and the certification office. */
bool cans_fixture_init(void)
{
	return cert_setup(NULL) == 0;
}

void cans_fixture_done(void)
{
	cert_teardown(NULL);
}

void cans_record_training(const char *user_id, const char *code, const char *day)
{
	struct http_response r;
	char path[128], body[256];

	snprintf(path, sizeof(path), "/api/v1/users/%s/training-records", user_id);
	snprintf(body, sizeof(body), "{\"training_code\":\"%s\",\"completed_on\":\"%s\"}", code,
		 day);
	http_json(&r, "POST", path, office.token, body);
	if (r.status != 201)
		fail_msg("record %s for %s: %ld %s", code, user_id, r.status, r.body);
	http_free(&r);
}

void cans_person_new(struct cans_person *p, const char *prefix, const char *roles_json,
		     const char *supervisor_id, int certified_days_ago)
{
	p->name = strdup(test_unique(prefix));
	p->id = http_create_user(admin_token, p->name, roles_json, supervisor_id, CANS_PASSWORD);
	assert_non_null(p->id);
	if (certified_days_ago >= 0) {
		cans_record_training(p->id, "CANS_2_0_CERTIFICATION",
				     cans_days_ago(certified_days_ago));
		cans_record_training(p->id, "CANS_SACWIS_FUNCTIONALITY",
				     cans_days_ago(certified_days_ago));
	}
	p->token = http_login(p->name, CANS_PASSWORD, NULL);
	assert_non_null(p->token);
}

void cans_person_free(struct cans_person *p)
{
	free(p->name);
	free(p->id);
	free(p->token);
	memset(p, 0, sizeof(*p));
}

const char *cans_str(const struct http_response *r, const char *key)
{
	return json_string_value(json_object_get(r->json, key));
}

static char *created_id(struct http_response *r, const char *what)
{
	char *id;

	if (r->status != 201)
		fail_msg("create %s: %ld %s", what, r->status, r->body);
	id = strdup(cans_str(r, "id"));
	http_free(r);
	return id;
}

char *cans_case_new(const char *supervisor_token, const char *worker_id)
{
	struct http_response r;
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"%s\",\"program\":\"IPS\",\"opened_on\":\"%s\","
		 "\"worker_id\":\"%s\"}",
		 test_unique("CANS-"), cans_days_ago(60), worker_id);
	/* a SACWIS id takes letters, digits and "-" only */
	for (char *c = body; *c; c++)
		if (*c == '.')
			*c = '-';
	http_json(&r, "POST", "/api/v1/cases", supervisor_token, body);
	return created_id(&r, "case");
}

char *cans_member_new(const char *token, const char *case_id, const char *json)
{
	struct http_response r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/cases/%s/members", case_id);
	http_json(&r, "POST", path, token, json);
	return created_id(&r, "member");
}

char *cans_assessment_new(const char *token, const char *case_id, const char *child_id,
			  const char *reason, const char *date)
{
	struct http_response r;
	char path[128], body[256];

	snprintf(path, sizeof(path), "/api/v1/cases/%s/assessments", case_id);
	snprintf(body, sizeof(body),
		 "{\"child_id\":\"%s\",\"reason\":\"%s\",\"assessment_date\":\"%s\"}", child_id,
		 reason, date);
	http_json(&r, "POST", path, token, body);
	return created_id(&r, "assessment");
}

void cans_rate_complete(const char *token, const char *assessment_id, int value)
{
	struct http_response r;
	json_t *body = json_pack("{s:{},s:{}}", "child", "caregivers");
	json_t *missing, *m;
	char path[128], *text;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/assessments/%s/completeness", assessment_id);
	http_call(&r, "GET", path, token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	missing = json_object_get(r.json, "missing");
	json_array_foreach (missing, i, m) {
		const char *subject = json_string_value(json_object_get(m, "subject"));
		const char *item = json_string_value(json_object_get(m, "item"));
		json_t *into;

		if (strcmp(subject, "child") == 0) {
			into = json_object_get(body, "child");
		} else {
			json_t *cg = json_object_get(body, "caregivers");

			into = json_object_get(cg, subject);
			if (!into) {
				into = json_object();
				json_object_set_new(cg, subject, into);
			}
		}
		json_object_set_new(into, item, json_integer(value));
	}
	http_free(&r);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/ratings", assessment_id);
	http_json(&r, "PUT", path, token, text);
	free(text);
	if (r.status != 200)
		fail_msg("rate %s: %ld %s", assessment_id, r.status, r.body);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/completeness", assessment_id);
	http_call(&r, "GET", path, token, NULL, NULL, 0);
	/* a trigger rated `value` may open a module: rate it too */
	if (!json_is_true(json_object_get(r.json, "complete"))) {
		http_free(&r);
		cans_rate_complete(token, assessment_id, value);
		return;
	}
	http_free(&r);
}

char *cans_if_match(const char *token, const char *assessment_id)
{
	struct http_response r;
	char path[128], *etag, *line;

	snprintf(path, sizeof(path), "/api/v1/assessments/%s", assessment_id);
	http_call(&r, "GET", path, token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	etag = http_header(&r, "ETag");
	assert_non_null(etag);
	line = malloc(strlen(etag) + 16);
	assert_non_null(line);
	sprintf(line, "If-Match: %s", etag);
	free(etag);
	http_free(&r);
	return line;
}

void cans_post(struct http_response *r, const char *path, const char *token, const char *json,
	       const char *if_match)
{
	const char *headers[3] = {NULL, NULL, NULL};
	int n = 0;

	if (json)
		headers[n++] = "Content-Type: application/json";
	if (if_match)
		headers[n++] = if_match;
	http_call(r, "POST", path, token, headers, json, json ? strlen(json) : 0);
}

void cans_scene_new(struct cans_scene *s, const struct cans_person *supervisor,
		    const struct cans_person *worker, bool start_cans)
{
	memset(s, 0, sizeof(*s));
	s->case_id = cans_case_new(supervisor->token, worker->id);
	s->child = cans_member_new(worker->token, s->case_id,
				   "{\"kind\":\"child\",\"full_name\":\"Kid\","
				   "\"birth_date\":\"" CANS_CHILD_BIRTH "\"}");
	s->mum = cans_member_new(worker->token, s->case_id,
				 "{\"kind\":\"caregiver\",\"full_name\":\"Mum\","
				 "\"relationship\":\"bio_parent\"}");
	s->para = cans_member_new(worker->token, s->case_id,
				  "{\"kind\":\"collateral\",\"full_name\":\"Friend\","
				  "\"relationship\":\"paramour\"}");
	if (start_cans)
		s->assessment = cans_assessment_new(worker->token, s->case_id, s->child, "initial",
						    cans_days_ago(30));
}

void cans_scene_free(struct cans_scene *s)
{
	free(s->case_id);
	free(s->child);
	free(s->mum);
	free(s->para);
	free(s->assessment);
	memset(s, 0, sizeof(*s));
}

void cans_team_new(struct cans_team *t, const char *prefix)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-sup", prefix);
	cans_person_new(&t->sup, name, "[\"supervisor\"]", NULL, 30);
	snprintf(name, sizeof(name), "%s-sup2", prefix);
	cans_person_new(&t->sup2, name, "[\"supervisor\"]", NULL, 30);
	snprintf(name, sizeof(name), "%s-w", prefix);
	cans_person_new(&t->w, name, "[\"worker\"]", t->sup.id, 30);
	snprintf(name, sizeof(name), "%s-w2", prefix);
	cans_person_new(&t->w2, name, "[\"worker\"]", t->sup.id, 30);
	snprintf(name, sizeof(name), "%s-qa", prefix);
	cans_person_new(&t->qa, name, "[\"qa_analyst\"]", NULL, 30);
}

void cans_team_free(struct cans_team *t)
{
	cans_person_free(&t->sup);
	cans_person_free(&t->sup2);
	cans_person_free(&t->w);
	cans_person_free(&t->w2);
	cans_person_free(&t->qa);
}

int cans_team_setup(struct cans_team *t, const char *prefix)
{
	if (!cans_fixture_init())
		return -1;
	cans_team_new(t, prefix);
	return 0;
}

int cans_team_teardown(struct cans_team *t)
{
	cans_team_free(t);
	cans_fixture_done();
	return 0;
}

void cans_get(struct http_response *r, const char *token, const char *path_fmt, const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), path_fmt, id);
	http_call(r, "GET", path, token, NULL, NULL, 0);
}
