/*
 * Training through the real stack (nginx -> FastCGI pool -> PostgreSQL): the
 * training catalogue and training records: recording and correcting, who may
 * read and write them, and validation.
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

/* --- 1. the catalogue ------------------------------------------------------------ */

static void test_trainings_catalogue_lists_cans_codes_with_certification_flags(void **state)
{
	static const struct {
		const char *code;
		bool counts;
	} expected[] = {
		{"CANS_2_0_CERTIFICATION", true},
		{"CANS_2_0_RECERTIFICATION", true},
		{"CANS_SACWIS_FUNCTIONALITY", true},
		{"CANS_1_0_CERTIFICATION", false},
	};
	struct person w;
	struct http_response r;
	json_t *items;
	size_t i;

	(void)state;
	person_new(&w, "cat", WORKER_ROLES, NULL);
	http_call(&r, "GET", API "/trainings", w.token, NULL, NULL, 0);
	assert_status(&r, 200);
	items = json_object_get(r.json, "items");
	assert_true(json_is_array(items));
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		json_t *t = item_with(items, "code", expected[i].code);
		json_t *counts;

		if (!t)
			fprintf(stderr, "catalogue lacks %s: %s\n", expected[i].code, r.body);
		assert_non_null(t);
		assert_non_null(str(t, "name"));
		counts = json_object_get(t, "counts_for_certification");
		assert_true(json_is_boolean(counts));
		assert_int_equal(json_is_true(counts), expected[i].counts);
		assert_non_null(json_object_get(t, "expires_after_days"));
	}
	/* SACWIS functionality never expires. */
	assert_true(json_is_null(json_object_get(
		item_with(items, "code", "CANS_SACWIS_FUNCTIONALITY"), "expires_after_days")));
	http_free(&r);
	person_free(&w);
}

static void test_trainings_catalogue_without_token_is_401(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", API "/trainings", NULL, NULL, NULL, 0);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
}

/* --- 2. records: recording, correcting, reading, writing ---------------------------- */

static void test_office_records_completion_and_correction_keeps_old_values(void **state)
{
	struct ymd t = today();
	struct ymd first = add_days(t, -10), fixed = add_days(t, -5);
	struct person w;
	struct http_response r;
	char path[128], body[256], header[160], *etag, *rec_id;
	const char *if_match[3] = {"Content-Type: application/json", NULL, NULL};
	json_t *corr, *c0;

	(void)state;
	person_new(&w, "rec", WORKER_ROLES, NULL);

	snprintf(path, sizeof(path), API "/users/%s/training-records", w.id);
	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_SACWIS_FUNCTIONALITY\",\"completed_on\":\"%s\","
		 "\"score\":88}",
		 fmt(first).s);
	http_json(&r, "POST", path, office.token, body);
	assert_status(&r, 201);
	rec_id = strdup(str(r.json, "id"));
	assert_string_equal(str(r.json, "user_id"), w.id);
	assert_string_equal(str(r.json, "training_code"), "CANS_SACWIS_FUNCTIONALITY");
	assert_string_equal(str(r.json, "completed_on"), fmt(first).s);
	assert_true(json_number_value(json_object_get(r.json, "score")) == 88.0);
	assert_string_equal(str(r.json, "recorded_by"), office.id);
	etag = http_header(&r, "ETag");
	assert_non_null(etag);
	http_free(&r);

	snprintf(path, sizeof(path), API "/training-records/%s", rec_id);
	snprintf(body, sizeof(body),
		 "{\"completed_on\":\"%s\",\"score\":92,\"reason\":\"date typed wrong\"}",
		 fmt(fixed).s);

	/* A stale If-Match: 412, and nothing changes. */
	if_match[1] = "If-Match: \"999999\"";
	http_call(&r, "PATCH", path, office.token, if_match, body, strlen(body));
	assert_problem(&r, 412, "precondition-failed");
	http_free(&r);

	/* A correction needs a reason. */
	snprintf(header, sizeof(header), "If-Match: %s", etag);
	if_match[1] = header;
	{
		char no_reason[128];

		snprintf(no_reason, sizeof(no_reason), "{\"completed_on\":\"%s\"}", fmt(fixed).s);
		http_call(&r, "PATCH", path, office.token, if_match, no_reason, strlen(no_reason));
		assert_problem(&r, 400, "validation-failed");
		assert_true(error_names(&r, "reason"));
		http_free(&r);
	}

	/* The correction with the current ETag: 200, the old values kept. */
	http_call(&r, "PATCH", path, office.token, if_match, body, strlen(body));
	assert_status(&r, 200);
	assert_string_equal(str(r.json, "completed_on"), fmt(fixed).s);
	assert_true(json_number_value(json_object_get(r.json, "score")) == 92.0);
	corr = json_object_get(r.json, "corrections");
	assert_int_equal(json_array_size(corr), 1);
	c0 = json_array_get(corr, 0);
	assert_string_equal(str(c0, "corrected_by"), office.id);
	assert_string_equal(str(c0, "reason"), "date typed wrong");
	assert_string_equal(str(json_object_get(c0, "before"), "completed_on"), fmt(first).s);
	assert_true(json_number_value(json_object_get(json_object_get(c0, "before"), "score")) ==
		    88.0);
	assert_string_equal(str(json_object_get(c0, "after"), "completed_on"), fmt(fixed).s);
	http_free(&r);

	/* The old ETag is stale now. */
	http_call(&r, "PATCH", path, office.token, if_match, body, strlen(body));
	assert_problem(&r, 412, "precondition-failed");
	http_free(&r);

	/* The list shows the corrected record with its history. */
	list_records(&r, office.token, w.id);
	assert_status(&r, 200);
	{
		json_t *it = item_with(json_object_get(r.json, "items"), "id", rec_id);

		assert_non_null(it);
		assert_string_equal(str(it, "completed_on"), fmt(fixed).s);
		assert_int_equal(json_array_size(json_object_get(it, "corrections")), 1);
	}
	http_free(&r);

	free(etag);
	free(rec_id);
	person_free(&w);
}

