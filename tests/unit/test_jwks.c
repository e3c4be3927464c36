/*
 * auth/jwt_keys.c: loading signing keys and JWKS files, refusing weak or unusable
 * ones, and publishing our keys as a JWKS with RFC 7638 thumbprint kids.
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

/* ---- key loading and JWKS ---- */

static json_t *jwks_parsed(const struct jwt_verifier *v)
{
	char *text = jwt_jwks_json(v);
	json_error_t error;
	json_t *root;

	assert_non_null(text);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
	free(text);
	assert_non_null(root);
	return root;
}

static void test_jwks_json_lists_our_rsa_key_only(void **state)
{
	const struct fixture *f = *state;
	json_t *root = jwks_parsed(&f->v);
	json_t *keys = json_object_get(root, "keys"), *key = json_array_get(keys, 0);

	assert_int_equal(json_array_size(keys),
			 1); /* the provider's keys are not ours to publish */
	assert_string_equal(json_string_value(json_object_get(key, "kid")), f->rsa.kid);
	assert_string_equal(json_string_value(json_object_get(key, "kty")), "RSA");
	assert_string_equal(json_string_value(json_object_get(key, "use")), "sig");
	assert_string_equal(json_string_value(json_object_get(key, "alg")), "RS256");
	assert_string_equal(json_string_value(json_object_get(key, "e")), "AQAB");
	assert_int_equal(json_string_length(json_object_get(key, "n")), RSA2048_SIGNATURE_B64_LEN);
	assert_null(json_object_get(key, "d")); /* never the private exponent */
	json_decref(root);
}

static void test_jwks_json_ec_key_has_curve_and_coordinates(void **state)
{
	const struct fixture *f = *state;
	json_t *root = jwks_parsed(&f->v_ec);
	json_t *key = json_array_get(json_object_get(root, "keys"), 0);

	assert_string_equal(json_string_value(json_object_get(key, "kid")), f->ec.kid);
	assert_string_equal(json_string_value(json_object_get(key, "kty")), "EC");
	assert_string_equal(json_string_value(json_object_get(key, "crv")), "P-256");
	assert_string_equal(json_string_value(json_object_get(key, "alg")), "ES256");
	assert_int_equal(json_string_length(json_object_get(key, "x")), 43);
	assert_int_equal(json_string_length(json_object_get(key, "y")), 43);
	assert_null(json_object_get(key, "d"));
	json_decref(root);
}

/* The kid recomputed from the published n and e, by RFC 7638's recipe. */
static void test_kid_is_rfc7638_thumbprint(void **state)
{
	const struct fixture *f = *state;
	json_t *root = jwks_parsed(&f->v);
	json_t *key = json_array_get(json_object_get(root, "keys"), 0);
	char canonical[2048];
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char *expected;

	snprintf(canonical, sizeof(canonical), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
		 json_string_value(json_object_get(key, "e")),
		 json_string_value(json_object_get(key, "n")));
	SHA256((unsigned char *)canonical, strlen(canonical), digest);
	expected = forge_b64url(digest, sizeof(digest));
	assert_string_equal(f->rsa.kid, expected);
	assert_int_equal(strlen(f->rsa.kid), 43);
	free(expected);
	json_decref(root);
}

static int load_key(EVP_PKEY *pkey, const EVP_CIPHER *cipher, char *err, size_t errlen)
{
	struct jwt_verifier v = {.leeway = JWT_LEEWAY_SECONDS};
	struct jwt_signer signer;
	char path[64];
	int rc;

	pem_write(pkey, cipher, path);
	rc = jwt_load_signing_key(path, OUR_ISS, OUR_AUD, &signer, &v, err, errlen);
	unlink(path);
	if (rc == 0)
		jwt_signer_free(&signer);
	jwt_verifier_free(&v);
	EVP_PKEY_free(pkey);
	return rc;
}

