/*
 * CANSD_REPORTS_DATABASE_URL: when set, each worker runs /reports on that
 * second connection and nothing else there. Proved by pointing it at a
 * database that does not answer: reports get 503 while every other route
 * keeps working; pointed at the real database, reports answer again. The
 * pool is restarted as the stack runs it (scripts/lib.sh) and left as found.
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
#include "tests/support/mint.h"
#include "tests/support/problem_assert.h"

static char *qa_id, *qa_token;

static int setup(void **state)
{
	if (admin_setup(state))
		return -1;
	qa_id = mint_user("rrqa", "ARRAY['qa_analyst']", NULL, NULL);
	qa_token = mint_token(admin_token, qa_id);
	return 0;
}

/* Restarts the pool with this reports URL (NULL: none), as pool_start does. */
static void pool_restart(const char *reports_url)
{
	char cmd[1024];

	snprintf(
		cmd, sizeof(cmd),
		"bash -c '. \"$CANSD_TEST_LIB\" && pool_stop && %s%s%s pool_start' >/dev/null 2>&1",
		reports_url ? "CANSD_REPORTS_DATABASE_URL=\"" : "", reports_url ? reports_url : "",
		reports_url ? "\"" : "");
	assert_int_equal(test_shell(cmd), 0);
}

static int teardown(void **state)
{
	pool_restart(NULL);
	free(qa_id);
	free(qa_token);
	return admin_teardown(state);
}

static long get_status(const char *path)
{
	struct http_response r;
	long status;

	http_call(&r, "GET", path, qa_token, NULL, NULL, 0);
	status = r.status;
	if (status == 503)
		assert_string_equal(http_problem(&r), "service-unavailable");
	http_free(&r);
	return status;
}

static void test_reports_run_on_the_reports_connection_only(void **state)
{
	char url[512];

	(void)state;
	snprintf(url, sizeof(url), "host=%s/nowhere dbname=cansd user=cansd_app connect_timeout=2",
		 test_env("CANSD_TEST_VAR_DIR"));
	pool_restart(url);
	assert_int_equal(get_status("/api/v1/reports/monthly?month=2019-10"), 503);
	assert_int_equal(get_status("/api/v1/me"), 200);
	assert_int_equal(get_status("/api/v1/qc/follow-ups"), 200);

	snprintf(url, sizeof(url),
		 "host=%s/pg/socket port=5432 dbname=cansd user=cansd_app "
		 "passfile=%s/secrets/pgpass",
		 test_env("CANSD_TEST_VAR_DIR"), test_env("CANSD_TEST_VAR_DIR"));
	pool_restart(url);
	assert_int_equal(get_status("/api/v1/reports/monthly?month=2019-10"), 200);
	assert_int_equal(get_status("/api/v1/reports/quarterly?quarter=2019-Q4&program=IFPS"), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reports_run_on_the_reports_connection_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
