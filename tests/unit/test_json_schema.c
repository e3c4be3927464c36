/*
 * core/json_schema.c: the one validator behind every JSON body. Each check
 * here is a rule openapi.yaml states for 400 validation-failed (unknown,
 * missing, null, wrong type, out of range, impossible or future date), and
 * json_body is driven through a request as the dispatcher would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/json_schema.h"
#include "core/problem.h"
#include "core/request.h"

#define TODAY "2026-05-10"

static const char *const programs[] = {"IPS", "IFPS", NULL};
static const char *const role_names[] = {"worker", "supervisor", "program_admin", NULL};

/* A schema touching every field type and flag. */
static const struct json_field schema[] = {
	{"name", JF_STRING, JF_REQUIRED, 2, 5, NULL},
	{"program", JF_STRING, 0, 0, 0, programs},
	{"rating", JF_INTEGER, 0, 0, 3, NULL},
	{"score", JF_NUMBER, JF_NULLABLE, 0, 100, NULL},
	{"count", JF_INTEGER, 0, 0, 0, NULL},
	{"active", JF_BOOLEAN, 0, 0, 0, NULL},
	{"opened_on", JF_DATE, 0, 0, 0, NULL},
	{"completed_on", JF_DATE, JF_NOT_FUTURE, 0, 0, NULL},
	{"worker_id", JF_ID, JF_NULLABLE, 0, 0, NULL},
	{"roles", JF_STRING_ARRAY, 0, 1, 2, role_names},
	{"tags", JF_STRING_ARRAY, 0, 0, 0, NULL},
	{"child_ids", JF_ID_ARRAY, 0, 0, 3, NULL},
	{"ratings", JF_OBJECT, 0, 0, 0, NULL},
	{"notes", JF_STRING, 0, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static int setup(void **state)
{
	*state = arena_new(0);
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static void decref(void *p)
{
	json_decref(p);
}

/* Parses text (which the test knows is valid) into a value the arena frees. */
static json_t *load(struct arena *arena, const char *text)
{
	json_error_t error;
	json_t *v = json_loads(text, 0, &error);

	if (!v)
		fail_msg("test JSON does not parse: %s: %s", error.text, text);
	arena_defer(arena, decref, v);
	return v;
}

static size_t check_with(struct arena *arena, const char *text, const struct json_field *fields,
			 const char *today, struct field_error *errors)
{
	return json_schema_check(arena, load(arena, text), fields, today, errors);
}

static size_t check(struct arena *arena, const char *text, struct field_error *errors)
{
	return check_with(arena, text, schema, TODAY, errors);
}

/* Exactly one error, on field, with code. */
static void expect_one(struct arena *arena, const char *text, const char *field, const char *code)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	size_t n = check(arena, text, errors);

	if (n != 1)
		fail_msg("%s: expected 1 error on %s (%s), got %zu", text, field, code, n);
	assert_string_equal(errors[0].field, field);
	assert_string_equal(errors[0].code, code);
	assert_non_null(errors[0].message);
	assert_true(strlen(errors[0].message) > 0);
}

static void expect_valid(struct arena *arena, const char *text)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	size_t n = check(arena, text, errors);

	if (n != 0)
		fail_msg("%s: expected valid, got %zu errors, first %s %s: %s", text, n,
			 errors[0].field, errors[0].code, errors[0].message);
}

/* ---- json_schema_check ------------------------------------------------- */

static void test_schema_minimal_valid_object_passes(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\"}");
}

static void test_schema_every_field_valid_passes(void **state)
{
	expect_valid(*state,
		     "{\"name\":\"Ann\",\"program\":\"IFPS\",\"rating\":3,\"score\":99.5,"
		     "\"count\":-7,\"active\":false,\"opened_on\":\"2030-01-01\","
		     "\"completed_on\":\"2026-05-10\",\"worker_id\":\"17\","
		     "\"roles\":[\"worker\",\"supervisor\"],\"tags\":[],"
		     "\"child_ids\":[\"1\",\"2\",\"3\"],\"ratings\":{\"A\":1},\"notes\":\"\"}");
}