static void test_load_signing_key_refuses_weak_or_unsupported_keys(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(load_key(rsa_generate(1024), NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1024"));
	assert_int_equal(load_key(ec_generate("P-384"), NULL, err, sizeof(err)), -1);
	assert_int_equal(load_key(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), NULL, err, sizeof(err)),
			 -1);
}

static void test_load_signing_key_refuses_encrypted_key_without_prompting(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(load_key(ec_generate("P-256"), EVP_aes_256_cbc(), err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
}

static void test_load_signing_key_refuses_missing_file_and_bad_arguments(void **state)
{
	struct jwt_verifier v = {.leeway = JWT_LEEWAY_SECONDS};
	struct jwt_signer signer;
	char err[256] = "";

	(void)state;
	assert_int_equal(jwt_load_signing_key("/nonexistent/key.pem", OUR_ISS, OUR_AUD, &signer, &v,
					      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "/nonexistent/key.pem"));
	assert_int_equal(
		jwt_load_signing_key("/dev/null", "", OUR_AUD, &signer, &v, err, sizeof(err)), -1);
	assert_int_equal(
		jwt_load_signing_key("/dev/null", OUR_ISS, OUR_AUD, &signer, &v, err, sizeof(err)),
		-1);
	assert_int_equal(v.n_issuers, 0);
}

static void test_load_refuses_duplicate_issuer_and_too_many_issuers(void **state)
{
	const struct fixture *f = *state;
	struct jwt_verifier copy = f->v; /* shares keys: never freed here */
	char path[64], err[256] = "";

	jwks_write(json_pack("[o]", jwk_rsa(f->ext_rsa, "k1", NULL, NULL)), path);
	copy.n_issuers = 1;
	assert_int_equal(jwt_load_external_jwks(path, OUR_ISS, OUR_AUD, &copy, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "twice"));
	copy.n_issuers = JWT_MAX_ISSUERS;
	assert_int_equal(
		jwt_load_external_jwks(path, "https://third.test", "a", &copy, err, sizeof(err)),
		-1);
	unlink(path);
}

static int load_jwks(json_t *keys_or_root, bool wrap, char *err, size_t errlen)
{
	struct jwt_verifier v = {.leeway = JWT_LEEWAY_SECONDS};
	char path[64];
	int rc;

	if (wrap) {
		jwks_write(keys_or_root, path);
	} else {
		temp_path(path);
		assert_int_equal(json_dump_file(keys_or_root, path, 0), 0);
		json_decref(keys_or_root);
	}
	rc = jwt_load_external_jwks(path, EXT_ISS, EXT_AUD, &v, err, errlen);
	unlink(path);
	jwt_verifier_free(&v);
	return rc;
}

static void test_load_external_jwks_refuses_unusable_files(void **state)
{
	const struct fixture *f = *state;
	EVP_PKEY *weak = rsa_generate(1024);
	char err[256] = "";

	/* nothing we can verify with */
	assert_int_equal(
		load_jwks(json_pack("[{s:s,s:s,s:s}]", "kty", "oct", "kid", "h", "k", "AA"), true,
			  err, sizeof(err)),
		-1);
	assert_int_equal(load_jwks(json_array(), true, err, sizeof(err)), -1);
	assert_int_equal(load_jwks(json_pack("{s:s}", "keys", "none"), false, err, sizeof(err)),
			 -1);
	/* usable type but broken: no kid, a path as kid, bad base64, a point off the curve, weak */
	assert_int_equal(
		load_jwks(json_pack("[o]",
				    claims_without(jwk_rsa(f->ext_rsa, "x", NULL, NULL), "kid")),
			  true, err, sizeof(err)),
		-1);
	assert_int_equal(load_jwks(json_pack("[o]", jwk_rsa(f->ext_rsa, "../k", NULL, NULL)), true,
				   err, sizeof(err)),
			 -1);
	assert_int_equal(load_jwks(json_pack("[o]", claims_set(jwk_rsa(f->ext_rsa, "k", NULL, NULL),
							       "n", json_string("AQAB="))),
				   true, err, sizeof(err)),
			 -1);
	assert_int_equal(
		load_jwks(
			json_pack(
				"[o]",
				claims_set(jwk_ec(f->ext_ec, "k", "P-256"), "y",
					   json_string(
						   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))),
			true, err, sizeof(err)),
		-1);
	assert_int_equal(
		load_jwks(json_pack("[o]", jwk_rsa(weak, "k", NULL, NULL)), true, err, sizeof(err)),
		-1);
	/* two keys under one kid */
	assert_int_equal(load_jwks(json_pack("[o,o]", jwk_rsa(f->ext_rsa, "k", NULL, NULL),
					     jwk_rsa(f->attacker, "k", NULL, NULL)),
				   true, err, sizeof(err)),
			 -1);
	EVP_PKEY_free(weak);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jwks_json_lists_our_rsa_key_only),
		cmocka_unit_test(test_jwks_json_ec_key_has_curve_and_coordinates),
		cmocka_unit_test(test_kid_is_rfc7638_thumbprint),
		cmocka_unit_test(test_load_signing_key_refuses_weak_or_unsupported_keys),
		cmocka_unit_test(test_load_signing_key_refuses_encrypted_key_without_prompting),
		cmocka_unit_test(test_load_signing_key_refuses_missing_file_and_bad_arguments),
		cmocka_unit_test(test_load_refuses_duplicate_issuer_and_too_many_issuers),
		cmocka_unit_test(test_load_external_jwks_refuses_unusable_files),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
