/*
 * HTTP hygiene through nginx (openapi.yaml, "Methods"): 405 on every path of
 * the route table for every method it does not take, TRACE and unknown
 * methods included, with Allow from the table (HEAD beside GET), and on
 * nginx's own files.
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

#include "core/route.h"
#include "handlers/routes.h"
#include "tests/support/admin_fixture.h"
#include "tests/support/headers.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"

/* ---- 405: Allow from the route table ---- */

/* The path a template names, with 1 for every parameter. */
static void concrete_path(const char *tmpl, char *out, size_t cap)
{
	size_t n = 0;

	while (*tmpl && n + 2 < cap) {
		if (*tmpl == '{') {
			out[n++] = '1';
			tmpl = strchr(tmpl, '}') + 1;
		} else {
			out[n++] = *tmpl++;
		}
	}
	out[n] = '\0';
}

/* Does template match path, a parameter matching one all-digit segment? */
static bool template_matches(const char *tmpl, const char *path)
{
	while (*tmpl && *path) {
		if (*tmpl == '{') {
			if (*path < '0' || *path > '9')
				return false;
			while (*path >= '0' && *path <= '9')
				path++;
			tmpl = strchr(tmpl, '}') + 1;
		} else if (*tmpl++ != *path++) {
			return false;
		}
	}
	return !*tmpl && !*path;
}

/* "GET, HEAD, POST": the table's methods for path, in table order, HEAD beside GET. */
static void table_allow(const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < routes_count; i++) {
		if (!template_matches(routes[i].path, path) || strstr(out, routes[i].method))
			continue;
		if (out[0])
			strncat(out, ", ", cap - strlen(out) - 1);
		strncat(out, routes[i].method, cap - strlen(out) - 1);
		if (strcmp(routes[i].method, "GET") == 0)
			strncat(out, ", HEAD", cap - strlen(out) - 1);
	}
}

static void expect_405(const char *method, const char *path, const char *allow)
{
	struct http_response r;
	char *got;

	http_call(&r, method, path, admin_token, NULL, NULL, 0);
	/*
	 * Methods nginx refuses itself are rate-limited (zone cansd_refused,
	 * 20/s, burst 100), and the table has more paths than that burst: wait
	 * as Retry-After says, then ask again.
	 */
	for (int tries = 0; r.status == 429 && tries < 10; tries++) {
		http_free(&r);
		sleep(1);
		http_call(&r, method, path, admin_token, NULL, NULL, 0);
	}
	if (r.status != 405)
		fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body);
	assert_problem(&r, 405, "method-not-allowed");
	got = http_header(&r, "Allow");
	if (!got || strcmp(got, allow) != 0)
		fprintf(stderr, "%s %s: Allow \"%s\", the table says \"%s\"\n", method, path,
			got ? got : "(none)", allow);
	assert_non_null(got);
	assert_string_equal(got, allow);
	/* Never an echo of the request. */
	assert_null(strstr(got, method));
	assert_int_equal(header_count(r.headers, "Allow"), 1);
	free(got);
	http_free(&r);
}

static void test_every_path_refuses_other_methods_with_allow_from_the_table(void **state)
{
	/* TRACE and CONNECT are refused by nginx itself, before any location. */
	static const char *const methods[] = {"GET",   "POST",    "PUT",      "PATCH", "DELETE",
					      "TRACE", "CONNECT", "PROPFIND", "FOO"};
	char path[512], allow[128];

	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		concrete_path(routes[i].path, path, sizeof(path));
		table_allow(path, allow, sizeof(allow));
		assert_true(allow[0] != '\0');
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			/* "GET" is in "GET, POST"; no table method is a part of another. */
			if (strstr(allow, methods[m]))
				continue;
			expect_405(methods[m], path, allow);
		}
	}
}

static void test_trace_on_paths_outside_the_table(void **state)
{
	struct http_response r;

	(void)state;
	/* the walk of the table above emptied the refused-request bucket: 5 s refill it */
	sleep(5);
	/* nginx's own files take GET and HEAD. */
	expect_405("TRACE", "/api/v1/openapi.yaml", "GET, HEAD");
	expect_405("POST", "/api/v1/openapi.yaml", "GET, HEAD");
	expect_405("TRACE", "/docs/", "GET, HEAD");
	/* A path nobody has is 404, whatever the method; a bad id is 400. */
	http_call(&r, "TRACE", "/api/v1/no-such-thing", NULL, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "TRACE", "/api/v1/users/abc", NULL, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	/* The hand-over is nginx's alone: its location is internal, and a client header is no
	 * param. */
	http_call(&r, "GET", "/.refused-by-nginx/method", NULL, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	{
		const char *spoof[] = {"Cansd-Nginx-Refused: 405", NULL};

		http_call(&r, "GET", "/api/v1/me", admin_token, spoof, NULL, 0);
		assert_int_equal(r.status, 200);
		http_free(&r);
	}
	/* TRACE never reaches a handler: no echo of the request, no 200. */
	http_call(&r, "TRACE", "/healthz", NULL, NULL, NULL, 0);
	assert_problem(&r, 405, "method-not-allowed");
	assert_null(strstr(r.body, "TRACE"));
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_path_refuses_other_methods_with_allow_from_the_table),
		cmocka_unit_test(test_trace_on_paths_outside_the_table),
	};

	return cmocka_run_group_tests_name("methods_and_allow", tests, admin_setup, admin_teardown);
}