static void test_schema_unknown_field_is_refused(void **state)
{
	expect_one(*state, "{\"name\":\"Ann\",\"id\":\"5\"}", "id", "unknown");
}

static void test_schema_server_owned_fields_are_refused_as_unknown(void **state)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	size_t n = check(*state,
			 "{\"name\":\"Ann\",\"status\":\"approved\",\"version\":9,"
			 "\"created_at\":\"2026-01-01T00:00:00Z\"}",
			 errors);
	size_t i;

	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_string_equal(errors[i].code, "unknown");
}

static void test_schema_required_missing_is_refused(void **state)
{
	expect_one(*state, "{}", "name", "required");
}

static void test_schema_optional_absent_is_fine(void **state)
{
	expect_valid(*state, "{\"name\":\"Bob\"}");
}

static void test_schema_null_where_not_nullable_is_refused(void **state)
{
	expect_one(*state, "{\"name\":\"Ann\",\"rating\":null}", "rating", "null");
	expect_one(*state, "{\"name\":null}", "name", "null");
}

static void test_schema_null_where_nullable_is_accepted(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"score\":null,\"worker_id\":null}");
}

static void test_schema_wrong_types_are_refused(void **state)
{
	static const struct {
		const char *json;
		const char *field;
	} cases[] = {
		{"{\"name\":5}", "name"},
		{"{\"name\":\"Ann\",\"rating\":\"2\"}", "rating"},
		{"{\"name\":\"Ann\",\"rating\":1.5}", "rating"},
		{"{\"name\":\"Ann\",\"rating\":true}", "rating"},
		{"{\"name\":\"Ann\",\"score\":\"50\"}", "score"},
		{"{\"name\":\"Ann\",\"active\":0}", "active"},
		{"{\"name\":\"Ann\",\"active\":\"true\"}", "active"},
		{"{\"name\":\"Ann\",\"opened_on\":20260101}", "opened_on"},
		{"{\"name\":\"Ann\",\"worker_id\":17}", "worker_id"},
		{"{\"name\":\"Ann\",\"roles\":\"worker\"}", "roles"},
		{"{\"name\":\"Ann\",\"roles\":[1]}", "roles"},
		{"{\"name\":\"Ann\",\"child_ids\":[1]}", "child_ids"},
		{"{\"name\":\"Ann\",\"child_ids\":{}}", "child_ids"},
		{"{\"name\":\"Ann\",\"ratings\":[]}", "ratings"},
		{"{\"name\":\"Ann\",\"ratings\":\"x\"}", "ratings"},
		{"{\"name\":[\"Ann\"]}", "name"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_one(*state, cases[i].json, cases[i].field, "type");
}

static void test_schema_integer_accepts_integer_for_number(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"score\":100}");
	expect_valid(*state, "{\"name\":\"Ann\",\"score\":0}");
}

static void test_schema_string_length_counts_code_points(void **state)
{
	/* bounds 2..5 characters */
	expect_valid(*state, "{\"name\":\"ab\"}");
	expect_valid(*state, "{\"name\":\"abcde\"}");
	expect_valid(*state, "{\"name\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\"}");   /* 10 bytes */
	expect_valid(*state, "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}"); /* 8 bytes */
	expect_one(*state, "{\"name\":\"a\"}", "name", "range");
	expect_one(*state, "{\"name\":\"\"}", "name", "range");
	expect_one(*state, "{\"name\":\"abcdef\"}", "name", "range");
	expect_one(*state, "{\"name\":\"\u00e9\"}", "name", "range"); /* 2 bytes, 1 char */
	expect_one(*state, "{\"name\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}", "name", "range");
}

static void test_schema_unbounded_string_takes_any_length(void **state)
{
	struct arena *arena = *state;
	struct buf b;

	expect_valid(arena, "{\"name\":\"Ann\",\"notes\":\"\"}");
	buf_init(&b, arena);
	buf_puts(&b, "{\"name\":\"Ann\",\"notes\":\"");
	while (b.len < 10000)
		buf_puts(&b, "0123456789");
	buf_puts(&b, "\"}");
	expect_valid(arena, b.data);
}

static void test_schema_string_with_nul_is_refused(void **state)
{
	struct arena *arena = *state;
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	json_t *obj = json_object();

	arena_defer(arena, decref, obj);
	json_object_set_new(obj, "name", json_stringn("ab\0cd", 5));
	assert_int_equal(json_schema_check(arena, obj, schema, TODAY, errors), 1);
	assert_string_equal(errors[0].field, "name");
	assert_string_equal(errors[0].code, "invalid");
}

static void test_schema_enum_refuses_values_not_listed(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"program\":\"IPS\"}");
	expect_one(*state, "{\"name\":\"Ann\",\"program\":\"ips\"}", "program", "enum");
	expect_one(*state, "{\"name\":\"Ann\",\"program\":\"\"}", "program", "enum");
	expect_one(*state, "{\"name\":\"Ann\",\"program\":\"IPS \"}", "program", "enum");
}

