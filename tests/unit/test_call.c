/*
 * handlers/call.c on the real table's rows that name their SQL function:
 * what a row declares is checked before any database work, in the order
 * paging, the other query parameters, body, If-Match. No database is open
 * here, so a request that passes every check ends in the 503 of an
 * unreachable database: that is how these tests see it reach the call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/request.h"
#include "core/route.h"
#include "handlers/routes.h"
#include "tests/support/route_fixture.h"

/* Runs method path?query with body (NULL: none) through its row; returns the status. */
static int call(struct arena *arena, struct request *req, const char *method, const char *path,
		const char *query, const char *body)
{
	const char *allow;

	assert_int_equal(route_fixture_match_real(arena, req, method, path, &allow), ROUTE_FOUND);
	assert_non_null(req->route->call);
	req->query = query;
	req->body = body ? arena_strdup(arena, body) : NULL;
	req->body_len = body ? strlen(body) : 0;
	return req->route->handler(req);
}

/* The problem's detail; fails unless the response is a problem. */
static const char *detail(struct request *req)
{
	json_t *obj = json_loadb(req->response.body.data, req->response.body.len, 0, NULL);
	const char *text;

	assert_non_null(obj);
	assert_string_equal(req->response.content_type, "application/problem+json");
	text = arena_strdup(req->arena, json_string_value(json_object_get(obj, "detail")));
	json_decref(obj);
	return text;
}

static void test_unknown_query_parameter_is_refused_first(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "GET", "/api/v1/cases", "status=nope&x=1", NULL), 400);
	assert_string_equal(detail(&req), "Unknown query parameter 'x'.");
}

static void test_paging_is_checked_before_other_parameters(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "GET", "/api/v1/cases", "status=nope&limit=0", NULL),
			 400);
	assert_string_equal(detail(&req), "limit must be an integer from 1 to 500.");
}

static void test_enum_refusal_is_the_row_s_own_or_the_generic_one(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "GET", "/api/v1/cases", "status=nope", NULL), 400);
	assert_string_equal(detail(&req), "status is not one of its allowed values.");
	assert_int_equal(call(*state, &req, "GET", "/api/v1/users", "active=yes", NULL), 400);
	assert_string_equal(detail(&req), "active must be true or false.");
	assert_int_equal(
		call(*state, &req, "GET", "/api/v1/users", "role=certified_cans_user", NULL), 400);
	assert_string_equal(detail(&req), "role is not a role a user can hold.");
}

static void test_count_parameter_has_its_bounds(void **state)
{
	static const char *const bad[] = {"lapsing_within_days=367", "lapsing_within_days=-1",
					  "lapsing_within_days=0030", "lapsing_within_days="};
	struct request req;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(*state, &req, "GET", "/api/v1/certifications", bad[i], NULL),
				 400);
		assert_string_equal(detail(&req),
				    "lapsing_within_days must be an integer from 0 to 366.");
	}
	assert_int_equal(call(*state, &req, "GET", "/api/v1/certifications",
			      "lapsing_within_days=366", NULL),
			 503);
}

static void test_query_id_must_be_an_id(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "GET", "/api/v1/qc/flags", "assessment_id=1x", NULL),
			 400);
	assert_string_equal(detail(&req), "assessment_id must be an id.");
}

static void test_row_without_query_parameters_ignores_the_query(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "GET", "/api/v1/cases/7", "anything=1", NULL), 503);
}

static void test_body_is_required_unless_the_row_says_optional(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "POST", "/api/v1/cases/7/close", "", NULL), 400);
	assert_string_equal(detail(&req), "A JSON object body is required.");
	assert_int_equal(call(*state, &req, "POST", "/api/v1/assessments/7/submit", "", NULL), 503);
}

static void test_nonempty_row_refuses_an_empty_object(void **state)
{
	struct request req;

	assert_int_equal(call(*state, &req, "PATCH", "/api/v1/cases/7", "", "{}"), 400);
	assert_string_equal(detail(&req), "The body names nothing to change.");
}

static void test_schema_is_checked_before_if_match(void **state)
{
	struct request req;

	request_init(&req, *state);
	assert_int_equal(
		call(*state, &req, "POST", "/api/v1/assessments/7/return", "", "{\"comment\":5}"),
		400);
	assert_string_equal(detail(&req), "The request body breaks the rules of this endpoint.");
}

static void test_if_match_naming_no_version_is_412(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(route_fixture_match_real(*state, &req, "POST",
						  "/api/v1/assessments/7/approve", &allow),
			 ROUTE_FOUND);
	req.query = "";
	req.if_match = "\"v1\"";
	assert_int_equal(req.route->handler(&req), 412);
}

#define T(name) cmocka_unit_test_setup_teardown(name, route_fixture_setup, route_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unknown_query_parameter_is_refused_first),
		T(test_paging_is_checked_before_other_parameters),
		T(test_enum_refusal_is_the_row_s_own_or_the_generic_one),
		T(test_count_parameter_has_its_bounds),
		T(test_query_id_must_be_an_id),
		T(test_row_without_query_parameters_ignores_the_query),
		T(test_body_is_required_unless_the_row_says_optional),
		T(test_nonempty_row_refuses_an_empty_object),
		T(test_schema_is_checked_before_if_match),
		T(test_if_match_naming_no_version_is_412),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
