/*
 * auth/jwt_verify.c, before any JSON: the length, the three base64url segments and
 * their JSON objects (RFC 7515 compact serialization only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "auth/identity.h"
#include "auth/jwt.h"
#include "tests/support/jwt_forge.h"
#include "core/arena.h"
#include "core/request.h"

#include "tests/support/jwt_fixture.h"

/* ---- length and shape ---- */

static void test_token_over_max_length_is_refused_before_decoding(void **state)
{
	const struct fixture *f = *state;
	char *junk = malloc(JWT_MAX_TOKEN_LEN + 2);

	assert_non_null(junk);
	memset(junk, '{', JWT_MAX_TOKEN_LEN + 1);
	junk[JWT_MAX_TOKEN_LEN + 1] = '\0';
	assert_refusal(verify_len(&f->v, junk, JWT_MAX_TOKEN_LEN + 1), JWT_REFUSED_TOO_LONG);
	free(junk);
	/* Refused on len alone: the five bytes behind the pointer are never read. */
	assert_refusal(verify_len(&f->v, "a.b.c", SIZE_MAX), JWT_REFUSED_TOO_LONG);
}

static size_t b64url_len(size_t bytes)
{
	return (4 * bytes + 2) / 3;
}

/* Valid claims padded so that an RS256 token under header is exactly target bytes, or NULL. */
static char *payload_padded_to(const char *header, size_t target)
{
	for (size_t pad = 0;; pad++) {
		char *text = calloc(1, pad + 1);
		char *payload;
		size_t total;

		memset(text, 'p', pad);
		payload = forge_json_text(claims_set(claims_ours(), "pad", json_string(text)));
		free(text);
		total = b64url_len(strlen(header)) + b64url_len(strlen(payload)) + 2 +
			RSA2048_SIGNATURE_B64_LEN;
		if (total == target)
			return payload;
		free(payload);
		if (total > target)
			return NULL;
	}
}

/* A valid token of exactly JWT_MAX_TOKEN_LEN bytes is accepted; one byte more is not. */
static void test_token_of_max_length_is_accepted_and_one_more_refused(void **state)
{
	const struct fixture *f = *state;
	char header[256], *payload = NULL, *token, *longer;

	/* base64url never ends a segment at 4k+1 characters: vary the header until it fits. */
	for (size_t header_pad = 0; header_pad < 4 && !payload; header_pad++) {
		snprintf(header, sizeof(header),
			 "{\"alg\":\"RS256\",\"kid\":\"%s\",\"x\":\"%.*s\"}", f->rsa.kid,
			 (int)header_pad, "xxxx");
		payload = payload_padded_to(header, JWT_MAX_TOKEN_LEN);
	}
	assert_non_null(payload);
	token = ours_rs256_text(f, header, payload);
	assert_int_equal(strlen(token), JWT_MAX_TOKEN_LEN);
	assert_refusal(verify_len(&f->v, token, JWT_MAX_TOKEN_LEN), JWT_OK);
	longer = calloc(1, JWT_MAX_TOKEN_LEN + 2);
	memcpy(longer, token, JWT_MAX_TOKEN_LEN);
	longer[JWT_MAX_TOKEN_LEN] = 'A';
	expect(&f->v, longer, JWT_REFUSED_TOO_LONG);
	free(token);
	free(payload);
}

static void test_json_serialization_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *first = strchr(token, '.'), *second = strchr(first + 1, '.');
	char json[JWT_MAX_TOKEN_LEN];

	snprintf(json, sizeof(json),
		 "{\"payload\":\"%.*s\",\"protected\":\"%.*s\",\"signature\":\"%s\"}",
		 (int)(second - first - 1), first + 1, (int)(first - token), token, second + 1);
	assert_refusal(verify_len(&f->v, json, strlen(json)), JWT_REFUSED_MALFORMED);
	free(token);
}

static void test_wrong_segment_count_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *buffer = malloc(strlen(token) + 8);

	sprintf(buffer, "%s.", token); /* four segments */
	assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	sprintf(buffer, "%s.AAAA", token);
	assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	*strrchr(token, '.') = '\0'; /* two segments */
	assert_refusal(verify_len(&f->v, token, strlen(token)), JWT_REFUSED_MALFORMED);
	assert_refusal(verify_len(&f->v, "", 0), JWT_REFUSED_MALFORMED);
	assert_refusal(verify_len(&f->v, "..", 2), JWT_REFUSED_MALFORMED);
	free(buffer);
	free(token);
}

