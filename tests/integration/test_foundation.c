/*
 * The foundation through the real stack: nginx -> FastCGI pool -> PostgreSQL.
 * Login, refresh rotation and reuse, logout, /me, users, and the refusals
 * every client will meet (401/403/404/405/412/413/415, 429 on logins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/metric.h"
#include "tests/support/pool_metrics.h"
#include "tests/support/problem_assert.h"

#define PASSWORD "correct horse battery"

static void test_healthz_answers_with_request_id(void **state)
{
	struct http_response r;
	char *id;

	(void)state;
	http_call(&r, "GET", "/healthz", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	id = http_header(&r, "X-Request-Id");
	assert_non_null(id);
	assert_int_equal(strlen(id), 32);
	free(id);
	http_free(&r);
}

static void test_readyz_is_200_while_database_answers(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/readyz", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

static void test_metrics_are_prometheus_text(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/metrics", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "cansd_http_requests_total{route=\"GET /healthz\""));
	assert_non_null(strstr(r.body, "cansd_pool_workers"));
	http_free(&r);
}

static void test_jwks_lists_the_signing_key(void **state)
{
	struct http_response r;
	json_t *key;

	(void)state;
	http_call(&r, "GET", "/api/v1/.well-known/jwks.json", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	key = json_array_get(json_object_get(r.json, "keys"), 0);
	assert_non_null(key);
	assert_non_null(json_string_value(json_object_get(key, "kid")));
	assert_null(json_object_get(key, "d")); /* never the private part */
	http_free(&r);
}

static void test_login_unknown_user_and_wrong_password_look_alike(void **state)
{
	struct http_response a, b;

	(void)state;
	http_json(&a, "POST", "/api/v1/auth/login", NULL,
		  "{\"username\":\"nobody-here\",\"password\":\"whatever-it-is\"}");
	http_json(&b, "POST", "/api/v1/auth/login", NULL,
		  "{\"username\":\"admin\",\"password\":\"not-the-password\"}");
	assert_problem(&a, 401, "unauthenticated");
	assert_problem(&b, 401, "unauthenticated");
	assert_string_equal(json_string_value(json_object_get(a.json, "detail")),
			    json_string_value(json_object_get(b.json, "detail")));
	http_free(&a);
	http_free(&b);
}

static void test_me_shows_roles_and_certification(void **state)
{
	struct http_response r;
	json_t *cert;

	(void)state;
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), "admin");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "roles"), 0)),
			    "program_admin");
	cert = json_object_get(r.json, "certification");
	assert_true(json_is_false(json_object_get(cert, "certified")));
	assert_true(json_is_null(json_object_get(cert, "certified_until")));
	assert_true(json_array_size(json_object_get(cert, "missing")) >= 1);
	http_free(&r);
}

static void test_me_without_token_is_401_with_bearer_challenge(void **state)
{
	struct http_response r;
	char *challenge;

	(void)state;
	http_call(&r, "GET", "/api/v1/me", NULL, NULL, NULL, 0);
	assert_problem(&r, 401, "unauthenticated");
	challenge = http_header(&r, "WWW-Authenticate");
	assert_non_null(challenge);
	assert_non_null(strstr(challenge, "Bearer"));
	assert_null(strstr(challenge, "invalid_token"));
	free(challenge);
	http_free(&r);
}

static void test_tampered_token_is_401_invalid_token(void **state)
{
	struct http_response r;
	char *bad = strdup(admin_token), *dot = strchr(bad, '.'), *challenge;

	(void)state;
	/* Flip one character of the payload: the signature no longer matches. */
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	http_call(&r, "GET", "/api/v1/me", bad, NULL, NULL, 0);
	assert_problem(&r, 401, "unauthenticated");
	challenge = http_header(&r, "WWW-Authenticate");
	assert_non_null(strstr(challenge, "error=\"invalid_token\""));
	free(challenge);
	free(bad);
	http_free(&r);
}

