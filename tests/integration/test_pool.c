/*
 * The pool's shutdown: SIGTERM to the master lets every worker finish the
 * request it holds (a login spends ~0.3 s hashing, long enough to be caught
 * in flight), then everything exits; the scripts start it again.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/http.h"

static void *slow_login(void *arg)
{
	struct http_response *r = arg;
	char body[256];

	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
		 test_env("CANSD_TEST_ADMIN_PASSWORD"));
	http_json(r, "POST", "/api/v1/auth/login", NULL, body);
	return NULL;
}

static void test_sigterm_drains_the_request_in_flight_then_exits(void **state)
{
	struct http_response r, health;
	pthread_t thread;
	int i;

	(void)state;
	assert_int_equal(pthread_create(&thread, NULL, slow_login, &r), 0);
	usleep(100 * 1000); /* the login is now hashing in a worker */
	assert_int_equal(test_shell("kill -TERM \"$(cat \"$CANSD_TEST_VAR_DIR/run/cansd.pid\")\""),
			 0);
	pthread_join(thread, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(json_string_value(json_object_get(r.json, "access_token")));
	http_free(&r);

	/* The master and every worker are gone within the drain deadline. */
	for (i = 0; i < 100; i++) {
		if (test_shell("for p in $(pgrep -x cansd); do grep -qz "
			       "\"CANSD_VAR_DIR=$CANSD_TEST_VAR_DIR\" /proc/$p/environ 2>/dev/null "
			       "&& exit 1; done; exit 0") == 0)
			break;
		usleep(200 * 1000);
	}
	assert_true(i < 100);

	/* While the pool is down nginx answers 503; then it is started again. */
	http_call(&health, "GET", "/healthz", NULL, NULL, NULL, 0);
	assert_int_equal(health.status, 503);
	http_free(&health);
	assert_int_equal(
		test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_start' >/dev/null 2>&1"), 0);
	http_call(&health, "GET", "/healthz", NULL, NULL, NULL, 0);
	assert_int_equal(health.status, 200);
	http_free(&health);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigterm_drains_the_request_in_flight_then_exits),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
