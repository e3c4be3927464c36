/*
 * core/db_sqlstate.c: which SQLSTATE is an outage (503), a conflict (409)
 * and which is our own bug (500, never a 503 that hides it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/db_sqlstate.h"
#include "core/request.h"

static int status_of(const char *state)
{
	return db_failure_status(db_sqlstate_classify(state, true));
}

static void test_connection_classes_are_503(void **state)
{
	(void)state;
	assert_int_equal(status_of("08000"), 503);
	assert_int_equal(status_of("08006"), 503);
	assert_int_equal(status_of("08P01"), 503);
	assert_int_equal(status_of("57P01"), 503);
	assert_int_equal(status_of("57P02"), 503);
	assert_int_equal(status_of("57P03"), 503);
	assert_int_equal(status_of("53300"), 503);
	/* Whatever the state, a connection that fell is an outage. */
	assert_int_equal(db_failure_status(db_sqlstate_classify("42883", false)), 503);
	assert_int_equal(db_failure_status(db_sqlstate_classify(NULL, false)), 503);
}

static void test_a_cancelled_statement_is_503(void **state)
{
	(void)state;
	assert_int_equal(db_sqlstate_classify("57014", true), DB_FAILURE_TIMEOUT);
	assert_int_equal(status_of("57014"), 503);
}

static void test_missing_statement_function_or_protocol_error_is_a_500_bug(void **state)
{
	(void)state;
	assert_int_equal(db_sqlstate_classify("26000", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("42883", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("42P01", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("42601", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("XX000", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify(NULL, true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("", true), DB_FAILURE_BUG);
	assert_int_equal(db_sqlstate_classify("0800", true), DB_FAILURE_BUG);
	assert_int_equal(status_of("26000"), 500);
	assert_int_equal(status_of("42883"), 500);
	assert_int_equal(status_of("57P09"), 500);
}

static void test_serialization_and_deadlock_retry_then_409(void **state)
{
	(void)state;
	assert_int_equal(db_sqlstate_classify("40001", true), DB_FAILURE_RETRY);
	assert_int_equal(db_sqlstate_classify("40P01", true), DB_FAILURE_RETRY);
	assert_int_equal(status_of("40001"), 409);
	assert_int_equal(status_of("40P01"), 409);
}

static void test_unique_and_foreign_key_violations_are_409(void **state)
{
	(void)state;
	assert_int_equal(status_of("23505"), 409);
	assert_int_equal(status_of("23503"), 409);
}

static void test_privilege_is_403_and_bad_values_400(void **state)
{
	(void)state;
	assert_int_equal(status_of("42501"), 403);
	assert_int_equal(status_of("22P02"), 400);
	assert_int_equal(status_of("23514"), 400);
	assert_int_equal(status_of("23502"), 400);
}

static void test_our_raised_states_go_to_their_table(void **state)
{
	(void)state;
	assert_int_equal(db_sqlstate_classify("CN409", true), DB_FAILURE_RAISED);
	assert_int_equal(status_of("CN409"), 0);
}

/* A handler's bug (more parameters than db_call_as holds) is a 500 for that request, no abort(). */
static void test_too_many_parameters_is_a_500_not_an_abort(void **state)
{
	struct arena *arena = arena_new(0);
	const char *params[40] = {0};
	struct request req;

	(void)state;
	request_init(&req, arena);
	req.method = "GET";
	req.request_id = "test";
	assert_null(db_call_as(&req, "users_get", 40, params));
	assert_int_equal(req.response.status, 500);
	arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connection_classes_are_503),
		cmocka_unit_test(test_a_cancelled_statement_is_503),
		cmocka_unit_test(test_missing_statement_function_or_protocol_error_is_a_500_bug),
		cmocka_unit_test(test_serialization_and_deadlock_retry_then_409),
		cmocka_unit_test(test_unique_and_foreign_key_violations_are_409),
		cmocka_unit_test(test_privilege_is_403_and_bad_values_400),
		cmocka_unit_test(test_our_raised_states_go_to_their_table),
		cmocka_unit_test(test_too_many_parameters_is_a_500_not_an_abort),
	};

	return cmocka_run_group_tests_name("db sqlstate", tests, NULL, NULL);
}
