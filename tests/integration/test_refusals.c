/*
 * Refusals, generated from the route table (handlers/routes.c): for every
 * signed-in row and every role the row does not admit, a user holding only
 * that role calls it through nginx and gets 403 forbidden. Rows that admit
 * every signed-in user (ROLES_ANY) refuse nobody by role: row-level
 * security scopes them, and their tests are with their resources. Then the
 * refusals that are not a row's roles: an account request seen by another
 * supervisor, and /metrics from a peer that is not loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/roles.h"
#include "handlers/routes.h"
#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"
#include "tests/support/route_call.h"

#define PASSWORD "refusals test password"
#define API "/api/v1"

static const unsigned grantable[] = {ROLE_WORKER, ROLE_SUPERVISOR, ROLE_CERTIFICATION_OFFICE,
				     ROLE_QA_ANALYST, ROLE_PROGRAM_ADMIN};
#define N_ROLES (sizeof(grantable) / sizeof(grantable[0]))

/* One user per grantable role, holding that role only. */
static struct {
	char *id;
	char *token;
} as[N_ROLES];

static int setup(void **state)
{
	size_t k;

	if (admin_setup(state))
		return -1;
	for (k = 0; k < N_ROLES; k++) {
		const char *name = test_unique("only");
		char roles[64];

		snprintf(roles, sizeof(roles), "[\"%s\"]", role_name(grantable[k]));
		as[k].id = http_create_user(admin_token, name, roles, NULL, PASSWORD);
		as[k].token = as[k].id ? http_login(name, PASSWORD, NULL) : NULL;
		if (!as[k].token)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < N_ROLES; k++) {
		free(as[k].id);
		free(as[k].token);
	}
	return admin_teardown(state);
}

static size_t role_index(unsigned role)
{
	size_t k;

	for (k = 0; k < N_ROLES && grantable[k] != role; k++)
		;
	return k;
}

/* Calls every row, as every role it does not admit, with ids that exist and ids that do not. */
static void test_every_role_a_row_does_not_admit_is_403_forbidden(void **state)
{
	const char *ids[] = {as[role_index(ROLE_WORKER)].id, "999999999"};
	size_t i, k, n, pairs = 0, calls = 0;
	char path[512];
	struct http_response r;

	(void)state;
	for (i = 0; i < routes_count; i++) {
		const struct route *route = &routes[i];

		if (route->access != ACCESS_SIGNED_IN || route->roles == ROLES_ANY)
			continue;
		for (k = 0; k < N_ROLES; k++) {
			if (route->roles & grantable[k])
				continue;
			pairs++;
			for (n = 0; n < 2; n++) {
				assert_non_null(
					route_concrete_path(route, ids[n], path, sizeof(path)));
				route_call(&r, route, path, as[k].token);
				if (r.status != 403 || strcmp(http_problem(&r), "forbidden") != 0)
					fprintf(stderr, "%s %s as %s alone: %ld %s\n",
						route->method, path, role_name(grantable[k]),
						r.status, r.body);
				assert_problem(&r, 403, "forbidden");
				http_free(&r);
				calls++;
				if (!strchr(route->path, '{'))
					break; /* no id to vary */
			}
		}
	}
	print_message("%zu (row, role) pairs refused, %zu calls\n", pairs, calls);
	assert_true(pairs > 0);
}