static void test_schema_integer_bounds_are_inclusive(void **state)
{
	/* rating 0..3 */
	expect_valid(*state, "{\"name\":\"Ann\",\"rating\":0}");
	expect_valid(*state, "{\"name\":\"Ann\",\"rating\":3}");
	expect_one(*state, "{\"name\":\"Ann\",\"rating\":-1}", "rating", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"rating\":4}", "rating", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"rating\":9223372036854775807}", "rating", "range");
}

static void test_schema_unbounded_integer_takes_any_value(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"count\":-9223372036854775807}");
	expect_valid(*state, "{\"name\":\"Ann\",\"count\":9223372036854775807}");
}

static void test_schema_number_bounds_are_inclusive(void **state)
{
	/* score 0..100 */
	expect_valid(*state, "{\"name\":\"Ann\",\"score\":100.0}");
	expect_valid(*state, "{\"name\":\"Ann\",\"score\":0.0}");
	expect_one(*state, "{\"name\":\"Ann\",\"score\":100.5}", "score", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"score\":-0.01}", "score", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"score\":101}", "score", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"score\":1e300}", "score", "range");
}

static void test_schema_dates_must_be_real_calendar_days(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"opened_on\":\"2024-02-29\"}");
	expect_one(*state, "{\"name\":\"Ann\",\"opened_on\":\"2023-02-29\"}", "opened_on",
		   "invalid");
	expect_one(*state, "{\"name\":\"Ann\",\"opened_on\":\"2026-13-01\"}", "opened_on",
		   "invalid");
	expect_one(*state, "{\"name\":\"Ann\",\"opened_on\":\"2026-04-31\"}", "opened_on",
		   "invalid");
	expect_one(*state, "{\"name\":\"Ann\",\"opened_on\":\"2026-5-1\"}", "opened_on", "invalid");
	expect_one(*state, "{\"name\":\"Ann\",\"opened_on\":\"2026-05-01T00:00:00Z\"}", "opened_on",
		   "invalid");
}

static void test_schema_not_future_accepts_today_and_refuses_tomorrow(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"completed_on\":\"" TODAY "\"}");
	expect_valid(*state, "{\"name\":\"Ann\",\"completed_on\":\"2026-05-09\"}");
	expect_valid(*state, "{\"name\":\"Ann\",\"completed_on\":\"2025-12-31\"}");
	expect_one(*state, "{\"name\":\"Ann\",\"completed_on\":\"2026-05-11\"}", "completed_on",
		   "future");
	expect_one(*state, "{\"name\":\"Ann\",\"completed_on\":\"2027-01-01\"}", "completed_on",
		   "future");
}

static void test_schema_future_date_is_fine_without_not_future(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"opened_on\":\"2099-12-31\"}");
}

