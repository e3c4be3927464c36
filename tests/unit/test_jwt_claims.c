/*
 * auth/jwt_verify.c, the claims (RFC 8725 section 3.9, 3.10): issuer, exp/nbf with
 * 60 s of leeway and no overflow, audience and a subject that is a user id.
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

/* ---- issuer ---- */

static void test_unknown_issuer_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v,
	       ours_rs256(f, claims_set(claims_ours(), "iss", json_string("https://evil.test"))),
	       JWT_REFUSED_ISSUER);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "iss", json_string(OUR_ISS "/"))),
	       JWT_REFUSED_ISSUER);
	expect(&f->v, ours_rs256(f, claims_without(claims_ours(), "iss")), JWT_REFUSED_ISSUER);
}

static void test_issuer_not_a_string_is_refused_as_claim_type(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "iss", json_integer(1))),
	       JWT_REFUSED_CLAIM_TYPE);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "iss", json_pack("[s]", OUR_ISS))),
	       JWT_REFUSED_CLAIM_TYPE);
}

static void test_our_key_claiming_external_issuer_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_external()), JWT_REFUSED_KID);
}

/* ---- time claims ---- */

static void expect_raw_claim(const struct fixture *f, const char *name, const char *raw,
			     enum jwt_refusal want)
{
	char *header = forge_header_json("RS256", f->rsa.kid);
	char *payload = forge_json_text_with_raw(claims_ours(), name, raw);

	expect(&f->v, ours_rs256_text(f, header, payload), want);
	free(header);
	free(payload);
}

static const char *const not_integers[] = {"\"1700000900\"", "null", "1.5",          "1e308",
					   "1700000900.0",   "true", "[1700000900]", "{}"};

static void test_exp_not_an_integer_is_refused_as_claim_type(void **state)
{
	for (size_t i = 0; i < sizeof(not_integers) / sizeof(not_integers[0]); i++)
		expect_raw_claim(*state, "exp", not_integers[i], JWT_REFUSED_CLAIM_TYPE);
}

static void test_nbf_not_an_integer_is_refused_as_claim_type(void **state)
{
	for (size_t i = 0; i < sizeof(not_integers) / sizeof(not_integers[0]); i++)
		expect_raw_claim(*state, "nbf", not_integers[i], JWT_REFUSED_CLAIM_TYPE);
}

static void test_iat_not_an_integer_is_refused_as_claim_type(void **state)
{
	for (size_t i = 0; i < sizeof(not_integers) / sizeof(not_integers[0]); i++)
		expect_raw_claim(*state, "iat", not_integers[i], JWT_REFUSED_CLAIM_TYPE);
}

static void test_integer_too_big_for_json_is_refused_as_malformed(void **state)
{
	expect_raw_claim(*state, "exp", "99999999999999999999", JWT_REFUSED_MALFORMED);
	expect_raw_claim(*state, "exp", "1e400", JWT_REFUSED_MALFORMED);
}

static void test_missing_exp_is_refused_as_expired(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_without(claims_ours(), "exp")), JWT_REFUSED_EXPIRED);
}

static json_t *claims_exp(json_int_t exp)
{
	return claims_set(claims_set(claims_ours(), "exp", json_integer(exp)), "iat",
			  json_integer(exp - TTL));
}

static void test_exp_30_seconds_ago_is_accepted_within_leeway(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_without(claims_exp(NOW - 30), "nbf")), JWT_OK);
	expect(&f->v, ours_rs256(f, claims_without(claims_exp(NOW - JWT_LEEWAY_SECONDS), "nbf")),
	       JWT_OK);
}

static void test_exp_120_seconds_ago_is_refused_as_expired(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_without(claims_exp(NOW - 120), "nbf")),
	       JWT_REFUSED_EXPIRED);
	expect(&f->v,
	       ours_rs256(f, claims_without(claims_exp(NOW - JWT_LEEWAY_SECONDS - 1), "nbf")),
	       JWT_REFUSED_EXPIRED);
}

static void test_exp_at_integer_limits_does_not_overflow(void **state)
{
	const struct fixture *f = *state;

	expect_raw_claim(f, "exp", "9223372036854775807", JWT_OK);
	expect_raw_claim(f, "exp", "-9223372036854775808", JWT_REFUSED_EXPIRED);
	expect_raw_claim(f, "exp", "0", JWT_REFUSED_EXPIRED);
}

static void test_nbf_30_seconds_ahead_is_accepted_within_leeway(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "nbf", json_integer(NOW + 30))),
	       JWT_OK);
	expect(&f->v,
	       ours_rs256(f,
			  claims_set(claims_ours(), "nbf", json_integer(NOW + JWT_LEEWAY_SECONDS))),
	       JWT_OK);
}

static void test_nbf_120_seconds_ahead_is_refused_as_not_yet_valid(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "nbf", json_integer(NOW + 120))),
	       JWT_REFUSED_NOT_YET_VALID);
	expect(&f->v,
	       ours_rs256(f, claims_set(claims_ours(), "nbf",
					json_integer(NOW + JWT_LEEWAY_SECONDS + 1))),
	       JWT_REFUSED_NOT_YET_VALID);
}

