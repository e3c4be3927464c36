/*
 * auth/jwt_*.c: tokens we issue are accepted; every attack RFC 8725 lists,
 * and each malformed part, is refused with its own reason and nothing else.
 *
 * Keys are generated at start (RSA 2048 and EC P-256 for us, the same for an
 * external provider, one RSA key for an attacker), written to temporary PEM
 * and JWKS files, and loaded through the real loaders. Attack tokens are
 * crafted by hand: header and payload JSON as written, signed with OpenSSL.
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

/*
 * ---- encoding and signing, independent of the code under test ----
 * (tests/support/jwt_forge.h; what follows needs raw signature bytes)
 */

static char *joined(const char *a, const char *b)
{
	char *out = malloc(strlen(a) + strlen(b) + 2);

	assert_non_null(out);
	sprintf(out, "%s.%s", a, b);
	return out;
}

static char *token_with_signature(const char *input, const unsigned char *sig, size_t len)
{
	char *s = forge_b64url(sig, len);
	char *token = joined(input, s);

	free(s);
	return token;
}

/* OpenSSL's DER ECDSA signature as JWS wants it: raw r || s, 32 bytes each. */
static size_t der_to_raw(unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *ecdsa = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;

	assert_non_null(ecdsa);
	ECDSA_SIG_get0(ecdsa, &r, &s);
	assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
	assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
	ECDSA_SIG_free(ecdsa);
	return 64;
}

static size_t evp_sign(enum forge_alg kind, EVP_PKEY *pkey, const char *input, unsigned char *sig,
		       size_t cap)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pkey_ctx = NULL;
	size_t len = cap;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, &pkey_ctx,
					    kind == FORGE_RS384 ? EVP_sha384() : EVP_sha256(), NULL,
					    pkey),
			 1);
	if (kind == FORGE_PS256) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST),
				 1);
	}
	assert_int_equal(
		EVP_DigestSign(ctx, sig, &len, (const unsigned char *)input, strlen(input)), 1);
	EVP_MD_CTX_free(ctx);
	return kind == FORGE_ES256 ? der_to_raw(sig, len) : len;
}

static char *header_json(const char *alg, const char *kid)
{
	char *out = malloc(strlen(alg) + strlen(kid) + 64);

	assert_non_null(out);
	sprintf(out, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg, kid);
	return out;
}

/* ---- claims ---- */

static json_t *claims_ours(void)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "iss", OUR_ISS, "aud",
				   OUR_AUD, "sub", USER_ID, "iat", (json_int_t)NOW, "nbf",
				   (json_int_t)NOW, "exp", (json_int_t)NOW + TTL, "jti", "t-1");

	assert_non_null(claims);
	return claims;
}

static json_t *claims_external(void)
{
	json_t *claims =
		json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", EXT_ISS, "aud", EXT_AUD, "sub",
			  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "preferred_username", "jdoe",
			  "iat", (json_int_t)NOW, "exp", (json_int_t)NOW + TTL);

	assert_non_null(claims);
	return claims;
}

static json_t *claims_set(json_t *claims, const char *name, json_t *value)
{
	assert_int_equal(json_object_set_new(claims, name, value), 0);
	return claims;
}

static json_t *claims_without(json_t *claims, const char *name)
{
	json_object_del(claims, name);
	return claims;
}

/* Consumes claims. */
static char *claims_text(json_t *claims)
{
	char *text = json_dumps(claims, JSON_COMPACT);

	assert_non_null(text);
	json_decref(claims);
	return text;
}

/* Consumes claims; name is replaced by raw JSON text, to send numbers exactly as written. */
static char *claims_text_with_raw(json_t *claims, const char *name, const char *raw)
{
	char *text, *out;
	size_t len;

	json_object_del(claims, name);
	text = claims_text(claims);
	len = strlen(text);
	out = malloc(len + strlen(name) + strlen(raw) + 8);
	assert_non_null(out);
	sprintf(out, "%.*s,\"%s\":%s}", (int)(len - 1), text, name, raw);
	free(text);
	return out;
}

/* ---- tokens from the fixture's keys ---- */

static EVP_PKEY *our_rsa(const struct fixture *f)
{
	return f->v.issuers[0].keys[0].pkey;
}

static EVP_PKEY *our_ec(const struct fixture *f)
{
	return f->v_ec.issuers[0].keys[0].pkey;
}

