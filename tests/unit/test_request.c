/*
 * core/request.c: the FastCGI parameters as nginx sends them become a
 * struct request; query strings and percent-escapes are decoded without
 * trusting the client; the response helpers fill req->response.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/request.h"

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

/* request_from_params on a fresh request; params is NULL-ended. */
static int parse(struct arena *arena, struct request *req, char *const *params)
{
	request_init(req, arena);
	return request_from_params(req, params);
}

static struct request *with_query(struct arena *arena, struct request *req, const char *query)
{
	request_init(req, arena);
	req->query = query;
	return req;
}

/* ---- request_init ------------------------------------------------------ */

static void test_request_init_sets_empty_query_and_absent_length(void **state)
{
	struct request req;

	request_init(&req, *state);
	assert_ptr_equal(req.arena, *state);
	assert_string_equal(req.query, "");
	assert_int_equal(req.content_length, -1);
	assert_null(req.method);
	assert_null(req.path);
	assert_null(req.authorization);
	assert_int_equal(req.authorization_count, 0);
	assert_false(req.body_too_large);
	assert_null(req.route);
	assert_int_equal(req.response.n_headers, 0);
}

/* A 17th header is a bug the dispatcher answers as 500: never an abort() that kills the worker. */
static void test_a_header_past_the_limit_is_dropped_and_flagged_not_fatal(void **state)
{
	struct request req;
	int i;

	request_init(&req, *state);
	for (i = 0; i < RESPONSE_MAX_HEADERS; i++)
		response_header(&req, "X-Test", "v");
	assert_false(req.response.headers_overflowed);
	response_header(&req, "X-One-Too-Many", "v");
	assert_true(req.response.headers_overflowed);
	assert_int_equal(req.response.n_headers, RESPONSE_MAX_HEADERS);
}

/* ---- request_from_params ----------------------------------------------- */

static void test_params_fill_every_field(void **state)
{
	char *params[] = {
		"REQUEST_METHOD=PATCH",
		"REQUEST_URI=/api/v1/users/7?limit=5&cursor=abc",
		"REQUEST_ID=0123abcd",
		"REMOTE_ADDR=192.0.2.1",
		"CONTENT_TYPE=application/json; charset=utf-8",
		"CONTENT_LENGTH=17",
		"HTTP_AUTHORIZATION=Bearer abc.def.ghi",
		"HTTP_IF_MATCH=W/\"3\"",
		"HTTP_ACCEPT=text/csv",
		"HTTP_ORIGIN=https://app.example.org",
		"SERVER_SOFTWARE=nginx",
		NULL,
	};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.method, "PATCH");
	assert_string_equal(req.path, "/api/v1/users/7");
	assert_string_equal(req.query, "limit=5&cursor=abc");
	assert_string_equal(req.request_id, "0123abcd");
	assert_string_equal(req.client_addr, "192.0.2.1");
	assert_string_equal(req.content_type, "application/json; charset=utf-8");
	assert_int_equal(req.content_length, 17);
	assert_false(req.body_too_large);
	assert_string_equal(req.authorization, "Bearer abc.def.ghi");
	assert_int_equal(req.authorization_count, 1);
	assert_string_equal(req.if_match, "W/\"3\"");
	assert_string_equal(req.accept, "text/csv");
	assert_string_equal(req.origin, "https://app.example.org");
}

