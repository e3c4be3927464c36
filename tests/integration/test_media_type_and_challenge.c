/*
 * HTTP hygiene through nginx (openapi.yaml, "Media types" and
 * "Authentication"): 415 for a body of a type the endpoint does not take, and
 * every 401 with the Bearer challenge of RFC 6750.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/headers.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"

/* ---- 415 ---- */

static void post_with_type(struct http_response *r, const char *path, const char *type,
			   const char *body)
{
	char header[256];
	const char *headers[] = {header, NULL};

	/* "Content-Type:" with nothing after it makes libcurl send none at all. */
	snprintf(header, sizeof(header), "Content-Type:%s%s", type ? " " : "", type ? type : "");
	http_call(r, "POST", path, admin_token, headers, body, strlen(body));
}

static void test_body_of_a_type_the_endpoint_does_not_take_is_415(void **state)
{
	static const char *const refused[] = {
		"text/plain",
		"application/xml",
		"application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x",
		"application/json; charset=iso-8859-1",
		"application/jsonx",
		"application/merge-patch+json",
		"text/csv",
		NULL, /* no Content-Type at all */
	};
	static const char *const taken[] = {"application/json", "application/json; charset=utf-8",
					    "Application/JSON;charset=UTF-8"};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		post_with_type(&r, "/api/v1/users", refused[i], "{\"username\":\"x\"}");
		if (r.status != 415)
			fprintf(stderr, "Content-Type %s\n", refused[i] ? refused[i] : "(none)");
		assert_problem(&r, 415, "unsupported-media-type");
		http_free(&r);
	}
	/* The types JSON endpoints take get past 415 (to the body's own problem). */
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		post_with_type(&r, "/api/v1/users", taken[i], "{");
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
	/* The CSV import takes text/csv and nothing else. */
	post_with_type(&r, "/api/v1/training-records/import", "application/json", "{}");
	assert_problem(&r, 415, "unsupported-media-type");
	http_free(&r);
}

/* ---- 401 ---- */

static void assert_challenge(const struct http_response *r, bool invalid_token)
{
	char *challenge = http_header(r, "WWW-Authenticate");

	assert_int_equal(r->status, 401);
	assert_bearer_challenge(challenge, invalid_token);
	free(challenge);
}

static void test_every_401_carries_a_bearer_challenge(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/api/v1/users", NULL, NULL, NULL, 0);
	assert_challenge(&r, false);
	http_free(&r);
	http_call(&r, "GET", "/api/v1/users", "not.a.token", NULL, NULL, 0);
	assert_challenge(&r, true);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL,
		  "{\"refresh_token\":\"spent-or-never-issued\"}");
	assert_challenge(&r, true);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/auth/login", NULL,
		  "{\"username\":\"nobody-at-all\",\"password\":\"whatever it is\"}");
	assert_challenge(&r, false);
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_of_a_type_the_endpoint_does_not_take_is_415),
		cmocka_unit_test(test_every_401_carries_a_bearer_challenge),
	};

	return cmocka_run_group_tests_name("media_type_and_challenge", tests, admin_setup,
					   admin_teardown);
}
