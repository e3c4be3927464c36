/*
 * core/problem.c: every refusal is an RFC 9457 application/problem+json body
 * whose type ends in one of openapi.yaml's problem names. Each body is parsed
 * back with jansson, so "valid JSON" is checked, not assumed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/problem.h"
#include "core/request.h"

struct fixture {
	struct arena *arena;
	struct request req;
	json_t *body;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->arena = arena_new(0);
	request_init(&f->req, f->arena);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	json_decref(f->body);
	arena_free(f->arena);
	free(f);
	return 0;
}

/* The response body parsed as a JSON object; fails the test otherwise. */
static json_t *parsed_body(struct fixture *f)
{
	json_error_t error;

	assert_non_null(f->req.response.body.data);
	json_decref(f->body);
	f->body = json_loadb(f->req.response.body.data, f->req.response.body.len, 0, &error);
	if (!f->body)
		fail_msg("body is not valid JSON (%s): %s", error.text, f->req.response.body.data);
	assert_true(json_is_object(f->body));
	return f->body;
}

static const char *member_string(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("member %s is missing or not a string", key);
	return json_string_value(v);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void test_problem_body_has_type_title_status_detail(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	assert_int_equal(problem(&f->req, 404, PROBLEM_NOT_FOUND, "No user %d.", 42), 404);
	body = parsed_body(f);
	assert_true(ends_with(member_string(body, "type"), "/not-found"));
	assert_string_equal(member_string(body, "type"), PROBLEM_TYPE_BASE "not-found");
	assert_string_equal(member_string(body, "title"), "Not found");
	assert_true(json_is_integer(json_object_get(body, "status")));
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 404);
	assert_string_equal(member_string(body, "detail"), "No user 42.");
}

static void test_problem_sets_status_and_problem_content_type(void **state)
{
	struct fixture *f = *state;

	problem(&f->req, 409, PROBLEM_CONFLICT, "Approved.");
	assert_int_equal(f->req.response.status, 409);
	assert_string_equal(f->req.response.content_type, "application/problem+json");
}

static void test_problem_type_ends_in_each_api_problem_name(void **state)
{
	static const struct {
		int status;
		const char *name;
	} problems[] = {
		{400, PROBLEM_MALFORMED},       {400, PROBLEM_VALIDATION},
		{401, PROBLEM_UNAUTHENTICATED}, {403, PROBLEM_FORBIDDEN},
		{403, PROBLEM_CERTIFICATION},   {404, PROBLEM_NOT_FOUND},
		{405, PROBLEM_METHOD},          {409, PROBLEM_CONFLICT},
		{412, PROBLEM_PRECONDITION},    {413, PROBLEM_TOO_LARGE},
		{415, PROBLEM_MEDIA_TYPE},      {422, PROBLEM_INCOMPLETE},
		{429, PROBLEM_RATE_LIMITED},    {503, PROBLEM_UNAVAILABLE},
		{500, PROBLEM_INTERNAL},
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		json_t *body;
		const char *type, *title;

		problem(&f->req, problems[i].status, problems[i].name, "d");
		body = parsed_body(f);
		type = member_string(body, "type");
		title = member_string(body, "title");
		if (!ends_with(type, problems[i].name) ||
		    type[strlen(type) - strlen(problems[i].name) - 1] != '/')
			fail_msg("type %s does not end in /%s", type, problems[i].name);
		if (strcmp(title, "Request refused") == 0 || strcmp(title, "") == 0)
			fail_msg("%s has no title of its own", problems[i].name);
		assert_int_equal(json_integer_value(json_object_get(body, "status")),
				 problems[i].status);
	}
}

