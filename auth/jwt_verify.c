/*
 * Access-token verification: compact JWS (RFC 7515) checked the way RFC 8725
 * asks. Pure logic: no I/O, no allocation beyond jansson's and OpenSSL's, no
 * state outside the caller's verifier.
 *
 * The order is the defence. The length is checked before a byte is decoded,
 * the shape before any JSON, the header before the payload, and the signature
 * before any claim decides anything. The one claim read earlier is `iss`,
 * because it chooses whose keys may have signed; it is only compared. The key
 * the `kid` names fixes the algorithm, never the header, and no header points
 * us anywhere else: `jku`, `x5u`, `jwk` and `x5c` are never read.
 */
#include "jwt.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "../core/base64.h"
#include "../core/id.h"

#define KID_MAX_LEN 127
#define ES256_SCALAR_LEN 32
#define ES256_SIGNATURE_LEN (2 * ES256_SCALAR_LEN)
/* Decoded base64url is at most three quarters of its text. */
#define SEGMENT_MAX_BYTES (JWT_MAX_TOKEN_LEN / 4 * 3)

/* The order n of P-256; a valid ECDSA scalar lies in [1, n-1]. */
static const unsigned char p256_order[ES256_SCALAR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* Metric label values: stable, lower case. */
static const char *const refusal_names[JWT_REFUSAL_COUNT] = {
	[JWT_OK] = "ok",
	[JWT_REFUSED_TOO_LONG] = "too_long",
	[JWT_REFUSED_MALFORMED] = "malformed",
	[JWT_REFUSED_ALG] = "alg",
	[JWT_REFUSED_KID] = "kid",
	[JWT_REFUSED_CRIT] = "crit",
	[JWT_REFUSED_SIGNATURE] = "signature",
	[JWT_REFUSED_CLAIM_TYPE] = "claim_type",
	[JWT_REFUSED_EXPIRED] = "expired",
	[JWT_REFUSED_NOT_YET_VALID] = "not_yet_valid",
	[JWT_REFUSED_ISSUER] = "issuer",
	[JWT_REFUSED_AUDIENCE] = "audience",
	[JWT_REFUSED_SUBJECT] = "subject",
};

/* A compact JWS cut into its parts; the text stays in the caller's token. */
struct jws {
	const char *segment[3]; /* header, payload, signature (base64url) */
	size_t segment_len[3];
	size_t signing_input_len; /* header '.' payload: what the signature covers */
	unsigned char signature[SEGMENT_MAX_BYTES];
	size_t signature_len;
	json_t *header;
	json_t *payload;
	enum jwt_alg alg;
	const char *kid; /* inside header */
};

const char *jwt_refusal_name(enum jwt_refusal r)
{
	if ((unsigned)r >= JWT_REFUSAL_COUNT)
		return "unknown";
	return refusal_names[r];
}

void jwt_verifier_free(struct jwt_verifier *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_issuers && i < JWT_MAX_ISSUERS; i++) {
		struct jwt_issuer *issuer = &v->issuers[i];

		for (size_t k = 0; k < issuer->n_keys && k < JWT_MAX_KEYS; k++) {
			EVP_PKEY_free(issuer->keys[k].pkey);
			issuer->keys[k].pkey = NULL;
		}
		issuer->n_keys = 0;
	}
	v->n_issuers = 0;
}

bool jwt_kid_is_valid(const char *kid, size_t len)
{
	if (!kid || len == 0 || len > KID_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)kid[i];

		if (base64url_value(c) < 0 && c != '.')
			return false;
	}
	return true;
}

/* Length-checked, so a string with an embedded NUL never equals a C string. */
static bool json_string_equals(const json_t *value, const char *expected, bool ignore_case)
{
	size_t n = strlen(expected);

	if (!json_is_string(value) || json_string_length(value) != n)
		return false;
	if (ignore_case)
		return strncasecmp(json_string_value(value), expected, n) == 0;
	return memcmp(json_string_value(value), expected, n) == 0;
}

/*
 * Exactly three segments of the base64url alphabet. That one check also
 * refuses the JSON serialization ('{'), padding, whitespace and an embedded
 * NUL (len beyond strlen). The signature may be empty here, so `alg: none`
 * with a trailing dot is refused for its alg, not its shape.
 */
