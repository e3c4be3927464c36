/*
 * auth/jwt_verify.c with an external identity provider: its tokens, its audience and
 * the subject we take from them.
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

/* ---- external provider ---- */

static char *external_token(const struct fixture *f, json_t *claims, bool ec)
{
	char *header = forge_header_json(ec ? "ES256" : "RS256", ec ? EXT_EC_KID : EXT_RSA_KID);
	char *payload = forge_json_text(claims);
	char *token = forge_sign(header, payload, ec ? FORGE_ES256 : FORGE_RS256,
				 ec ? f->ext_ec : f->ext_rsa);

	free(header);
	free(payload);
	return token;
}

static void test_external_token_with_preferred_username_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = external_token(f, claims_external(), false);
	struct jwt_claims claims;

	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_ptr_equal(claims.issuer, &f->v.issuers[1]);
	assert_true(claims.issuer->external);
	assert_string_equal(claims.subject, "jdoe");
	free(token);
}

static void test_external_es256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = external_token(f, claims_external(), true);
	struct jwt_claims claims;

	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_string_equal(claims.subject, "jdoe");
	free(token);
}

static void test_external_token_without_preferred_username_uses_sub(void **state)
{
	const struct fixture *f = *state;
	char *token =
		external_token(f, claims_without(claims_external(), "preferred_username"), false);
	struct jwt_claims claims;

	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_string_equal(claims.subject, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	free(token);
	token = external_token(
		f, claims_set(claims_external(), "preferred_username", json_string("")), false);
	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_string_equal(claims.subject, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	free(token);
}

static void test_external_subject_unusable_is_refused(void **state)
{
	const struct fixture *f = *state;
	char long_name[300];
	const char *const names[] = {"j\ndoe", "jdoe\t", "\x7f",
				     "j\xc2\x85"
				     "doe",
				     long_name};

	memset(long_name, 'a', 256);
	long_name[256] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect(&f->v,
		       external_token(f,
				      claims_set(claims_external(), "preferred_username",
						 json_string(names[i])),
				      false),
		       JWT_REFUSED_SUBJECT);
	expect(&f->v,
	       external_token(
		       f,
		       claims_without(claims_without(claims_external(), "preferred_username"),
				      "sub"),
		       false),
	       JWT_REFUSED_SUBJECT);
	long_name[255] = '\0'; /* 255 bytes still fit */
	expect(&f->v,
	       external_token(
		       f,
		       claims_set(claims_external(), "preferred_username", json_string(long_name)),
		       false),
	       JWT_OK);
}

static void test_external_wrong_audience_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v,
	       external_token(f, claims_set(claims_external(), "aud", json_string(OUR_AUD)), false),
	       JWT_REFUSED_AUDIENCE);
}

static void test_external_keys_skipped_at_load_are_unknown(void **state)
{
	const struct fixture *f = *state;
	const char *const kids[] = {"enc-1", "ps-1"};
	char *payload = forge_json_text(claims_external());

	assert_int_equal(f->v.issuers[1].n_keys, 2);
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
		char *header = forge_header_json("RS256", kids[i]);

		expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->ext_rsa),
		       JWT_REFUSED_KID);
		free(header);
	}
	free(payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_external_token_with_preferred_username_is_accepted),
		cmocka_unit_test(test_external_es256_token_is_accepted),
		cmocka_unit_test(test_external_token_without_preferred_username_uses_sub),
		cmocka_unit_test(test_external_subject_unusable_is_refused),
		cmocka_unit_test(test_external_wrong_audience_is_refused),
		cmocka_unit_test(test_external_keys_skipped_at_load_are_unknown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