static void test_training_records_visible_to_self_supervisor_office_admin_only(void **state)
{
	struct person sup, other_sup, w, other_w;
	struct http_response r;
	const char *readers[4];
	char *rec_id, path[128];
	size_t i;

	(void)state;
	person_new(&sup, "tsup", SUPERVISOR_ROLES, NULL);
	person_new(&other_sup, "tosup", SUPERVISOR_ROLES, NULL);
	person_new(&w, "tw", WORKER_ROLES, sup.id);
	person_new(&other_w, "tow", WORKER_ROLES, other_sup.id);
	rec_id = record(w.id, "CANS_2_0_CERTIFICATION", add_days(today(), -3), "75");

	readers[0] = w.token;
	readers[1] = sup.token;
	readers[2] = office.token;
	readers[3] = admin_token;
	snprintf(path, sizeof(path), API "/training-records/%s", rec_id);
	for (i = 0; i < 4; i++) {
		list_records(&r, readers[i], w.id);
		assert_status(&r, 200);
		assert_non_null(item_with(json_object_get(r.json, "items"), "id", rec_id));
		http_free(&r);
		http_call(&r, "GET", path, readers[i], NULL, NULL, 0);
		assert_status(&r, 200);
		assert_string_equal(str(r.json, "id"), rec_id);
		http_free(&r);
	}
	/* Another worker and another supervisor may not know the user exists. */
	list_records(&r, other_w.token, w.id);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	list_records(&r, other_sup.token, w.id);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	/* Nor the record itself. */
	http_call(&r, "GET", path, other_w.token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "GET", path, other_sup.token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	free(rec_id);
	person_free(&sup);
	person_free(&other_sup);
	person_free(&w);
	person_free(&other_w);
}

static void test_only_certification_office_writes_training_records(void **state)
{
	struct person sup, w;
	struct http_response r;
	char path[128], body[160], *rec_id;
	const char *writers[3];
	size_t i;

	(void)state;
	person_new(&sup, "wsup", SUPERVISOR_ROLES, NULL);
	person_new(&w, "ww", WORKER_ROLES, sup.id);
	snprintf(path, sizeof(path), API "/users/%s/training-records", w.id);
	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_SACWIS_FUNCTIONALITY\",\"completed_on\":\"%s\"}",
		 fmt(add_days(today(), -1)).s);
	writers[0] = sup.token;
	writers[1] = admin_token;
	writers[2] = w.token;
	for (i = 0; i < 3; i++) {
		http_json(&r, "POST", path, writers[i], body);
		assert_problem(&r, 403, "forbidden");
		http_free(&r);
	}
	/* Nor may they correct one. */
	rec_id = record(w.id, "CANS_SACWIS_FUNCTIONALITY", add_days(today(), -1), NULL);
	snprintf(path, sizeof(path), API "/training-records/%s", rec_id);
	for (i = 0; i < 3; i++) {
		http_json(&r, "PATCH", path, writers[i], "{\"score\":50,\"reason\":\"mine\"}");
		assert_problem(&r, 403, "forbidden");
		http_free(&r);
	}
	/* Nothing but the office's one record exists. */
	list_records(&r, office.token, w.id);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_true(json_is_null(
		json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "score")));
	http_free(&r);

	free(rec_id);
	person_free(&sup);
	person_free(&w);
}

