/*
 * HTTP details through nginx (openapi.yaml, "HEAD"): HEAD answers every GET
 * route with GET's status and headers and no body (RFC 9110 9.3.2), refusals
 * included; the training catalogue pages like every list; GET /users?role=
 * takes exactly the roles openapi.yaml lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"

#define API "/api/v1"

static void assert_same_header(const struct http_response *get, const struct http_response *head,
			       const char *name)
{
	char *a = http_header(get, name), *b = http_header(head, name);

	if (!a || !b || strcmp(a, b) != 0)
		fprintf(stderr, "%s: GET \"%s\", HEAD \"%s\"\n", name, a ? a : "(none)",
			b ? b : "(none)");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/*
 * GET then HEAD of path: the same status and representation headers, a
 * Content-Length that is GET's body length, and no body. Returns the status.
 */
static long expect_head_like_get(const char *path, const char *token)
{
	struct http_response get, head;
	char *length, want[32];
	long status;

	http_call(&get, "GET", path, token, NULL, NULL, 0);
	http_call(&head, "HEAD", path, token, NULL, NULL, 0);
	if (head.status != get.status)
		fprintf(stderr, "HEAD %s: %ld, GET: %ld\n", path, head.status, get.status);
	assert_int_equal(head.status, get.status);
	assert_int_equal(head.body_len, 0);
	assert_same_header(&get, &head, "Content-Type");
	assert_same_header(&get, &head, "Cache-Control");
	length = http_header(&head, "Content-Length");
	snprintf(want, sizeof(want), "%zu", get.body_len);
	assert_non_null(length);
	assert_string_equal(length, want);
	free(length);
	status = get.status;
	http_free(&get);
	http_free(&head);
	return status;
}

static void test_head_answers_get_routes_with_gets_status_and_headers(void **state)
{
	(void)state;
	assert_int_equal(expect_head_like_get("/healthz", NULL), 200);
	assert_int_equal(expect_head_like_get(API "/me", admin_token), 200);
	assert_int_equal(expect_head_like_get(API "/trainings", admin_token), 200);
	assert_int_equal(expect_head_like_get(API "/users?limit=2", admin_token), 200);
	assert_int_equal(expect_head_like_get(API "/.well-known/jwks.json", NULL), 200);
}

static void test_head_of_one_resource_carries_its_etag(void **state)
{
	struct http_response me;
	char path[128];

	(void)state;
	http_call(&me, "GET", API "/me", admin_token, NULL, NULL, 0);
	assert_int_equal(me.status, 200);
	snprintf(path, sizeof(path), API "/users/%s",
		 json_string_value(json_object_get(me.json, "id")));
	http_free(&me);
	assert_int_equal(expect_head_like_get(path, admin_token), 200);
	{
		struct http_response get, head;

		http_call(&get, "GET", path, admin_token, NULL, NULL, 0);
		http_call(&head, "HEAD", path, admin_token, NULL, NULL, 0);
		assert_int_equal(get.status, 200);
		assert_int_equal(head.status, 200);
		assert_same_header(&get, &head, "ETag");
		http_free(&get);
		http_free(&head);
	}
}

static void test_head_of_a_missing_resource_is_404_without_body(void **state)
{
	struct http_response r;

	(void)state;
	assert_int_equal(expect_head_like_get(API "/users/999999999999", admin_token), 404);
	assert_int_equal(expect_head_like_get(API "/no-such-thing", admin_token), 404);
	http_call(&r, "HEAD", API "/users/999999999999", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.body_len, 0);
	http_free(&r);
}

static void test_head_without_a_token_is_401_with_a_challenge(void **state)
{
	struct http_response r;
	char *challenge;

	(void)state;
	assert_int_equal(expect_head_like_get(API "/me", NULL), 401);
	assert_int_equal(expect_head_like_get(API "/users", "not-a-token"), 401);
	http_call(&r, "HEAD", API "/me", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 401);
	challenge = http_header(&r, "WWW-Authenticate");
	assert_non_null(challenge);
	assert_true(strncmp(challenge, "Bearer", 6) == 0);
	free(challenge);
	http_free(&r);
}

static void test_head_where_get_is_not_allowed_is_405(void **state)
{
	struct http_response r;
	char *allow;

	(void)state;
	http_call(&r, "HEAD", API "/auth/login", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 405);
	assert_int_equal(r.body_len, 0);
	allow = http_header(&r, "Allow");
	assert_non_null(allow);
	assert_string_equal(allow, "POST");
	free(allow);
	http_free(&r);
	/* And where GET is, Allow names HEAD beside it. */
	http_call(&r, "DELETE", API "/users", admin_token, NULL, NULL, 0);
	assert_problem(&r, 405, "method-not-allowed");
	allow = http_header(&r, "Allow");
	assert_non_null(allow);
	assert_string_equal(allow, "GET, HEAD, POST");
	free(allow);
	http_free(&r);
}