/* Consumes claims: an RS256 token under our kid, signed by our key. */
static char *ours_rs256(const struct fixture *f, json_t *claims)
{
	char *header = header_json("RS256", f->rsa.kid);
	char *payload = claims_text(claims);
	char *token = forge_sign(header, payload, FORGE_RS256, our_rsa(f));

	free(header);
	free(payload);
	return token;
}

static char *ours_rs256_text(const struct fixture *f, const char *header, const char *payload)
{
	return forge_sign(header, payload, FORGE_RS256, our_rsa(f));
}

static enum jwt_refusal verify_len(const struct jwt_verifier *v, const char *token, size_t len)
{
	struct jwt_claims claims;

	return jwt_verify(v, token, len, NOW, &claims);
}

/* Names, not numbers, in a failure message. */
static void assert_refusal(enum jwt_refusal got, enum jwt_refusal want)
{
	assert_string_equal(jwt_refusal_name(got), jwt_refusal_name(want));
}

/* Frees token. */
static void expect(const struct jwt_verifier *v, char *token, enum jwt_refusal want)
{
	assert_refusal(verify_len(v, token, strlen(token)), want);
	free(token);
}

/* ---- files and keys ---- */

static void temp_path(char *path)
{
	int fd;

	strcpy(path, "/tmp/cansd-test-jwt-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void pem_write(EVP_PKEY *pkey, const EVP_CIPHER *cipher, char *path)
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

static EVP_PKEY *rsa_generate(size_t bits)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);

	assert_non_null(pkey);
	return pkey;
}

static EVP_PKEY *ec_generate(const char *curve)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(pkey);
	return pkey;
}

static json_t *bn_json(const EVP_PKEY *pkey, const char *name, int pad)
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

static json_t *jwk_rsa(const EVP_PKEY *pkey, const char *kid, const char *use, const char *alg)
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

static json_t *jwk_ec(const EVP_PKEY *pkey, const char *kid, const char *crv)
{
	int size = strcmp(crv, "P-384") == 0 ? 48 : 32;
	json_t *jwk = json_pack("{s:s, s:s, s:s, s:o, s:o}", "kty", "EC", "kid", kid, "crv", crv,
				"x", bn_json(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size), "y",
				bn_json(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size));

	assert_non_null(jwk);
	return jwk;
}

/* Consumes keys. */
static void jwks_write(json_t *keys, char *path)
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
static json_t *provider_keys(const struct fixture *f)
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

static int group_setup(void **state)
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

static int group_teardown(void **state)
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

/* ---- accepted tokens ---- */

static void test_issued_rs256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);
	struct jwt_claims claims;

	assert_non_null(token);
	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_ptr_equal(claims.issuer, &f->v.issuers[0]);
	assert_string_equal(claims.subject, USER_ID);
	assert_int_equal(claims.exp, NOW + TTL);
	free(token);
}

static void test_issued_es256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->ec, "9223372036854775807", NOW, TTL);
	struct jwt_claims claims;

	assert_non_null(token);
	assert_refusal(jwt_verify(&f->v_ec, token, strlen(token), NOW, &claims), JWT_OK);
	assert_string_equal(claims.subject, "9223372036854775807");
	free(token);
}

static void test_issued_tokens_differ_by_jti(void **state)
{
	const struct fixture *f = *state;
	char *first = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);
	char *second = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);

	assert_non_null(first);
	assert_non_null(second);
	assert_string_not_equal(first, second);
	free(first);
	free(second);
}

static void test_issue_refuses_bad_arguments(void **state)
{
	const struct fixture *f = *state;

	assert_null(jwt_issue_access(&f->rsa, NULL, NOW, TTL));
	assert_null(jwt_issue_access(&f->rsa, "", NOW, TTL));
	assert_null(jwt_issue_access(&f->rsa, USER_ID, NOW, 0));
	assert_null(jwt_issue_access(NULL, USER_ID, NOW, TTL));
}

static void test_hand_signed_rs256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_ours()), JWT_OK);
}

