/*
 * core/db.c db_statements_each over sql/queries.sql as embedded in the
 * binary (core/db_statements.c), and over hand-written sources. Every
 * statement of sql/queries.sql a worker prepares at connect comes through
 * this splitter, so a duplicate or empty block must fail here rather than
 * at start-up; the statements made from route rows come through
 * db_function_statement, tested last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/db.h"

#define MAX_STATEMENTS 512

struct collected {
	int count;
	char names[MAX_STATEMENTS][128];
	char *texts[MAX_STATEMENTS];
	int stop_after; /* return non-zero on this call (1-based); 0: never */
	void *ctx_seen;
};

static int collect(const char *name, const char *text, void *ctx)
{
	struct collected *c = ctx;

	c->ctx_seen = ctx;
	if (c->count == MAX_STATEMENTS)
		fail_msg("more than %d statements", MAX_STATEMENTS);
	snprintf(c->names[c->count], sizeof(c->names[0]), "%s", name);
	c->texts[c->count] = strdup(text);
	c->count++;
	return c->stop_after && c->count == c->stop_after ? 1 : 0;
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct collected));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct collected *c = *state;
	int i;

	for (i = 0; i < c->count; i++)
		free(c->texts[i]);
	free(c);
	return 0;
}

/* true when text holds something besides whitespace and "--" comments. */
static bool has_sql(const char *text)
{
	const char *p = text;

	while (*p) {
		if (p[0] == '-' && p[1] == '-') {
			p = strchr(p, '\n');
			if (!p)
				return false;
		} else if (strchr(" \t\r\n", *p) == NULL) {
			return true;
		}
		p++;
	}
	return false;
}

/* ---- the embedded sql/queries.sql ------------------------------------------ */

static void test_embedded_sql_is_not_empty(void **state)
{
	(void)state;
	assert_true(strlen(db_statements_sql) > 0);
}

static void test_embedded_statements_split_into_at_least_one(void **state)
{
	struct collected *c = *state;
	int n = db_statements_each(db_statements_sql, collect, c);

	assert_true(n >= 1);
	assert_int_equal(n, c->count);
	assert_ptr_equal(c->ctx_seen, c);
}

static void test_embedded_statement_names_are_lowercase_words(void **state)
{
	struct collected *c = *state;
	int i;

	assert_true(db_statements_each(db_statements_sql, collect, c) >= 1);
	for (i = 0; i < c->count; i++) {
		const char *name = c->names[i];

		if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz_") != strlen(name))
			fail_msg("statement %d: name '%s' does not match [a-z_]+", i + 1, name);
	}
}

static void test_embedded_statement_names_are_unique(void **state)
{
	struct collected *c = *state;
	int i, j;

	assert_true(db_statements_each(db_statements_sql, collect, c) >= 1);
	for (i = 0; i < c->count; i++)
		for (j = i + 1; j < c->count; j++)
			if (strcmp(c->names[i], c->names[j]) == 0)
				fail_msg("statements %d and %d are both named '%s'", i + 1, j + 1,
					 c->names[i]);
}

static void test_embedded_statement_texts_are_not_empty(void **state)
{
	struct collected *c = *state;
	int i;

	assert_true(db_statements_each(db_statements_sql, collect, c) >= 1);
	for (i = 0; i < c->count; i++)
		if (!has_sql(c->texts[i]))
			fail_msg("statement '%s' has no SQL", c->names[i]);
}

static void test_embedded_statement_texts_hold_no_second_marker(void **state)
{
	struct collected *c = *state;
	int i;

	assert_true(db_statements_each(db_statements_sql, collect, c) >= 1);
	for (i = 0; i < c->count; i++)
		if (strstr(c->texts[i], "-- name:"))
			fail_msg("statement '%s' swallowed another block", c->names[i]);
}

/* ---- hand-written sources ------------------------------------------------- */

static const char three_blocks[] = "-- A header comment: not a statement.\n"
				   "\n"
				   "-- name: first\n"
				   "SELECT 1\n"
				   "\n"
				   "-- name: second_one  \r\n"
				   "SELECT $1::int\r\n"
				   "-- name: third\n"
				   "SELECT a,\n"
				   "       b\n"
				   "  FROM t -- trailing comment\n";

static void test_blocks_are_split_in_order_with_names_and_texts(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each(three_blocks, collect, c), 3);
	assert_int_equal(c->count, 3);
	assert_string_equal(c->names[0], "first");
	assert_string_equal(c->names[1], "second_one");
	assert_string_equal(c->names[2], "third");
	assert_non_null(strstr(c->texts[0], "SELECT 1"));
	assert_null(strstr(c->texts[0], "SELECT $1"));
	assert_non_null(strstr(c->texts[1], "SELECT $1::int"));
	assert_null(strstr(c->texts[1], "SELECT a"));
	assert_non_null(strstr(c->texts[2], "SELECT a,\n       b\n  FROM t"));
}

