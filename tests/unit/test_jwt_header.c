/*
 * auth/jwt_verify.c, the JOSE header (RFC 8725 sections 2.1, 3.1): the key the kid names
 * fixes the algorithm; none, HS256 keyed with our public key and every other
 * algorithm are refused; no header member points us anywhere.
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

#include <poll.h>

#include "auth/identity.h"
#include "auth/jwt.h"
#include "tests/support/jwt_forge.h"
#include "core/arena.h"
#include "core/request.h"

#include "tests/support/jwt_fixture.h"
#include "tests/support/loopback.h"

/* ---- algorithm ---- */

/* "h.p." and "h.p.<a real signature>" are refused for alg; "h.p" is not even three segments. */
static void test_alg_none_in_any_case_is_refused(void **state)
{
	const struct fixture *f = *state;
	const char *const nones[] = {"none", "None", "NONE", "nOnE"};
	char *payload = forge_json_text(claims_ours());

	for (size_t i = 0; i < sizeof(nones) / sizeof(nones[0]); i++) {
		char *header = forge_header_json(nones[i], f->rsa.kid);
		char *input = forge_signing_input(header, payload);
		char *dotted = forge_joined(input, "");

		expect(&f->v, dotted, JWT_REFUSED_ALG);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_ALG);
		assert_refusal(verify_len(&f->v, input, strlen(input)), JWT_REFUSED_MALFORMED);
		free(input);
		free(header);
	}
	free(payload);
}

static void test_hs256_keyed_with_rsa_public_pem_is_refused(void **state)
{
	const struct fixture *f = *state;
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem, *header = forge_header_json("HS256", f->rsa.kid),
		   *payload = forge_json_text(claims_ours());
	long pem_len;

	assert_int_equal(PEM_write_bio_PUBKEY(bio, our_rsa(f)), 1);
	pem_len = BIO_get_mem_data(bio, &pem);
	expect(&f->v, forge_hs256(header, payload, (unsigned char *)pem, (size_t)pem_len),
	       JWT_REFUSED_ALG);
	BIO_free(bio);
	free(header);
	free(payload);
}

static void test_hs256_keyed_with_rsa_public_der_is_refused(void **state)
{
	const struct fixture *f = *state;
	unsigned char *der = NULL;
	int der_len = i2d_PUBKEY(our_rsa(f), &der);
	char *header = forge_header_json("HS256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());

	assert_true(der_len > 0);
	expect(&f->v, forge_hs256(header, payload, der, (size_t)der_len), JWT_REFUSED_ALG);
	OPENSSL_free(der);
	free(header);
	free(payload);
}

static void test_other_algorithms_are_refused(void **state)
{
	const struct fixture *f = *state;
	const char *const algs[] = {"HS256", "HS384", "HS512", "RS384", "RS512",  "PS256",
				    "ES384", "ES512", "EdDSA", "rs256", "RS256 ", ""};
	char *payload = forge_json_text(claims_ours());

	/* Signed with our real key, so nothing but the alg is wrong. */
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char *header = forge_header_json(algs[i], f->rsa.kid);

		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_ALG);
		free(header);
	}
	free(payload);
}

static void test_rs384_signed_token_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("RS384", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_RS384, our_rsa(f)), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

static void test_ps256_signed_token_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("PS256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_PS256, our_rsa(f)), JWT_REFUSED_ALG);
	free(header);
	/* PS256 bytes under an RS256 header: PKCS#1 v1.5 verification must fail. */
	header = forge_header_json("RS256", f->rsa.kid);
	expect(&f->v, forge_sign(header, payload, FORGE_PS256, our_rsa(f)), JWT_REFUSED_SIGNATURE);
	free(header);
	free(payload);
}

static void test_alg_missing_or_not_a_string_is_refused(void **state)
{
	const struct fixture *f = *state;
	char header[256], *payload = forge_json_text(claims_ours());
	const char *const algs[] = {
		"null", "256", "[\"RS256\"]", "{\"alg\":\"RS256\"}", "true", "\"RS256\\u0000\""};

	snprintf(header, sizeof(header), "{\"kid\":\"%s\"}", f->rsa.kid);
	expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_ALG);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		snprintf(header, sizeof(header), "{\"alg\":%s,\"kid\":\"%s\"}", algs[i],
			 f->rsa.kid);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_ALG);
	}
	free(payload);
}

static void test_es256_header_with_rsa_kid_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("ES256", f->rsa.kid),
	     *payload = forge_json_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_ES256, f->ext_ec), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

