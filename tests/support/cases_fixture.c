#include "cases_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "calendar.h"

#define PASSWORD "correct horse battery"

static char *user(const char *admin, const char *prefix, const char *roles, const char *sup,
		  char **token)
{
	char name[64];
	char *id;

	snprintf(name, sizeof(name), "%s", test_unique(prefix));
	id = http_create_user(admin, name, roles, sup, PASSWORD);
	if (id && token)
		*token = http_login(name, PASSWORD, NULL);
	return id;
}

int cases_fixture_setup(struct team *t)
{
	char *qa, *office;

	memset(t, 0, sizeof(*t));
	t->admin = t->admin_token = http_admin_token();
	if (!t->admin)
		return -1;
	t->sup1_id = user(t->admin, "csup1.", "[\"supervisor\"]", NULL, &t->sup1);
	t->sup2_id = user(t->admin, "csup2.", "[\"supervisor\"]", NULL, &t->sup2);
	if (!t->sup1_id || !t->sup2_id)
		return -1;
	t->sup1_token = t->sup1;
	t->sup2_token = t->sup2;
	{
		struct http_response r;
		char path[128];

		/* a second session: the caller of the race is the same supervisor */
		snprintf(path, sizeof(path), "/api/v1/users/%s", t->sup1_id);
		http_call(&r, "GET", path, t->admin, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		t->sup1b = http_login(json_string_value(json_object_get(r.json, "username")),
				      PASSWORD, NULL);
		http_free(&r);
	}
	t->w1 = user(t->admin, "cw1.", "[\"worker\"]", t->sup1_id, &t->w1_token);
	t->w2 = user(t->admin, "cw2.", "[\"worker\"]", t->sup1_id, &t->w2_token);
	t->w3 = user(t->admin, "cw3.", "[\"worker\"]", t->sup2_id, &t->w3_token);
	qa = user(t->admin, "cqa.", "[\"qa_analyst\"]", NULL, &t->qa_token);
	office = user(t->admin, "coff.", "[\"certification_office\"]", NULL, &t->office_token);
	free(qa);
	free(office);
	return t->w1 && t->w2 && t->w3 && t->sup1b && t->qa_token && t->office_token ? 0 : -1;
}

const char *day_text(int offset)
{
	static char ring[64][16];
	static int n;
	char *out = ring[n++ % 64];

	snprintf(out, 16, "%s", fmt(add_days(today(), offset)).s);
	return out;
}

const char *sacwis_safe(const char *s)
{
	static char ring[16][64];
	static int n;
	char *out = ring[n++ % 16];
	size_t i;

	snprintf(out, 64, "%s", s);
	for (i = 0; out[i]; i++)
		if (!((out[i] >= 'A' && out[i] <= 'Z') || (out[i] >= 'a' && out[i] <= 'z') ||
		      (out[i] >= '0' && out[i] <= '9')))
			out[i] = '-';
	return out;
}

static const char *keep_id(const struct http_response *r)
{
	static char ring[256][32];
	static int n;
	char *out = ring[n++ % 256];
	const char *id = r->json ? json_string_value(json_object_get(r->json, "id")) : NULL;

	snprintf(out, 32, "%s", id ? id : "");
	return out;
}

static const char *case_post(const char *token, const char *body, long want,
			     struct http_response *out)
{
	struct http_response r;
	const char *id;

	http_json(&r, "POST", "/api/v1/cases", token, body);
	if (want && r.status != want)
		fail_msg("POST /cases %s: got %ld, want %ld: %s", body, r.status, want, r.body);
	id = keep_id(&r);
	if (out)
		*out = r;
	else
		http_free(&r);
	return id;
}

const char *case_open(const char *token, const char *program, const char *opened_on,
		      const char *worker_id, long want, struct http_response *out)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"%s\",\"program\":\"%s\",\"opened_on\":\"%s\","
		 "\"worker_id\":\"%s\"}",
		 sacwis_safe(test_unique("T")), program, opened_on, worker_id);
	return case_post(token, body, want, out);
}

const char *case_open_referral(const char *token, const char *worker_id, const char *referral,
			       struct http_response *out)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"%s\",\"program\":\"IFPS\",\"opened_on\":\"%s\","
		 "\"worker_id\":\"%s\",\"referral_received_at\":\"%s\"}",
		 sacwis_safe(test_unique("R")), day_text(-1), worker_id, referral);
	return case_post(token, body, 201, out);
}

char *member_add(const char *token, const char *case_id, const char *body, long want,
		 struct http_response *out)
{
	struct http_response r;
	char path[128];
	const char *id;

	snprintf(path, sizeof(path), "/api/v1/cases/%s/members", case_id);
	http_json(&r, "POST", path, token, body);
	if (want && r.status != want)
		fail_msg("POST %s %.200s: got %ld, want %ld: %s", path, body, r.status, want,
			 r.body);
	id = r.json ? json_string_value(json_object_get(r.json, "id")) : NULL;
	{
		char *copy = id && r.status == 201 ? strdup(id) : NULL;

		if (out)
			*out = r;
		else
			http_free(&r);
		return copy;
	}
}

const char *new_team_worker(const char *sup_id)
{
	static char ring[64][32];
	static int n;
	char *out = ring[n++ % 64];
	char *admin = http_admin_token();
	char *id = user(admin, "cwx.", "[\"worker\"]", sup_id, NULL);

	snprintf(out, 32, "%s", id ? id : "");
	free(id);
	free(admin);
	return out;
}
