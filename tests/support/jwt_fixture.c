#include "jwt_fixture.h"

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
#include "core/arena.h"
#include "core/request.h"

/*
 * ---- encoding and signing, independent of the code under test ----
 * (tests/support/jwt_forge.h; what follows needs raw signature bytes)
 */

char *token_with_signature(const char *input, const unsigned char *sig, size_t len)
{
	char *s = forge_b64url(sig, len);
	char *token = forge_joined(input, s);

	free(s);
	return token;
}

/* ---- claims ---- */

json_t *claims_ours(void)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "iss", OUR_ISS, "aud",
				   OUR_AUD, "sub", USER_ID, "iat", (json_int_t)NOW, "nbf",
				   (json_int_t)NOW, "exp", (json_int_t)NOW + TTL, "jti", "t-1");

	assert_non_null(claims);
	return claims;
}

json_t *claims_external(void)
{
	json_t *claims =
		json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", EXT_ISS, "aud", EXT_AUD, "sub",
			  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "preferred_username", "jdoe",
			  "iat", (json_int_t)NOW, "exp", (json_int_t)NOW + TTL);

	assert_non_null(claims);
	return claims;
}

json_t *claims_set(json_t *claims, const char *name, json_t *value)
{
	assert_int_equal(json_object_set_new(claims, name, value), 0);
	return claims;
}

json_t *claims_without(json_t *claims, const char *name)
{
	json_object_del(claims, name);
	return claims;
}

/* ---- tokens from the fixture's keys ---- */

EVP_PKEY *our_rsa(const struct fixture *f)
{
	return f->v.issuers[0].keys[0].pkey;
}

EVP_PKEY *our_ec(const struct fixture *f)
{
	return f->v_ec.issuers[0].keys[0].pkey;
}

/* Consumes claims: an RS256 token under our kid, signed by our key. */
char *ours_rs256(const struct fixture *f, json_t *claims)
{
	char *header = forge_header_json("RS256", f->rsa.kid);
	char *payload = forge_json_text(claims);
	char *token = forge_sign(header, payload, FORGE_RS256, our_rsa(f));

	free(header);
	free(payload);
	return token;
}

char *ours_rs256_text(const struct fixture *f, const char *header, const char *payload)
{
	return forge_sign(header, payload, FORGE_RS256, our_rsa(f));
}

enum jwt_refusal verify_len(const struct jwt_verifier *v, const char *token, size_t len)
{
	struct jwt_claims claims;

	return jwt_verify(v, token, len, NOW, &claims);
}

/* Names, not numbers, in a failure message. */
void assert_refusal(enum jwt_refusal got, enum jwt_refusal want)
{
	assert_string_equal(jwt_refusal_name(got), jwt_refusal_name(want));
}

/* Frees token. */
void expect(const struct jwt_verifier *v, char *token, enum jwt_refusal want)
{
	assert_refusal(verify_len(v, token, strlen(token)), want);
	free(token);
}

/* ---- files and keys ---- */

void temp_path(char *path)
{
	int fd;

	strcpy(path, "/tmp/cansd-test-jwt-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

void pem_write(EVP_PKEY *pkey, const EVP_CIPHER *cipher, char *path)
{
	FILE *f;

	temp_path(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, pkey, cipher,
					      cipher ? (unsigned char *)"pass" : NULL,
					      cipher ? 4 : 0, NULL, NULL),
			 1);
	fclose(f);
}

EVP_PKEY *rsa_generate(size_t bits)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);

	assert_non_null(pkey);
	return pkey;
}

EVP_PKEY *ec_generate(const char *curve)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(pkey);
	return pkey;
}

json_t *bn_json(const EVP_PKEY *pkey, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char bytes[1024];
	int n;
	char *text;
	json_t *value;

	assert_int_equal(EVP_PKEY_get_bn_param(pkey, name, &bn), 1);
	n = pad ? BN_bn2binpad(bn, bytes, pad) : BN_bn2bin(bn, bytes);
	BN_free(bn);
	text = forge_b64url(bytes, (size_t)n);
	value = json_string(text);
	free(text);
	return value;
}