static void test_typ_at_jwt_in_any_case_is_accepted(void **state)
{
	const struct fixture *f = *state;
	const char *const typs[] = {"JWT", "jwt", "at+jwt", "AT+JWT"};
	char header[256], *payload = claims_text(claims_ours());

	for (size_t i = 0; i < sizeof(typs) / sizeof(typs[0]); i++) {
		snprintf(header, sizeof(header),
			 "{\"alg\":\"RS256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typs[i], f->rsa.kid);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_OK);
	}
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", f->rsa.kid);
	expect(&f->v, ours_rs256_text(f, header, payload), JWT_OK);
	free(payload);
}

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
		payload = claims_text(claims_set(claims_ours(), "pad", json_string(text)));
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
	char *payload = claims_text(claims_ours());

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
	char header[256], *payload = claims_text(claims_ours());
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
	char *header = header_json("RS256", f->rsa.kid);

	expect(&f->v, ours_rs256_text(f, header, "[1,2]"), JWT_REFUSED_MALFORMED);
	expect(&f->v, ours_rs256_text(f, header, "{\"sub\":\"4"), JWT_REFUSED_MALFORMED);
	expect(&f->v, ours_rs256_text(f, header, "{\"iss\":\"a\\u0000b\"}"), JWT_REFUSED_MALFORMED);
	free(header);
}

/* ---- algorithm ---- */

/* "h.p." and "h.p.<a real signature>" are refused for alg; "h.p" is not even three segments. */
static void test_alg_none_in_any_case_is_refused(void **state)
{
	const struct fixture *f = *state;
	const char *const nones[] = {"none", "None", "NONE", "nOnE"};
	char *payload = claims_text(claims_ours());

	for (size_t i = 0; i < sizeof(nones) / sizeof(nones[0]); i++) {
		char *header = header_json(nones[i], f->rsa.kid);
		char *input = forge_signing_input(header, payload);
		char *dotted = joined(input, "");

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
	char *pem, *header = header_json("HS256", f->rsa.kid),
		   *payload = claims_text(claims_ours());
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
	char *header = header_json("HS256", f->rsa.kid), *payload = claims_text(claims_ours());

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
	char *payload = claims_text(claims_ours());

	/* Signed with our real key, so nothing but the alg is wrong. */
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char *header = header_json(algs[i], f->rsa.kid);

		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_ALG);
		free(header);
	}
	free(payload);
}

static void test_rs384_signed_token_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = header_json("RS384", f->rsa.kid), *payload = claims_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_RS384, our_rsa(f)), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

static void test_ps256_signed_token_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = header_json("PS256", f->rsa.kid), *payload = claims_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_PS256, our_rsa(f)), JWT_REFUSED_ALG);
	free(header);
	/* PS256 bytes under an RS256 header: PKCS#1 v1.5 verification must fail. */
	header = header_json("RS256", f->rsa.kid);
	expect(&f->v, forge_sign(header, payload, FORGE_PS256, our_rsa(f)), JWT_REFUSED_SIGNATURE);
	free(header);
	free(payload);
}

static void test_alg_missing_or_not_a_string_is_refused(void **state)
{
	const struct fixture *f = *state;
	char header[256], *payload = claims_text(claims_ours());
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
	char *header = header_json("ES256", f->rsa.kid), *payload = claims_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_ES256, f->ext_ec), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

static void test_rs256_header_with_ec_kid_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = header_json("RS256", f->ec.kid), *payload = claims_text(claims_ours());

	expect(&f->v_ec, forge_sign(header, payload, FORGE_RS256, f->attacker), JWT_REFUSED_ALG);
	free(header);
	free(payload);
}

/* ---- kid ---- */

static void expect_kid(const struct fixture *f, const char *kid_json, enum jwt_refusal want)
{
	char *header = malloc(strlen(kid_json) + 64), *payload = claims_text(claims_ours());

	sprintf(header, "{\"alg\":\"RS256\",\"kid\":%s}", kid_json);
	expect(&f->v, ours_rs256_text(f, header, payload), want);
	free(header);
	free(payload);
}

static void test_kid_missing_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *payload = claims_text(claims_ours());

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
	char header[1024], *payload = claims_text(claims_ours());

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
	char *jwk_text = claims_text(jwk), *payload = claims_text(claims_ours());
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
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	*port = ntohs(addr.sin_port);
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
	char *jwk = claims_text(jwk_rsa(f->attacker, "evil", "sig", "RS256"));
	char *payload = claims_text(claims_ours());
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
	char header[512], *payload = claims_text(claims_ours());

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
	char header[512], *payload = claims_text(claims_ours());

	for (size_t i = 0; i < sizeof(typs) / sizeof(typs[0]); i++) {
		snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":%s}",
			 f->rsa.kid, typs[i]);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_REFUSED_MALFORMED);
	}
	free(payload);
}

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
	char *admin = claims_text(claims_set(claims_ours(), "sub", json_string("1")));

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
	char *header = header_json("RS256", f->rsa.kid), *payload = claims_text(claims_ours());

	expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->attacker), JWT_REFUSED_SIGNATURE);
	free(header);
	free(payload);
}

