/*
 * core/route.c: route_match and route_methods, on a small table of our own
 * (so behaviour does not depend on today's rows) and on the real table's
 * paths (ids, escapes, Allow lists).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/request.h"
#include "core/route.h"
#include "handlers/handlers.h"
#include "handlers/routes.h"
#include "tests/support/route_fixture.h"

/* A small table of our own, so behaviour does not depend on today's rows. */
static int dummy_a(struct request *req)
{
	(void)req;
	return 200;
}

static int dummy_b(struct request *req)
{
	(void)req;
	return 201;
}

static const struct route test_table[] = {
	{"GET", "/items", dummy_a, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_NONE, NULL},
	{"POST", "/items", dummy_b, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_JSON, NULL},
	{"GET", "/items/new", dummy_b, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_NONE, NULL},
	{"GET", "/items/{id}", dummy_a, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_NONE, NULL},
	{"DELETE", "/items/{id}", dummy_b, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_NONE, NULL},
	{"PUT", "/items/{id}", dummy_a, ACCESS_SIGNED_IN, ROLES_ANY, false, BODY_JSON, NULL},
	{"GET", "/cases/{id}/members/{member_id}", dummy_a, ACCESS_SIGNED_IN, ROLES_ANY, false,
	 BODY_NONE, NULL},
};
#define TEST_TABLE_COUNT (sizeof(test_table) / sizeof(test_table[0]))

/* ---- route_match on a table of our own -------------------------------- */

static void test_route_exact_path_and_method_is_found(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "POST", "/items", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[1]);
	assert_int_equal(req.n_path_params, 0);
	assert_null(allow);
}

static void test_route_literal_segment_wins_over_id_parameter(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "GET", "/items/new", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[2]);
}

static void test_route_id_parameter_is_captured(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "DELETE", "/items/12345", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[4]);
	assert_int_equal(req.n_path_params, 1);
	assert_string_equal(req.path_params[0], "12345");
}

static void test_route_two_parameters_are_captured_in_order(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "GET", "/cases/7/members/%38%39",
					     test_table, TEST_TABLE_COUNT, &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[6]);
	assert_int_equal(req.n_path_params, 2);
	assert_string_equal(req.path_params[0], "7");
	assert_string_equal(req.path_params[1], "89");
}

static void test_route_bad_second_parameter_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "GET", "/cases/7/members/x", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_BAD_PARAM);
	assert_null(req.route);
}

static void test_route_allow_lists_methods_in_table_order_without_duplicates(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "PATCH", "/items/5", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_non_null(allow);
	assert_string_equal(allow, "GET, HEAD, DELETE, PUT");
	assert_null(req.route);
}

static void test_route_allow_on_literal_path_shared_with_parameter_template(void **state)
{
	struct request req;
	const char *allow;

	/* "/items/new" is also an "{id}" candidate, but "new" is no id. */
	assert_int_equal(route_fixture_match(*state, &req, "DELETE", "/items/new", test_table,
					     TEST_TABLE_COUNT, &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD");
}

static void test_route_empty_table_is_not_found(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match(*state, &req, "GET", "/items", test_table, 0, &allow),
			 ROUTE_NOT_FOUND);
}

/* ---- the methods of a path, whatever the request's ------------------- */

static enum route_result methods_of(struct arena *arena, struct request *req, const char *method,
				    const char *path, const char **allow)
{
	request_init(req, arena);
	req->method = method;
	req->path = path;
	*allow = NULL;
	return route_methods(req, test_table, TEST_TABLE_COUNT, allow);
}

static void test_methods_of_a_path_are_listed_even_for_a_method_it_has(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(methods_of(*state, &req, "GET", "/items/5", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, DELETE, PUT");
	assert_null(req.route);
	assert_string_equal(req.method, "GET");
}

static void test_methods_of_an_unknown_path_or_bad_id_are_none(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(methods_of(*state, &req, "OPTIONS", "/nothing", &allow), ROUTE_NOT_FOUND);
	assert_null(allow);
	assert_int_equal(methods_of(*state, &req, "OPTIONS", "/items/x", &allow), ROUTE_BAD_PARAM);
	assert_null(req.route);
}

/* ---- route_match on the real table ------------------------------------ */

static void test_route_health_paths_are_found_without_params(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/healthz", &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, health_live);
	assert_int_equal(req.n_path_params, 0);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/readyz", &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, health_ready);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/api/v1/me", &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, me_get);
}

static void test_route_user_id_is_captured(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/api/v1/users/42", &allow),
			 ROUTE_FOUND);
	assert_non_null(req.route->call);
	assert_string_equal(req.route->call->function, "users_get");
	assert_int_equal(req.n_path_params, 1);
	assert_string_equal(req.path_params[0], "42");

	assert_int_equal(
		route_fixture_match_real(*state, &req, "PATCH", "/api/v1/users/42", &allow),
		ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, users_update);
}

static void test_route_percent_encoded_id_is_decoded(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		route_fixture_match_real(*state, &req, "GET", "/api/v1/users/%34%32", &allow),
		ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "42");
	assert_int_equal(
		route_fixture_match_real(*state, &req, "GET", "/api/v1/users/1%30", &allow),
		ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "10");
}