json_t *jwk_rsa(const EVP_PKEY *pkey, const char *kid, const char *use, const char *alg)
{
	json_t *jwk = json_pack("{s:s, s:s, s:o, s:o}", "kty", "RSA", "kid", kid, "n",
				bn_json(pkey, OSSL_PKEY_PARAM_RSA_N, 0), "e",
				bn_json(pkey, OSSL_PKEY_PARAM_RSA_E, 0));

	assert_non_null(jwk);
	if (use)
		claims_set(jwk, "use", json_string(use));
	if (alg)
		claims_set(jwk, "alg", json_string(alg));
	return jwk;
}

json_t *jwk_ec(const EVP_PKEY *pkey, const char *kid, const char *crv)
{
	int size = strcmp(crv, "P-384") == 0 ? 48 : 32;
	json_t *jwk = json_pack("{s:s, s:s, s:s, s:o, s:o}", "kty", "EC", "kid", kid, "crv", crv,
				"x", bn_json(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size), "y",
				bn_json(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size));

	assert_non_null(jwk);
	return jwk;
}

/* Consumes keys. */
void jwks_write(json_t *keys, char *path)
{
	json_t *root = json_pack("{s:o}", "keys", keys);

	temp_path(path);
	assert_non_null(root);
	assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
	json_decref(root);
}

/*
 * The provider's JWKS: its RSA and EC signing keys, and entries a loader must
 * skip (an encryption key, a symmetric key, Ed25519, P-384, a PS256 key).
 */
json_t *provider_keys(const struct fixture *f)
{
	EVP_PKEY *p384 = ec_generate("P-384");
	json_t *keys = json_pack(
		"[o, o, o, {s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, o, o]",
		jwk_rsa(f->ext_rsa, EXT_RSA_KID, "sig", "RS256"),
		jwk_ec(f->ext_ec, EXT_EC_KID, "P-256"), jwk_rsa(f->ext_rsa, "enc-1", "enc", NULL),
		"kty", "oct", "kid", "hmac-1", "k", "c2VjcmV0", "kty", "OKP", "crv", "Ed25519",
		"kid", "ed-1", "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
		jwk_ec(p384, "p384-1", "P-384"), jwk_rsa(f->ext_rsa, "ps-1", "sig", "PS256"));

	assert_non_null(keys);
	EVP_PKEY_free(p384);
	return keys;
}

int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	EVP_PKEY *rsa = rsa_generate(2048), *ec = ec_generate("P-256");
	char rsa_path[64], ec_path[64], jwks_path[64], err[256] = "";

	assert_non_null(f);
	f->v.leeway = f->v_ec.leeway = JWT_LEEWAY_SECONDS;
	f->ext_rsa = rsa_generate(2048);
	f->ext_ec = ec_generate("P-256");
	f->attacker = rsa_generate(2048);
	pem_write(rsa, NULL, rsa_path);
	pem_write(ec, NULL, ec_path);
	jwks_write(provider_keys(f), jwks_path);
	assert_int_equal(
		jwt_load_signing_key(rsa_path, OUR_ISS, OUR_AUD, &f->rsa, &f->v, err, sizeof(err)),
		0);
	assert_int_equal(
		jwt_load_external_jwks(jwks_path, EXT_ISS, EXT_AUD, &f->v, err, sizeof(err)), 0);
	assert_int_equal(
		jwt_load_signing_key(ec_path, OUR_ISS, OUR_AUD, &f->ec, &f->v_ec, err, sizeof(err)),
		0);
	unlink(rsa_path);
	unlink(ec_path);
	unlink(jwks_path);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	*state = f;
	return 0;
}

int group_teardown(void **state)
{
	struct fixture *f = *state;

	jwt_signer_free(&f->rsa);
	jwt_signer_free(&f->ec);
	jwt_verifier_free(&f->v);
	jwt_verifier_free(&f->v_ec);
	EVP_PKEY_free(f->ext_rsa);
	EVP_PKEY_free(f->ext_ec);
	EVP_PKEY_free(f->attacker);
	free(f);
	return 0;
}