static void test_empty_or_short_rsa_signature_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *header = header_json("RS256", f->rsa.kid), *payload = claims_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char zeros[255] = {0};

	expect(&f->v, joined(input, ""), JWT_REFUSED_SIGNATURE);
	expect(&f->v, token_with_signature(input, zeros, sizeof(zeros)), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

static void test_es256_tampered_payload_is_refused(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->ec, USER_ID, NOW, TTL);
	char *admin = claims_text(claims_set(claims_ours(), "sub", json_string("1")));

	assert_non_null(token);
	expect(&f->v_ec, segment_replaced(token, 1, admin), JWT_REFUSED_SIGNATURE);
	free(admin);
	free(token);
}

/* The same zeros under our RSA key's kid: refused for the algorithm, before any signature. */
static void test_es256_zero_signature_under_rsa_kid_is_refused_as_alg(void **state)
{
	const struct fixture *f = *state;
	char *header = header_json("ES256", f->rsa.kid), *payload = claims_text(claims_ours());
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
	char *header = header_json("ES256", f->ec.kid), *payload = claims_text(claims_ours());
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
	char *header = header_json("ES256", f->ec.kid), *payload = claims_text(claims_ours());
	char *input = forge_signing_input(header, payload);
	unsigned char sig[128];

	assert_int_equal(evp_sign(FORGE_ES256, our_ec(f), input, sig, sizeof(sig)), 64);
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
	char *header = header_json("ES256", f->ec.kid), *payload = claims_text(claims_ours());
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
	assert_int_equal(evp_sign(FORGE_ES256, our_ec(f), input, sig, sizeof(sig)), 64);
	expect(&f->v_ec, token_with_signature(input, sig, 63), JWT_REFUSED_SIGNATURE);
	sig[64] = 0;
	expect(&f->v_ec, token_with_signature(input, sig, 65), JWT_REFUSED_SIGNATURE);
	free(input);
	free(header);
	free(payload);
}

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
	char *header = header_json("RS256", f->rsa.kid);
	char *payload = claims_text_with_raw(claims_ours(), name, raw);

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

/* ---- external provider ---- */

static char *external_token(const struct fixture *f, json_t *claims, bool ec)
{
	char *header = header_json(ec ? "ES256" : "RS256", ec ? EXT_EC_KID : EXT_RSA_KID);
	char *payload = claims_text(claims);
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
	char *payload = claims_text(claims_external());

	assert_int_equal(f->v.issuers[1].n_keys, 2);
	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
		char *header = header_json("RS256", kids[i]);

		expect(&f->v, forge_sign(header, payload, FORGE_RS256, f->ext_rsa),
		       JWT_REFUSED_KID);
		free(header);
	}
	free(payload);
}

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

/* ---- API edges ---- */

