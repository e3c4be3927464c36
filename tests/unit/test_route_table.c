/*
 * The real route table (handlers/routes.c) as the security policy: every
 * row is walked, so adding a public route, a certification-free assessment
 * route, an unreachable row or a row whose SQL function call is half
 * declared fails here, not in production.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/route.h"
#include "handlers/handlers.h"
#include "handlers/routes.h"
#include "tests/support/route_fixture.h"

/* The only routes anyone may call without a token (method, path). */
static const char *const public_allow_list[][2] = {
	{"GET", "/healthz"},
	{"GET", "/readyz"},
	{"GET", "/metrics"},
	{"POST", "/api/v1/auth/login"},
	{"POST", "/api/v1/auth/refresh"},
	{"GET", "/api/v1/.well-known/jwks.json"},
};

/* Endpoints named after an action: POST without a resource body is fine. */
static const char *const action_segments[] = {
	"submit", "approve", "reject", "return", "reroute", "close", "extension-request", NULL,
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_table_is_not_empty(void **state)
{
	(void)state;
	assert_true(routes_count > 0);
}

static void test_table_methods_are_standard(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++)
		if (!routes[i].method ||
		    !route_fixture_in_list(routes[i].method, route_standard_methods))
			fail_msg("row %zu (%s): method %s is not GET/POST/PUT/PATCH/DELETE", i,
				 routes[i].path, routes[i].method ? routes[i].method : "NULL");
}

static void test_table_paths_are_under_api_v1_or_operations(void **state)
{
	static const char *const operations[] = {"/healthz", "/readyz", "/metrics", NULL};
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const char *p = routes[i].path;

		if (!p)
			fail_msg("row %zu: NULL path", i);
		if (!(starts_with(p, "/api/v1/") && strlen(p) > strlen("/api/v1/")) &&
		    !route_fixture_in_list(p, operations))
			fail_msg("row %zu: path %s is neither under /api/v1/ nor an operation", i,
				 p);
	}
}

static void test_table_paths_are_well_formed_templates(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const char *p = routes[i].path;
		const char *s;
		int params = 0;

		if (p[strlen(p) - 1] == '/' || strstr(p, "//"))
			fail_msg("row %zu: %s has a trailing slash or an empty segment", i, p);
		/* "{name}" must fill a whole segment. */
		for (s = p; (s = strchr(s, '{')); s++) {
			const char *close = strchr(s, '}');

			if (s[-1] != '/' || !close || close == s + 1 ||
			    (close[1] != '/' && close[1] != '\0') ||
			    memchr(s, '/', (size_t)(close - s)))
				fail_msg("row %zu: %s has a malformed parameter", i, p);
			params++;
		}
		if (params > REQUEST_MAX_PATH_PARAMS)
			fail_msg("row %zu: %s has more than %d parameters", i, p,
				 REQUEST_MAX_PATH_PARAMS);
	}
}

static void test_table_handlers_are_set(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++)
		if (!routes[i].handler)
			fail_msg("row %zu: %s %s has no handler", i, routes[i].method,
				 routes[i].path);
}

static void test_table_has_no_duplicate_method_and_path(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < routes_count; i++)
		for (j = i + 1; j < routes_count; j++)
			if (strcmp(routes[i].method, routes[j].method) == 0 &&
			    strcmp(routes[i].path, routes[j].path) == 0)
				fail_msg("rows %zu and %zu: %s %s twice", i, j, routes[i].method,
					 routes[i].path);
}

/* No row is shadowed by an earlier one: route_match finds each row itself. */
static void test_table_every_row_is_reachable_by_route_match(void **state)
{
	struct arena *arena = *state;
	size_t i;

	for (i = 0; i < routes_count; i++) {
		struct request req;
		const char *allow;
		const char *path = route_fixture_path(arena, &routes[i], "123");
		enum route_result r =
			route_fixture_match_real(arena, &req, routes[i].method, path, &allow);

		if (r != ROUTE_FOUND || req.route != &routes[i])
			fail_msg("row %zu: %s %s does not route to itself (result %d)", i,
				 routes[i].method, path, (int)r);
	}
}

static bool is_action_endpoint(const char *path)
{
	const char *last = strrchr(path, '/');

	return last && route_fixture_in_list(last + 1, action_segments);
}

static void test_table_writes_declare_a_body_except_actions(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		bool write = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
			     strcmp(r->method, "PATCH") == 0;

		if (write && !is_action_endpoint(r->path) && r->body != BODY_JSON &&
		    r->body != BODY_CSV)
			fail_msg("row %zu: %s %s takes no body", i, r->method, r->path);
	}
}

