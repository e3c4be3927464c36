/*
 * auth_authorize: the route table's roles and certification rule applied to
 * a caller, without a database (the identity is built by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "auth/identity.h"
#include "core/route.h"

static int ok_handler(struct request *req)
{
	return response_empty(req, 204);
}

static const struct route cans_route = {
	"GET", "/api/v1/x", ok_handler, ACCESS_SIGNED_IN, ROLE_WORKER | ROLE_SUPERVISOR,
	true,  BODY_NONE};
static const struct route admin_route = {
	"GET", "/api/v1/y", ok_handler, ACCESS_SIGNED_IN, ROLE_PROGRAM_ADMIN, false, BODY_NONE};

struct fixture {
	struct arena *arena;
	struct request req;
	struct identity id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->arena = arena_new(4096);
	request_init(&f->req, f->arena);
	f->id.user_id = "7";
	f->id.username = "w";
	f->id.full_name = "W";
	f->id.email = "w@example.org";
	f->id.missing = "";
	f->req.identity = &f->id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(f->arena);
	free(f);
	return 0;
}

static json_t *body(const struct fixture *f)
{
	return json_loadb(f->req.response.body.data, f->req.response.body.len, 0, NULL);
}

static void test_role_outside_the_route_is_403_forbidden(void **state)
{
	struct fixture *f = *state;
	json_t *b;

	f->id.roles = ROLE_WORKER | ROLE_CERTIFIED_CANS_USER;
	f->id.certified = true;
	f->req.route = &admin_route;
	assert_int_equal(auth_authorize(&f->req), 403);
	b = body(f);
	assert_non_null(strstr(json_string_value(json_object_get(b, "type")), "/forbidden"));
	json_decref(b);
}

static void test_certified_caller_with_the_role_passes(void **state)
{
	struct fixture *f = *state;

	f->id.roles = ROLE_WORKER | ROLE_CERTIFIED_CANS_USER;
	f->id.certified = true;
	f->id.certified_until = "2027-01-01";
	f->req.route = &cans_route;
	assert_int_equal(auth_authorize(&f->req), 0);
}

static void test_lapsed_caller_gets_certification_required_naming_the_condition(void **state)
{
	struct fixture *f = *state;
	json_t *b, *cert;

	f->id.roles = ROLE_WORKER;
	f->id.certified = false;
	f->id.certified_until = "2026-01-01";
	f->id.missing = "CANS_2_0_CERTIFICATION";
	f->req.route = &cans_route;
	assert_int_equal(auth_authorize(&f->req), 403);
	b = body(f);
	assert_non_null(b);
	assert_non_null(
		strstr(json_string_value(json_object_get(b, "type")), "/certification-required"));
	assert_non_null(strstr(json_string_value(json_object_get(b, "detail")), "CANS 2.0"));
	assert_null(strstr(json_string_value(json_object_get(b, "detail")), "SACWIS"));
	cert = json_object_get(b, "certification");
	assert_true(json_is_false(json_object_get(cert, "certified")));
	assert_string_equal(json_string_value(json_object_get(cert, "certified_until")),
			    "2026-01-01");
	assert_string_equal(json_string_value(json_array_get(json_object_get(cert, "missing"), 0)),
			    "CANS_2_0_CERTIFICATION");
	json_decref(b);
}

static void test_missing_sacwis_training_is_named(void **state)
{
	struct fixture *f = *state;
	json_t *b;

	f->id.roles = ROLE_SUPERVISOR;
	f->id.certified = false;
	f->id.certified_until = "2027-06-01";
	f->id.missing = "CANS_SACWIS_FUNCTIONALITY";
	f->req.route = &cans_route;
	assert_int_equal(auth_authorize(&f->req), 403);
	b = body(f);
	assert_non_null(strstr(json_string_value(json_object_get(b, "detail")), "SACWIS"));
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(b, "certification"), "missing")),
		1);
	json_decref(b);
}

static void test_role_is_checked_before_certification(void **state)
{
	struct fixture *f = *state;
	json_t *b;

	f->id.roles = ROLE_QA_ANALYST;
	f->id.certified = false;
	f->id.missing = "CANS_2_0_CERTIFICATION,CANS_SACWIS_FUNCTIONALITY";
	f->req.route = &cans_route;
	assert_int_equal(auth_authorize(&f->req), 403);
	b = body(f);
	assert_non_null(strstr(json_string_value(json_object_get(b, "type")), "/forbidden"));
	json_decref(b);
}

static void test_me_json_lists_certified_cans_user_only_when_current(void **state)
{
	struct fixture *f = *state;
	json_t *me;

	f->id.roles = ROLE_WORKER | ROLE_CERTIFIED_CANS_USER;
	f->id.certified = true;
	me = json_loads(identity_me_json(&f->req, &f->id), 0, NULL);
	assert_non_null(me);
	assert_int_equal(json_array_size(json_object_get(me, "roles")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(me, "roles"), 1)),
			    "certified_cans_user");
	assert_true(json_is_null(json_object_get(me, "supervisor_id")));
	json_decref(me);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_role_outside_the_route_is_403_forbidden, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_certified_caller_with_the_role_passes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_lapsed_caller_gets_certification_required_naming_the_condition, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_missing_sacwis_training_is_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_role_is_checked_before_certification, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_me_json_lists_certified_cans_user_only_when_current, setup, teardown),
	};

	return cmocka_run_group_tests_name("authorize", tests, NULL, NULL);
}