static void test_refresh_rotates_and_reuse_revokes_the_family(void **state)
{
	struct http_response r;
	char *refresh1 = NULL,
	     *token = http_login("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), &refresh1);
	char body[512], *refresh2;

	(void)state;
	assert_non_null(token);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh1);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL, body);
	assert_int_equal(r.status, 200);
	refresh2 = strdup(json_string_value(json_object_get(r.json, "refresh_token")));
	assert_string_not_equal(refresh1, refresh2);
	assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
	http_free(&r);

	/* The spent token again: a replay, so the whole family dies. */
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL, body);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh2);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL, body);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
	free(refresh1);
	free(refresh2);
	free(token);
}

static void test_logout_revokes_the_refresh_token(void **state)
{
	struct http_response r;
	char *refresh = NULL,
	     *token = http_login("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), &refresh);
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	http_json(&r, "POST", "/api/v1/auth/logout", token, body);
	assert_int_equal(r.status, 204);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL, body);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
	free(refresh);
	free(token);
}

/* One GET /api/v1/me as token, which must be answered 200 (or 401). */
static void me_is_200(void *token)
{
	struct http_response r;

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

static void me_is_401(void *token)
{
	struct http_response r;

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
}

static void test_users_scope_etag_and_deactivation(void **state)
{
	const char *sup_name = test_unique("sup"), *w_name = test_unique("wrk"),
		   *other_name = test_unique("oth");
	char *sup = http_create_user(admin_token, sup_name, "[\"supervisor\"]", NULL, PASSWORD);
	char *worker = http_create_user(admin_token, w_name, "[\"worker\"]", sup, PASSWORD);
	char *other = http_create_user(admin_token, other_name, "[\"worker\"]", NULL, PASSWORD);
	char path[128], *etag, *sup_token, *worker_token;
	const char *if_match[3] = {"Content-Type: application/json", NULL, NULL};
	struct http_response r;

	(void)state;
	assert_non_null(sup);
	assert_non_null(worker);
	assert_non_null(other);
	sup_token = http_login(sup_name, PASSWORD, NULL);
	worker_token = http_login(w_name, PASSWORD, NULL);
	assert_non_null(sup_token);
	assert_non_null(worker_token);

	/* A supervisor sees their team, and nobody else exists for them. */
	snprintf(path, sizeof(path), "/api/v1/users/%s", worker);
	http_call(&r, "GET", path, sup_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%s", other);
	http_call(&r, "GET", path, sup_token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	/* A worker may not list users at all. */
	http_call(&r, "GET", "/api/v1/users", worker_token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);

	/* ETag round trip: a stale If-Match is 412, the current one passes. */
	snprintf(path, sizeof(path), "/api/v1/users/%s", worker);
	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	etag = http_header(&r, "ETag");
	assert_non_null(etag);
	http_free(&r);
	if_match[1] = "If-Match: \"999999\"";
	http_call(&r, "PATCH", path, admin_token, if_match, "{\"full_name\":\"Renamed\"}", 23);
	assert_problem(&r, 412, "precondition-failed");
	http_free(&r);
	{
		char header[128];

		snprintf(header, sizeof(header), "If-Match: %s", etag);
		if_match[1] = header;
		http_call(&r, "PATCH", path, admin_token, if_match, "{\"full_name\":\"Renamed\"}",
			  23);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(r.json, "full_name")),
				    "Renamed");
		http_free(&r);
	}

	/*
	 * Deactivation ends access at once, the token already issued included,
	 * in every worker: each has just remembered this caller (the pool's
	 * per-worker counts in /metrics prove that every worker served a /me
	 * before, and refused one after).
	 */
	assert_true(pool_until_every_worker_served(me_is_200, worker_token, 40));
	http_json(&r, "PATCH", path, admin_token, "{\"active\":false}");
	assert_int_equal(r.status, 200);
	http_free(&r);
	assert_true(pool_until_every_worker_served(me_is_401, worker_token, 40));
	assert_null(http_login(w_name, PASSWORD, NULL));

	free(etag);
	free(sup_token);
	free(worker_token);
	free(sup);
	free(worker);
	free(other);
}

static void test_users_create_refuses_unknown_and_server_owned_fields(void **state)
{
	struct http_response r;

	(void)state;
	http_json(&r, "POST", "/api/v1/users", admin_token,
		  "{\"username\":\"x1\",\"full_name\":\"X\",\"email\":\"x@example.org\","
		  "\"roles\":[\"worker\"],\"password\":\"long enough password\",\"id\":\"7\","
		  "\"active\":true}");
	assert_problem(&r, 400, "validation-failed");
	assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 2);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/users", admin_token, "{\"username\":");
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	http_json(&r, "POST", "/api/v1/users", admin_token,
		  "{\"username\":\"admin\",\"full_name\":\"X\",\"email\":\"x@example.org\","
		  "\"roles\":[\"worker\"],\"password\":\"long enough password\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
}

static void test_audit_trail_is_for_program_admins_and_pages(void **state)
{
	const char *name = test_unique("aud");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char *token = http_login(name, PASSWORD, NULL), path[256], *cursor;
	struct http_response r;
	json_t *first;

	(void)state;
	assert_non_null(id);
	assert_non_null(token);
	snprintf(path, sizeof(path), "/api/v1/audit?entity_type=user&entity_id=%s", id);
	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	first = json_array_get(json_object_get(r.json, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "action")), "user.created");
	assert_string_equal(json_string_value(json_object_get(first, "client_addr")), "127.0.0.1");
	assert_int_equal(strlen(json_string_value(json_object_get(first, "request_id"))), 32);
	http_free(&r);

	/* One item a page: the cursor leads to the next (the login of the new user). */
	snprintf(path, sizeof(path), "/api/v1/audit?entity_type=user&entity_id=%s&limit=1", id);
	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	cursor = strdup(json_string_value(json_object_get(r.json, "next_cursor")));
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/audit?entity_type=user&entity_id=%s&cursor=%s", id,
		 cursor);
	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json, "items"), 0), "action")),
			    "login");
	http_free(&r);

	/* The list is an empty one, not a refusal that has no items either. */
	http_call(&r, "GET", "/api/v1/audit?since=2999-01-01", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(json_object_get(r.json, "items")));
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);
	http_call(&r, "GET", "/api/v1/audit?since=yesterday", admin_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/audit", token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	free(cursor);
	free(token);
	free(id);
}

