/*
 * core/route.c and the real route table in handlers/routes.c. The table is
 * the security policy, so besides route_match itself these tests walk every
 * row: adding a public route, a certification-free assessment route or an
 * unreachable row by accident must fail here, not in production.
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
#include "handlers/routes.h"
#include "handlers/handlers.h"

static const char *const standard_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

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

/* A small table of our own, so behaviour does not depend on today's rows. */
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

static int setup(void **state)
{
	*state = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static enum route_result match(struct arena *arena, struct request *req, const char *method,
			       const char *path, const struct route *table, size_t count,
			       const char **allow)
{
	request_init(req, arena);
	req->method = method;
	req->path = path;
	*allow = NULL;
	return route_match(req, table, count, allow);
}

static enum route_result match_real(struct arena *arena, struct request *req, const char *method,
				    const char *path, const char **allow)
{
	return match(arena, req, method, path, routes, routes_count, allow);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The template with every "{name}" replaced by value, into the arena. */
static const char *concrete_path(struct arena *arena, const char *tmpl, const char *value)
{
	struct buf b;
	const char *p = tmpl;

	buf_init(&b, arena);
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');

			assert_non_null(close);
			buf_puts(&b, value);
			p = close + 1;
		} else {
			buf_append(&b, p, 1);
			p++;
		}
	}
	return b.data ? b.data : "";
}

/* ---- route_match on a table of our own -------------------------------- */

static void test_route_exact_path_and_method_is_found(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match(*state, &req, "POST", "/items", test_table, TEST_TABLE_COUNT, &allow),
		ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[1]);
	assert_int_equal(req.n_path_params, 0);
	assert_null(allow);
}

static void test_route_literal_segment_wins_over_id_parameter(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match(*state, &req, "GET", "/items/new", test_table, TEST_TABLE_COUNT, &allow),
		ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[2]);
}

static void test_route_id_parameter_is_captured(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match(*state, &req, "DELETE", "/items/12345", test_table, TEST_TABLE_COUNT, &allow),
		ROUTE_FOUND);
	assert_ptr_equal(req.route, &test_table[4]);
	assert_int_equal(req.n_path_params, 1);
	assert_string_equal(req.path_params[0], "12345");
}

static void test_route_two_parameters_are_captured_in_order(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match(*state, &req, "GET", "/cases/7/members/%38%39", test_table,
			       TEST_TABLE_COUNT, &allow),
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

	assert_int_equal(match(*state, &req, "GET", "/cases/7/members/x", test_table,
			       TEST_TABLE_COUNT, &allow),
			 ROUTE_BAD_PARAM);
	assert_null(req.route);
}

static void test_route_allow_lists_methods_in_table_order_without_duplicates(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match(*state, &req, "PATCH", "/items/5", test_table, TEST_TABLE_COUNT, &allow),
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
	assert_int_equal(
		match(*state, &req, "DELETE", "/items/new", test_table, TEST_TABLE_COUNT, &allow),
		ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD");
}

static void test_route_empty_table_is_not_found(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match(*state, &req, "GET", "/items", test_table, 0, &allow),
			 ROUTE_NOT_FOUND);
}

/* ---- route_match on the real table ------------------------------------ */

static void test_route_health_paths_are_found_without_params(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "GET", "/healthz", &allow), ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, health_live);
	assert_int_equal(req.n_path_params, 0);
	assert_int_equal(match_real(*state, &req, "GET", "/readyz", &allow), ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, health_ready);
	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/me", &allow), ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, me_get);
}

static void test_route_user_id_is_captured(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/42", &allow), ROUTE_FOUND);
	assert_non_null(req.route->call);
	assert_string_equal(req.route->call->function, "users_get");
	assert_int_equal(req.n_path_params, 1);
	assert_string_equal(req.path_params[0], "42");

	assert_int_equal(match_real(*state, &req, "PATCH", "/api/v1/users/42", &allow),
			 ROUTE_FOUND);
	assert_ptr_equal(req.route->handler, users_update);
}

static void test_route_percent_encoded_id_is_decoded(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/%34%32", &allow),
			 ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "42");
	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/1%30", &allow),
			 ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "10");
}

static void test_route_eighteen_digit_id_is_accepted(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match_real(*state, &req, "GET", "/api/v1/users/999999999999999999", &allow),
		ROUTE_FOUND);
	assert_string_equal(req.path_params[0], "999999999999999999");
}

