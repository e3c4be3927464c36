/*
 * The all-or-nothing CSV import of training records through the real stack
 * (POST /training-records/import): every row or none, bad rows and headers
 * named, text/csv only, the certification office only, 16 MiB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/cert_fixture.h"
#include "tests/support/problem_assert.h"

/* --- 4. the CSV import ---------------------------------------------------------------- */

static void import_csv(struct http_response *r, const char *token, const char *csv, size_t len)
{
	http_call(r, "POST", API "/training-records/import", token, csv_type, csv, len);
}

static size_t count_records(const char *user_id)
{
	struct http_response r;
	size_t n;

	list_records(&r, office.token, user_id);
	assert_status(&r, 200);
	n = json_array_size(json_object_get(r.json, "items"));
	http_free(&r);
	return n;
}

static void test_import_of_valid_csv_records_every_row(void **state)
{
	struct ymd t = today();
	struct person a, b;
	struct http_response r;
	char csv[1024];
	json_t *items, *it;

	(void)state;
	person_new(&a, "impa", WORKER_ROLES, NULL);
	person_new(&b, "impb", WORKER_ROLES, NULL);
	snprintf(csv, sizeof(csv),
		 "username,training_code,completed_on,score\r\n"
		 "%s,CANS_2_0_CERTIFICATION,%s,87.5\r\n"
		 "%s,CANS_SACWIS_FUNCTIONALITY,%s,\r\n"
		 "%s,CANS_2_0_RECERTIFICATION,%s,100\r\n",
		 a.name, fmt(add_days(t, -20)).s, a.name, fmt(add_days(t, -19)).s, b.name,
		 fmt(t).s);
	import_csv(&r, office.token, csv, strlen(csv));
	assert_status(&r, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "imported")), 3);
	http_free(&r);

	list_records(&r, office.token, a.id);
	assert_status(&r, 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	it = item_with(items, "training_code", "CANS_2_0_CERTIFICATION");
	assert_non_null(it);
	assert_string_equal(str(it, "completed_on"), fmt(add_days(t, -20)).s);
	assert_true(json_number_value(json_object_get(it, "score")) == 87.5);
	it = item_with(items, "training_code", "CANS_SACWIS_FUNCTIONALITY");
	assert_non_null(it);
	assert_true(json_is_null(json_object_get(it, "score")));
	http_free(&r);
	assert_int_equal(count_records(b.id), 1);

	/* Imported records count for certification at once. */
	get_me(&r, a.token);
	assert_true(json_is_true(json_object_get(certification_of(&r), "certified")));
	http_free(&r);

	/* Usernames match whatever their case, as at login. */
	{
		char *upper = strdup(b.name);

		for (char *p = upper; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		snprintf(csv, sizeof(csv),
			 "username,training_code,completed_on,score\r\n"
			 "%s,CANS_SACWIS_FUNCTIONALITY,%s,\r\n",
			 upper, fmt(t).s);
		import_csv(&r, office.token, csv, strlen(csv));
		assert_status(&r, 200);
		http_free(&r);
		assert_int_equal(count_records(b.id), 2);
		free(upper);
	}

	person_free(&a);
	person_free(&b);
}

static void test_import_with_bad_rows_names_every_bad_row_and_imports_nothing(void **state)
{
	struct ymd t = today();
	struct person a;
	struct http_response r;
	char csv[2048];
	char field[16];
	int n;

	(void)state;
	person_new(&a, "bad", WORKER_ROLES, NULL);
	snprintf(csv, sizeof(csv),
		 "username,training_code,completed_on,score\n"
		 "%s,CANS_SACWIS_FUNCTIONALITY,%s,90\n"          /* 1: good */
		 "nobody-%d-here,CANS_2_0_CERTIFICATION,%s,90\n" /* 2: unknown username */
		 "%s,CANS_9_9_CERTIFICATION,%s,90\n"             /* 3: unknown training code */
		 "%s,CANS_2_0_CERTIFICATION,2025-02-30,90\n"     /* 4: no such date */
		 "%s,CANS_2_0_CERTIFICATION,%s,90\n"             /* 5: in the future */
		 "%s,CANS_2_0_CERTIFICATION,%s,101\n"            /* 6: score out of range */
		 "%s,CANS_2_0_CERTIFICATION,%s\n"                /* 7: three columns */
		 "%s,CANS_2_0_CERTIFICATION,%s,80\n",            /* 8: good */
		 a.name, fmt(add_days(t, -3)).s, (int)getpid(), fmt(add_days(t, -3)).s, a.name,
		 fmt(add_days(t, -3)).s, a.name, a.name, fmt(add_days(t, 2)).s, a.name,
		 fmt(add_days(t, -3)).s, a.name, fmt(add_days(t, -3)).s, a.name,
		 fmt(add_days(t, -4)).s);
	import_csv(&r, office.token, csv, strlen(csv));
	assert_problem(&r, 422, "validation-failed");
	for (n = 2; n <= 7; n++) {
		snprintf(field, sizeof(field), "row %d", n);
		if (!error_names(&r, field))
			fprintf(stderr, "errors[] does not name %s: %s\n", field, r.body);
		assert_true(error_names(&r, field));
	}
	assert_false(error_names(&r, "row 1"));
	assert_false(error_names(&r, "row 8"));
	assert_false(error_names(&r, "header"));
	http_free(&r);

	/* All or nothing: the good rows of that file were not recorded. */
	assert_int_equal(count_records(a.id), 0);
	person_free(&a);
}

static void test_import_with_bad_header_is_422_naming_the_header(void **state)
{
	struct person a;
	struct http_response r;
	char csv[512];

	(void)state;
	person_new(&a, "hdr", WORKER_ROLES, NULL);
	snprintf(csv, sizeof(csv),
		 "user,code,date,score\n%s,CANS_SACWIS_FUNCTIONALITY,2025-01-02,90\n", a.name);
	import_csv(&r, office.token, csv, strlen(csv));
	assert_problem(&r, 422, "validation-failed");
	assert_true(error_names(&r, "header"));
	http_free(&r);
	/* An empty file has no header either. */
	import_csv(&r, office.token, "", 0);
	assert_problem(&r, 422, "validation-failed");
	assert_true(error_names(&r, "header"));
	http_free(&r);
	assert_int_equal(count_records(a.id), 0);
	person_free(&a);
}

static void test_import_refuses_json_content_type_with_415(void **state)
{
	static const char *const json_type[] = {"Content-Type: application/json", NULL};
	static const char csv[] = "username,training_code,completed_on,score\n";
	struct http_response r;

	(void)state;
	http_call(&r, "POST", API "/training-records/import", office.token, json_type, csv,
		  strlen(csv));
	assert_problem(&r, 415, "unsupported-media-type");
	http_free(&r);
}

static void test_import_by_worker_or_admin_is_403(void **state)
{
	struct person w;
	struct http_response r;
	char csv[512];

	(void)state;
	person_new(&w, "impw", WORKER_ROLES, NULL);
	snprintf(csv, sizeof(csv),
		 "username,training_code,completed_on,score\n%s,CANS_SACWIS_FUNCTIONALITY,2025-01-"
		 "02,90\n",
		 w.name);
	import_csv(&r, w.token, csv, strlen(csv));
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	import_csv(&r, admin_token, csv, strlen(csv));
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	assert_int_equal(count_records(w.id), 0);
	person_free(&w);
}

/* Bulk imports may send up to 16 MiB: a ~2 MiB file of 40,000 rows is accepted. */
static void test_import_of_two_mebibyte_csv_with_40000_rows_is_accepted(void **state)
{
	enum { ROWS = 40000 };
	struct ymd t = today();
	struct person a, b;
	struct http_response r;
	char *csv = NULL, sql[512], *count;
	size_t len = 0;
	long status, stored;
	json_int_t imported;
	FILE *out;
	int i;

	(void)state;
	person_new(&a, "bulka", WORKER_ROLES, NULL);
	person_new(&b, "bulkb", WORKER_ROLES, NULL);
	out = open_memstream(&csv, &len);
	assert_non_null(out);
	fputs("username,training_code,completed_on,score\n", out);
	for (i = 0; i < ROWS; i++)
		fprintf(out, "%s,%s,%s,%d.5\n", i % 2 ? b.name : a.name,
			i % 3 ? "CANS_SACWIS_FUNCTIONALITY" : "CANS_1_0_CERTIFICATION",
			fmt(add_days(t, -(i % 700))).s, i % 100);
	fclose(out);
	assert_true(len > 1024 * 1024 + 1024);
	assert_true(len < 16 * 1024 * 1024);

	import_csv(&r, office.token, csv, len);
	free(csv);
	/* Checked after freeing, so that a failure leaves no leak report behind. */
	status = r.status;
	imported = json_integer_value(json_object_get(r.json, "imported"));
	if (status != 200)
		fprintf(stderr, "a %zu-byte CSV import (limit 16 MiB) got %ld: %s\n", len, status,
			r.body);
	http_free(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.training_records WHERE user_id IN (%s, %s)", a.id,
		 b.id);
	count = test_psql(sql);
	stored = atol(count);
	free(count);
	person_free(&a);
	person_free(&b);

	assert_int_equal(status, 200);
	assert_int_equal(imported, ROWS);
	assert_int_equal(stored, ROWS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_of_valid_csv_records_every_row),
		cmocka_unit_test(test_import_with_bad_rows_names_every_bad_row_and_imports_nothing),
		cmocka_unit_test(test_import_with_bad_header_is_422_naming_the_header),
		cmocka_unit_test(test_import_refuses_json_content_type_with_415),
		cmocka_unit_test(test_import_by_worker_or_admin_is_403),
		cmocka_unit_test(test_import_of_two_mebibyte_csv_with_40000_rows_is_accepted),
	};

	return cmocka_run_group_tests_name("training_import", tests, cert_setup, cert_teardown);
}
