#include "cert_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

const char *const csv_type[] = {"Content-Type: text/csv", NULL};

struct person office;

void person_new(struct person *p, const char *prefix, const char *roles_json,
		const char *supervisor_id)
{
	p->name = strdup(test_unique(prefix));
	p->id = http_create_user(admin_token, p->name, roles_json, supervisor_id, PASSWORD);
	assert_non_null(p->id);
	p->token = http_login(p->name, PASSWORD, NULL);
	assert_non_null(p->token);
}

void person_free(struct person *p)
{
	free(p->name);
	free(p->id);
	free(p->token);
	memset(p, 0, sizeof(*p));
}

int cert_setup(void **state)
{
	setenv("TZ", program_zone(), 1);
	tzset();
	if (admin_setup(state) != 0)
		return -1;
	office.name = strdup(test_unique("office"));
	office.id = http_create_user(admin_token, office.name, "[\"certification_office\"]", NULL,
				     PASSWORD);
	if (!office.id)
		return -1;
	office.token = http_login(office.name, PASSWORD, NULL);
	return office.token ? 0 : -1;
}

int cert_teardown(void **state)
{
	person_free(&office);
	return admin_teardown(state);
}

char *record(const char *user_id, const char *code, struct ymd day, const char *score_json)
{
	struct http_response r;
	char path[128], body[256], *id;

	snprintf(path, sizeof(path), API "/users/%s/training-records", user_id);
	snprintf(body, sizeof(body), "{\"training_code\":\"%s\",\"completed_on\":\"%s\"%s%s}", code,
		 fmt(day).s, score_json ? ",\"score\":" : "", score_json ? score_json : "");
	http_json(&r, "POST", path, office.token, body);
	assert_status(&r, 201);
	id = strdup(str(r.json, "id"));
	http_free(&r);
	return id;
}

void record_and_forget(const char *user_id, const char *code, struct ymd day)
{
	free(record(user_id, code, day, NULL));
}

void list_records(struct http_response *r, const char *token, const char *user_id)
{
	char path[128];

	snprintf(path, sizeof(path), API "/users/%s/training-records?limit=500", user_id);
	http_call(r, "GET", path, token, NULL, NULL, 0);
}

void get_me(struct http_response *r, const char *token)
{
	http_call(r, "GET", API "/me", token, NULL, NULL, 0);
	assert_status(r, 200);
}

json_t *certification_of(const struct http_response *me)
{
	json_t *c = json_object_get(me->json, "certification");

	assert_non_null(c);
	return c;
}