/* Ids are bigints (core/id.c): the largest is accepted, one more is not an id. */
static void test_route_id_beyond_bigint_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(
		match_real(*state, &req, "GET", "/api/v1/users/9223372036854775807", &allow),
		ROUTE_FOUND);
	assert_int_equal(
		match_real(*state, &req, "GET", "/api/v1/users/9223372036854775808", &allow),
		ROUTE_BAD_PARAM);
	assert_null(req.route);
	assert_int_equal(
		match_real(*state, &req, "GET", "/api/v1/users/10000000000000000000", &allow),
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
		if (match_real(*state, &req, "GET", paths[i], &allow) != ROUTE_BAD_PARAM)
			fail_msg("%s: expected ROUTE_BAD_PARAM", paths[i]);
		assert_null(req.route);
	}
}

static void test_route_encoded_slash_or_nul_in_id_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/1%2F2", &allow),
			 ROUTE_BAD_PARAM);
	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/1%00", &allow),
			 ROUTE_BAD_PARAM);
}

static void test_route_malformed_escape_in_id_is_bad_param(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/%zz", &allow),
			 ROUTE_BAD_PARAM);
	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/4%", &allow),
			 ROUTE_BAD_PARAM);
	assert_int_equal(match_real(*state, &req, "GET", "/api/v1/users/4%3", &allow),
			 ROUTE_BAD_PARAM);
}