static void test_schema_impossible_date_is_invalid_before_future(void **state)
{
	expect_one(*state, "{\"name\":\"Ann\",\"completed_on\":\"2099-02-30\"}", "completed_on",
		   "invalid");
}

static void test_schema_ids_are_strings_of_digits_that_fit_a_bigint(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"worker_id\":\"0\"}");
	expect_valid(*state, "{\"name\":\"Ann\",\"worker_id\":\"999999999999999999\"}");
	expect_valid(*state, "{\"name\":\"Ann\",\"worker_id\":\"9223372036854775807\"}");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\"9223372036854775808\"}", "worker_id",
		   "type");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\"10000000000000000000\"}", "worker_id",
		   "type");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\"\"}", "worker_id", "type");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\"12a\"}", "worker_id", "type");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\"-1\"}", "worker_id", "type");
	expect_one(*state, "{\"name\":\"Ann\",\"worker_id\":\" 1\"}", "worker_id", "type");
}

static void test_schema_string_array_items_must_be_allowed(void **state)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];

	expect_valid(*state, "{\"name\":\"Ann\",\"roles\":[\"program_admin\"]}");
	assert_int_equal(
		check(*state, "{\"name\":\"Ann\",\"roles\":[\"worker\",\"boss\"]}", errors), 1);
	assert_string_equal(errors[0].field, "roles");
	assert_string_equal(errors[0].code, "enum");
	assert_non_null(strstr(errors[0].message, "boss"));
}

static void test_schema_string_array_without_allowed_takes_any_string(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"tags\":[\"a\",\"b\",\"\"]}");
	expect_one(*state, "{\"name\":\"Ann\",\"tags\":[\"a\",null]}", "tags", "type");
}

static void test_schema_array_item_count_bounds(void **state)
{
	/* roles 1..2 items, child_ids 0..3 items */
	expect_one(*state, "{\"name\":\"Ann\",\"roles\":[]}", "roles", "range");
	expect_one(*state, "{\"name\":\"Ann\",\"roles\":[\"worker\",\"supervisor\",\"worker\"]}",
		   "roles", "range");
	expect_valid(*state, "{\"name\":\"Ann\",\"child_ids\":[]}");
	expect_one(*state, "{\"name\":\"Ann\",\"child_ids\":[\"1\",\"2\",\"3\",\"4\"]}",
		   "child_ids", "range");
}

static void test_schema_id_array_items_must_be_ids(void **state)
{
	expect_valid(*state, "{\"name\":\"Ann\",\"child_ids\":[\"12\",\"999999999999999999\"]}");
	expect_one(*state, "{\"name\":\"Ann\",\"child_ids\":[\"12\",\"x\"]}", "child_ids", "type");
	expect_one(*state, "{\"name\":\"Ann\",\"child_ids\":[\"12\",null]}", "child_ids", "type");
	expect_one(*state, "{\"name\":\"Ann\",\"child_ids\":[\"9223372036854775808\"]}",
		   "child_ids", "type");
}

static void test_schema_reports_every_error_at_once(void **state)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	size_t n = check(
		*state, "{\"extra\":1,\"rating\":9,\"active\":\"no\",\"opened_on\":\"2023-02-29\"}",
		errors);
	bool seen_extra = false, seen_name = false, seen_rating = false, seen_active = false,
	     seen_date = false;
	size_t i;

	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		if (strcmp(errors[i].field, "extra") == 0)
			seen_extra = strcmp(errors[i].code, "unknown") == 0;
		else if (strcmp(errors[i].field, "name") == 0)
			seen_name = strcmp(errors[i].code, "required") == 0;
		else if (strcmp(errors[i].field, "rating") == 0)
			seen_rating = strcmp(errors[i].code, "range") == 0;
		else if (strcmp(errors[i].field, "active") == 0)
			seen_active = strcmp(errors[i].code, "type") == 0;
		else if (strcmp(errors[i].field, "opened_on") == 0)
			seen_date = strcmp(errors[i].code, "invalid") == 0;
	}
	assert_true(seen_extra && seen_name && seen_rating && seen_active && seen_date);
}