static void test_refusal_names_are_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < JWT_REFUSAL_COUNT; i++) {
		assert_non_null(jwt_refusal_name((enum jwt_refusal)i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(jwt_refusal_name((enum jwt_refusal)i),
						jwt_refusal_name((enum jwt_refusal)j));
	}
	assert_string_equal(jwt_refusal_name(JWT_REFUSAL_COUNT), "unknown");
	assert_string_equal(jwt_refusal_name((enum jwt_refusal) - 1), "unknown");
}

static void test_verify_refuses_null_arguments(void **state)
{
	const struct fixture *f = *state;
	struct jwt_claims claims;

	assert_refusal(jwt_verify(NULL, "a.b.c", 5, NOW, &claims), JWT_REFUSED_MALFORMED);
	assert_refusal(jwt_verify(&f->v, NULL, 5, NOW, &claims), JWT_REFUSED_MALFORMED);
	assert_refusal(jwt_verify(&f->v, "a.b.c", 5, NOW, NULL), JWT_REFUSED_MALFORMED);
}

/* ---- the Authorization header (auth/identity.c, auth_authenticate) ---- */

struct header_case {
	struct arena *arena;
	struct request req;
};

static struct request *request_with(struct header_case *c, const char *authorization, int count,
				    const char *query)
{
	c->arena = arena_new(0);
	request_init(&c->req, c->arena);
	c->req.method = "GET";
	c->req.path = "/api/v1/me";
	c->req.authorization = authorization;
	c->req.authorization_count = count;
	c->req.query = query ? query : "";
	return &c->req;
}

static const char *response_header_value(const struct request *req, const char *name)
{
	for (int i = 0; i < req->response.n_headers; i++)
		if (strcmp(req->response.headers[i].name, name) == 0)
			return req->response.headers[i].value;
	return NULL;
}

/* Refused before the verifier or the database is touched (neither exists here). */
static void expect_challenge(struct header_case *c, bool invalid_token)
{
	const char *challenge;

	assert_int_equal(auth_authenticate(&c->req), 401);
	assert_int_equal(c->req.response.status, 401);
	assert_null(c->req.identity);
	challenge = response_header_value(&c->req, "WWW-Authenticate");
	assert_non_null(challenge);
	assert_int_equal(strncmp(challenge, "Bearer", 6), 0);
	if (invalid_token)
		assert_non_null(strstr(challenge, "error=\"invalid_token\""));
	else
		assert_null(strstr(challenge, "error="));
	arena_free(c->arena);
}

static void test_two_authorization_headers_are_refused_as_invalid_token(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->rsa, USER_ID, time(NULL), TTL);
	char *header = malloc(strlen(token) + 8);
	struct header_case c;

	/* Even a good token: with two, which one would we trust? */
	sprintf(header, "Bearer %s", token);
	request_with(&c, header, 2, NULL);
	expect_challenge(&c, true);
	free(header);
	free(token);
}

static void test_token_in_query_string_is_refused_even_beside_a_header(void **state)
{
	struct header_case c;

	(void)state;
	request_with(&c, NULL, 0, "access_token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
	expect_challenge(&c, true);
	request_with(&c, "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", 1, "a=1&access_token=x");
	expect_challenge(&c, true);
	/* The name as a client may encode it is the same name. */
	request_with(&c, NULL, 0, "access%5Ftoken=x");
	expect_challenge(&c, true);
}

static void test_no_token_or_another_scheme_gets_the_bare_challenge(void **state)
{
	struct header_case c;

	(void)state;
	request_with(&c, NULL, 0, NULL);
	expect_challenge(&c, false);
	request_with(&c, "Basic YWRtaW46c2VjcmV0", 1, NULL);
	expect_challenge(&c, false);
	/* A bearer token that is refused is invalid_token. */
	request_with(&c, "Bearer not.a.token", 1, NULL);
	expect_challenge(&c, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_rs256_token_is_accepted),
		cmocka_unit_test(test_issued_es256_token_is_accepted),
		cmocka_unit_test(test_issued_tokens_differ_by_jti),
		cmocka_unit_test(test_issue_refuses_bad_arguments),
		cmocka_unit_test(test_hand_signed_rs256_token_is_accepted),
		cmocka_unit_test(test_typ_at_jwt_in_any_case_is_accepted),
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
		cmocka_unit_test(test_external_token_with_preferred_username_is_accepted),
		cmocka_unit_test(test_external_es256_token_is_accepted),
		cmocka_unit_test(test_external_token_without_preferred_username_uses_sub),
		cmocka_unit_test(test_external_subject_unusable_is_refused),
		cmocka_unit_test(test_external_wrong_audience_is_refused),
		cmocka_unit_test(test_external_keys_skipped_at_load_are_unknown),
		cmocka_unit_test(test_jwks_json_lists_our_rsa_key_only),
		cmocka_unit_test(test_jwks_json_ec_key_has_curve_and_coordinates),
		cmocka_unit_test(test_kid_is_rfc7638_thumbprint),
		cmocka_unit_test(test_load_signing_key_refuses_weak_or_unsupported_keys),
		cmocka_unit_test(test_load_signing_key_refuses_encrypted_key_without_prompting),
		cmocka_unit_test(test_load_signing_key_refuses_missing_file_and_bad_arguments),
		cmocka_unit_test(test_load_refuses_duplicate_issuer_and_too_many_issuers),
		cmocka_unit_test(test_load_external_jwks_refuses_unusable_files),
		cmocka_unit_test(test_refusal_names_are_distinct),
		cmocka_unit_test(test_verify_refuses_null_arguments),
		cmocka_unit_test(test_two_authorization_headers_are_refused_as_invalid_token),
		cmocka_unit_test(test_token_in_query_string_is_refused_even_beside_a_header),
		cmocka_unit_test(test_no_token_or_another_scheme_gets_the_bare_challenge),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