static void test_padding_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *buffer = malloc(strlen(token) + 8);
	char *dot = strchr(token, '.');

	sprintf(buffer, "%s==", token);
	assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	sprintf(buffer, "%.*s=%s", (int)(dot - token), token, dot);
	assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	free(buffer);
	free(token);
}

static void test_whitespace_and_standard_base64_are_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *buffer = malloc(strlen(token) + 8);
	const char *const intruders[] = {" ", "\n", "\t", "+", "/"};

	for (size_t i = 0; i < sizeof(intruders) / sizeof(intruders[0]); i++) {
		sprintf(buffer, "%.10s%s%s", token, intruders[i], token + 10);
		assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	}
	sprintf(buffer, " %s", token);
	assert_refusal(verify_len(&f->v, buffer, strlen(buffer)), JWT_REFUSED_MALFORMED);
	free(buffer);
	free(token);
}

static void test_embedded_nul_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	size_t len = strlen(token);
	char *buffer = calloc(1, len + 8);

	/* len reaching past the terminator */
	assert_refusal(verify_len(&f->v, token, len + 1), JWT_REFUSED_MALFORMED);
	/* a NUL inside, with the real token on both sides */
	memcpy(buffer, token, 20);
	memcpy(buffer + 21, token + 20, len - 20);
	assert_refusal(verify_len(&f->v, buffer, len + 1), JWT_REFUSED_MALFORMED);
	free(buffer);
	free(token);
}

static void test_non_canonical_base64url_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *dot = strrchr(token, '.');
	char *copy = strdup(token);

	/*
	 * 342 characters for 256 bytes leave 4 spare bits in the last one (A, Q, g
	 * or w); the next letter sets one of them and decodes to the same bytes.
	 */
	assert_int_equal(strlen(dot + 1), RSA2048_SIGNATURE_B64_LEN);
	copy[strlen(copy) - 1]++;
	assert_refusal(verify_len(&f->v, copy, strlen(copy)), JWT_REFUSED_MALFORMED);
	free(copy);
	free(token);
}

static void test_header_not_an_object_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	const char *const headers[] = {"[\"RS256\"]", "\"RS256\"", "null",
				       "{",           "",          "{\"alg\":\"RS256\"}x"};
	char *payload = forge_json_text(claims_ours());

	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char *token = ours_rs256_text(f, headers[i], payload);

		assert_refusal(verify_len(&f->v, token, strlen(token)), JWT_REFUSED_MALFORMED);
		free(token);
	}
	free(payload);
}

static void test_duplicate_members_are_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char header[256], *payload = forge_json_text(claims_ours());
	char duplicated[1024];

	/* One parser reads the first alg, another the last: refuse both readings. */
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"%s\"}",
		 f->rsa.kid);
	expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_MALFORMED);
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", f->rsa.kid);
	snprintf(duplicated, sizeof(duplicated), "{\"sub\":\"1\",%s", payload + 1);
	expect(&f->v, ours_rs256_text(f, header, duplicated), JWT_REFUSED_MALFORMED);
	free(payload);
}

static void test_payload_not_an_object_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("RS256", f->rsa.kid);

	expect(&f->v, ours_rs256_text(f, header, "[1,2]"), JWT_REFUSED_MALFORMED);
	expect(&f->v, ours_rs256_text(f, header, "{\"sub\":\"4"), JWT_REFUSED_MALFORMED);
	expect(&f->v, ours_rs256_text(f, header, "{\"iss\":\"a\\u0000b\"}"), JWT_REFUSED_MALFORMED);
	free(header);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_over_max_length_is_refused_before_decoding),
		cmocka_unit_test(test_token_of_max_length_is_accepted_and_one_more_refused),
		cmocka_unit_test(test_json_serialization_is_refused_as_malformed),
		cmocka_unit_test(test_wrong_segment_count_is_refused_as_malformed),
		cmocka_unit_test(test_padding_is_refused_as_malformed),
		cmocka_unit_test(test_whitespace_and_standard_base64_are_refused_as_malformed),
		cmocka_unit_test(test_embedded_nul_is_refused_as_malformed),
		cmocka_unit_test(test_non_canonical_base64url_is_refused_as_malformed),
		cmocka_unit_test(test_header_not_an_object_is_refused_as_malformed),
		cmocka_unit_test(test_duplicate_members_are_refused_as_malformed),
		cmocka_unit_test(test_payload_not_an_object_is_refused_as_malformed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
