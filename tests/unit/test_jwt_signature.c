/*
 * auth/jwt_verify.c: a signature that does not verify under the kid's key is refused,
 * ES256 scalars and lengths included.
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

/* ---- signature ---- */

/* Swaps one segment of a signed token for another text's encoding. */
static char *segment_replaced(const char *token, int segment, const char *text)
{
	const char *first = strchr(token, '.'), *second = strchr(first + 1, '.');
	char *encoded = forge_b64url(text, strlen(text));
	char *out = malloc(strlen(token) + strlen(encoded) + 4);

	if (segment == 0)
		sprintf(out, "%s%s", encoded, first);
	else
		sprintf(out, "%.*s.%s%s", (int)(first - token), token, encoded, second);
	free(encoded);
	return out;
}

static void test_tampered_payload_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *admin = forge_json_text(claims_set(claims_ours(), "sub", json_string("1")));

	expect(&f->v, segment_replaced(token, 1, admin), JWT_REFUSED_SIGNATURE);
	free(admin);
	free(token);
}

static void test_tampered_header_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char header[256];

	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"%s\"}",
		 f->rsa.kid);
	expect(&f->v, segment_replaced(token, 0, header), JWT_REFUSED_SIGNATURE);
	free(token);
}

static void test_tampered_signature_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *token = ours_rs256(f, claims_ours());
	char *sig = strrchr(token, '.') + 1;

	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	expect(&f->v, token, JWT_REFUSED_SIGNATURE);
}

static void test_signature_by_another_key_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("RS256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->attacker), JWT_REFUSED_SIGNATURE);
	free(header);
	free(payload);
}

static void test_empty_or_short_rsa_signature_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("RS256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char zeros[255] = {0};

	expect(&f->v, forge_joined(input, ""), JWT_REFUSED_SIGNATURE);
	expect(&f->v, token_with_signature(input, zeros, sizeof(zeros)), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

static void test_es256_tampered_payload_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->ec, USER_ID, NOW, TTL);
	char *admin = forge_json_text(claims_set(claims_ours(), "sub", json_string("1")));

	assert_non_null(token);
	expect(&f->v_ec, segment_replaced(token, 1, admin), JWT_REFUSED_SIGNATURE);
	free(admin);
	free(token);
}

/* The same zeros under our RSA key's kid: refused for the algorithm, before any signature. */
static void test_es256_zero_signature_under_rsa_kid_is_refused_as_alg(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("ES256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char zeros[64] = {0};

	expect(&f->v, token_with_signature(input, zeros, sizeof(zeros)), JWT_REFUSED_ALG);
	free(input);
	free(header);
	free(payload);
}

/* CVE-2022-21449 ("psychic signatures"): r = s = 0 must not verify anything. */
static void test_es256_zero_signature_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("ES256", f->ec.kid),
	     *payload = forge_json_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char zeros[64] = {0};

	expect(&f->v_ec, token_with_signature(input, zeros, sizeof(zeros)), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

static void test_es256_scalar_equal_to_group_order_is_refused(void **state)
{
	static const unsigned char order[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
						0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
						0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
	const struct fixture *f = *state;
	char *header = forge_header_json("ES256", f->ec.kid),
	     *payload = forge_json_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char sig[128];

	assert_int_equal(forge_signature(FORGE_ES256, our_ec(f), input, sig, sizeof(sig)), 64);
	expect(&f->v_ec, token_with_signature(input, sig, 64), JWT_OK);
	memcpy(sig, order, 32); /* r = n */
	expect(&f->v_ec, token_with_signature(input, sig, 64), JWT_REFUSED_SIGNATURE);
	memset(sig, 0xff, 32); /* r > n */
	expect(&f->v_ec, token_with_signature(input, sig, 64), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

static void test_es256_signature_of_wrong_length_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("ES256", f->ec.kid),
	     *payload = forge_json_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char sig[128];
	size_t der_len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* The DER form OpenSSL produces, as some broken signers send it. */
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, our_ec(f)), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &der_len, (unsigned char *)input, strlen(input)),
			 1);
	EVP_MD_CTX_free(ctx);
	expect(&f->v_ec, token_with_signature(input, sig, der_len), JWT_REFUSED_SIGNATURE);
	assert_int_equal(forge_signature(FORGE_ES256, our_ec(f), input, sig, sizeof(sig)), 64);
	expect(&f->v_ec, token_with_signature(input, sig, 63), JWT_REFUSED_SIGNATURE);
	sig[64] = 0;
	expect(&f->v_ec, token_with_signature(input, sig, 65), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tampered_payload_is_refused),
		cmocka_unit_test(test_tampered_header_is_refused),
		cmocka_unit_test(test_tampered_signature_is_refused),
		cmocka_unit_test(test_signature_by_another_key_is_refused),
		cmocka_unit_test(test_empty_or_short_rsa_signature_is_refused),
		cmocka_unit_test(test_es256_tampered_payload_is_refused),
		cmocka_unit_test(test_es256_zero_signature_under_rsa_kid_is_refused_as_alg),
		cmocka_unit_test(test_es256_zero_signature_is_refused),
		cmocka_unit_test(test_es256_scalar_equal_to_group_order_is_refused),
		cmocka_unit_test(test_es256_signature_of_wrong_length_is_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