static void test_route_eighteen_digit_id_is_accepted(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "GET",
						  "/api/v1/users/999999999999999999", &allow),
			 ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "999999999999999999");
}

/* Ids are bigints (core/id.c): the largest is accepted, one more is not an id. */
static void test_route_id_beyond_bigint_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "GET",
						  "/api/v1/users/9223372036854775807", &allow),
			 ROUTE_FOUND);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET",
						  "/api/v1/users/9223372036854775808", &allow),
			 ROUTE_BAD_PARAM);
	assert_null(req.route);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET",
						  "/api/v1/users/10000000000000000000", &allow),
			 ROUTE_BAD_PARAM);
}

static void test_route_non_numeric_id_is_bad_param(void **state)
{
	static const char *const paths[] = {
		"/api/v1/users/abc", "/api/v1/users/12a", "/api/v1/users/-1", "/api/v1/users/+1",
		"/api/v1/users/1.5", "/api/v1/users/%20", "/api/v1/users/1+", "/api/v1/users/0x1F",
	};
	struct request req;
	const char *allow;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (route_fixture_match_real(*state, &req, "GET", paths[i], &allow) !=
		    ROUTE_BAD_PARAM)
			fail_msg("%s: expected ROUTE_BAD_PARAM", paths[i]);
		assert_null(req.route);
	}
}

static void test_route_encoded_slash_or_nul_in_id_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		route_fixture_match_real(*state, &req, "GET", "/api/v1/users/1%2F2", &allow),
		ROUTE_BAD_PARAM);
	assert_int_equal(
		route_fixture_match_real(*state, &req, "GET", "/api/v1/users/1%00", &allow),
		ROUTE_BAD_PARAM);
}

static void test_route_malformed_escape_in_id_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/api/v1/users/%zz", &allow),
			 ROUTE_BAD_PARAM);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/api/v1/users/4%", &allow),
			 ROUTE_BAD_PARAM);
	assert_int_equal(route_fixture_match_real(*state, &req, "GET", "/api/v1/users/4%3", &allow),
			 ROUTE_BAD_PARAM);
}

static void test_route_bad_param_with_other_method_is_still_bad_param(void **state)
{
	struct request req;
	const char *allow;

	/* The path does not exist as written, so there is no Allow to offer. */
	assert_int_equal(
		route_fixture_match_real(*state, &req, "DELETE", "/api/v1/users/abc", &allow),
		ROUTE_BAD_PARAM);
}

static void test_route_trailing_slash_is_not_found(void **state)
{
	static const char *const paths[] = {
		"/healthz/", "/api/v1/me/", "/api/v1/users/", "/api/v1/users/42/", "/api/v1/",
	};
	struct request req;
	const char *allow;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (route_fixture_match_real(*state, &req, "GET", paths[i], &allow) !=
		    ROUTE_NOT_FOUND)
			fail_msg("%s: expected ROUTE_NOT_FOUND", paths[i]);
}

static void test_route_extra_or_missing_segment_is_not_found(void **state)
{
	static const char *const paths[] = {
		"/api/v1/users/42/extra",
		"/api/v1/me/extra",
		"/api/v1",
		"/api",
		"/",
		"",
		"/api/v1/user",
		"/api/v1/users42",
		"/api/v1/usersx/42",
		"/API/v1/me",
		"/api//v1/me",
		"/api/v1/users//42",
		"//healthz",
		"healthz",
	};
	struct request req;
	const char *allow;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (route_fixture_match_real(*state, &req, "GET", paths[i], &allow) !=
		    ROUTE_NOT_FOUND)
			fail_msg("'%s': expected ROUTE_NOT_FOUND", paths[i]);
}