static void test_unknown_path_is_404_problem(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/api/v1/no-such-thing", admin_token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
}

static void test_wrong_method_is_405_with_allow(void **state)
{
	struct http_response r;
	char *allow;

	(void)state;
	http_call(&r, "DELETE", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_problem(&r, 405, "method-not-allowed");
	allow = http_header(&r, "Allow");
	assert_non_null(allow);
	assert_string_equal(allow, "GET, HEAD");
	free(allow);
	http_free(&r);
}

static void test_body_over_one_mebibyte_is_413(void **state)
{
	struct http_response r;
	size_t n = 1024 * 1024 + 100;
	char *big = malloc(n);
	static const char *const json[] = {"Content-Type: application/json", NULL};

	(void)state;
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	http_call(&r, "POST", "/api/v1/users", admin_token, json, big, n);
	assert_problem(&r, 413, "payload-too-large");
	http_free(&r);
	free(big);
}

static void test_wrong_content_type_is_415(void **state)
{
	struct http_response r;
	static const char *const xml[] = {"Content-Type: application/xml", NULL};

	(void)state;
	http_call(&r, "POST", "/api/v1/users", admin_token, xml, "<user/>", 7);
	assert_problem(&r, 415, "unsupported-media-type");
	http_free(&r);
}

static void test_bad_path_id_is_400(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/api/v1/users/abc", admin_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
}

static void test_repeated_failed_logins_get_429_with_retry_after(void **state)
{
	const char *name = test_unique("victim");
	char body[256], *retry;
	struct http_response r;
	int i;

	(void)state;
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"wrong-password\"}", name);
	for (i = 0; i < 10; i++) {
		http_json(&r, "POST", "/api/v1/auth/login", NULL, body);
		assert_int_equal(r.status, 401);
		http_free(&r);
	}
	http_json(&r, "POST", "/api/v1/auth/login", NULL, body);
	assert_problem(&r, 429, "rate-limited");
	retry = http_header(&r, "Retry-After");
	assert_non_null(retry);
	assert_true(atoi(retry) > 0);
	free(retry);
	http_free(&r);
}

static long long restarts_counted(void)
{
	return metric_value("cansd_pool_worker_restarts_total");
}