static void test_table_reads_take_no_body(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++)
		if (strcmp(routes[i].method, "GET") == 0 && routes[i].body != BODY_NONE)
			fail_msg("row %zu: GET %s declares a body", i, routes[i].path);
}

static bool on_public_allow_list(const struct route *r)
{
	size_t i;

	for (i = 0; i < sizeof(public_allow_list) / sizeof(public_allow_list[0]); i++)
		if (strcmp(r->method, public_allow_list[i][0]) == 0 &&
		    strcmp(r->path, public_allow_list[i][1]) == 0)
			return true;
	return false;
}

static void test_table_public_routes_are_only_the_allow_listed_ones(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		if (routes[i].access != ACCESS_PUBLIC && routes[i].access != ACCESS_SIGNED_IN)
			fail_msg("row %zu: %s %s has an unknown access value", i, routes[i].method,
				 routes[i].path);
		if (routes[i].access == ACCESS_PUBLIC && !on_public_allow_list(&routes[i]))
			fail_msg("row %zu: %s %s is public but not on the test's allow-list", i,
				 routes[i].method, routes[i].path);
	}
}

static void test_table_login_refresh_and_jwks_are_public(void **state)
{
	static const char *const must_be_public[][2] = {
		{"POST", "/api/v1/auth/login"},
		{"POST", "/api/v1/auth/refresh"},
		{"GET", "/api/v1/.well-known/jwks.json"},
		{"GET", "/healthz"},
		{"GET", "/readyz"},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(must_be_public) / sizeof(must_be_public[0]); i++) {
		bool found = false;

		for (j = 0; j < routes_count; j++)
			if (strcmp(routes[j].method, must_be_public[i][0]) == 0 &&
			    strcmp(routes[j].path, must_be_public[i][1]) == 0) {
				found = true;
				if (routes[j].access != ACCESS_PUBLIC)
					fail_msg("%s %s must be public", must_be_public[i][0],
						 must_be_public[i][1]);
			}
		if (!found)
			fail_msg("%s %s is missing from the table", must_be_public[i][0],
				 must_be_public[i][1]);
	}
}

static void test_table_public_routes_need_no_roles_or_certification(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < routes_count; i++)
		if (routes[i].access == ACCESS_PUBLIC &&
		    (routes[i].roles != ROLES_ANY || routes[i].needs_certification))
			fail_msg("row %zu: public %s %s names roles or certification, which no "
				 "anonymous caller can have",
				 i, routes[i].method, routes[i].path);
}

static void test_table_roles_use_only_grantable_role_bits(void **state)
{
	const unsigned grantable = ROLE_WORKER | ROLE_SUPERVISOR | ROLE_CERTIFICATION_OFFICE |
				   ROLE_QA_ANALYST | ROLE_PROGRAM_ADMIN;
	size_t i;

	(void)state;
	/* Certification is needs_certification's job, not a role to list. */
	for (i = 0; i < routes_count; i++)
		if (routes[i].roles & ~grantable)
			fail_msg("row %zu: %s %s lists role bits 0x%x outside the granted roles", i,
				 routes[i].method, routes[i].path, routes[i].roles & ~grantable);
}

static void test_table_assessment_and_approval_routes_need_certification(void **state)
{
	size_t i, cans = 0, needing = 0;

	(void)state;
	/*
	 * Every row is looked at; the counts say how many rows the rule held,
	 * so a table with no CANS route yet shows "0 CANS rows" rather than
	 * passing in silence. test_authorize.c walks the needs_certification
	 * rows through auth_authorize.
	 */
	for (i = 0; i < routes_count; i++) {
		const char *p = routes[i].path;
		bool is_cans = starts_with(p, "/api/v1/assessments") ||
			       starts_with(p, "/api/v1/approvals") || strstr(p, "/assessments");

		cans += is_cans;
		needing += routes[i].needs_certification;
		if (is_cans && !routes[i].needs_certification)
			fail_msg("row %zu: %s %s must need a current CANS certification", i,
				 routes[i].method, p);
		if (routes[i].needs_certification && routes[i].access != ACCESS_SIGNED_IN)
			fail_msg("row %zu: %s %s needs certification but is not signed in", i,
				 routes[i].method, p);
	}
	print_message("%zu rows: %zu CANS (assessment/approval) rows, %zu rows need "
		      "certification\n",
		      routes_count, cans, needing);
	assert_true(needing >= cans);
}