static void post_record_expect_invalid(const char *path, const char *body, const char *field)
{
	struct http_response r;

	http_json(&r, "POST", path, office.token, body);
	assert_problem(&r, 400, "validation-failed");
	if (!error_names(&r, field))
		fprintf(stderr, "errors[] does not name %s: %s\n", field, r.body);
	assert_true(error_names(&r, field));
	http_free(&r);
}

static void test_training_record_validation_names_the_bad_field(void **state)
{
	struct ymd t = today();
	struct person w;
	struct http_response r;
	char path[128], body[256];

	(void)state;
	person_new(&w, "val", WORKER_ROLES, NULL);
	snprintf(path, sizeof(path), API "/users/%s/training-records", w.id);

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"NO_SUCH_TRAINING\",\"completed_on\":\"%s\"}", fmt(t).s);
	post_record_expect_invalid(path, body, "training_code");

	/* Tomorrow in the programs' time zone is the future. */
	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\"}",
		 fmt(add_days(t, 1)).s);
	post_record_expect_invalid(path, body, "completed_on");

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2025-02-30\"}");
	post_record_expect_invalid(path, body, "completed_on");

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\",\"score\":"
		 "101}",
		 fmt(t).s);
	post_record_expect_invalid(path, body, "score");

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\",\"score\":-"
		 "1}",
		 fmt(t).s);
	post_record_expect_invalid(path, body, "score");

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\","
		 "\"score\":\"90\"}",
		 fmt(t).s);
	post_record_expect_invalid(path, body, "score");

	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\","
		 "\"instructor\":\"X\"}",
		 fmt(t).s);
	post_record_expect_invalid(path, body, "instructor");

	/* A server-owned field is refused like any unknown one. */
	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\","
		 "\"recorded_by\":\"1\"}",
		 fmt(t).s);
	post_record_expect_invalid(path, body, "recorded_by");

	post_record_expect_invalid(path, "{\"completed_on\":\"2025-01-01\"}", "training_code");

	/* Nothing of the above was recorded. */
	list_records(&r, office.token, w.id);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);

	/* Today itself is not the future. */
	record_and_forget(w.id, "CANS_SACWIS_FUNCTIONALITY", t);

	/* An unknown user. */
	snprintf(body, sizeof(body),
		 "{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"%s\"}",
		 fmt(t).s);
	http_json(&r, "POST", API "/users/999999999/training-records", office.token, body);
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	person_free(&w);
}

static void test_correction_to_future_date_or_without_changes_is_400(void **state)
{
	struct ymd t = today();
	struct person w;
	struct http_response r;
	char path[128], body[160], *rec_id;

	(void)state;
	person_new(&w, "cfut", WORKER_ROLES, NULL);
	rec_id = record(w.id, "CANS_2_0_CERTIFICATION", add_days(t, -2), "70");
	snprintf(path, sizeof(path), API "/training-records/%s", rec_id);
	snprintf(body, sizeof(body), "{\"completed_on\":\"%s\",\"reason\":\"later\"}",
		 fmt(add_days(t, 1)).s);
	http_json(&r, "PATCH", path, office.token, body);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "completed_on"));
	http_free(&r);
	http_json(&r, "PATCH", path, office.token, "{\"reason\":\"nothing\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, office.token, "{\"score\":101,\"reason\":\"too much\"}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "score"));
	http_free(&r);
	http_json(&r, "PATCH", API "/training-records/999999999", office.token,
		  "{\"score\":50,\"reason\":\"nobody\"}");
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	free(rec_id);
	person_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_trainings_catalogue_lists_cans_codes_with_certification_flags),
		cmocka_unit_test(test_trainings_catalogue_without_token_is_401),
		cmocka_unit_test(test_office_records_completion_and_correction_keeps_old_values),
		cmocka_unit_test(
			test_training_records_visible_to_self_supervisor_office_admin_only),
		cmocka_unit_test(test_only_certification_office_writes_training_records),
		cmocka_unit_test(test_training_record_validation_names_the_bad_field),
		cmocka_unit_test(test_correction_to_future_date_or_without_changes_is_400),
	};

	return cmocka_run_group_tests_name("training_records", tests, cert_setup, cert_teardown);
}