static void test_text_before_the_first_marker_is_ignored(void **state)
{
	struct collected *c = *state;
	int i;

	assert_int_equal(db_statements_each(three_blocks, collect, c), 3);
	for (i = 0; i < c->count; i++)
		assert_null(strstr(c->texts[i], "header"));
}

static void test_name_loses_trailing_spaces_and_carriage_return(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each("-- name: crlf \r\nSELECT 1\r\n", collect, c), 1);
	assert_string_equal(c->names[0], "crlf");
}

static void test_source_without_markers_has_no_statements(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each("", collect, c), 0);
	assert_int_equal(db_statements_each("SELECT 1;\n-- just a comment\n", collect, c), 0);
	assert_int_equal(c->count, 0);
}

static void test_last_block_without_final_newline_is_whole(void **state)
{
	struct collected *c = *state;

	assert_int_equal(
		db_statements_each("-- name: a\nSELECT 1\n-- name: b\nSELECT 2", collect, c), 2);
	assert_string_equal(c->texts[1], "SELECT 2");
}

static void test_marker_without_newline_is_an_error(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each("-- name: dangling", collect, c), -1);
	assert_int_equal(c->count, 0);
}

static void test_empty_name_is_an_error(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each("-- name: \nSELECT 1\n", collect, c), -1);
	assert_int_equal(db_statements_each("-- name:    \r\nSELECT 1\n", collect, c), -1);
	assert_int_equal(c->count, 0);
}

static void test_overlong_name_is_an_error(void **state)
{
	struct collected *c = *state;
	char src[400];

	memset(src, 'n', sizeof(src));
	memcpy(src, "-- name: ", 9);
	memcpy(src + 9 + 200, "\nSELECT 1\n", 11);
	assert_int_equal(db_statements_each(src, collect, c), -1);
	assert_int_equal(c->count, 0);
}

static void test_callback_failure_stops_the_walk(void **state)
{
	struct collected *c = *state;

	c->stop_after = 2;
	assert_int_equal(db_statements_each(three_blocks, collect, c), -1);
	assert_int_equal(c->count, 2);
}

static void test_empty_block_gives_empty_text(void **state)
{
	struct collected *c = *state;

	assert_int_equal(db_statements_each("-- name: a\n-- name: b\nSELECT 2\n", collect, c), 2);
	assert_string_equal(c->names[0], "a");
	assert_false(has_sql(c->texts[0]));
	assert_string_equal(c->names[1], "b");
}

/* ---- the statements made from a route row's function ------------------------ */

static void test_function_with_out_columns_selects_them(void **state)
{
	char text[256];

	(void)state;
	assert_true(db_function_statement(text, sizeof(text), "cases_get", 4, "body, etag"));
	assert_string_equal(text, "SELECT body, etag FROM api.cases_get($1, $2, $3, $4)");
}

static void test_function_of_one_value_is_called_in_the_select_list(void **state)
{
	char text[256];

	(void)state;
	assert_true(db_function_statement(text, sizeof(text), "trainings_list", 5, ""));
	assert_string_equal(text, "SELECT api.trainings_list($1, $2, $3, $4, $5)");
}

static void test_function_without_arguments_has_empty_parentheses(void **state)
{
	char text[64];

	(void)state;
	assert_true(db_function_statement(text, sizeof(text), "f", 0, ""));
	assert_string_equal(text, "SELECT api.f()");
}

static void test_function_statement_that_does_not_fit_is_refused(void **state)
{
	char text[40];

	(void)state;
	assert_true(db_function_statement(text, sizeof(text), "cases_get", 3, ""));
	assert_false(db_function_statement(text, sizeof(text), "cases_get", 12, ""));
	assert_false(db_function_statement(text, 10, "cases_get", 0, "body"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_embedded_sql_is_not_empty),
		T(test_embedded_statements_split_into_at_least_one),
		T(test_embedded_statement_names_are_lowercase_words),
		T(test_embedded_statement_names_are_unique),
		T(test_embedded_statement_texts_are_not_empty),
		T(test_embedded_statement_texts_hold_no_second_marker),
		T(test_blocks_are_split_in_order_with_names_and_texts),
		T(test_text_before_the_first_marker_is_ignored),
		T(test_name_loses_trailing_spaces_and_carriage_return),
		T(test_source_without_markers_has_no_statements),
		T(test_last_block_without_final_newline_is_whole),
		T(test_marker_without_newline_is_an_error),
		T(test_empty_name_is_an_error),
		T(test_overlong_name_is_an_error),
		T(test_callback_failure_stops_the_walk),
		T(test_empty_block_gives_empty_text),
		cmocka_unit_test(test_function_with_out_columns_selects_them),
		cmocka_unit_test(test_function_of_one_value_is_called_in_the_select_list),
		cmocka_unit_test(test_function_without_arguments_has_empty_parentheses),
		cmocka_unit_test(test_function_statement_that_does_not_fit_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
