/*
 * HTTP hygiene through nginx (openapi.yaml, "Headers on every response"): the
 * headers every response carries (no-store, nosniff, one request id) and the
 * ones none does (a version, X-Powered-By), for every status whoever answers
 * it: the worker, nginx, and nginx while the pool is down.
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
#include "tests/support/raw_http.h"

#define ORIGIN "https://app.example.test"
#define PASSWORD "correct horse battery"

/* ---- headers on every response ---- */

struct sample {
	long status;
	const char *method;
	const char *path;
	bool as_admin;
	const char *content_type;
	const char *body;
};

static void test_every_status_carries_no_store_nosniff_and_no_version(void **state)
{
	const char *name = test_unique("hyg"), *office_name = test_unique("hygoffice");
	char *worker = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char *office = http_create_user(admin_token, office_name, "[\"certification_office\"]",
					NULL, PASSWORD);
	char *worker_token = http_login(name, PASSWORD, NULL);
	char *office_token = http_login(office_name, PASSWORD, NULL);
	char user_path[64], create_body[512];
	const struct sample samples[] = {
		{200, "GET", "/api/v1/.well-known/jwks.json", false, NULL, NULL},
		{200, "GET", "/api/v1/me", true, NULL, NULL},
		{200, "GET", "/api/v1/openapi.yaml", false, NULL, NULL},
		{200, "GET", "/docs/", false, NULL, NULL},
		{200, "GET", "/healthz", false, NULL, NULL},
		{201, "POST", "/api/v1/users", true, "application/json", create_body},
		{400, "GET", "/api/v1/users/abc", true, NULL, NULL},
		{400, "GET", "/api/v1/users?limit=%zz", true, NULL, NULL},
		{401, "GET", "/api/v1/me", false, NULL, NULL},
		{404, "GET", "/api/v1/nothing-here", true, NULL, NULL},
		{404, "GET", "/nothing-here", false, NULL, NULL},
		{405, "DELETE", "/api/v1/me", true, NULL, NULL},
		{405, "TRACE", "/api/v1/me", true, NULL, NULL},
		{405, "POST", "/api/v1/openapi.yaml", false, "text/plain", "x"},
		{409, "POST", "/api/v1/users", true, "application/json", create_body},
		{415, "POST", "/api/v1/users", true, "text/plain", "x"},
	};
	struct http_response r;
	char *big;

	(void)state;
	assert_non_null(worker);
	assert_non_null(office);
	assert_non_null(worker_token);
	assert_non_null(office_token);
	snprintf(create_body, sizeof(create_body),
		 "{\"username\":\"%s\",\"full_name\":\"H\",\"email\":\"h@example.org\","
		 "\"roles\":[\"worker\"],\"program\":\"IPS\",\"password\":\"" PASSWORD "\"}",
		 test_unique("hygnew"));
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		char type[128];
		const char *headers[] = {type, NULL};

		snprintf(type, sizeof(type), "Content-Type: %s",
			 s->content_type ? s->content_type : "application/json");
		http_call(&r, s->method, s->path, s->as_admin ? admin_token : NULL,
			  s->body ? headers : NULL, s->body, s->body ? strlen(s->body) : 0);
		if (r.status != s->status)
			fprintf(stderr, "%s %s: %ld %s\n", s->method, s->path, r.status, r.body);
		assert_int_equal(r.status, s->status);
		assert_hygienic_headers(&r, s->path);
		http_free(&r);
	}

	/* 403 from the worker; 412 for a stale If-Match. */
	http_call(&r, "GET", "/api/v1/users", worker_token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	assert_hygienic_headers(&r, "403");
	http_free(&r);
	snprintf(user_path, sizeof(user_path), "/api/v1/users/%s", worker);
	{
		const char *headers[] = {"Content-Type: application/json", "If-Match: \"999999\"",
					 NULL};

		http_call(&r, "PATCH", user_path, admin_token, headers, "{\"full_name\":\"X\"}",
			  17);
		assert_problem(&r, 412, "precondition-failed");
		assert_hygienic_headers(&r, "412");
		http_free(&r);
	}
	/* 422 from the CSV import. */
	{
		const char *headers[] = {"Content-Type: text/csv", NULL};
		const char *csv =
			"username,training_code,completed_on,score\nnobody,NOPE,2024-13-45,x\n";

		http_call(&r, "POST", "/api/v1/training-records/import", office_token, headers, csv,
			  strlen(csv));
		assert_int_equal(r.status, 422);
		assert_hygienic_headers(&r, "422");
		http_free(&r);
	}
	/* 204: a preflight. */
	{
		const char *headers[] = {"Origin: " ORIGIN, "Access-Control-Request-Method: GET",
					 NULL};

		http_call(&r, "OPTIONS", "/api/v1/me", NULL, headers, NULL, 0);
		assert_int_equal(r.status, 204);
		assert_hygienic_headers(&r, "204");
		http_free(&r);
	}
	/* nginx's own: 413 (over 1 MiB), 414 (URI over the header buffer), 400 (bad request). */
	big = malloc(1100001);
	memset(big, ' ', 1100000);
	big[0] = '{';
	big[1099999] = '}';
	big[1100000] = '\0';
	{
		const char *headers[] = {"Content-Type: application/json", NULL};

		http_call(&r, "POST", "/api/v1/users", admin_token, headers, big, 1100000);
		assert_problem(&r, 413, "payload-too-large");
		assert_hygienic_headers(&r, "413");
		http_free(&r);
	}
	free(big);
	{
		size_t n = 20000;
		char *request = malloc(n + 128);

		strcpy(request, "GET /api/v1/me?q=");
		memset(request + strlen(request), 'a', n);
		strcpy(request + 17 + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		raw_call(&r, request, strlen(request));
		assert_int_equal(r.status, 414);
		assert_hygienic_headers(&r, "414");
		http_free(&r);
		free(request);
	}
	{
		static const char request[] = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nHost: "
					      "y\r\nConnection: close\r\n\r\n";

		raw_call(&r, request, sizeof(request) - 1);
		assert_problem(&r, 400, "malformed-request");
		assert_hygienic_headers(&r, "400 from nginx");
		http_free(&r);
	}
	free(worker);
	free(office);
	free(worker_token);
	free(office_token);
}

/* nginx's 503 while the pool is away, then the pool back as the stack started it. */
static void test_nginx_answers_503_with_the_same_headers_while_the_pool_is_down(void **state)
{
	struct http_response r;
	char *retry;

	(void)state;
	assert_int_equal(test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_stop' >/dev/null 2>&1"),
			 0);
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_problem(&r, 503, "service-unavailable");
	assert_hygienic_headers(&r, "503");
	retry = http_header(&r, "Retry-After");
	assert_non_null(retry);
	free(retry);
	http_free(&r);
	assert_int_equal(
		test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_start' >/dev/null 2>&1"), 0);
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_status_carries_no_store_nosniff_and_no_version),
		cmocka_unit_test(
			test_nginx_answers_503_with_the_same_headers_while_the_pool_is_down),
	};

	return cmocka_run_group_tests_name("headers", tests, admin_setup, admin_teardown);
}