static enum jwt_refusal jws_split(const char *token, size_t len, struct jws *jws)
{
	size_t start = 0, part = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && token[i] != '.') {
			if (base64url_value((unsigned char)token[i]) < 0)
				return JWT_REFUSED_MALFORMED;
			continue;
		}
		if (part == 3)
			return JWT_REFUSED_MALFORMED;
		jws->segment[part] = token + start;
		jws->segment_len[part] = i - start;
		part++;
		start = i + 1;
	}
	if (part != 3 || jws->segment_len[0] == 0 || jws->segment_len[1] == 0)
		return JWT_REFUSED_MALFORMED;
	jws->signing_input_len = jws->segment_len[0] + 1 + jws->segment_len[1];
	if (!base64_decode(jws->segment[2], jws->segment_len[2], jws->signature,
			   sizeof(jws->signature), &jws->signature_len, BASE64_URL))
		return JWT_REFUSED_MALFORMED;
	return JWT_OK;
}

/* A JSON object, duplicate members refused (the two parsers of a split-view attack). */
static json_t *segment_object(const char *text, size_t len, size_t flags)
{
	unsigned char decoded[SEGMENT_MAX_BYTES];
	size_t n;
	json_error_t error;
	json_t *value;

	if (!base64_decode(text, len, decoded, sizeof(decoded), &n, BASE64_URL))
		return NULL;
	value = json_loadb((const char *)decoded, n, flags | JSON_REJECT_DUPLICATES, &error);
	if (!json_is_object(value)) {
		json_decref(value);
		return NULL;
	}
	return value;
}

static enum jwt_refusal header_check(struct jws *jws)
{
	const json_t *kid = json_object_get(jws->header, "kid");
	const json_t *typ = json_object_get(jws->header, "typ");
	const json_t *alg = json_object_get(jws->header, "alg");

	/* Only the algorithms we pin to keys; none (any case), HS*, RS384, PS256 stop here. */
	if (json_string_equals(alg, "RS256", false))
		jws->alg = JWT_KEY_RS256;
	else if (json_string_equals(alg, "ES256", false))
		jws->alg = JWT_KEY_ES256;
	else
		return JWT_REFUSED_ALG;
	/* The header is parsed with JSON_ALLOW_NUL so a NUL in kid is refused as a kid. */
	if (!json_is_string(kid) ||
	    !jwt_kid_is_valid(json_string_value(kid), json_string_length(kid)))
		return JWT_REFUSED_KID;
	jws->kid = json_string_value(kid);
	/* We implement no extension, so whatever crit names is not understood. */
	if (json_object_get(jws->header, "crit"))
		return JWT_REFUSED_CRIT;
	if (typ && !json_string_equals(typ, "JWT", true) &&
	    !json_string_equals(typ, "at+jwt", true))
		return JWT_REFUSED_MALFORMED;
	return JWT_OK;
}

/* Everything that needs no key: shape, header, payload parse. */
static enum jwt_refusal jws_parse(const char *token, size_t len, struct jws *jws)
{
	enum jwt_refusal r = jws_split(token, len, jws);

	if (r != JWT_OK)
		return r;
	jws->header = segment_object(jws->segment[0], jws->segment_len[0], JSON_ALLOW_NUL);
	if (!jws->header)
		return JWT_REFUSED_MALFORMED;
	r = header_check(jws);
	if (r != JWT_OK)
		return r;
	/* No JSON_ALLOW_NUL: claim strings can then be compared as C strings. */
	jws->payload = segment_object(jws->segment[1], jws->segment_len[1], 0);
	return jws->payload ? JWT_OK : JWT_REFUSED_MALFORMED;
}

/* iss chooses the issuer, the issuer's keys the kid, the key the algorithm. */
static enum jwt_refusal key_select(const struct jwt_verifier *v, const struct jws *jws,
				   const struct jwt_issuer **issuer_out,
				   const struct jwt_key **key_out)
{
	const json_t *iss = json_object_get(jws->payload, "iss");
	const struct jwt_issuer *issuer = NULL;

	if (!iss)
		return JWT_REFUSED_ISSUER;
	if (!json_is_string(iss))
		return JWT_REFUSED_CLAIM_TYPE;
	for (size_t i = 0; i < v->n_issuers && i < JWT_MAX_ISSUERS && !issuer; i++)
		if (strcmp(v->issuers[i].iss, json_string_value(iss)) == 0)
			issuer = &v->issuers[i];
	if (!issuer)
		return JWT_REFUSED_ISSUER;
	for (size_t k = 0; k < issuer->n_keys && k < JWT_MAX_KEYS; k++) {
		if (strcmp(issuer->keys[k].kid, jws->kid) != 0)
			continue;
		if (issuer->keys[k].alg != jws->alg)
			return JWT_REFUSED_ALG;
		*issuer_out = issuer;
		*key_out = &issuer->keys[k];
		return JWT_OK;
	}
	return JWT_REFUSED_KID;
}