static void test_schema_errors_stop_at_the_maximum(void **state)
{
	struct arena *arena = *state;
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	struct buf b;
	int i;

	buf_init(&b, arena);
	buf_puts(&b, "{");
	for (i = 0; i < JSON_SCHEMA_MAX_ERRORS * 3; i++)
		buf_printf(&b, "%s\"unknown_%d\":%d", i ? "," : "", i, i);
	buf_puts(&b, "}");
	/* name missing too: the count still never passes the array's size. */
	assert_int_equal(check(arena, b.data, errors), JSON_SCHEMA_MAX_ERRORS);
}

static void test_schema_unknown_field_name_survives_the_object(void **state)
{
	struct arena *arena = *state;
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	json_t *obj = json_loads("{\"name\":\"Ann\",\"surprise\":1}", 0, NULL);

	assert_int_equal(json_schema_check(arena, obj, schema, TODAY, errors), 1);
	json_decref(obj);
	/* The field string is the arena's copy, usable after the object is gone. */
	assert_string_equal(errors[0].field, "surprise");
}

static void test_schema_empty_schema_refuses_every_field(void **state)
{
	static const struct json_field none[] = {{NULL, JF_STRING, 0, 0, 0, NULL}};
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];

	assert_int_equal(check_with(*state, "{}", none, TODAY, errors), 0);
	assert_int_equal(check_with(*state, "{\"a\":1,\"b\":2}", none, TODAY, errors), 2);
}

/* ---- json_is_date ------------------------------------------------------- */

static void test_is_date_accepts_real_days(void **state)
{
	(void)state;
	assert_true(json_is_date("2024-02-29"));
	assert_true(json_is_date("2000-02-29"));
	assert_true(json_is_date("2026-01-31"));
	assert_true(json_is_date("2026-12-31"));
	assert_true(json_is_date("2026-04-30"));
	assert_true(json_is_date("1999-01-01"));
}

static void test_is_date_refuses_impossible_days(void **state)
{
	(void)state;
	assert_false(json_is_date("2023-02-29"));
	assert_false(json_is_date("1900-02-29")); /* divisible by 100, not by 400 */
	assert_false(json_is_date("2100-02-29"));
	assert_false(json_is_date("2026-13-01"));
	assert_false(json_is_date("2026-00-10"));
	assert_false(json_is_date("2026-01-00"));
	assert_false(json_is_date("2026-01-32"));
	assert_false(json_is_date("2026-04-31"));
	assert_false(json_is_date("2026-02-30"));
}

static void test_is_date_refuses_other_shapes(void **state)
{
	(void)state;
	assert_false(json_is_date(NULL));
	assert_false(json_is_date(""));
	assert_false(json_is_date("2026-1-01"));
	assert_false(json_is_date("2026-01-1"));
	assert_false(json_is_date("26-01-01"));
	assert_false(json_is_date("2026/01/01"));
	assert_false(json_is_date("20260101"));
	assert_false(json_is_date(" 2026-01-01"));
	assert_false(json_is_date("2026-01-01 "));
	assert_false(json_is_date("2026-01-01T00:00:00Z"));
	assert_false(json_is_date("abcd-ef-gh"));
	assert_false(json_is_date("2026-0a-01"));
	assert_false(json_is_date("+026-01-01"));
	assert_false(json_is_date("2026--1-01"));
}

static void test_today_is_a_date(void **state)
{
	char today[11];

	(void)state;
	json_today(today);
	assert_true(json_is_date(today));
}

/* ---- json_body ---------------------------------------------------------- */

static struct request *request_with_body(struct arena *arena, struct request *req, const char *body)
{
	request_init(req, arena);
	req->method = "POST";
	req->path = "/test";
	if (body) {
		req->body = arena_strdup(arena, body);
		req->body_len = strlen(body);
	}
	return req;
}

