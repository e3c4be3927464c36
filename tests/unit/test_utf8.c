/*
 * core/utf8.c: the one UTF-8 check, used by the CSV import (fields that are
 * not text) and by the JSON writer (bytes that are not text become U+FFFD).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/utf8.h"

static void test_utf8_valid_accepts_utf8_and_refuses_bad_bytes(void **state)
{
	(void)state;
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("Jos\xC3\xA9", 5));
	assert_true(utf8_valid("\xE2\x82\xAC", 3));
	assert_true(utf8_valid("\xF0\x9F\x98\x80", 4));
	assert_true(utf8_valid("", 0));
	assert_false(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("\xC3", 1));             /* truncated */
	assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong */
	assert_false(utf8_valid("\xE0\x80\xAF", 3));     /* overlong */
	assert_false(utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(utf8_valid("\xFF", 1));
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("\xE2\x28\xA1", 3));
}

static void test_sequence_length_stops_at_the_end_of_the_input(void **state)
{
	const unsigned char euro[] = {0xE2, 0x82, 0xAC};
	const unsigned char max[] = {0xF4, 0x8F, 0xBF, 0xBF}; /* U+10FFFF */

	(void)state;
	assert_int_equal(utf8_sequence((const unsigned char *)"a", 1), 1);
	assert_int_equal(utf8_sequence(euro, 3), 3);
	assert_int_equal(utf8_sequence(euro, 2), 0); /* never reads past avail */
	assert_int_equal(utf8_sequence(euro, 0), 0);
	assert_int_equal(utf8_sequence(max, 4), 4);
	assert_int_equal(utf8_sequence((const unsigned char *)"\xED\x9F\xBF", 3), 3); /* U+D7FF */
	assert_int_equal(utf8_sequence((const unsigned char *)"\xF0\x8F\xBF\xBF", 4), 0);
}

static void test_length_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_length(""), 0);
	assert_int_equal(utf8_length("Jos\xC3\xA9"), 4);
	assert_int_equal(utf8_length("\xE2\x82\xAC\xF0\x9F\x98\x80"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid_accepts_utf8_and_refuses_bad_bytes),
		cmocka_unit_test(test_sequence_length_stops_at_the_end_of_the_input),
		cmocka_unit_test(test_length_counts_code_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
