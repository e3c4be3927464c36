/*
 * HTTP hygiene through nginx (openapi.yaml, "Limits"): the client address is
 * the one nginx saw, whatever forwarding headers the client sends: in the
 * audit trail, and in the per-address login limit.
 *
 * The last test exhausts 127.0.0.1's failed-login budget and clears it
 * again: keep it last.
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

#include "tests/support/admin_fixture.h"
#include "tests/support/headers.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"

/* ---- client addresses ---- */

static const char *const forwarded[] = {
	"X-Forwarded-For: 203.0.113.%d", "X-Real-IP: 198.51.100.%d",
	"Forwarded: for=192.0.2.%d",     "X-Client-IP: 203.0.113.%d",
	"True-Client-IP: 198.51.100.%d",
};
#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void test_audit_records_the_address_nginx_saw(void **state)
{
	char lines[N_FORWARDED][64], sql[256], *id, *addr;
	const char *headers[N_FORWARDED + 2];
	struct http_response r;
	char body[256];

	(void)state;
	for (size_t i = 0; i < N_FORWARDED; i++) {
		snprintf(lines[i], sizeof(lines[i]), forwarded[i], 7);
		headers[i] = lines[i];
	}
	headers[N_FORWARDED] = "Content-Type: application/json";
	headers[N_FORWARDED + 1] = NULL;
	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
		 test_env("CANSD_TEST_ADMIN_PASSWORD"));
	http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
	assert_int_equal(r.status, 200);
	id = http_header(&r, "X-Request-Id");
	assert_non_null(id);
	http_free(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT client_addr FROM cansd.audit_events WHERE request_id = '%s' AND action = "
		 "'login'",
		 id);
	addr = test_psql(sql);
	assert_string_equal(addr, "127.0.0.1");
	free(addr);
	free(id);
}

/*
 * Last: 127.0.0.1 runs out of failed logins (30 a minute). Different
 * usernames, so the per-username limit (10) never applies; rotating
 * forwarding headers, so only the peer address can be what is counted.
 * The first 25 failures are booked directly: 30 logins in a row can take
 * more than the minute on a loaded machine (each runs PBKDF2), and the
 * oldest would age out before the last.
 */
static void test_rotating_forwarded_headers_cannot_escape_the_login_limit(void **state)
{
	char lines[N_FORWARDED][64], body[256], *retry, *count;
	const char *headers[N_FORWARDED + 2];
	struct http_response r;
	int i;

	(void)state;
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	free(test_psql(
		"INSERT INTO cansd.login_failures (username, client_addr) "
		"SELECT 'rotating-booked-' || g, '127.0.0.1' FROM generate_series(1, 25) g"));
	headers[N_FORWARDED] = "Content-Type: application/json";
	headers[N_FORWARDED + 1] = NULL;
	for (i = 25; i <= 30; i++) {
		for (size_t h = 0; h < N_FORWARDED; h++) {
			snprintf(lines[h], sizeof(lines[h]), forwarded[h], i + 1);
			headers[h] = lines[h];
		}
		snprintf(body, sizeof(body),
			 "{\"username\":\"%s\",\"password\":\"wrong password\"}",
			 test_unique("rotating"));
		http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
		if (i < 30) {
			assert_int_equal(r.status, 401);
		} else {
			assert_problem(&r, 429, "rate-limited");
			assert_hygienic_headers(&r, "429");
			retry = http_header(&r, "Retry-After");
			assert_non_null(retry);
			assert_true(atoi(retry) > 0 && atoi(retry) <= 60);
			free(retry);
		}
		http_free(&r);
	}
	/* Every failure was booked on the address nginx saw, none on a forwarded one. */
	count = test_psql("SELECT count(*) FILTER (WHERE client_addr = '127.0.0.1') || ' ' || "
			  "count(*) FILTER (WHERE client_addr <> '127.0.0.1') "
			  "FROM cansd.login_failures WHERE username LIKE 'rotating%'");
	assert_string_equal(count, "30 0");
	free(count);
	/* The address is what is blocked: even the right password waits. */
	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
		 test_env("CANSD_TEST_ADMIN_PASSWORD"));
	http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
	assert_problem(&r, 429, "rate-limited");
	http_free(&r);
	/* Leave the budget as we found it for whatever runs next. */
	free(test_psql("DELETE FROM cansd.login_failures"));
	assert_non_null((count = http_login("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), NULL)));
	free(count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_records_the_address_nginx_saw),
		/* keep last: it spends 127.0.0.1's failed-login budget (and restores it) */
		cmocka_unit_test(test_rotating_forwarded_headers_cannot_escape_the_login_limit),
	};

	return cmocka_run_group_tests_name("client_addresses", tests, admin_setup, admin_teardown);
}