static bool digest_verify(EVP_PKEY *pkey, bool rsa, const unsigned char *signature,
			  size_t signature_len, const char *input, size_t input_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pkey_ctx = NULL;
	bool ok = false;

	if (!ctx || EVP_DigestVerifyInit(ctx, &pkey_ctx, EVP_sha256(), NULL, pkey) != 1)
		goto out;
	/* RS256 is PKCS#1 v1.5; say so rather than inherit a default. */
	if (rsa && EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	ok = EVP_DigestVerify(ctx, signature, signature_len, (const unsigned char *)input,
			      input_len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	/* A refused token must not leave errors behind for the next OpenSSL caller. */
	ERR_clear_error();
	return ok;
}

/*
 * CVE-2022-21449: Java accepted r = s = 0 for any message. Whatever OpenSSL
 * does, such a scalar never reaches it: both must lie in [1, n-1]. Big-endian
 * bytes compare like the numbers they encode.
 */
static bool es256_scalar_in_range(const unsigned char *scalar)
{
	static const unsigned char zero[ES256_SCALAR_LEN];

	return memcmp(scalar, zero, ES256_SCALAR_LEN) != 0 &&
	       memcmp(scalar, p256_order, ES256_SCALAR_LEN) < 0;
}

/* JWS carries ECDSA as raw r||s; OpenSSL verifies DER. */
static enum jwt_refusal es256_verify(EVP_PKEY *pkey, const struct jws *jws, const char *input)
{
	const unsigned char *raw = jws->signature;
	ECDSA_SIG *ecdsa = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int der_len;
	enum jwt_refusal result = JWT_REFUSED_SIGNATURE;

	if (jws->signature_len != ES256_SIGNATURE_LEN || !es256_scalar_in_range(raw) ||
	    !es256_scalar_in_range(raw + ES256_SCALAR_LEN))
		goto out;
	ecdsa = ECDSA_SIG_new();
	r = BN_bin2bn(raw, ES256_SCALAR_LEN, NULL);
	s = BN_bin2bn(raw + ES256_SCALAR_LEN, ES256_SCALAR_LEN, NULL);
	if (!ecdsa || !r || !s || ECDSA_SIG_set0(ecdsa, r, s) != 1)
		goto out;
	r = s = NULL; /* ecdsa owns them now */
	der_len = i2d_ECDSA_SIG(ecdsa, &der);
	if (der_len > 0 &&
	    digest_verify(pkey, false, der, (size_t)der_len, input, jws->signing_input_len))
		result = JWT_OK;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(ecdsa);
	OPENSSL_free(der);
	return result;
}

static enum jwt_refusal signature_check(const struct jwt_key *key, const struct jws *jws,
					const char *token)
{
	if (key->alg == JWT_KEY_ES256)
		return es256_verify(key->pkey, jws, token);
	/* An RSA signature is exactly as long as the modulus. */
	if (jws->signature_len != (size_t)EVP_PKEY_get_size(key->pkey))
		return JWT_REFUSED_SIGNATURE;
	if (!digest_verify(key->pkey, true, jws->signature, jws->signature_len, token,
			   jws->signing_input_len))
		return JWT_REFUSED_SIGNATURE;
	return JWT_OK;
}

/* Saturating: one bound comes from the token, and must not overflow into validity. */
static long long add_saturated(long long a, long long b)
{
	long long sum;

	if (__builtin_add_overflow(a, b, &sum))
		return b > 0 ? LLONG_MAX : LLONG_MIN;
	return sum;
}

static bool audience_well_typed(const json_t *aud)
{
	size_t i;
	const json_t *item;

	if (json_is_string(aud))
		return true;
	if (!json_is_array(aud))
		return false;
	json_array_foreach (aud, i, item) {
		if (!json_is_string(item))
			return false;
	}
	return true;
}

static bool audience_contains(const json_t *aud, const char *ours)
{
	size_t i;
	const json_t *item;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), ours) == 0;
	json_array_foreach (aud, i, item) {
		if (strcmp(json_string_value(item), ours) == 0)
			return true;
	}
	return false;
}