static void test_problem_names_are_the_api_names(void **state)
{
	(void)state;
	assert_string_equal(PROBLEM_MALFORMED, "malformed-request");
	assert_string_equal(PROBLEM_VALIDATION, "validation-failed");
	assert_string_equal(PROBLEM_UNAUTHENTICATED, "unauthenticated");
	assert_string_equal(PROBLEM_FORBIDDEN, "forbidden");
	assert_string_equal(PROBLEM_CERTIFICATION, "certification-required");
	assert_string_equal(PROBLEM_NOT_FOUND, "not-found");
	assert_string_equal(PROBLEM_METHOD, "method-not-allowed");
	assert_string_equal(PROBLEM_CONFLICT, "conflict");
	assert_string_equal(PROBLEM_PRECONDITION, "precondition-failed");
	assert_string_equal(PROBLEM_TOO_LARGE, "payload-too-large");
	assert_string_equal(PROBLEM_MEDIA_TYPE, "unsupported-media-type");
	assert_string_equal(PROBLEM_INCOMPLETE, "incomplete-assessment");
	assert_string_equal(PROBLEM_RATE_LIMITED, "rate-limited");
}

static void test_problem_title_of_unknown_name_falls_back_by_status(void **state)
{
	(void)state;
	assert_string_equal(problem_title(400, "no-such-problem"), "Request refused");
	assert_string_equal(problem_title(502, "no-such-problem"), "Internal error");
	assert_string_equal(problem_title(400, PROBLEM_VALIDATION), "Validation failed");
}

static void test_problem_includes_request_id_when_set(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	f->req.request_id = "5f3c0a1b9e";
	problem(&f->req, 403, PROBLEM_FORBIDDEN, "No.");
	body = parsed_body(f);
	assert_string_equal(member_string(body, "request_id"), "5f3c0a1b9e");
}

static void test_problem_omits_request_id_when_unset(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	problem(&f->req, 403, PROBLEM_FORBIDDEN, "No.");
	body = parsed_body(f);
	assert_null(json_object_get(body, "request_id"));
	assert_int_equal(json_object_size(body), 4);
}

static void test_problem_with_null_detail_has_empty_detail(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	problem_with(&f->req, 429, PROBLEM_RATE_LIMITED, NULL, NULL);
	body = parsed_body(f);
	assert_string_equal(member_string(body, "detail"), "");
}

static void test_problem_detail_with_quotes_backslashes_and_controls_is_escaped(void **state)
{
	static const char detail[] = "say \"hi\" \\ path C:\\x\n\ttab\r\x01\x1f end";
	struct fixture *f = *state;
	json_t *body;

	problem_with(&f->req, 400, PROBLEM_MALFORMED, detail, NULL);
	body = parsed_body(f);
	assert_string_equal(member_string(body, "detail"), detail);
	/* No raw control character reaches the wire. */
	assert_null(strchr(f->req.response.body.data, '\n'));
	assert_null(strchr(f->req.response.body.data, '\x01'));
}

static void test_problem_printf_detail_with_injected_json_stays_a_string(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	/* e.g. an unknown query parameter name echoed back to the client. */
	problem(&f->req, 400, PROBLEM_MALFORMED, "Unknown query parameter '%s'.",
		"x\",\"status\":200,\"y\":\"");
	body = parsed_body(f);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 400);
	assert_string_equal(member_string(body, "detail"),
			    "Unknown query parameter 'x\",\"status\":200,\"y\":\"'.");
	assert_null(json_object_get(body, "y"));
}

static void test_problem_detail_keeps_utf8_text(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	problem_with(&f->req, 409, PROBLEM_CONFLICT, "Zoë's CANS — approved ✓", NULL);
	body = parsed_body(f);
	assert_string_equal(member_string(body, "detail"), "Zoë's CANS — approved ✓");
}

/*
 * A raw query key reaches a detail unchanged (handlers/common.c:
 * "Unknown query parameter '%s'."), and nginx passes 8-bit bytes in
 * REQUEST_URI as they came, so a detail may hold bytes that are not UTF-8.
 * The body must still be JSON (RFC 8259 requires UTF-8).
 */
static void test_problem_detail_with_invalid_utf8_is_still_valid_json(void **state)
{
	struct fixture *f = *state;

	problem(&f->req, 400, PROBLEM_MALFORMED, "Unknown query parameter '%s'.", "a\xff\xc3(");
	parsed_body(f);
}

