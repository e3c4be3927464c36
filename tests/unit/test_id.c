/*
 * core/id.c: the one parser of decimal ids and counts. What passes is what
 * PostgreSQL reads as the same bigint; everything strtoll would forgive is
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/id.h"

static void test_ids_that_fit_a_bigint_are_valid(void **state)
{
	(void)state;
	assert_true(id_valid("0"));
	assert_true(id_valid("42"));
	assert_true(id_valid("999999999999999999"));
	assert_true(id_valid("9223372036854775807"));
}

static void test_anything_else_is_not_an_id(void **state)
{
	static const char *const bad[] = {"",
					  "abc",
					  "-1",
					  "+1",
					  " 42",
					  "42 ",
					  "4.2",
					  "0x2a",
					  "1e3",
					  "9223372036854775808",
					  "9999999999999999999",
					  "12345678901234567890",
					  "99999999999999999999"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(id_valid(bad[i]));
	assert_false(id_valid(NULL));
}

static void test_digits_are_bounded_by_count(void **state)
{
	(void)state;
	assert_true(id_digits("500", 3));
	assert_false(id_digits("1000", 3));
	assert_false(id_digits("", 3));
	assert_false(id_digits("5a", 3));
	assert_false(id_digits(NULL, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_that_fit_a_bigint_are_valid),
		cmocka_unit_test(test_anything_else_is_not_an_id),
		cmocka_unit_test(test_digits_are_bounded_by_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