/* The rows above by name: the walk must have had them to refuse. */
static void test_a_worker_cannot_create_or_change_users(void **state)
{
	const char *worker = as[role_index(ROLE_WORKER)].token;
	const char *worker_id = as[role_index(ROLE_WORKER)].id;
	char path[256];
	struct http_response r;

	(void)state;
	http_json(
		&r, "POST", API "/users", worker,
		"{\"username\":\"made.by.worker\",\"full_name\":\"X\",\"email\":\"x@example.org\","
		"\"roles\":[\"program_admin\"],\"password\":\"long enough password\"}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	/* Not even themself: a worker cannot grant themself a role. */
	snprintf(path, sizeof(path), API "/users/%s", worker_id);
	http_json(&r, "PATCH", path, worker, "{\"roles\":[\"program_admin\"]}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	http_call(&r, "GET", API "/me", worker, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "roles")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "roles"), 0)),
			    "worker");
	http_free(&r);
}

/* GET /account-requests/{id}: the admin and the requesting supervisor see it, another does not. */
static void test_account_request_is_seen_by_admin_and_its_supervisor_only(void **state)
{
	const char *requester = as[role_index(ROLE_SUPERVISOR)].token;
	const char *name = test_unique("acr");
	char *other_name = strdup(test_unique("sup"));
	char *other_id =
		http_create_user(admin_token, other_name, "[\"supervisor\"]", NULL, PASSWORD);
	char *other = http_login(other_name, PASSWORD, NULL);
	char body[512], path[256], *id;
	struct http_response r;

	(void)state;
	assert_non_null(other);
	snprintf(body, sizeof(body),
		 "{\"full_name\":\"Requested %s\",\"email\":\"%s@example.org\","
		 "\"program\":\"IPS\",\"username\":\"%s\"}",
		 name, name, name);
	http_json(&r, "POST", API "/account-requests", requester, body);
	assert_int_equal(r.status, 201);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	http_free(&r);
	snprintf(path, sizeof(path), API "/account-requests/%s", id);

	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")), id);
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), name);
	http_free(&r);

	http_call(&r, "GET", path, requester, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")), id);
	http_free(&r);

	/* Another supervisor learns not even that it exists. */
	http_call(&r, "GET", path, other, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "GET", API "/account-requests/999999999", requester, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	free(id);
	free(other);
	free(other_id);
	free(other_name);
}

/* The status the pool answers a raw FastCGI GET of uri from remote_addr (tests/fcgi_client.py). */
static int raw_fastcgi_status(const char *uri, const char *remote_addr, int status)
{
	char command[1024];

	snprintf(command, sizeof(command),
		 "got=$(python3 tests/fcgi_client.py \"$CANSD_TEST_VAR_DIR/run/cansd.sock\" "
		 "REQUEST_METHOD=GET REQUEST_URI=%s QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 "
		 "REMOTE_ADDR=%s) && [ \"$got\" = %d ] || { echo \"%s from %s: $got\" >&2; "
		 "exit 1; }",
		 uri, remote_addr, status, uri, remote_addr);
	return test_shell(command);
}

/*
 * /metrics is served to loopback peers only. nginx passes its peer as
 * REMOTE_ADDR; a FastCGI request straight to the pool's socket says
 * 10.0.0.1, as nginx would for a client on another host, and the handler
 * refuses it (nginx's own allow list is the other half of "twice").
 */
static void test_metrics_from_a_non_loopback_peer_is_403(void **state)
{
	(void)state;
	assert_int_equal(raw_fastcgi_status("/metrics", "10.0.0.1", 403), 0);
	assert_int_equal(raw_fastcgi_status("/metrics", "::ffff:10.0.0.1", 403), 0);
	assert_int_equal(raw_fastcgi_status("/metrics", "192.168.1.20", 403), 0);
	/* The same request from loopback is answered: the address alone decides. */
	assert_int_equal(raw_fastcgi_status("/metrics", "127.0.0.1", 200), 0);
	assert_int_equal(raw_fastcgi_status("/metrics", "::1", 200), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_role_a_row_does_not_admit_is_403_forbidden),
		cmocka_unit_test(test_a_worker_cannot_create_or_change_users),
		cmocka_unit_test(test_account_request_is_seen_by_admin_and_its_supervisor_only),
		cmocka_unit_test(test_metrics_from_a_non_loopback_peer_is_403),
	};

	return cmocka_run_group_tests_name("refusals", tests, setup, teardown);
}