static void test_rs256_header_with_ec_kid_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = forge_header_json("RS256", f->ec.kid),
	     *payload = forge_json_text(claims_ours());

	expect(&f->v_ec, forge_sign(header, payload, FORGE_RS256, f->attacker), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

/* ---- kid ---- */

static void expect_kid(const struct fixture *f, const char *kid_json, enum jwt_refusal want)
{
	char *header = malloc(strlen(kid_json) + 64), *payload = forge_json_text(claims_ours());

	sprintf(header, "{\"alg\":\"RS256\",\"kid\":%s}", kid_json);
	expect(&f->v, ours_rs256_text(f, header, payload), want);
	free(header);
	free(payload);
}

static void test_kid_missing_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *payload = forge_json_text(claims_ours());

	expect(&f->v, ours_rs256_text(f, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload),
	       JWT_REFUSED_KID);
	free(payload);
}

static void test_kid_not_a_nonempty_string_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect_kid(f, "\"\"", JWT_REFUSED_KID);
	expect_kid(f, "null", JWT_REFUSED_KID);
	expect_kid(f, "1", JWT_REFUSED_KID);
	expect_kid(f, "[\"a\"]", JWT_REFUSED_KID);
}

static void test_kid_path_traversal_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect_kid(f, "\"../../etc/passwd\"", JWT_REFUSED_KID);
	expect_kid(f, "\"/dev/null\"", JWT_REFUSED_KID);
	expect_kid(f, "\"..\\\\..\\\\key.pem\"", JWT_REFUSED_KID);
}

static void test_kid_sql_text_is_refused(void **state)
{
	const struct fixture *f = *state;

	expect_kid(f, "\"1' OR '1'='1\"", JWT_REFUSED_KID);
	expect_kid(f, "\"x'; DROP TABLE users; --\"", JWT_REFUSED_KID);
}

static void test_kid_with_nul_is_refused(void **state)
{
	const struct fixture *f = *state;
	char kid[256];

	expect_kid(f, "\"abc\\u0000def\"", JWT_REFUSED_KID);
	/* Our own kid with a NUL appended must not match it as a C string would. */
	snprintf(kid, sizeof(kid), "\"%s\\u0000\"", f->rsa.kid);
	expect_kid(f, kid, JWT_REFUSED_KID);
}

static void test_kid_over_127_bytes_is_refused(void **state)
{
	const struct fixture *f = *state;
	char kid[4096 + 3];

	kid[0] = '"';
	memset(kid + 1, 'a', 128);
	strcpy(kid + 129, "\"");
	expect_kid(f, kid, JWT_REFUSED_KID);
	memset(kid + 1, 'a', 4096);
	strcpy(kid + 4097, "\"");
	expect_kid(f, kid, JWT_REFUSED_KID);
}

/* 10 KB of kid cannot fit in 8192 bytes of token: the length refuses it first. */
static void test_kid_of_10_kb_is_refused_as_too_long(void **state)
{
	const struct fixture *f = *state;
	char *kid = malloc(10 * 1024 + 3);

	kid[0] = '"';
	memset(kid + 1, 'a', 10 * 1024);
	strcpy(kid + 1 + 10 * 1024, "\"");
	expect_kid(f, kid, JWT_REFUSED_TOO_LONG);
	free(kid);
}

static void test_unknown_kid_is_refused(void **state)
{
	const struct fixture *f = *state;
	char kid[256];

	expect_kid(f, "\"no-such-key\"", JWT_REFUSED_KID);
	snprintf(kid, sizeof(kid), "\"%.127s\"",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaa"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	expect_kid(f, kid, JWT_REFUSED_KID);
	/* The provider's kid under our iss: kids are looked up per issuer. */
	expect_kid(f, "\"" EXT_RSA_KID "\"", JWT_REFUSED_KID);
}

/* ---- other header members ---- */

static void test_jku_x5u_jwk_x5c_are_ignored(void **state)
{
	const struct fixture *f = *state;
	char header[1024], *payload = forge_json_text(claims_ours());

	/* Were any of these fetched or used, the port-1 URLs would fail and the jwk mismatch. */
	snprintf(header, sizeof(header),
		 "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\","
		 "\"jku\":\"http://127.0.0.1:1/jwks.json\",\"x5u\":\"http://127.0.0.1:1/cert.pem\","
		 "\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"},\"x5c\":[\"MIIBIjAN\"]}",
		 f->rsa.kid);
	expect(&f->v, ours_rs256_text(f, header, payload), JWT_OK);
	free(payload);
}

static void test_embedded_jwk_of_attacker_is_not_used(void **state)
{
	const struct fixture *f = *state;
	json_t *jwk = jwk_rsa(f->attacker, "evil", NULL, NULL);
	char *jwk_text = forge_json_text(jwk), *payload = forge_json_text(claims_ours());
	char *header = malloc(strlen(jwk_text) + 256);

	sprintf(header, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"jwk\":%s}", f->rsa.kid, jwk_text);
	expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->attacker), JWT_REFUSED_SIGNATURE);
	free(header);
	free(jwk_text);
	free(payload);
}