static void test_nbf_at_integer_limits_does_not_overflow(void **state)
{
	expect_raw_claim(*state, "nbf", "9223372036854775807", JWT_REFUSED_NOT_YET_VALID);
	expect_raw_claim(*state, "nbf", "-9223372036854775808", JWT_OK);
}

static void test_claims_are_checked_against_callers_clock(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);
	struct jwt_claims claims;

	assert_non_null(token);
	assert_refusal(
		jwt_verify(&f->v, token, strlen(token), NOW + TTL + JWT_LEEWAY_SECONDS, &claims),
		JWT_OK);
	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW + TTL + JWT_LEEWAY_SECONDS + 1,
				  &claims),
		       JWT_REFUSED_EXPIRED);
	assert_null(claims.issuer);
	assert_string_equal(claims.subject, "");
	assert_refusal(
		jwt_verify(&f->v, token, strlen(token), NOW - JWT_LEEWAY_SECONDS - 1, &claims),
		JWT_REFUSED_NOT_YET_VALID);
	free(token);
}

/* ---- audience ---- */

static void test_wrong_audience_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_string("other-api"))),
	       JWT_REFUSED_AUDIENCE);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_string(EXT_AUD))),
	       JWT_REFUSED_AUDIENCE);
	expect(&f->v, ours_rs256(f, claims_without(claims_ours(), "aud")), JWT_REFUSED_AUDIENCE);
}

static void test_audience_array_containing_ours_is_accepted(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v,
	       ours_rs256(f,
			  claims_set(claims_ours(), "aud", json_pack("[s,s]", "other", OUR_AUD))),
	       JWT_OK);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_pack("[s]", OUR_AUD))),
	       JWT_OK);
}

static void test_audience_array_without_ours_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_pack("[s,s]", "a", "b"))),
	       JWT_REFUSED_AUDIENCE);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_array())),
	       JWT_REFUSED_AUDIENCE);
}

static void test_audience_of_wrong_type_is_refused_as_claim_type(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_integer(1))),
	       JWT_REFUSED_CLAIM_TYPE);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "aud", json_null())),
	       JWT_REFUSED_CLAIM_TYPE);
	expect(&f->v,
	       ours_rs256(f, claims_set(claims_ours(), "aud", json_pack("[s,i]", OUR_AUD, 1))),
	       JWT_REFUSED_CLAIM_TYPE);
	expect(&f->v,
	       ours_rs256(f, claims_set(claims_ours(), "aud", json_pack("{s:s}", "aud", OUR_AUD))),
	       JWT_REFUSED_CLAIM_TYPE);
}

/* ---- subject ---- */

static void test_subject_not_a_user_id_is_refused(void **state)
{
	const struct fixture *f = *state;
	const char *const subjects[] = {"",
					"abc",
					"-1",
					"+1",
					" 42",
					"42 ",
					"4.2",
					"0x2a",
					"12345678901234567890",
					"9223372036854775808",
					"jdoe"};

	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
		expect(&f->v,
		       ours_rs256(f, claims_set(claims_ours(), "sub", json_string(subjects[i]))),
		       JWT_REFUSED_SUBJECT);
	expect(&f->v, ours_rs256(f, claims_set(claims_ours(), "sub", json_integer(42))),
	       JWT_REFUSED_SUBJECT);
	expect(&f->v, ours_rs256(f, claims_without(claims_ours(), "sub")), JWT_REFUSED_SUBJECT);
	/* preferred_username means nothing for our own tokens */
	expect(&f->v,
	       ours_rs256(f, claims_set(claims_without(claims_ours(), "sub"), "preferred_username",
					json_string("42"))),
	       JWT_REFUSED_SUBJECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_issuer_is_refused),
		cmocka_unit_test(test_issuer_not_a_string_is_refused_as_claim_type),
		cmocka_unit_test(test_our_key_claiming_external_issuer_is_refused),
		cmocka_unit_test(test_exp_not_an_integer_is_refused_as_claim_type),
		cmocka_unit_test(test_nbf_not_an_integer_is_refused_as_claim_type),
		cmocka_unit_test(test_iat_not_an_integer_is_refused_as_claim_type),
		cmocka_unit_test(test_integer_too_big_for_json_is_refused_as_malformed),
		cmocka_unit_test(test_missing_exp_is_refused_as_expired),
		cmocka_unit_test(test_exp_30_seconds_ago_is_accepted_within_leeway),
		cmocka_unit_test(test_exp_120_seconds_ago_is_refused_as_expired),
		cmocka_unit_test(test_exp_at_integer_limits_does_not_overflow),
		cmocka_unit_test(test_nbf_30_seconds_ahead_is_accepted_within_leeway),
		cmocka_unit_test(test_nbf_120_seconds_ahead_is_refused_as_not_yet_valid),
		cmocka_unit_test(test_nbf_at_integer_limits_does_not_overflow),
		cmocka_unit_test(test_claims_are_checked_against_callers_clock),
		cmocka_unit_test(test_wrong_audience_is_refused),
		cmocka_unit_test(test_audience_array_containing_ours_is_accepted),
		cmocka_unit_test(test_audience_array_without_ours_is_refused),
		cmocka_unit_test(test_audience_of_wrong_type_is_refused_as_claim_type),
		cmocka_unit_test(test_subject_not_a_user_id_is_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