/* ---- /trainings pages like every list ---- */

static void test_trainings_page_with_limit_and_cursor(void **state)
{
	struct http_response all, page;
	json_t *items;
	const char *cursor;
	char path[128];
	size_t total, seen = 0;

	(void)state;
	http_call(&all, "GET", API "/trainings", admin_token, NULL, NULL, 0);
	assert_int_equal(all.status, 200);
	items = json_object_get(all.json, "items");
	total = json_array_size(items);
	assert_true(total >= 4);
	assert_true(json_is_null(json_object_get(all.json, "next_cursor")));

	strcpy(path, API "/trainings?limit=1");
	for (;;) {
		http_call(&page, "GET", path, admin_token, NULL, NULL, 0);
		assert_int_equal(page.status, 200);
		assert_int_equal(json_array_size(json_object_get(page.json, "items")), 1);
		/* The same catalogue, in the same order, one at a time. */
		assert_string_equal(
			json_string_value(json_object_get(
				json_array_get(json_object_get(page.json, "items"), 0), "code")),
			json_string_value(json_object_get(json_array_get(items, seen), "code")));
		seen++;
		cursor = json_string_value(json_object_get(page.json, "next_cursor"));
		if (!cursor) {
			http_free(&page);
			break;
		}
		assert_true(seen < total);
		snprintf(path, sizeof(path), API "/trainings?limit=1&cursor=%s", cursor);
		http_free(&page);
	}
	assert_int_equal(seen, total);
	http_free(&all);
}

static void test_trainings_refuse_bad_paging_and_unknown_parameters(void **state)
{
	/* Out of range (limit is 1..500), not a number, a bad cursor, an unknown parameter. */
	static const char *const bad[] = {
		API "/trainings?limit=0",     API "/trainings?limit=501",
		API "/trainings?limit=x",     API "/trainings?cursor=abc",
		API "/trainings?cursor=-1",   API "/trainings?code=CANS_2_0_CERTIFICATION",
		API "/trainings?limit=1%200",
	};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_call(&r, "GET", bad[i], admin_token, NULL, NULL, 0);
		if (r.status != 400)
			fprintf(stderr, "%s: %ld %s\n", bad[i], r.status, r.body);
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
}

/* ---- GET /users?role= takes the roles openapi.yaml lists, nothing else ---- */

static void test_users_role_filter_takes_each_grantable_role(void **state)
{
	static const char *const roles[] = {"worker", "supervisor", "certification_office",
					    "qa_analyst", "program_admin"};
	struct http_response r;
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		json_t *items, *user;
		size_t k;

		snprintf(path, sizeof(path), API "/users?limit=500&role=%s", roles[i]);
		http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		items = json_object_get(r.json, "items");
		assert_true(json_is_array(items));
		json_array_foreach (items, k, user) {
			json_t *held = json_object_get(user, "roles"), *role;
			size_t j;
			bool found = false;

			json_array_foreach (held, j, role)
				found |= strcmp(json_string_value(role), roles[i]) == 0;
			assert_true(found);
		}
		http_free(&r);
	}
	/* The bootstrap admin is a program admin. */
	http_call(&r, "GET", API "/users?limit=500&role=program_admin", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
	http_free(&r);
}

static void test_users_role_filter_refuses_a_role_no_user_holds(void **state)
{
	static const char *const bad[] = {"certified_cans_user", "admin", "Worker",
					  "worker,supervisor", ""};
	struct http_response r;
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), API "/users?role=%s", bad[i]);
		http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
		if (r.status != 400)
			fprintf(stderr, "%s: %ld %s\n", path, r.status, r.body);
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_answers_get_routes_with_gets_status_and_headers),
		cmocka_unit_test(test_head_of_one_resource_carries_its_etag),
		cmocka_unit_test(test_head_of_a_missing_resource_is_404_without_body),
		cmocka_unit_test(test_head_without_a_token_is_401_with_a_challenge),
		cmocka_unit_test(test_head_where_get_is_not_allowed_is_405),
		cmocka_unit_test(test_trainings_page_with_limit_and_cursor),
		cmocka_unit_test(test_trainings_refuse_bad_paging_and_unknown_parameters),
		cmocka_unit_test(test_users_role_filter_takes_each_grantable_role),
		cmocka_unit_test(test_users_role_filter_refuses_a_role_no_user_holds),
	};

	return cmocka_run_group_tests(tests, admin_setup, admin_teardown);
}