static void test_problem_with_appends_extra_members(void **state)
{
	struct fixture *f = *state;
	json_t *body, *cert;

	f->req.request_id = "r1";
	problem_with(&f->req, 403, PROBLEM_CERTIFICATION, "Certification lapsed.",
		     "\"certification\":{\"certified\":false,\"certified_until\":null}");
	body = parsed_body(f);
	assert_true(ends_with(member_string(body, "type"), "/certification-required"));
	assert_string_equal(member_string(body, "request_id"), "r1");
	cert = json_object_get(body, "certification");
	assert_true(json_is_object(cert));
	assert_true(json_is_false(json_object_get(cert, "certified")));
	assert_true(json_is_null(json_object_get(cert, "certified_until")));
}

static void test_problem_with_empty_extra_adds_nothing(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	problem_with(&f->req, 404, PROBLEM_NOT_FOUND, "gone", "");
	body = parsed_body(f);
	assert_int_equal(json_object_size(body), 4);
}

static void test_problem_errors_lists_field_code_and_message(void **state)
{
	static const struct field_error errors[] = {
		{"username", "required", "is required"},
		{"roles", "enum", "item 'boss' is not one of the allowed values"},
		{"we\"ird", "type", "must be a \"string\"\n"},
	};
	struct fixture *f = *state;
	json_t *body, *list;
	size_t i;

	assert_int_equal(problem_errors(&f->req, 400, PROBLEM_VALIDATION, "Bad body.", errors, 3),
			 400);
	assert_string_equal(f->req.response.content_type, "application/problem+json");
	body = parsed_body(f);
	assert_true(ends_with(member_string(body, "type"), "/validation-failed"));
	assert_string_equal(member_string(body, "detail"), "Bad body.");
	list = json_object_get(body, "errors");
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 3);
	for (i = 0; i < 3; i++) {
		const json_t *e = json_array_get(list, i);

		assert_true(json_is_object(e));
		assert_int_equal(json_object_size(e), 3);
		assert_string_equal(member_string(e, "field"), errors[i].field);
		assert_string_equal(member_string(e, "code"), errors[i].code);
		assert_string_equal(member_string(e, "message"), errors[i].message);
	}
}

static void test_problem_errors_with_none_gives_empty_array(void **state)
{
	struct fixture *f = *state;
	json_t *body, *list;

	problem_errors(&f->req, 422, PROBLEM_VALIDATION, "Nothing.", NULL, 0);
	body = parsed_body(f);
	list = json_object_get(body, "errors");
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 0);
	assert_int_equal(json_integer_value(json_object_get(body, "status")), 422);
}

static void test_problem_replaces_an_earlier_body(void **state)
{
	struct fixture *f = *state;
	json_t *body;

	response_json(&f->req, 200, "{\"ok\":true}", 11);
	problem(&f->req, 500, PROBLEM_INTERNAL, "Oops.");
	body = parsed_body(f);
	assert_int_equal(f->req.response.status, 500);
	assert_string_equal(f->req.response.content_type, "application/problem+json");
	assert_null(json_object_get(body, "ok"));
}

static void test_problem_long_detail_is_kept_whole(void **state)
{
	struct fixture *f = *state;
	char detail[5001];
	json_t *body;

	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	problem(&f->req, 400, PROBLEM_MALFORMED, "%s", detail);
	body = parsed_body(f);
	assert_string_equal(member_string(body, "detail"), detail);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_problem_body_has_type_title_status_detail),
		T(test_problem_sets_status_and_problem_content_type),
		T(test_problem_type_ends_in_each_api_problem_name),
		T(test_problem_names_are_the_api_names),
		T(test_problem_title_of_unknown_name_falls_back_by_status),
		T(test_problem_includes_request_id_when_set),
		T(test_problem_omits_request_id_when_unset),
		T(test_problem_with_null_detail_has_empty_detail),
		T(test_problem_detail_with_quotes_backslashes_and_controls_is_escaped),
		T(test_problem_printf_detail_with_injected_json_stays_a_string),
		T(test_problem_detail_keeps_utf8_text),
		T(test_problem_detail_with_invalid_utf8_is_still_valid_json),
		T(test_problem_with_appends_extra_members),
		T(test_problem_with_empty_extra_adds_nothing),
		T(test_problem_errors_lists_field_code_and_message),
		T(test_problem_errors_with_none_gives_empty_array),
		T(test_problem_replaces_an_earlier_body),
		T(test_problem_long_detail_is_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
