/*
 * auth_authorize: the route table's roles and certification rule applied to
 * a caller, without a database (the identity is built by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "auth/identity.h"
#include "core/route.h"
#include "handlers/routes.h"

static int ok_handler(struct request *req)
{
	return response_empty(req, 204);
}

static const struct route cans_route = {.method = "GET",
					.path = "/api/v1/x",
					.handler = ok_handler,
					.access = ACCESS_SIGNED_IN,
					.roles = ROLE_WORKER | ROLE_SUPERVISOR,
					.needs_certification = true,
					.body = BODY_NONE};
static const struct route admin_route = {.method = "GET",
					 .path = "/api/v1/y",
					 .handler = ok_handler,
					 .access = ACCESS_SIGNED_IN,
					 .roles = ROLE_PROGRAM_ADMIN,
					 .needs_certification = false,
					 .body = BODY_NONE};

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

static const unsigned grantable[] = {ROLE_WORKER, ROLE_SUPERVISOR, ROLE_CERTIFICATION_OFFICE,
				     ROLE_QA_ANALYST, ROLE_PROGRAM_ADMIN};
#define N_GRANTABLE (sizeof(grantable) / sizeof(grantable[0]))

static const char *problem_type(const struct fixture *f)
{
	static char type[128];
	json_t *b = body(f);
	const char *t = json_string_value(json_object_get(b, "type"));
	const char *slash = t ? strrchr(t, '/') : NULL;

	snprintf(type, sizeof(type), "%s", slash ? slash + 1 : "");
	json_decref(b);
	return type;
}

/*
 * Every signed-in row of handlers/routes.c, every grantable role alone:
 * a role outside the row's mask is 403 forbidden; a role inside it, without
 * a current certification, is 403 certification-required exactly when the
 * row needs certification, and passes otherwise; with a current one it
 * passes. The counts are printed, so an empty walk is visible.
 */
static void test_every_row_and_role_of_the_table_is_authorized_as_declared(void **state)
{
	struct fixture *f = *state;
	size_t i, k, refused = 0, cert_refused = 0, admitted = 0;

	for (i = 0; i < routes_count; i++) {
		if (routes[i].access != ACCESS_SIGNED_IN)
			continue;
		for (k = 0; k < N_GRANTABLE; k++) {
			bool allowed =
				routes[i].roles == ROLES_ANY || (routes[i].roles & grantable[k]);
			int status;

			f->id.roles = grantable[k];
			f->id.certified = false;
			f->id.certified_until = "2026-01-01";
			f->id.missing = "CANS_2_0_CERTIFICATION";
			arena_reset(f->arena);
			request_init(&f->req, f->arena);
			f->req.identity = &f->id;
			f->req.route = &routes[i];
			status = auth_authorize(&f->req);
			if (!allowed) {
				if (status != 403 || strcmp(problem_type(f), "forbidden") != 0)
					fail_msg("%s %s as %s alone: %d, want 403 forbidden",
						 routes[i].method, routes[i].path,
						 role_name(grantable[k]), status);
				refused++;
				continue;
			}
			if (routes[i].needs_certification) {
				if (status != 403 ||
				    strcmp(problem_type(f), "certification-required") != 0)
					fail_msg("%s %s as uncertified %s: %d, want 403 "
						 "certification-required",
						 routes[i].method, routes[i].path,
						 role_name(grantable[k]), status);
				cert_refused++;
			} else if (status != 0) {
				fail_msg("%s %s as %s: %d, want admitted", routes[i].method,
					 routes[i].path, role_name(grantable[k]), status);
			}
			arena_reset(f->arena);
			request_init(&f->req, f->arena);
			f->req.identity = &f->id;
			f->req.route = &routes[i];
			f->id.roles = grantable[k] | ROLE_CERTIFIED_CANS_USER;
			f->id.certified = true;
			f->id.certified_until = "2027-01-01";
			f->id.missing = "";
			if (auth_authorize(&f->req) != 0)
				fail_msg("%s %s as certified %s: refused", routes[i].method,
					 routes[i].path, role_name(grantable[k]));
			admitted++;
		}
	}
	print_message("%zu (row, role) pairs refused by role, %zu refused for certification, "
		      "%zu admitted\n",
		      refused, cert_refused, admitted);
	assert_true(refused > 0);
	assert_true(admitted > 0);
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
		cmocka_unit_test_setup_teardown(
			test_every_row_and_role_of_the_table_is_authorized_as_declared, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("authorize", tests, NULL, NULL);
}