/* A listening loopback socket: a connection attempt would wait in its backlog. */
static int listener(int *port)
{
	int fd = loopback_listen(8, port);

	assert_true(fd >= 0);
	return fd;
}

/*
 * The attacker signs with their own key and says where to find it: a jku or
 * x5u on a loopback port that is listening, the key itself in jwk, a
 * certificate chain in x5c. None of it is read: under our kid the signature
 * fails against our key; under theirs there is no key. And nothing connects.
 */
static void test_header_pointing_to_the_attackers_key_is_refused_without_fetching(void **state)
{
	const struct fixture *f = *state;
	int port, fd = listener(&port);
	struct pollfd pending = {.fd = fd, .events = POLLIN};
	char *jwk = forge_json_text(jwk_rsa(f->attacker, "evil", "sig", "RS256"));
	char *payload = forge_json_text(claims_ours());
	char *header = malloc(strlen(jwk) + 512);
	const char *const kids[] = {f->rsa.kid, "evil"};
	const enum jwt_refusal wanted[] = {JWT_REFUSED_SIGNATURE, JWT_REFUSED_KID};

	for (size_t i = 0; i < 2; i++) {
		sprintf(header,
			"{\"alg\":\"RS256\",\"kid\":\"%s\",\"jku\":\"http://127.0.0.1:%d/"
			"jwks.json\","
			"\"x5u\":\"http://127.0.0.1:%d/"
			"cert.pem\",\"jwk\":%s,\"x5c\":[\"MIIBIjAN\"]}",
			kids[i], port, port, jwk);
		expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->attacker), wanted[i]);
	}
	assert_int_equal(poll(&pending, 1, 100), 0);
	close(fd);
	free(header);
	free(payload);
	free(jwk);
}

static void test_crit_is_refused(void **state)
{
	const struct fixture *f = *state;
	const char *const crits[] = {"[\"exp\"]", "[\"b64\"]", "[]", "\"exp\"", "null"};
	char header[512], *payload = forge_json_text(claims_ours());

	for (size_t i = 0; i < sizeof(crits) / sizeof(crits[0]); i++) {
		snprintf(header, sizeof(header),
			 "{\"alg\":\"RS256\",\"kid\":\"%s\",\"crit\":%s,\"b64\":false}", f->rsa.kid,
			 crits[i]);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_CRIT);
	}
	free(payload);
}

static void test_typ_other_than_jwt_is_refused_as_malformed(void **state)
{
	const struct fixture *f = *state;
	const char *const typs[] = {"\"JWS\"", "\"JOSE+JSON\"", "\"\"",
				    "1",       "null",          "\"JWT\\u0000\""};
	char header[512], *payload = forge_json_text(claims_ours());

	for (size_t i = 0; i < sizeof(typs) / sizeof(typs[0]); i++) {
		snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":%s}",
			 f->rsa.kid, typs[i]);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_MALFORMED);
	}
	free(payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_none_in_any_case_is_refused),
		cmocka_unit_test(test_hs256_keyed_with_rsa_public_pem_is_refused),
		cmocka_unit_test(test_hs256_keyed_with_rsa_public_der_is_refused),
		cmocka_unit_test(test_other_algorithms_are_refused),
		cmocka_unit_test(test_rs384_signed_token_is_refused),
		cmocka_unit_test(test_ps256_signed_token_is_refused),
		cmocka_unit_test(test_alg_missing_or_not_a_string_is_refused),
		cmocka_unit_test(test_es256_header_with_rsa_kid_is_refused),
		cmocka_unit_test(test_rs256_header_with_ec_kid_is_refused),
		cmocka_unit_test(test_kid_missing_is_refused),
		cmocka_unit_test(test_kid_not_a_nonempty_string_is_refused),
		cmocka_unit_test(test_kid_path_traversal_is_refused),
		cmocka_unit_test(test_kid_sql_text_is_refused),
		cmocka_unit_test(test_kid_with_nul_is_refused),
		cmocka_unit_test(test_kid_over_127_bytes_is_refused),
		cmocka_unit_test(test_kid_of_10_kb_is_refused_as_too_long),
		cmocka_unit_test(test_unknown_kid_is_refused),
		cmocka_unit_test(test_jku_x5u_jwk_x5c_are_ignored),
		cmocka_unit_test(test_embedded_jwk_of_attacker_is_not_used),
		cmocka_unit_test(
			test_header_pointing_to_the_attackers_key_is_refused_without_fetching),
		cmocka_unit_test(test_crit_is_refused),
		cmocka_unit_test(test_typ_other_than_jwt_is_refused_as_malformed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
