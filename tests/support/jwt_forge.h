/*
 * Crafting attack tokens for the integration tests (tests/integration/
 * test_jwt_attacks.c): header and payload JSON exactly as written, signed
 * with OpenSSL by whatever key the attack needs. Independent of the code
 * under test: nothing here calls auth/.
 *
 * Every char * and unsigned char * returned is malloc'd (free it); every
 * EVP_PKEY * is the caller's (EVP_PKEY_free). Failures abort: a test that
 * cannot build its token has nothing to prove.
 */
#ifndef CANSD_TEST_JWT_FORGE_H
#define CANSD_TEST_JWT_FORGE_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

enum forge_alg { FORGE_RS256, FORGE_RS384, FORGE_PS256, FORGE_ES256 };

/* RFC 7515 base64url, no padding. */
char *forge_b64url(const void *data, size_t len);

/* a "." b */
char *forge_joined(const char *a, const char *b);

/* OpenSSL's DER ECDSA signature as JWS wants it: raw r || s (32 bytes each), in place; returns 64.
 */
size_t forge_der_to_raw(unsigned char *sig, size_t len);

/*
 * The JWS signature of input by key as bytes into sig (cap bytes), ES256 as
 * raw r || s; returns its length.
 */
size_t forge_signature(enum forge_alg alg, EVP_PKEY *key, const char *input, unsigned char *sig,
		       size_t cap);

/* {"alg":alg,"typ":"JWT","kid":kid} */
char *forge_header_json(const char *alg, const char *kid);

/* Compact JSON text of value; consumes value. */
char *forge_json_text(json_t *value);

/*
 * Compact JSON text of claims with member name replaced by raw JSON text
 * (to send numbers exactly as written); consumes claims.
 */
char *forge_json_text_with_raw(json_t *claims, const char *name, const char *raw);

/* base64url(header) "." base64url(payload): what a JWS signature covers. */
char *forge_signing_input(const char *header, const char *payload);

/* signing_input "." base64url(signature), the signature given as bytes. */
char *forge_with_signature(const char *header, const char *payload, const unsigned char *sig,
			   size_t sig_len);

/* A compact JWS of header and payload signed by key (ES256 as raw r||s). */
char *forge_sign(const char *header, const char *payload, enum forge_alg alg, EVP_PKEY *key);

/* A compact JWS "signed" with HMAC-SHA256 keyed by the given bytes. */
char *forge_hs256(const char *header, const char *payload, const unsigned char *key,
		  size_t key_len);

/* The JSON object of a compact token's header (0) or payload (1) segment; NULL if not one. */
json_t *forge_segment_json(const char *token, int segment);

/* An RSA public key from a JWK's base64url n and e. */
EVP_PKEY *forge_rsa_public_from_jwk(const char *n, const char *e);

/* A PEM private key file, unencrypted. */
EVP_PKEY *forge_load_private_pem(const char *path);

/* A fresh key: "RSA" (2048 bits) or "EC" (P-256). */
EVP_PKEY *forge_generate(const char *type);

/* SubjectPublicKeyInfo of key as PEM text (NUL-terminated) or DER bytes. */
char *forge_public_pem(EVP_PKEY *key, size_t *len);
unsigned char *forge_public_der(EVP_PKEY *key, size_t *len);

/* A self-signed certificate for key (DER), as an attacker would put in x5c. */
unsigned char *forge_self_signed_der(EVP_PKEY *key, size_t *len);

/* The public JWK of an RSA key under kid, as a JSON object. */
json_t *forge_rsa_jwk(EVP_PKEY *key, const char *kid);

#endif