static void test_route_unknown_method_on_known_path_lists_allow(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		route_fixture_match_real(*state, &req, "DELETE", "/api/v1/users/42", &allow),
		ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, PATCH");
	assert_null(req.route);

	assert_int_equal(route_fixture_match_real(*state, &req, "POST", "/api/v1/users/42", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, PATCH");

	assert_int_equal(route_fixture_match_real(*state, &req, "PUT", "/api/v1/users", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, POST");

	assert_int_equal(route_fixture_match_real(*state, &req, "POST", "/healthz", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD");
}

static void test_route_method_is_case_sensitive(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "get", "/healthz", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD");
}

/*
 * For every path of the table and every standard method the path lacks, the
 * Allow list names exactly the methods the table has for that path.
 */
static void test_route_allow_is_exactly_the_table_methods_for_every_path(void **state)
{
	struct arena *arena = *state;
	size_t i, j;

	for (i = 0; i < routes_count; i++) {
		const char *path = route_fixture_path(arena, &routes[i], "1");
		const char *const *m;

		for (m = route_standard_methods; *m; m++) {
			struct request req;
			const char *allow;
			enum route_result r;
			bool has = false;
			size_t expected = 0, listed = 0;
			char *copy, *save = NULL, *tok;

			for (j = 0; j < routes_count; j++)
				if (strcmp(routes[j].path, routes[i].path) == 0 &&
				    strcmp(routes[j].method, *m) == 0)
					has = true;
			if (has)
				continue;
			r = route_fixture_match_real(arena, &req, *m, path, &allow);
			if (r != ROUTE_METHOD_NOT_ALLOWED || !allow)
				fail_msg("%s %s: expected 405 with an Allow list, got %d", *m, path,
					 (int)r);
			for (j = 0; j < routes_count; j++) {
				size_t k;
				bool seen = false;

				if (strcmp(routes[j].path, routes[i].path) != 0)
					continue;
				for (k = 0; k < j; k++)
					if (strcmp(routes[k].path, routes[i].path) == 0 &&
					    strcmp(routes[k].method, routes[j].method) == 0)
						seen = true;
				if (!seen)
					expected++;
				/* A GET row answers HEAD too, so Allow names both. */
				if (!seen && strcmp(routes[j].method, "GET") == 0)
					expected++;
			}
			copy = arena_strdup(arena, allow);
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				bool found = false;

				while (*tok == ' ')
					tok++;
				for (j = 0; j < routes_count; j++)
					if (strcmp(routes[j].path, routes[i].path) == 0 &&
					    (strcmp(routes[j].method, tok) == 0 ||
					     (strcmp(tok, "HEAD") == 0 &&
					      strcmp(routes[j].method, "GET") == 0)))
						found = true;
				if (!found)
					fail_msg("%s: Allow \"%s\" names %s, which the table lacks",
						 path, allow, tok);
				listed++;
			}
			if (listed != expected)
				fail_msg("%s: Allow \"%s\" lists %zu methods, the table has %zu",
					 path, allow, listed, expected);
		}
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, route_fixture_setup, route_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_route_exact_path_and_method_is_found),
		T(test_route_literal_segment_wins_over_id_parameter),
		T(test_route_id_parameter_is_captured),
		T(test_route_two_parameters_are_captured_in_order),
		T(test_route_bad_second_parameter_is_bad_param),
		T(test_route_allow_lists_methods_in_table_order_without_duplicates),
		T(test_route_allow_on_literal_path_shared_with_parameter_template),
		T(test_route_empty_table_is_not_found),
		T(test_route_health_paths_are_found_without_params),
		T(test_route_user_id_is_captured),
		T(test_route_percent_encoded_id_is_decoded),
		T(test_route_eighteen_digit_id_is_accepted),
		T(test_route_id_beyond_bigint_is_bad_param),
		T(test_route_non_numeric_id_is_bad_param),
		T(test_route_encoded_slash_or_nul_in_id_is_bad_param),
		T(test_route_malformed_escape_in_id_is_bad_param),
		T(test_route_bad_param_with_other_method_is_still_bad_param),
		T(test_route_trailing_slash_is_not_found),
		T(test_route_extra_or_missing_segment_is_not_found),
		T(test_route_unknown_method_on_known_path_lists_allow),
		T(test_route_method_is_case_sensitive),
		T(test_route_allow_is_exactly_the_table_methods_for_every_path),
		T(test_methods_of_a_path_are_listed_even_for_a_method_it_has),
		T(test_methods_of_an_unknown_path_or_bad_id_are_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