static int path_param_count(const char *path)
{
	int n = 0;

	for (; (path = strchr(path, '{')); path++)
		n++;
	return n;
}

/*
 * What call_route relies on: a function named like a SQL identifier, a
 * schema exactly when the row takes a body, a body argument only with a
 * schema, path arguments the template has, named query parameters, and no
 * more arguments than a statement takes.
 */
static void test_table_call_rows_are_well_formed(void **state)
{
	size_t i, calls = 0;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		const struct route_call *c = r->call;
		const struct route_arg *a;
		int versions = 0, bodies = 0;

		if (!c) {
			if (r->handler == call_route)
				fail_msg("row %zu: %s %s runs call_route but names no function", i,
					 r->method, r->path);
			continue;
		}
		calls++;
		if (r->handler != call_route)
			fail_msg("row %zu: %s %s names a function but not call_route", i, r->method,
				 r->path);
		if (!c->function || !*c->function ||
		    strspn(c->function, "abcdefghijklmnopqrstuvwxyz_0123456789") !=
			    strlen(c->function))
			fail_msg("row %zu: %s %s: function name is not a lower-case word", i,
				 r->method, r->path);
		if (c->status != 200 && c->status != 201 && c->status != 204)
			fail_msg("row %zu: %s %s: success status %d", i, r->method, r->path,
				 c->status);
		if ((c->schema != NULL) != (r->body == BODY_JSON))
			fail_msg("row %zu: %s %s: a schema exactly when it takes a JSON body", i,
				 r->method, r->path);
		if (c->flags && !c->schema)
			fail_msg("row %zu: %s %s: body flags without a body", i, r->method,
				 r->path);
		for (a = c->args; a->kind != ARG_END; a++) {
			switch (a->kind) {
			case ARG_PATH:
				if (a->index < 0 || a->index >= path_param_count(r->path))
					fail_msg("row %zu: %s %s: path parameter %d", i, r->method,
						 r->path, a->index);
				break;
			case ARG_BODY:
				bodies++;
				break;
			case ARG_VERSION:
				versions++;
				break;
			case ARG_ID:
			case ARG_ENUM:
			case ARG_COUNT:
				if (!a->name || (a->kind == ARG_ENUM && !a->values) ||
				    (a->kind == ARG_COUNT && (!a->fallback || !a->refusal)))
					fail_msg("row %zu: %s %s: a query parameter half declared",
						 i, r->method, r->path);
				break;
			default:
				break;
			}
		}
		if (bodies > (c->schema != NULL) || versions > 1)
			fail_msg("row %zu: %s %s: a body without a schema, or two of one argument",
				 i, r->method, r->path);
		if (route_call_arity(c) > 24)
			fail_msg("row %zu: %s %s: more arguments than a statement takes", i,
				 r->method, r->path);
	}
	print_message("%zu rows name their SQL function\n", calls);
	assert_true(calls > 0);
}

/* One function, one statement: two rows naming it must pass it the same arguments. */
static void test_table_declares_its_functions(void **state)
{
	char err[256] = "";

	(void)state;
	if (route_declare_functions(routes, routes_count, err, sizeof(err)))
		fail_msg("%s", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_not_empty),
		cmocka_unit_test(test_table_methods_are_standard),
		cmocka_unit_test(test_table_paths_are_under_api_v1_or_operations),
		cmocka_unit_test(test_table_paths_are_well_formed_templates),
		cmocka_unit_test(test_table_handlers_are_set),
		cmocka_unit_test(test_table_has_no_duplicate_method_and_path),
		cmocka_unit_test_setup_teardown(test_table_every_row_is_reachable_by_route_match,
						route_fixture_setup, route_fixture_teardown),
		cmocka_unit_test(test_table_writes_declare_a_body_except_actions),
		cmocka_unit_test(test_table_reads_take_no_body),
		cmocka_unit_test(test_table_public_routes_are_only_the_allow_listed_ones),
		cmocka_unit_test(test_table_login_refresh_and_jwks_are_public),
		cmocka_unit_test(test_table_public_routes_need_no_roles_or_certification),
		cmocka_unit_test(test_table_roles_use_only_grantable_role_bits),
		cmocka_unit_test(test_table_assessment_and_approval_routes_need_certification),
		cmocka_unit_test(test_table_call_rows_are_well_formed),
		cmocka_unit_test(test_table_declares_its_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
