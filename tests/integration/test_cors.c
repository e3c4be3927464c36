/*
 * HTTP hygiene through nginx (openapi.yaml, "CORS"): CORS for the listed
 * origins only (CANSD_CORS_ORIGINS): preflight with the exact origin and the
 * table's methods, ETag and X-Request-Id exposed, nothing for any other
 * origin.
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

#define ORIGIN "https://app.example.test"

/* ---- CORS ---- */

static void test_cors_origins_are_configured_for_the_test_stack(void **state)
{
	(void)state;
	/* scripts/test.sh exports it; lib.sh passes every CANSD_* to the pool. */
	assert_string_equal(test_env("CANSD_CORS_ORIGINS"), ORIGIN);
}

static void test_preflight_from_a_listed_origin_is_204_with_the_exact_origin(void **state)
{
	const char *headers[] = {
		"Origin: " ORIGIN, "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: authorization, content-type, if-match", NULL};
	struct http_response r;
	char *allow_headers, *max_age;

	(void)state;
	http_call(&r, "OPTIONS", "/api/v1/users", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 204);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	assert_header(&r, "Access-Control-Allow-Methods", "GET, HEAD, POST");
	allow_headers = http_header(&r, "Access-Control-Allow-Headers");
	assert_non_null(allow_headers);
	assert_non_null(strcasestr(allow_headers, "Authorization"));
	assert_non_null(strcasestr(allow_headers, "Content-Type"));
	assert_non_null(strcasestr(allow_headers, "If-Match"));
	max_age = http_header(&r, "Access-Control-Max-Age");
	assert_non_null(max_age);
	assert_true(atoi(max_age) > 0);
	/* Each once: nginx passes the worker's headers, adds none and drops none. */
	assert_int_equal(header_count(r.headers, "Access-Control-Allow-Origin"), 1);
	assert_int_equal(header_count(r.headers, "Access-Control-Allow-Methods"), 1);
	assert_null(strstr(r.headers, "*"));
	free(allow_headers);
	free(max_age);
	http_free(&r);

	/* A path with an id: its own methods. */
	http_call(&r, "OPTIONS", "/api/v1/users/1", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 204);
	assert_header(&r, "Access-Control-Allow-Methods", "GET, HEAD, PATCH");
	http_free(&r);
}

static void test_responses_to_a_listed_origin_expose_etag_and_request_id(void **state)
{
	const char *headers[] = {"Origin: " ORIGIN, NULL};
	struct http_response r;
	char *expose;

	(void)state;
	http_call(&r, "GET", "/api/v1/users/1", admin_token, headers, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	expose = http_header(&r, "Access-Control-Expose-Headers");
	assert_non_null(expose);
	assert_non_null(strcasestr(expose, "ETag"));
	assert_non_null(strcasestr(expose, "X-Request-Id"));
	free(expose);
	http_free(&r);
	/* Errors too: a browser must be able to read a 401 to know to log in again. */
	http_call(&r, "GET", "/api/v1/me", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 401);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	http_free(&r);
}

static void test_an_unlisted_origin_gets_no_access_control_header(void **state)
{
	static const char *const origins[] = {
		"https://evil.example",
		"https://app.example.test.evil.example",
		"http://app.example.test",
		"https://app.example.test:8443",
		"null",
		"*",
	};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		char origin[256];
		const char *preflight[] = {origin, "Access-Control-Request-Method: POST", NULL};
		const char *plain[] = {origin, NULL};

		snprintf(origin, sizeof(origin), "Origin: %s", origins[i]);
		http_call(&r, "OPTIONS", "/api/v1/users", NULL, preflight, NULL, 0);
		assert_int_equal(r.status, 204);
		assert_false(has_header_prefix(r.headers, "Access-Control-"));
		http_free(&r);
		http_call(&r, "GET", "/api/v1/me", admin_token, plain, NULL, 0);
		assert_int_equal(r.status, 200);
		assert_false(has_header_prefix(r.headers, "Access-Control-"));
		http_free(&r);
	}
	/* No Origin at all: no CORS either. */
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_false(has_header_prefix(r.headers, "Access-Control-"));
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cors_origins_are_configured_for_the_test_stack),
		cmocka_unit_test(test_preflight_from_a_listed_origin_is_204_with_the_exact_origin),
		cmocka_unit_test(test_responses_to_a_listed_origin_expose_etag_and_request_id),
		cmocka_unit_test(test_an_unlisted_origin_gets_no_access_control_header),
	};

	return cmocka_run_group_tests_name("cors", tests, admin_setup, admin_teardown);
}