/* The problem written into the response, parsed; freed with the arena. */
static json_t *problem_body(struct arena *arena, struct request *req)
{
	json_error_t error;
	json_t *v;

	assert_string_equal(req->response.content_type, "application/problem+json");
	v = json_loadb(req->response.body.data, req->response.body.len, 0, &error);
	if (!v)
		fail_msg("problem body is not JSON: %s", error.text);
	arena_defer(arena, decref, v);
	return v;
}

static bool type_is(const json_t *problem_json, const char *name)
{
	const char *type = json_string_value(json_object_get(problem_json, "type"));
	size_t n, m = strlen(name);

	if (!type)
		return false;
	n = strlen(type);
	return n > m && strcmp(type + n - m, name) == 0 && type[n - m - 1] == '/';
}

static void expect_malformed(struct arena *arena, const char *body)
{
	struct request req;
	json_t *out = (json_t *)&out;

	request_with_body(arena, &req, body);
	if (json_body(&req, schema, &out) != 400)
		fail_msg("%s: expected 400", body ? body : "(no body)");
	assert_null(out);
	assert_int_equal(req.response.status, 400);
	if (!type_is(problem_body(arena, &req), PROBLEM_MALFORMED))
		fail_msg("%s: expected malformed-request, got %s", body ? body : "(no body)",
			 req.response.body.data);
}

static void test_body_valid_object_returns_zero_and_the_object(void **state)
{
	struct arena *arena = *state;
	struct request req;
	json_t *out = NULL;

	request_with_body(arena, &req, "{\"name\":\"Ann\",\"rating\":2}");
	assert_int_equal(json_body(&req, schema, &out), 0);
	assert_non_null(out);
	assert_true(json_is_object(out));
	assert_string_equal(json_string_value(json_object_get(out, "name")), "Ann");
	assert_int_equal(json_integer_value(json_object_get(out, "rating")), 2);
	assert_int_equal(req.response.status, 0);
	/* The object is released by the arena: ASan's leak check proves it. */
}

static void test_body_invalid_json_is_malformed(void **state)
{
	expect_malformed(*state, "{");
	expect_malformed(*state, "{\"name\":}");
	expect_malformed(*state, "{'name':'Ann'}");
	expect_malformed(*state, "name=Ann");
	expect_malformed(*state, "{\"name\":\"Ann\",}");
}

static void test_body_trailing_garbage_is_malformed(void **state)
{
	expect_malformed(*state, "{\"name\":\"Ann\"} x");
	expect_malformed(*state, "{\"name\":\"Ann\"}{}");
}

static void test_body_invalid_utf8_is_malformed(void **state)
{
	expect_malformed(*state, "{\"name\":\"A\xffn\"}");
}

static void test_body_non_object_is_malformed(void **state)
{
	expect_malformed(*state, "[]");
	expect_malformed(*state, "[{\"name\":\"Ann\"}]");
	expect_malformed(*state, "\"Ann\"");
	expect_malformed(*state, "42");
	expect_malformed(*state, "null");
}

static void test_body_absent_or_empty_is_malformed(void **state)
{
	expect_malformed(*state, NULL);
	expect_malformed(*state, "");
}

static void test_body_duplicate_keys_are_400(void **state)
{
	struct arena *arena = *state;
	struct request req;
	json_t *out = NULL;

	/* Which "name" would we trust? Neither. */
	request_with_body(arena, &req, "{\"name\":\"Ann\",\"name\":\"Bob\"}");
	assert_int_equal(json_body(&req, schema, &out), 400);
	assert_null(out);
	assert_int_equal(req.response.status, 400);
	problem_body(arena, &req);
}

