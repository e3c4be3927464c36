/*
 * core/report_format.c: the periods /reports accepts (and the 400s it
 * owes for anything else), and the CSV a spreadsheet opens: one row per
 * number named by its JSON path, empty for null, nothing but numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/report_format.h"

static void assert_period(const struct report_period *p, const char *kind, const char *label,
			  const char *from, const char *to)
{
	assert_string_equal(p->kind, kind);
	assert_string_equal(p->label, label);
	assert_string_equal(p->from, from);
	assert_string_equal(p->to, to);
}

static void test_month_spans_its_days_leap_february_included(void **state)
{
	struct report_period p;

	(void)state;
	assert_true(report_month_parse("2026-11", &p));
	assert_period(&p, "month", "2026-11", "2026-11-01", "2026-11-30");
	assert_true(report_month_parse("2024-02", &p));
	assert_period(&p, "month", "2024-02", "2024-02-01", "2024-02-29");
	assert_true(report_month_parse("2100-02", &p));
	assert_string_equal(p.to, "2100-02-28");
	assert_true(report_month_parse("2000-02", &p));
	assert_string_equal(p.to, "2000-02-29");
	assert_true(report_month_parse("2026-12", &p));
	assert_string_equal(p.to, "2026-12-31");
}

static void test_bad_months_are_refused(void **state)
{
	static const char *const bad[] = {
		"",        "2026-13",  "2026-00",  "2026-1",  "26-11",   "2026/11", "2026-11-01",
		"2026-1a", " 2026-11", "2026-11 ", "0999-01", "2026-Q4", "abcd-ef", "2026--1"};
	struct report_period p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (report_month_parse(bad[i], &p))
			fail_msg("month '%s' was accepted", bad[i]);
	assert_false(report_month_parse(NULL, &p));
}

static void test_quarter_spans_three_months(void **state)
{
	struct report_period p;

	(void)state;
	assert_true(report_quarter_parse("2026-Q4", &p));
	assert_period(&p, "quarter", "2026-Q4", "2026-10-01", "2026-12-31");
	assert_true(report_quarter_parse("2025-Q1", &p));
	assert_period(&p, "quarter", "2025-Q1", "2025-01-01", "2025-03-31");
	assert_true(report_quarter_parse("2026-Q2", &p));
	assert_period(&p, "quarter", "2026-Q2", "2026-04-01", "2026-06-30");
	assert_true(report_quarter_parse("2026-Q3", &p));
	assert_period(&p, "quarter", "2026-Q3", "2026-07-01", "2026-09-30");
}

static void test_bad_quarters_are_refused(void **state)
{
	static const char *const bad[] = {"2026-Q0",  "2026-Q5", "2026-q4", "2026Q4",  "2026-Q",
					  "2026-Q44", "2026-4",  "2026-11", "Q4-2026", ""};
	struct report_period p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (report_quarter_parse(bad[i], &p))
			fail_msg("quarter '%s' was accepted", bad[i]);
}

static void test_accept_csv_whatever_its_parameters(void **state)
{
	(void)state;
	assert_true(report_accepts_csv("text/csv"));
	assert_true(report_accepts_csv("TEXT/CSV; charset=utf-8"));
	assert_true(report_accepts_csv("application/json;q=0.5, text/csv"));
	assert_false(report_accepts_csv(NULL));
	assert_false(report_accepts_csv("application/json"));
	assert_false(report_accepts_csv("*/*"));
	assert_false(report_accepts_csv("text/csvx"));
}

static const char report_json[] =
	"{\"period\": {\"kind\": \"month\", \"label\": \"2026-10\", \"from\": \"2026-10-01\","
	" \"to\": \"2026-10-31\"}, \"program\": \"IPS\", \"scope\": \"team\","
	" \"figures\": {\"cans_approved\": {\"initial\": 2, \"extension\": 0, \"case_close\": 1,"
	" \"total\": 3}, \"initial_on_time\": {\"count\": 1, \"of\": 3, \"rate\": 0.3333},"
	" \"days_submit_to_approval\": {\"median\": 2.5, \"p90\": null},"
	" \"items\": [{\"item\": \"SEXUAL_ABUSE\", \"scale\": \"need\", \"rated\": 3,"
	" \"share\": 0.6667}, {\"item\": \"FAMILY_STRENGTHS\", \"scale\": \"strength\","
	" \"rated\": 0, \"share\": null}], \"staff_certified\": 12}}";

static void test_csv_has_one_row_per_number_named_by_path(void **state)
{
	struct arena *arena = arena_new(0);
	json_t *report = json_loads(report_json, 0, NULL);
	struct buf out;

	(void)state;
	assert_non_null(report);
	buf_init(&out, arena);
	assert_true(report_csv(report, &out));
	assert_string_equal(out.data, "figure,value\r\n"
				      "cans_approved.initial,2\r\n"
				      "cans_approved.extension,0\r\n"
				      "cans_approved.case_close,1\r\n"
				      "cans_approved.total,3\r\n"
				      "initial_on_time.count,1\r\n"
				      "initial_on_time.of,3\r\n"
				      "initial_on_time.rate,0.3333\r\n"
				      "days_submit_to_approval.median,2.5\r\n"
				      "days_submit_to_approval.p90,\r\n"
				      "items.SEXUAL_ABUSE.rated,3\r\n"
				      "items.SEXUAL_ABUSE.share,0.6667\r\n"
				      "items.FAMILY_STRENGTHS.rated,0\r\n"
				      "items.FAMILY_STRENGTHS.share,\r\n"
				      "staff_certified,12\r\n");
	assert_string_equal(report_csv_filename(arena, report),
			    "cansd-report-2026-10-IPS-team.csv");
	json_decref(report);
	arena_free(arena);
}

static void test_csv_quotes_a_name_that_needs_it_and_refuses_a_non_report(void **state)
{
	struct arena *arena = arena_new(0);
	json_t *odd =
		json_loads("{\"figures\": {\"items\": [{\"item\": \"A,\\\"B\", \"rated\": 1}]},"
			   " \"program\": null, \"period\": {\"label\": \"2026-Q1\"}}",
			   0, NULL);
	json_t *not_report = json_loads("{\"type\": \"x\"}", 0, NULL);
	struct buf out;

	(void)state;
	buf_init(&out, arena);
	assert_true(report_csv(odd, &out));
	assert_string_equal(out.data, "figure,value\r\n\"items.A,\"\"B.rated\",1\r\n");
	assert_string_equal(report_csv_filename(arena, odd), "cansd-report-2026-Q1-all.csv");
	buf_init(&out, arena);
	assert_false(report_csv(not_report, &out));
	json_decref(odd);
	json_decref(not_report);
	arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_spans_its_days_leap_february_included),
		cmocka_unit_test(test_bad_months_are_refused),
		cmocka_unit_test(test_quarter_spans_three_months),
		cmocka_unit_test(test_bad_quarters_are_refused),
		cmocka_unit_test(test_accept_csv_whatever_its_parameters),
		cmocka_unit_test(test_csv_has_one_row_per_number_named_by_path),
		cmocka_unit_test(test_csv_quotes_a_name_that_needs_it_and_refuses_a_non_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