static void test_master_restarts_a_worker_that_dies(void **state)
{
	struct http_response r;
	long long before = restarts_counted();
	int i;

	(void)state;
	assert_true(before >= 0);
	/*
	 * SIGKILL one worker: a child of the master whose pid file scripts keep.
	 * Its pid goes to killed-workers first, so scripts/test.sh excuses
	 * exactly this death and fails the run on any other. The requests wait
	 * until it is dead (a zombie or reaped): a worker with SIGKILL pending
	 * may still take a connection off the socket on a loaded machine, and
	 * that one request is lost with it (nginx: 503).
	 */
	assert_int_equal(
		test_shell("pid=$(pgrep -o -P \"$(cat \"$CANSD_TEST_VAR_DIR/run/cansd.pid\")\") && "
			   "echo \"$pid\" >>\"$CANSD_TEST_VAR_DIR/killed-workers\" && "
			   "kill -KILL \"$pid\" && for i in $(seq 100); do "
			   "s=$(cut -d' ' -f3 \"/proc/$pid/stat\" 2>/dev/null) || exit 0; "
			   "[ \"$s\" = Z ] && exit 0; sleep 0.05; done; exit 1"),
		0);
	for (i = 0; i < 20; i++) {
		http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		http_free(&r);
	}
	/* The replacement is forked within about a second. */
	for (i = 0; i < 30 && restarts_counted() <= before; i++)
		usleep(100 * 1000);
	assert_true(restarts_counted() > before);
}

/* Last: it stops PostgreSQL under the running pool and starts it again. */
static void test_database_outage_is_503_then_recovers(void **state)
{
	struct http_response r;
	int i;

	(void)state;
	assert_int_equal(test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pg_stop' >/dev/null 2>&1"),
			 0);
	http_call(&r, "GET", "/readyz", NULL, NULL, NULL, 0);
	assert_problem(&r, 503, "service-unavailable");
	http_free(&r);
	/* A request that needs the database (a caller may be served from the identity cache). */
	http_call(&r, "GET", "/api/v1/users?limit=1", admin_token, NULL, NULL, 0);
	assert_problem(&r, 503, "service-unavailable");
	http_free(&r);
	http_call(&r, "GET", "/healthz", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	assert_int_equal(test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pg_start' >/dev/null 2>&1"),
			 0);
	/* Every worker reconnects on its next request; ask until each has. */
	for (i = 0; i < 8; i++) {
		http_call(&r, "GET", "/api/v1/users?limit=1", admin_token, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		http_free(&r);
	}
	http_call(&r, "GET", "/readyz", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz_answers_with_request_id),
		cmocka_unit_test(test_readyz_is_200_while_database_answers),
		cmocka_unit_test(test_metrics_are_prometheus_text),
		cmocka_unit_test(test_jwks_lists_the_signing_key),
		cmocka_unit_test(test_login_unknown_user_and_wrong_password_look_alike),
		cmocka_unit_test(test_me_shows_roles_and_certification),
		cmocka_unit_test(test_me_without_token_is_401_with_bearer_challenge),
		cmocka_unit_test(test_tampered_token_is_401_invalid_token),
		cmocka_unit_test(test_refresh_rotates_and_reuse_revokes_the_family),
		cmocka_unit_test(test_logout_revokes_the_refresh_token),
		cmocka_unit_test(test_users_scope_etag_and_deactivation),
		cmocka_unit_test(test_users_create_refuses_unknown_and_server_owned_fields),
		cmocka_unit_test(test_audit_trail_is_for_program_admins_and_pages),
		cmocka_unit_test(test_unknown_path_is_404_problem),
		cmocka_unit_test(test_wrong_method_is_405_with_allow),
		cmocka_unit_test(test_body_over_one_mebibyte_is_413),
		cmocka_unit_test(test_wrong_content_type_is_415),
		cmocka_unit_test(test_bad_path_id_is_400),
		cmocka_unit_test(test_repeated_failed_logins_get_429_with_retry_after),
		cmocka_unit_test(test_master_restarts_a_worker_that_dies),
		cmocka_unit_test(test_database_outage_is_503_then_recovers),
	};

	return cmocka_run_group_tests_name("foundation", tests, admin_setup, admin_teardown);
}