static void test_body_breaking_the_schema_is_validation_failed_with_errors(void **state)
{
	struct arena *arena = *state;
	struct request req;
	json_t *out = NULL, *problem_json, *errors, *first;

	request_with_body(arena, &req, "{\"rating\":7}");
	assert_int_equal(json_body(&req, schema, &out), 400);
	assert_null(out);
	problem_json = problem_body(arena, &req);
	assert_true(type_is(problem_json, PROBLEM_VALIDATION));
	errors = json_object_get(problem_json, "errors");
	assert_true(json_is_array(errors));
	assert_int_equal(json_array_size(errors), 2);
	first = json_array_get(errors, 0);
	assert_non_null(json_string_value(json_object_get(first, "field")));
	assert_non_null(json_string_value(json_object_get(first, "code")));
	assert_non_null(json_string_value(json_object_get(first, "message")));
}

static void test_body_future_date_is_validation_failed(void **state)
{
	struct arena *arena = *state;
	struct request req;
	json_t *out = NULL, *errors;

	/* json_body takes today from the clock: 9999 is always in the future. */
	request_with_body(arena, &req, "{\"name\":\"Ann\",\"completed_on\":\"9999-12-31\"}");
	assert_int_equal(json_body(&req, schema, &out), 400);
	errors = json_object_get(problem_body(arena, &req), "errors");
	assert_int_equal(json_array_size(errors), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
			    "completed_on");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "code")),
			    "future");
}

static void test_body_honours_body_len(void **state)
{
	struct arena *arena = *state;
	struct request req;
	json_t *out = NULL;

	request_with_body(arena, &req, "{\"name\":\"Ann\"}garbage");
	req.body_len = strlen("{\"name\":\"Ann\"}");
	assert_int_equal(json_body(&req, schema, &out), 0);
	assert_non_null(out);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_schema_minimal_valid_object_passes),
		T(test_schema_every_field_valid_passes),
		T(test_schema_unknown_field_is_refused),
		T(test_schema_server_owned_fields_are_refused_as_unknown),
		T(test_schema_required_missing_is_refused),
		T(test_schema_optional_absent_is_fine),
		T(test_schema_null_where_not_nullable_is_refused),
		T(test_schema_null_where_nullable_is_accepted),
		T(test_schema_wrong_types_are_refused),
		T(test_schema_integer_accepts_integer_for_number),
		T(test_schema_string_length_counts_code_points),
		T(test_schema_unbounded_string_takes_any_length),
		T(test_schema_string_with_nul_is_refused),
		T(test_schema_enum_refuses_values_not_listed),
		T(test_schema_integer_bounds_are_inclusive),
		T(test_schema_unbounded_integer_takes_any_value),
		T(test_schema_number_bounds_are_inclusive),
		T(test_schema_dates_must_be_real_calendar_days),
		T(test_schema_not_future_accepts_today_and_refuses_tomorrow),
		T(test_schema_future_date_is_fine_without_not_future),
		T(test_schema_impossible_date_is_invalid_before_future),
		T(test_schema_ids_are_strings_of_digits_that_fit_a_bigint),
		T(test_schema_string_array_items_must_be_allowed),
		T(test_schema_string_array_without_allowed_takes_any_string),
		T(test_schema_array_item_count_bounds),
		T(test_schema_id_array_items_must_be_ids),
		T(test_schema_reports_every_error_at_once),
		T(test_schema_errors_stop_at_the_maximum),
		T(test_schema_unknown_field_name_survives_the_object),
		T(test_schema_empty_schema_refuses_every_field),
		T(test_is_date_accepts_real_days),
		T(test_is_date_refuses_impossible_days),
		T(test_is_date_refuses_other_shapes),
		T(test_today_is_a_date),
		T(test_body_valid_object_returns_zero_and_the_object),
		T(test_body_invalid_json_is_malformed),
		T(test_body_trailing_garbage_is_malformed),
		T(test_body_invalid_utf8_is_malformed),
		T(test_body_non_object_is_malformed),
		T(test_body_absent_or_empty_is_malformed),
		T(test_body_duplicate_keys_are_400),
		T(test_body_breaking_the_schema_is_validation_failed_with_errors),
		T(test_body_future_date_is_validation_failed),
		T(test_body_honours_body_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