static void test_params_are_copied_into_the_arena(void **state)
{
	char method[] = "REQUEST_METHOD=GET";
	char uri[] = "REQUEST_URI=/healthz?x=1";
	char auth[] = "HTTP_AUTHORIZATION=Bearer t";
	char *params[] = {method, uri, auth, NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	/* libfcgi reuses its buffers at the next accept. */
	memset(method, 'X', sizeof(method) - 1);
	memset(uri, 'X', sizeof(uri) - 1);
	memset(auth, 'X', sizeof(auth) - 1);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/healthz");
	assert_string_equal(req.query, "x=1");
	assert_string_equal(req.authorization, "Bearer t");
}

static void test_params_uri_without_query_keeps_whole_path(void **state)
{
	char *params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/me", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.path, "/api/v1/me");
	assert_string_equal(req.query, "");
	assert_int_equal(req.content_length, -1);
	assert_null(req.content_type);
	assert_null(req.authorization);
	assert_int_equal(req.authorization_count, 0);
}

static void test_params_bare_question_mark_gives_empty_query(void **state)
{
	char *params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/me?", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.path, "/api/v1/me");
	assert_string_equal(req.query, "");
}

static void test_params_query_splits_at_first_question_mark(void **state)
{
	char *params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/a?b=1?c=2", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.path, "/a");
	assert_string_equal(req.query, "b=1?c=2");
}

static void test_params_path_is_not_percent_decoded(void **state)
{
	char *params[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/users/%34%32", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.path, "/api/v1/users/%34%32");
}

static void test_params_missing_method_is_400(void **state)
{
	char *params[] = {"REQUEST_URI=/healthz", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 400);
}

static void test_params_missing_uri_is_400(void **state)
{
	char *params[] = {"REQUEST_METHOD=GET", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 400);
}

static void test_params_uri_not_starting_with_slash_is_400(void **state)
{
	char *absolute[] = {"REQUEST_METHOD=GET", "REQUEST_URI=http://x.example/healthz", NULL};
	char *asterisk[] = {"REQUEST_METHOD=OPTIONS", "REQUEST_URI=*", NULL};
	char *empty[] = {"REQUEST_METHOD=GET", "REQUEST_URI=", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, absolute), 400);
	assert_int_equal(parse(*state, &req, asterisk), 400);
	assert_int_equal(parse(*state, &req, empty), 400);
}

static void test_params_null_or_empty_list_is_400(void **state)
{
	char *none[] = {NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, NULL), 400);
	assert_int_equal(parse(*state, &req, none), 400);
}

static void test_params_names_must_match_exactly(void **state)
{
	char *params[] = {
		"REQUEST_METHODX=GET",
		"REQUEST_URI_X=/healthz",
		"HTTP_AUTHORIZATION2=Bearer x",
		"XHTTP_AUTHORIZATION=Bearer y",
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/readyz",
		NULL,
	};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/readyz");
	assert_null(req.authorization);
	assert_int_equal(req.authorization_count, 0);
}

static void test_params_forwarded_for_does_not_change_client_addr(void **state)
{
	char *params[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/healthz",
		"HTTP_X_FORWARDED_FOR=203.0.113.9",
		"HTTP_X_REAL_IP=203.0.113.10",
		"REMOTE_ADDR=127.0.0.1",
		"HTTP_FORWARDED=for=203.0.113.11",
		NULL,
	};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_string_equal(req.client_addr, "127.0.0.1");
}

static void test_params_two_authorization_headers_are_counted(void **state)
{
	char *params[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/api/v1/me",
		"HTTP_AUTHORIZATION=Bearer first",
		"HTTP_AUTHORIZATION=Bearer second",
		NULL,
	};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_int_equal(req.authorization_count, 2);
	assert_non_null(req.authorization);
}

static void test_params_empty_content_type_is_absent(void **state)
{
	char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_TYPE=", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_null(req.content_type);
}