static enum jwt_refusal claim_types_check(const json_t *payload)
{
	static const char *const times[] = {"exp", "nbf", "iat"};
	const json_t *aud = json_object_get(payload, "aud");

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const json_t *value = json_object_get(payload, times[i]);

		/* A real (1.5, 1e308) or a string would need a conversion we refuse to guess. */
		if (value && !json_is_integer(value))
			return JWT_REFUSED_CLAIM_TYPE;
	}
	if (aud && !audience_well_typed(aud))
		return JWT_REFUSED_CLAIM_TYPE;
	return JWT_OK;
}

static enum jwt_refusal claim_times_check(const json_t *payload, long long now, long leeway,
					  long long *exp_out)
{
	const json_t *exp = json_object_get(payload, "exp");
	const json_t *nbf = json_object_get(payload, "nbf");

	/* A token that never expires is not an access token. */
	if (!exp)
		return JWT_REFUSED_EXPIRED;
	if (now > add_saturated(json_integer_value(exp), leeway))
		return JWT_REFUSED_EXPIRED;
	if (nbf && add_saturated(now, leeway) < json_integer_value(nbf))
		return JWT_REFUSED_NOT_YET_VALID;
	*exp_out = json_integer_value(exp);
	return JWT_OK;
}

static bool subject_is_username(const char *name, size_t cap)
{
	size_t n = strlen(name);

	if (n == 0 || n >= cap)
		return false;
	/* jansson has checked the UTF-8; refuse C0, DEL and C1 (U+0080..U+009F: 0xc2 0x80..0x9f).
	 */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == 0xc2 && (unsigned char)name[i + 1] >= 0x80 &&
		    (unsigned char)name[i + 1] <= 0x9f)
			return false;
	}
	return true;
}

static enum jwt_refusal subject_fill(const struct jwt_issuer *issuer, const json_t *payload,
				     struct jwt_claims *out)
{
	const json_t *sub = json_object_get(payload, "sub");
	const json_t *preferred = json_object_get(payload, "preferred_username");
	const char *subject;

	if (issuer->external && json_is_string(preferred) && json_string_length(preferred) > 0)
		sub = preferred;
	if (!json_is_string(sub))
		return JWT_REFUSED_SUBJECT;
	subject = json_string_value(sub);
	if (issuer->external ? !subject_is_username(subject, sizeof(out->subject))
			     : !id_valid(subject))
		return JWT_REFUSED_SUBJECT;
	strcpy(out->subject, subject); /* length bounded above */
	return JWT_OK;
}

/* Only ever called on a payload whose signature has been verified. */
static enum jwt_refusal claims_check(const struct jwt_verifier *v, const struct jwt_issuer *issuer,
				     const json_t *payload, time_t now, struct jwt_claims *out)
{
	const json_t *aud = json_object_get(payload, "aud");
	enum jwt_refusal r = claim_types_check(payload);

	if (r != JWT_OK)
		return r;
	r = claim_times_check(payload, (long long)now, v->leeway, &out->exp);
	if (r != JWT_OK)
		return r;
	if (!aud || !audience_contains(aud, issuer->aud))
		return JWT_REFUSED_AUDIENCE;
	r = subject_fill(issuer, payload, out);
	if (r != JWT_OK)
		return r;
	out->issuer = issuer;
	return JWT_OK;
}

enum jwt_refusal jwt_verify(const struct jwt_verifier *v, const char *token, size_t len, time_t now,
			    struct jwt_claims *out)
{
	struct jws jws = {.header = NULL, .payload = NULL};
	const struct jwt_issuer *issuer = NULL;
	const struct jwt_key *key = NULL;
	enum jwt_refusal r = JWT_REFUSED_MALFORMED;

	if (!v || !token || !out)
		return JWT_REFUSED_MALFORMED;
	memset(out, 0, sizeof(*out));
	/* First, so an oversized token costs a comparison and nothing more. */
	if (len > JWT_MAX_TOKEN_LEN)
		return JWT_REFUSED_TOO_LONG;
	r = jws_parse(token, len, &jws);
	if (r != JWT_OK)
		goto out;
	r = key_select(v, &jws, &issuer, &key);
	if (r != JWT_OK)
		goto out;
	r = signature_check(key, &jws, token);
	if (r != JWT_OK)
		goto out;
	r = claims_check(v, issuer, jws.payload, now, out);
out:
	json_decref(jws.header);
	json_decref(jws.payload);
	if (r != JWT_OK)
		memset(out, 0, sizeof(*out));
	return r;
}