static void test_route_bad_param_with_other_method_is_still_bad_param(void **state)
{
	struct request req;
	const char *allow;

	/* The path does not exist as written, so there is no Allow to offer. */
	assert_int_equal(match_real(*state, &req, "DELETE", "/api/v1/users/abc", &allow),
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
		if (match_real(*state, &req, "GET", paths[i], &allow) != ROUTE_NOT_FOUND)
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
		if (match_real(*state, &req, "GET", paths[i], &allow) != ROUTE_NOT_FOUND)
			fail_msg("'%s': expected ROUTE_NOT_FOUND", paths[i]);
}

static void test_route_unknown_method_on_known_path_lists_allow(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "DELETE", "/api/v1/users/42", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, PATCH");
	assert_null(req.route);

	assert_int_equal(match_real(*state, &req, "POST", "/api/v1/users/42", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, PATCH");

	assert_int_equal(match_real(*state, &req, "PUT", "/api/v1/users", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD, POST");

	assert_int_equal(match_real(*state, &req, "POST", "/healthz", &allow),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow, "GET, HEAD");
}

static void test_route_method_is_case_sensitive(void **state)
{
	struct request req;
	const char *allow;

	assert_int_equal(match_real(*state, &req, "get", "/healthz", &allow),
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
		const char *path = concrete_path(arena, routes[i].path, "1");
		const char *const *m;

		for (m = standard_methods; *m; m++) {
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
			r = match_real(arena, &req, *m, path, &allow);
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

/* ---- role names -------------------------------------------------------- */

static void test_role_names_round_trip(void **state)
{
	static const unsigned bits[] = {
		ROLE_WORKER,     ROLE_SUPERVISOR,    ROLE_CERTIFICATION_OFFICE,
		ROLE_QA_ANALYST, ROLE_PROGRAM_ADMIN, ROLE_CERTIFIED_CANS_USER,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const char *name = role_name(bits[i]);

		assert_non_null(name);
		assert_int_equal(role_from_name(name, strlen(name)), bits[i]);
	}
}

static void test_role_from_name_knows_the_api_names(void **state)
{
	(void)state;
	assert_int_equal(role_from_name("worker", 6), ROLE_WORKER);
	assert_int_equal(role_from_name("supervisor", 10), ROLE_SUPERVISOR);
	assert_int_equal(role_from_name("certification_office", 20), ROLE_CERTIFICATION_OFFICE);
	assert_int_equal(role_from_name("qa_analyst", 10), ROLE_QA_ANALYST);
	assert_int_equal(role_from_name("program_admin", 13), ROLE_PROGRAM_ADMIN);
	assert_int_equal(role_from_name("certified_cans_user", 19), ROLE_CERTIFIED_CANS_USER);
}

/* The names a user can be granted: every role but the computed one, each once. */
static void test_granted_roles_are_every_role_but_the_computed_one(void **state)
{
	size_t n = 0;

	(void)state;
	for (const char *const *name = role_granted_names; *name; name++, n++) {
		unsigned bit = role_granted_from_name(*name, strlen(*name));

		assert_int_not_equal(bit, 0);
		assert_int_not_equal(bit, ROLE_CERTIFIED_CANS_USER);
		assert_string_equal(role_name(bit), *name);
	}
	assert_int_equal(n, 5);
	assert_int_equal(role_granted_from_name("certified_cans_user", 19), 0);
	assert_int_equal(role_granted_from_name("admin", 5), 0);
	assert_string_equal(program_names[0], "IPS");
	assert_string_equal(program_names[1], "IFPS");
	assert_null(program_names[2]);
}

static void test_role_from_name_uses_only_len_bytes(void **state)
{
	(void)state;
	/* A name inside a longer, unterminated buffer (e.g. a JSON array). */
	assert_int_equal(role_from_name("worker\",\"supervisor", 6), ROLE_WORKER);
	assert_int_equal(role_from_name("supervisors", 10), ROLE_SUPERVISOR);
}

static void test_role_from_name_refuses_unknown_prefix_and_case(void **state)
{
	(void)state;
	assert_int_equal(role_from_name("work", 4), 0);
	assert_int_equal(role_from_name("workers", 7), 0);
	assert_int_equal(role_from_name("Worker", 6), 0);
	assert_int_equal(role_from_name("admin", 5), 0);
	assert_int_equal(role_from_name("", 0), 0);
}

static void test_role_name_of_unknown_or_combined_bits_is_null(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_QA_ANALYST), "qa_analyst");
	assert_null(role_name(0));
	assert_null(role_name(ROLE_WORKER | ROLE_SUPERVISOR));
	assert_null(role_name(1u << 20));
}

/* ---- the real table ---------------------------------------------------- */

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
		if (!routes[i].method || !in_list(routes[i].method, standard_methods))
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
		    !in_list(p, operations))
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
		const char *path = concrete_path(arena, routes[i].path, "123");
		enum route_result r = match_real(arena, &req, routes[i].method, path, &allow);

		if (r != ROUTE_FOUND || req.route != &routes[i])
			fail_msg("row %zu: %s %s does not route to itself (result %d)", i,
				 routes[i].method, path, (int)r);
	}
}

static bool is_action_endpoint(const char *path)
{
	const char *last = strrchr(path, '/');

	return last && in_list(last + 1, action_segments);
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

/* ---- rows that name their SQL function --------------------------------- */

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
		cmocka_unit_test_setup_teardown(test_route_exact_path_and_method_is_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_literal_segment_wins_over_id_parameter,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_id_parameter_is_captured, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_two_parameters_are_captured_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_bad_second_parameter_is_bad_param, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_route_allow_lists_methods_in_table_order_without_duplicates, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_route_allow_on_literal_path_shared_with_parameter_template, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_route_empty_table_is_not_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_health_paths_are_found_without_params,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_user_id_is_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_percent_encoded_id_is_decoded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_eighteen_digit_id_is_accepted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_id_beyond_bigint_is_bad_param, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_non_numeric_id_is_bad_param, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_encoded_slash_or_nul_in_id_is_bad_param,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_malformed_escape_in_id_is_bad_param,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_route_bad_param_with_other_method_is_still_bad_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_trailing_slash_is_not_found, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_extra_or_missing_segment_is_not_found,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_unknown_method_on_known_path_lists_allow,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_method_is_case_sensitive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_route_allow_is_exactly_the_table_methods_for_every_path, setup,
			teardown),
		cmocka_unit_test(test_role_names_round_trip),
		cmocka_unit_test(test_role_from_name_knows_the_api_names),
		cmocka_unit_test(test_granted_roles_are_every_role_but_the_computed_one),
		cmocka_unit_test(test_role_from_name_uses_only_len_bytes),
		cmocka_unit_test(test_role_from_name_refuses_unknown_prefix_and_case),
		cmocka_unit_test(test_role_name_of_unknown_or_combined_bits_is_null),
		cmocka_unit_test(test_table_is_not_empty),
		cmocka_unit_test(test_table_methods_are_standard),
		cmocka_unit_test(test_table_paths_are_under_api_v1_or_operations),
		cmocka_unit_test(test_table_paths_are_well_formed_templates),
		cmocka_unit_test(test_table_handlers_are_set),
		cmocka_unit_test(test_table_has_no_duplicate_method_and_path),
		cmocka_unit_test_setup_teardown(test_table_every_row_is_reachable_by_route_match,
						setup, teardown),
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
