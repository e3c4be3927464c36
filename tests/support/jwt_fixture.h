/*
 * The fixture the auth/jwt_* unit tests share (tests/unit/test_jwt_*.c,
 * test_jwks.c): keys generated at start (RSA 2048 and EC P-256 for us, the
 * same for an external provider, one RSA key for an attacker), written to
 * temporary PEM and JWKS files and loaded through the real loaders; claims
 * and hand-made tokens signed with OpenSSL, independent of the code under test.
 */
#ifndef CANSD_TEST_JWT_FIXTURE_H
#define CANSD_TEST_JWT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auth/jwt.h"
#include "tests/support/jwt_forge.h"

#define NOW ((time_t)1700000000)
#define TTL 900
#define OUR_ISS "https://cansd.test"
#define OUR_AUD "cansd-api"
#define EXT_ISS "https://idp.test/realms/cans"
#define EXT_AUD "cansd"
#define USER_ID "42"
#define EXT_RSA_KID "ext-1"
#define EXT_EC_KID "ext-ec-1"
#define RSA2048_SIGNATURE_B64_LEN 342

struct fixture {
	struct jwt_verifier v;    /* our RSA issuer, then the external provider */
	struct jwt_verifier v_ec; /* our EC issuer alone */
	struct jwt_signer rsa;
	struct jwt_signer ec;
	EVP_PKEY *ext_rsa; /* the provider's private keys: tests sign as the provider */
	EVP_PKEY *ext_ec;
	EVP_PKEY *attacker; /* an RSA key nobody trusts */
};

char *token_with_signature(const char *input, const unsigned char *sig, size_t len);
json_t *claims_ours(void);
json_t *claims_external(void);
json_t *claims_set(json_t *claims, const char *name, json_t *value);
json_t *claims_without(json_t *claims, const char *name);
EVP_PKEY *our_rsa(const struct fixture *f);
EVP_PKEY *our_ec(const struct fixture *f);
char *ours_rs256(const struct fixture *f, json_t *claims);
char *ours_rs256_text(const struct fixture *f, const char *header, const char *payload);
enum jwt_refusal verify_len(const struct jwt_verifier *v, const char *token, size_t len);
void assert_refusal(enum jwt_refusal got, enum jwt_refusal want);
void expect(const struct jwt_verifier *v, char *token, enum jwt_refusal want);
void temp_path(char *path);
void pem_write(EVP_PKEY *pkey, const EVP_CIPHER *cipher, char *path);
EVP_PKEY *rsa_generate(size_t bits);
EVP_PKEY *ec_generate(const char *curve);
json_t *bn_json(const EVP_PKEY *pkey, const char *name, int pad);
json_t *jwk_rsa(const EVP_PKEY *pkey, const char *kid, const char *use, const char *alg);
json_t *jwk_ec(const EVP_PKEY *pkey, const char *kid, const char *crv);
void jwks_write(json_t *keys, char *path);
json_t *provider_keys(const struct fixture *f);
int group_setup(void **state);
int group_teardown(void **state);

#endif