static void test_params_content_length_parsed(void **state)
{
	char *zero[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=0", NULL};
	char *some[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=4096", NULL};
	char *empty[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/x", "CONTENT_LENGTH=", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, zero), 0);
	assert_int_equal(req.content_length, 0);
	assert_int_equal(parse(*state, &req, some), 0);
	assert_int_equal(req.content_length, 4096);
	/* nginx sends an empty CONTENT_LENGTH for requests without a body. */
	assert_int_equal(parse(*state, &req, empty), 0);
	assert_int_equal(req.content_length, -1);
}

static void test_params_invalid_content_length_is_400(void **state)
{
	static const char *const bad[] = {
		"CONTENT_LENGTH=abc",  "CONTENT_LENGTH=-1",  "CONTENT_LENGTH=+5",
		"CONTENT_LENGTH= 5",   "CONTENT_LENGTH=5 ",  "CONTENT_LENGTH=12x",
		"CONTENT_LENGTH=0x10", "CONTENT_LENGTH=1.5", "CONTENT_LENGTH=-0",
	};
	struct request req;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", (char *)bad[i], NULL};

		if (parse(*state, &req, params) != 400)
			fail_msg("%s: expected 400", bad[i]);
	}
}

static void test_params_body_of_exactly_one_mib_is_allowed(void **state)
{
	char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=1048576", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_int_equal(req.content_length, REQUEST_MAX_BODY);
	assert_false(req.body_too_large);
}

/* Over 1 MiB is refused per route by the dispatcher; over the bulk cap at once. */
static void test_params_body_over_bulk_cap_is_too_large(void **state)
{
	char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=16777217", NULL};
	struct request req;

	assert_int_equal(parse(*state, &req, params), 0);
	assert_int_equal(req.content_length, REQUEST_MAX_BULK_BODY + 1);
	assert_true(req.body_too_large);
}

static void test_params_overflowing_content_length_is_never_small(void **state)
{
	char *params[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/x",
			  "CONTENT_LENGTH=99999999999999999999999999", NULL};
	struct request req;
	int rc = parse(*state, &req, params);

	/* Either refused outright or treated as too large: never a small body. */
	assert_true(rc == 400 || (rc == 0 && req.body_too_large));
}

/* ---- request_query_param ----------------------------------------------- */

static void test_query_param_returns_each_value(void **state)
{
	struct request req;

	with_query(*state, &req, "status=pending&limit=10&cursor=abc");
	assert_string_equal(request_query_param(&req, "status"), "pending");
	assert_string_equal(request_query_param(&req, "limit"), "10");
	assert_string_equal(request_query_param(&req, "cursor"), "abc");
}

static void test_query_param_is_percent_decoded(void **state)
{
	struct request req;

	with_query(*state, &req, "q=%41%62c&since=2024-01-01T00%3A00%3A00Z&u=%C3%A9");
	assert_string_equal(request_query_param(&req, "q"), "Abc");
	assert_string_equal(request_query_param(&req, "since"), "2024-01-01T00:00:00Z");
	assert_string_equal(request_query_param(&req, "u"), "\xc3\xa9");
}

static void test_query_param_plus_is_space_but_encoded_plus_is_plus(void **state)
{
	struct request req;

	with_query(*state, &req, "name=John+Smith&tz=%2B02");
	assert_string_equal(request_query_param(&req, "name"), "John Smith");
	assert_string_equal(request_query_param(&req, "tz"), "+02");
}

static void test_query_param_first_value_wins(void **state)
{
	struct request req;

	with_query(*state, &req, "limit=1&limit=2&limit=3");
	assert_string_equal(request_query_param(&req, "limit"), "1");
}

static void test_query_param_absent_is_null(void **state)
{
	struct request req;

	with_query(*state, &req, "limit=1&cursor=x");
	assert_null(request_query_param(&req, "status"));
	/* A name is matched whole, never as a prefix of another or vice versa. */
	assert_null(request_query_param(&req, "lim"));
	assert_null(request_query_param(&req, "limits"));
	assert_null(request_query_param(&req, "1"));
	with_query(*state, &req, "");
	assert_null(request_query_param(&req, "limit"));
}

static void test_query_param_without_value_is_empty_string(void **state)
{
	struct request req;

	with_query(*state, &req, "flag&x=&y=1");
	assert_string_equal(request_query_param(&req, "flag"), "");
	assert_string_equal(request_query_param(&req, "x"), "");
	assert_string_equal(request_query_param(&req, "y"), "1");
}

static void test_query_param_value_may_contain_equals(void **state)
{
	struct request req;

	with_query(*state, &req, "cursor=YWJj==&n=1");
	assert_string_equal(request_query_param(&req, "cursor"), "YWJj==");
}

static void test_query_param_skips_empty_segments(void **state)
{
	struct request req;

	with_query(*state, &req, "&&a=1&&b=2&");
	assert_string_equal(request_query_param(&req, "a"), "1");
	assert_string_equal(request_query_param(&req, "b"), "2");
}

static void test_query_param_malformed_escape_is_null(void **state)
{
	struct request req;

	with_query(*state, &req, "a=%zz&b=%4&c=%&d=ok%&e=%4g");
	assert_null(request_query_param(&req, "a"));
	assert_null(request_query_param(&req, "b"));
	assert_null(request_query_param(&req, "c"));
	assert_null(request_query_param(&req, "d"));
	assert_null(request_query_param(&req, "e"));
}

static void test_query_param_encoded_nul_is_null(void **state)
{
	struct request req;

	with_query(*state, &req, "a=x%00y&b=%00");
	assert_null(request_query_param(&req, "a"));
	assert_null(request_query_param(&req, "b"));
}

/* ---- request_query_has_unknown ----------------------------------------- */

static const char *const list_params[] = {"status", "limit", "cursor", NULL};

static void test_query_unknown_empty_query_has_none(void **state)
{
	struct request req;
	const char *unknown = NULL;

	with_query(*state, &req, "");
	assert_false(request_query_has_unknown(&req, list_params, &unknown));
	assert_null(unknown);
}

static void test_query_unknown_all_known_has_none(void **state)
{
	struct request req;
	const char *unknown = NULL;

	with_query(*state, &req, "status=open&limit=5&cursor=&status=x&limit");
	assert_false(request_query_has_unknown(&req, list_params, &unknown));
	assert_null(unknown);
}

static void test_query_unknown_names_the_first_unknown_parameter(void **state)
{
	struct request req;
	const char *unknown = NULL;

	with_query(*state, &req, "limit=5&access_token=abc&other=1");
	assert_true(request_query_has_unknown(&req, list_params, &unknown));
	assert_string_equal(unknown, "access_token");
}

static void test_query_unknown_parameter_without_value(void **state)
{
	struct request req;
	const char *unknown = NULL;

	with_query(*state, &req, "limit=5&debug");
	assert_true(request_query_has_unknown(&req, list_params, &unknown));
	assert_string_equal(unknown, "debug");
}

static void test_query_unknown_prefix_of_known_name_is_unknown(void **state)
{
	struct request req;
	const char *unknown = NULL;

	with_query(*state, &req, "lim=5");
	assert_true(request_query_has_unknown(&req, list_params, &unknown));
	assert_string_equal(unknown, "lim");
	with_query(*state, &req, "limits=5");
	assert_true(request_query_has_unknown(&req, list_params, &unknown));
	assert_string_equal(unknown, "limits");
}

static void test_query_unknown_empty_segments_are_harmless(void **state)
{
	struct request req;

	with_query(*state, &req, "&limit=1&&");
	assert_false(request_query_has_unknown(&req, list_params, NULL));
}

static void test_query_unknown_with_no_allowed_list_refuses_any_parameter(void **state)
{
	struct request req;
	const char *unknown = NULL;
	static const char *const none[] = {NULL};

	with_query(*state, &req, "a=1");
	assert_true(request_query_has_unknown(&req, NULL, &unknown));
	assert_string_equal(unknown, "a");
	assert_true(request_query_has_unknown(&req, none, NULL));
	with_query(*state, &req, "");
	assert_false(request_query_has_unknown(&req, none, NULL));
}

/* ---- url_decode --------------------------------------------------------- */

static void test_url_decode_plain_text_is_unchanged(void **state)
{
	assert_string_equal(url_decode(*state, "abc-123_~.", 10), "abc-123_~.");
	assert_string_equal(url_decode(*state, "", 0), "");
}

static void test_url_decode_escapes_in_either_case(void **state)
{
	assert_string_equal(url_decode(*state, "%41%62%2f%2F%7e", 15), "Ab//~");
	assert_string_equal(url_decode(*state, "%25", 3), "%");
	assert_string_equal(url_decode(*state, "100%25", 6), "100%");
}

static void test_url_decode_plus_is_space(void **state)
{
	assert_string_equal(url_decode(*state, "a+b++c", 6), "a b  c");
	assert_string_equal(url_decode(*state, "%2B", 3), "+");
}

static void test_url_decode_reads_only_len_bytes(void **state)
{
	assert_string_equal(url_decode(*state, "12/34", 2), "12");
	/* An escape cut off by len is malformed even if the bytes follow. */
	assert_null(url_decode(*state, "%41", 2));
}

static void test_url_decode_malformed_escape_is_null(void **state)
{
	assert_null(url_decode(*state, "%", 1));
	assert_null(url_decode(*state, "%4", 2));
	assert_null(url_decode(*state, "a%", 2));
	assert_null(url_decode(*state, "%g0", 3));
	assert_null(url_decode(*state, "%0g", 3));
	assert_null(url_decode(*state, "% 1", 3));
	assert_null(url_decode(*state, "ok%zzok", 7));
}

static void test_url_decode_escape_at_the_very_end_is_decoded(void **state)
{
	assert_string_equal(url_decode(*state, "ab%43", 5), "abC");
}

static void test_url_decode_nul_is_null(void **state)
{
	assert_null(url_decode(*state, "%00", 3));
	assert_null(url_decode(*state, "a%00b", 5));
}

static void test_url_decode_high_bytes_pass_through(void **state)
{
	assert_string_equal(url_decode(*state, "%ff%80", 6), "\xff\x80");
}

/* ---- response helpers --------------------------------------------------- */

static void test_response_json_sets_status_type_and_copies_body(void **state)
{
	struct request req;
	char json[] = "{\"a\":1}";

	request_init(&req, *state);
	assert_int_equal(response_json(&req, 201, json, strlen(json)), 201);
	json[2] = 'X';
	assert_int_equal(req.response.status, 201);
	assert_string_equal(req.response.content_type, "application/json; charset=utf-8");
	assert_int_equal(req.response.body.len, 7);
	assert_string_equal(req.response.body.data, "{\"a\":1}");
}

static void test_response_json_honours_len(void **state)
{
	struct request req;

	request_init(&req, *state);
	response_json(&req, 200, "{}trailing", 2);
	assert_int_equal(req.response.body.len, 2);
	assert_string_equal(req.response.body.data, "{}");
}

static void test_response_text_replaces_an_earlier_body(void **state)
{
	struct request req;

	request_init(&req, *state);
	response_json(&req, 200, "{\"x\":true}", 10);
	assert_int_equal(response_text(&req, 200, "text/csv", "a,b\n1,2\n", 8), 200);
	assert_string_equal(req.response.content_type, "text/csv");
	assert_int_equal(req.response.body.len, 8);
	assert_string_equal(req.response.body.data, "a,b\n1,2\n");
}

static void test_response_empty_clears_type_and_body(void **state)
{
	struct request req;

	request_init(&req, *state);
	response_json(&req, 200, "{}", 2);
	assert_int_equal(response_empty(&req, 204), 204);
	assert_int_equal(req.response.status, 204);
	assert_null(req.response.content_type);
	assert_int_equal(req.response.body.len, 0);
}

static void test_response_header_appends_in_order(void **state)
{
	struct request req;
	int i;

	request_init(&req, *state);
	response_header(&req, "ETag", "\"3\"");
	response_header(&req, "Allow", "GET, PATCH");
	assert_int_equal(req.response.n_headers, 2);
	assert_string_equal(req.response.headers[0].name, "ETag");
	assert_string_equal(req.response.headers[0].value, "\"3\"");
	assert_string_equal(req.response.headers[1].name, "Allow");
	assert_string_equal(req.response.headers[1].value, "GET, PATCH");
	for (i = 2; i < RESPONSE_MAX_HEADERS; i++)
		response_header(&req, "X-Filler", "1");
	assert_int_equal(req.response.n_headers, RESPONSE_MAX_HEADERS);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_request_init_sets_empty_query_and_absent_length),
		T(test_a_header_past_the_limit_is_dropped_and_flagged_not_fatal),
		T(test_params_fill_every_field),
		T(test_params_are_copied_into_the_arena),
		T(test_params_uri_without_query_keeps_whole_path),
		T(test_params_bare_question_mark_gives_empty_query),
		T(test_params_query_splits_at_first_question_mark),
		T(test_params_path_is_not_percent_decoded),
		T(test_params_missing_method_is_400),
		T(test_params_missing_uri_is_400),
		T(test_params_uri_not_starting_with_slash_is_400),
		T(test_params_null_or_empty_list_is_400),
		T(test_params_names_must_match_exactly),
		T(test_params_forwarded_for_does_not_change_client_addr),
		T(test_params_two_authorization_headers_are_counted),
		T(test_params_empty_content_type_is_absent),
		T(test_params_content_length_parsed),
		T(test_params_invalid_content_length_is_400),
		T(test_params_body_of_exactly_one_mib_is_allowed),
		T(test_params_body_over_bulk_cap_is_too_large),
		T(test_params_overflowing_content_length_is_never_small),
		T(test_query_param_returns_each_value),
		T(test_query_param_is_percent_decoded),
		T(test_query_param_plus_is_space_but_encoded_plus_is_plus),
		T(test_query_param_first_value_wins),
		T(test_query_param_absent_is_null),
		T(test_query_param_without_value_is_empty_string),
		T(test_query_param_value_may_contain_equals),
		T(test_query_param_skips_empty_segments),
		T(test_query_param_malformed_escape_is_null),
		T(test_query_param_encoded_nul_is_null),
		T(test_query_unknown_empty_query_has_none),
		T(test_query_unknown_all_known_has_none),
		T(test_query_unknown_names_the_first_unknown_parameter),
		T(test_query_unknown_parameter_without_value),
		T(test_query_unknown_prefix_of_known_name_is_unknown),
		T(test_query_unknown_empty_segments_are_harmless),
		T(test_query_unknown_with_no_allowed_list_refuses_any_parameter),
		T(test_url_decode_plain_text_is_unchanged),
		T(test_url_decode_escapes_in_either_case),
		T(test_url_decode_plus_is_space),
		T(test_url_decode_reads_only_len_bytes),
		T(test_url_decode_malformed_escape_is_null),
		T(test_url_decode_escape_at_the_very_end_is_decoded),
		T(test_url_decode_nul_is_null),
		T(test_url_decode_high_bytes_pass_through),
		T(test_response_json_sets_status_type_and_copies_body),
		T(test_response_json_honours_len),
		T(test_response_text_replaces_an_earlier_body),
		T(test_response_empty_clears_type_and_body),
		T(test_response_header_appends_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
