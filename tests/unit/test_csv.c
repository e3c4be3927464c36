/*
 * core/csv.c: RFC 4180 records as the training-record import reads them,
 * the malformed lines it must name instead of guessing, and arbitrary bytes
 * it must survive (run under AddressSanitizer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"
#include "core/csv.h"

#define MAX_FIELDS 8

struct parsed {
	char text[256];
	struct csv_reader reader;
	struct csv_field fields[MAX_FIELDS];
	size_t n;
	const char *why;
};

static void start(struct parsed *p, const char *text)
{
	size_t len = strlen(text);

	assert_true(len < sizeof(p->text));
	memcpy(p->text, text, len + 1);
	csv_reader_init(&p->reader, p->text, len);
}

static enum csv_result next(struct parsed *p)
{
	return csv_next(&p->reader, p->fields, MAX_FIELDS, &p->n, &p->why);
}

static void assert_field(const struct parsed *p, size_t i, const char *want)
{
	assert_true(i < p->n);
	assert_int_equal(p->fields[i].len, strlen(want));
	assert_memory_equal(p->fields[i].data, want, strlen(want));
}

static void test_plain_records_with_lf_and_crlf(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "username,training_code\r\nalice,CANS_2_0_CERTIFICATION\nbob,X\r\n");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 2);
	assert_field(&p, 0, "username");
	assert_field(&p, 1, "training_code");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "alice");
	assert_field(&p, 1, "CANS_2_0_CERTIFICATION");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "bob");
	assert_field(&p, 1, "X");
	assert_int_equal(next(&p), CSV_END);
	assert_int_equal(next(&p), CSV_END);
}

static void test_last_record_without_line_end(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "a,b\nc,d");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 2);
	assert_field(&p, 1, "d");
	assert_int_equal(next(&p), CSV_END);
}

static void test_quoted_fields_hold_commas_quotes_and_line_breaks(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"\"\nnext,row\n");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 4);
	assert_field(&p, 0, "a,b");
	assert_field(&p, 1, "say \"hi\"");
	assert_field(&p, 2, "two\r\nlines");
	assert_field(&p, 3, "");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "next");
	assert_field(&p, 1, "row");
	assert_int_equal(next(&p), CSV_END);
}

static void test_empty_fields_are_counted(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "alice,CODE,2025-01-01,\n,,\n");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 4);
	assert_field(&p, 3, "");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 3);
	assert_field(&p, 0, "");
	assert_field(&p, 2, "");
}

static void test_trailing_comma_at_end_of_input_is_an_empty_field(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "a,b,");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(p.n, 3);
	assert_field(&p, 2, "");
	assert_int_equal(next(&p), CSV_END);
}

static void test_blank_lines_are_reported_as_blank(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "a\n\r\n\nb\n\n");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_int_equal(next(&p), CSV_BLANK);
	assert_int_equal(p.n, 0);
	assert_int_equal(next(&p), CSV_BLANK);
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "b");
	assert_int_equal(next(&p), CSV_BLANK);
	assert_int_equal(next(&p), CSV_END);
}

static void test_lone_cr_ends_a_record(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "a,b\rc,d\r");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 1, "b");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "c");
	assert_int_equal(next(&p), CSV_END);
}

static void test_byte_order_mark_is_skipped(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "\xEF\xBB\xBFusername,score\n");
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "username");
}

static void test_more_fields_than_room_are_counted_not_stored(void **state)
{
	struct parsed p;
	struct csv_field two[2];

	(void)state;
	start(&p, "1,2,3,4,5,6,7,8,9,10\n");
	assert_int_equal(csv_next(&p.reader, two, 2, &p.n, &p.why), CSV_RECORD);
	assert_int_equal(p.n, 10);
	assert_int_equal(two[1].len, 1);
	assert_memory_equal(two[1].data, "2", 1);
}

static void test_quote_inside_unquoted_field_is_malformed_and_skipped(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "ali\"ce,X\nbob,Y\n");
	assert_int_equal(next(&p), CSV_MALFORMED);
	assert_non_null(p.why);
	assert_int_equal(p.n, 0);
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "bob");
}

static void test_text_after_closing_quote_is_malformed(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "\"alice\"x,Y\r\nbob,Y\r\n");
	assert_int_equal(next(&p), CSV_MALFORMED);
	assert_non_null(strstr(p.why, "closing quote"));
	assert_int_equal(next(&p), CSV_RECORD);
	assert_field(&p, 0, "bob");
	assert_int_equal(next(&p), CSV_END);
}

static void test_unclosed_quote_consumes_the_rest(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "a,\"open\nb,c\n");
	assert_int_equal(next(&p), CSV_MALFORMED);
	assert_non_null(strstr(p.why, "not closed"));
	assert_int_equal(next(&p), CSV_END);
}

static void test_empty_input_ends_at_once(void **state)
{
	struct parsed p;

	(void)state;
	start(&p, "");
	assert_int_equal(next(&p), CSV_END);
}

static void test_trim_and_compare(void **state)
{
	struct csv_field f = {" \tscore \t", 9};

	(void)state;
	assert_true(csv_field_is(csv_trim(f), "score"));
	f.len = 0;
	assert_int_equal(csv_trim(f).len, 0);
	f.data = "   ";
	f.len = 3;
	assert_int_equal(csv_trim(f).len, 0);
	f.data = "scores";
	f.len = 6;
	assert_false(csv_field_is(f, "score"));
}

/*
 * Random bytes drawn from the characters that matter: every call must
 * terminate, move forward, and keep fields inside the buffer.
 */
static void test_random_input_never_escapes_the_buffer(void **state)
{
	static const char alphabet[] = {'a', ',', '"', '\r', '\n', ' ', '\0', '\xC3', '\xA9', 'z'};
	unsigned seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 64), i, records = 0;
		char *data = malloc(len ? len : 1);
		struct csv_reader r;
		struct csv_field fields[4];
		size_t n;
		const char *why;
		enum csv_result res;

		assert_non_null(data);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			data[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		csv_reader_init(&r, data, len);
		for (;;) {
			char *before = r.pos;

			res = csv_next(&r, fields, 4, &n, &why);
			if (res == CSV_END)
				break;
			assert_true(r.pos > before);
			assert_true(r.pos <= r.end);
			if (res == CSV_RECORD)
				for (i = 0; i < n && i < 4; i++) {
					assert_true(fields[i].data >= data);
					assert_true(fields[i].data + fields[i].len <= data + len);
					(void)utf8_valid(fields[i].data, fields[i].len);
				}
			assert_true(++records <= len + 1);
		}
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_records_with_lf_and_crlf),
		cmocka_unit_test(test_last_record_without_line_end),
		cmocka_unit_test(test_quoted_fields_hold_commas_quotes_and_line_breaks),
		cmocka_unit_test(test_empty_fields_are_counted),
		cmocka_unit_test(test_trailing_comma_at_end_of_input_is_an_empty_field),
		cmocka_unit_test(test_blank_lines_are_reported_as_blank),
		cmocka_unit_test(test_lone_cr_ends_a_record),
		cmocka_unit_test(test_byte_order_mark_is_skipped),
		cmocka_unit_test(test_more_fields_than_room_are_counted_not_stored),
		cmocka_unit_test(test_quote_inside_unquoted_field_is_malformed_and_skipped),
		cmocka_unit_test(test_text_after_closing_quote_is_malformed),
		cmocka_unit_test(test_unclosed_quote_consumes_the_rest),
		cmocka_unit_test(test_empty_input_ends_at_once),
		cmocka_unit_test(test_trim_and_compare),
		cmocka_unit_test(test_random_input_never_escapes_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
