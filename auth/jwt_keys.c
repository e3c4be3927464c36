/*
 * Key material, loaded once at worker start: our signing key from a PEM file
 * and an external identity provider's keys from a JWKS file. Each key becomes
 * an EVP_PKEY here, so verification never parses key material, and each gets
 * its algorithm pinned from its type (RSA: RS256, EC P-256: ES256), never
 * from a token. Also the public JWKS document we serve.
 *
 * Errors are written to the caller's err buffer: a bad key file must stop the
 * service at start with a message an operator can act on, not fail at a login.
 */
#include "jwt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "../core/base64.h"

#define PEM_FILE_MAX (64 * 1024)
/* RFC 7518 3.3 asks for 2048; past 8192 verification cost is a denial of service. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define RSA_MODULUS_MAX_BYTES (RSA_MAX_BITS / 8)
#define RSA_EXPONENT_MAX_BYTES 8
#define P256_COORDINATE_LEN 32
#define P256_POINT_LEN (1 + 2 * P256_COORDINATE_LEN) /* 0x04 || x || y */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *alg_name(enum jwt_alg alg)
{
	return alg == JWT_KEY_ES256 ? "ES256" : "RS256";
}

/* The algorithm a key is pinned to, or -1 for a key we refuse. */
static int key_alg(const EVP_PKEY *pkey, enum jwt_alg *alg, char *err, size_t errlen)
{
	char group[64];
	size_t group_len;

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		int bits = EVP_PKEY_get_bits(pkey);

		if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
			set_err(err, errlen, "RSA key of %d bits: need %d to %d", bits,
				RSA_MIN_BITS, RSA_MAX_BITS);
			return -1;
		}
		*alg = JWT_KEY_RS256;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "EC") &&
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   &group_len) == 1 &&
	    OBJ_sn2nid(group) == NID_X9_62_prime256v1) {
		*alg = JWT_KEY_ES256;
		return 0;
	}
	set_err(err, errlen, "key is neither RSA nor EC P-256");
	return -1;
}

static json_t *base64url_json(const unsigned char *data, size_t len)
{
	char text[(RSA_MODULUS_MAX_BYTES + 2) / 3 * 4 + 1];

	if (len > RSA_MODULUS_MAX_BYTES)
		return NULL;
	return json_stringn(text, base64_encode(data, len, text, BASE64_URL));
}

/* pad 0: minimal big-endian bytes (RSA n, e); else exactly pad bytes (EC x, y). */
static json_t *bn_param_json(const EVP_PKEY *pkey, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char bytes[RSA_MODULUS_MAX_BYTES];
	int n = -1;
	json_t *value = NULL;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || BN_num_bytes(bn) > (int)sizeof(bytes))
		goto out;
	n = pad ? BN_bn2binpad(bn, bytes, pad) : BN_bn2bin(bn, bytes);
	if (n > 0)
		value = base64url_json(bytes, (size_t)n);
out:
	BN_free(bn);
	return value;
}

/* Only the members RFC 7638 hashes, so the thumbprint can be taken from it as is. */
static json_t *jwk_required_members(const EVP_PKEY *pkey, enum jwt_alg alg)
{
	json_t *jwk = json_object();
	int failed;

	if (!jwk)
		return NULL;
	if (alg == JWT_KEY_RS256)
		failed = json_object_set_new(jwk, "kty", json_string("RSA")) ||
			 json_object_set_new(jwk, "n",
					     bn_param_json(pkey, OSSL_PKEY_PARAM_RSA_N, 0)) ||
			 json_object_set_new(jwk, "e",
					     bn_param_json(pkey, OSSL_PKEY_PARAM_RSA_E, 0));
	else
		failed = json_object_set_new(jwk, "kty", json_string("EC")) ||
			 json_object_set_new(jwk, "crv", json_string("P-256")) ||
			 json_object_set_new(jwk, "x",
					     bn_param_json(pkey, OSSL_PKEY_PARAM_EC_PUB_X,
							   P256_COORDINATE_LEN)) ||
			 json_object_set_new(jwk, "y",
					     bn_param_json(pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
							   P256_COORDINATE_LEN));
	if (failed) {
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

/*
 * RFC 7638: SHA-256 of the required members, sorted, no whitespace. Base64url
 * never needs a JSON escape, so jansson's compact sorted output is that form.
 */
static int jwk_thumbprint(const EVP_PKEY *pkey, enum jwt_alg alg, char *kid, size_t kid_size)
{
	json_t *jwk = jwk_required_members(pkey, alg);
	char *canonical = jwk ? json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	unsigned char digest[SHA256_DIGEST_LENGTH];
	json_t *encoded = NULL;
	int rc = -1;

	if (!canonical || !SHA256((const unsigned char *)canonical, strlen(canonical), digest))
		goto out;
	encoded = base64url_json(digest, sizeof(digest));
	if (!encoded || json_string_length(encoded) >= kid_size)
		goto out;
	strcpy(kid, json_string_value(encoded));
	rc = 0;
out:
	json_decref(encoded);
	json_decref(jwk);
	free(canonical);
	return rc;
}

/* Room for one more issuer named iss, and iss and aud fit and are set. */
static int issuer_slot_check(const struct jwt_verifier *v, const char *iss, const char *aud,
			     char *err, size_t errlen)
{
	if (!v || !iss || !aud || !*iss || !*aud) {
		set_err(err, errlen, "issuer and audience are required");
		return -1;
	}
	if (strlen(iss) >= sizeof(v->issuers[0].iss) || strlen(aud) >= sizeof(v->issuers[0].aud)) {
		set_err(err, errlen, "issuer or audience longer than %zu bytes",
			sizeof(v->issuers[0].iss) - 1);
		return -1;
	}
	if (v->n_issuers >= JWT_MAX_ISSUERS) {
		set_err(err, errlen, "more than %d issuers", JWT_MAX_ISSUERS);
		return -1;
	}
	/* Tokens choose their keys by iss: two issuers of one name would be ambiguous. */
	for (size_t i = 0; i < v->n_issuers; i++) {
		if (strcmp(v->issuers[i].iss, iss) == 0) {
			set_err(err, errlen, "issuer %s configured twice", iss);
			return -1;
		}
	}
	return 0;
}

static void issuer_keys_free(struct jwt_issuer *issuer)
{
	for (size_t k = 0; k < issuer->n_keys; k++) {
		EVP_PKEY_free(issuer->keys[k].pkey);
		issuer->keys[k].pkey = NULL;
	}
	issuer->n_keys = 0;
}

/* Whole file, NUL-terminated, in OpenSSL memory so it can be cleansed on free. */
static char *file_read(const char *path, size_t *len_out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0;

	if (!f) {
		set_err(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	data = OPENSSL_malloc(PEM_FILE_MAX + 1);
	if (data)
		len = fread(data, 1, PEM_FILE_MAX + 1, f);
	if (!data || ferror(f) || len > PEM_FILE_MAX) {
		set_err(err, errlen, "%s: unreadable or larger than %d bytes", path, PEM_FILE_MAX);
		OPENSSL_clear_free(data, PEM_FILE_MAX + 1);
		data = NULL;
	} else {
		data[len] = '\0';
		*len_out = len;
	}
	fclose(f);
	return data;
}

/*
 * An encrypted key would make OpenSSL (and libjwt, at every signing) prompt on
 * the terminal; refusing a passphrase makes it fail at start instead.
 */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *pem_private_key(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;

	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

int jwt_load_signing_key(const char *path, const char *iss, const char *aud,
			 struct jwt_signer *signer, struct jwt_verifier *v, char *err,
			 size_t errlen)
{
	struct jwt_issuer *issuer;
	EVP_PKEY *pkey = NULL;
	char *pem = NULL;
	size_t pem_len = 0;
	enum jwt_alg alg;
	char kid[sizeof(signer->kid)];
	int rc = -1;

	if (!path || !signer || issuer_slot_check(v, iss, aud, err, errlen) != 0)
		goto out;
	pem = file_read(path, &pem_len, err, errlen);
	if (!pem)
		goto out;
	pkey = pem_private_key(pem, pem_len);
	if (!pkey) {
		set_err(err, errlen, "%s: no unencrypted PEM private key", path);
		goto out;
	}
	if (key_alg(pkey, &alg, err, errlen) != 0)
		goto out;
	if (jwk_thumbprint(pkey, alg, kid, sizeof(kid)) != 0) {
		set_err(err, errlen, "%s: cannot compute the key thumbprint", path);
		goto out;
	}
	memset(signer, 0, sizeof(*signer));
	strcpy(signer->kid, kid);
	signer->alg = alg;
	signer->private_pem = pem;
	signer->private_pem_len = pem_len;
	strcpy(signer->iss, iss);
	strcpy(signer->aud, aud);
	pem = NULL;

	issuer = &v->issuers[v->n_issuers++];
	memset(issuer, 0, sizeof(*issuer));
	strcpy(issuer->iss, iss);
	strcpy(issuer->aud, aud);
	strcpy(issuer->keys[0].kid, kid);
	issuer->keys[0].alg = alg;
	issuer->keys[0].pkey = pkey;
	issuer->n_keys = 1;
	pkey = NULL;
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	OPENSSL_clear_free(pem, pem_len + 1);
	return rc;
}

void jwt_signer_free(struct jwt_signer *s)
{
	if (!s)
		return;
	OPENSSL_clear_free(s->private_pem, s->private_pem_len + 1);
	s->private_pem = NULL;
	s->private_pem_len = 0;
}

/* A JWKS member decoded to exactly len bytes (or 1..len when exact is false). */
static bool jwk_bytes(const json_t *jwk, const char *name, unsigned char *out, size_t len,
		      bool exact, size_t *out_len)
{
	const json_t *value = json_object_get(jwk, name);

	return json_is_string(value) &&
	       base64_decode(json_string_value(value), json_string_length(value), out, len, out_len,
			     BASE64_URL) &&
	       *out_len > 0 && (!exact || *out_len == len);
}

static EVP_PKEY *pkey_from_params(const char *type, const OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY *pkey = NULL;

	/* fromdata takes a non-const array it does not modify. */
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, (OSSL_PARAM *)params) != 1)
		goto out;
	/* On the curve, in the group, or an RSA modulus that is not obviously broken. */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!check || EVP_PKEY_public_check(check) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return pkey;
}

static EVP_PKEY *jwk_rsa(const json_t *jwk)
{
	unsigned char n_bytes[RSA_MODULUS_MAX_BYTES], e_bytes[RSA_EXPONENT_MAX_BYTES];
	size_t n_len, e_len;
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (!jwk_bytes(jwk, "n", n_bytes, sizeof(n_bytes), false, &n_len) ||
	    !jwk_bytes(jwk, "e", e_bytes, sizeof(e_bytes), false, &e_len))
		goto out;
	n = BN_bin2bn(n_bytes, (int)n_len, NULL);
	e = BN_bin2bn(e_bytes, (int)e_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params)
		pkey = pkey_from_params("RSA", params);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

static EVP_PKEY *jwk_ec_p256(const json_t *jwk)
{
	unsigned char point[P256_POINT_LEN];
	char group[] = SN_X9_62_prime256v1;
	size_t len;
	OSSL_PARAM params[3];

	point[0] = 0x04; /* uncompressed */
	if (!jwk_bytes(jwk, "x", point + 1, P256_COORDINATE_LEN, true, &len) ||
	    !jwk_bytes(jwk, "y", point + 1 + P256_COORDINATE_LEN, P256_COORDINATE_LEN, true, &len))
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] =
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	return pkey_from_params("EC", params);
}

/*
 * The algorithm a JWKS entry would be pinned to, or false for an entry we
 * skip: not for signatures, a type or curve we do not verify, or declared for
 * another algorithm (its tokens would be refused anyway).
 */
static bool jwk_usable(const json_t *jwk, enum jwt_alg *alg)
{
	const json_t *use = json_object_get(jwk, "use");
	const json_t *declared = json_object_get(jwk, "alg");
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));

	if (use && !(json_is_string(use) && strcmp(json_string_value(use), "sig") == 0))
		return false;
	if (kty && strcmp(kty, "RSA") == 0)
		*alg = JWT_KEY_RS256;
	else if (kty && strcmp(kty, "EC") == 0 && crv && strcmp(crv, "P-256") == 0)
		*alg = JWT_KEY_ES256;
	else
		return false;
	return !declared || (json_is_string(declared) &&
			     strcmp(json_string_value(declared), alg_name(*alg)) == 0);
}

static bool issuer_has_kid(const struct jwt_issuer *issuer, const char *kid)
{
	for (size_t k = 0; k < issuer->n_keys; k++)
		if (strcmp(issuer->keys[k].kid, kid) == 0)
			return true;
	return false;
}

/* A usable entry that is malformed fails the load: better at start than at every login. */
static int jwks_key_add(struct jwt_issuer *issuer, const json_t *jwk, size_t index, char *err,
			size_t errlen)
{
	const json_t *kid = json_object_get(jwk, "kid");
	enum jwt_alg alg, actual;
	EVP_PKEY *pkey;

	if (!json_is_object(jwk) || !jwk_usable(jwk, &alg))
		return 0;
	if (!json_is_string(kid) ||
	    !jwt_kid_is_valid(json_string_value(kid), json_string_length(kid))) {
		set_err(err, errlen, "keys[%zu]: kid missing or not 1-127 of [A-Za-z0-9._-]",
			index);
		return -1;
	}
	if (issuer_has_kid(issuer, json_string_value(kid)) || issuer->n_keys >= JWT_MAX_KEYS) {
		set_err(err, errlen, "keys[%zu]: duplicate kid or more than %d keys", index,
			JWT_MAX_KEYS);
		return -1;
	}
	pkey = alg == JWT_KEY_RS256 ? jwk_rsa(jwk) : jwk_ec_p256(jwk);
	if (!pkey) {
		set_err(err, errlen, "keys[%zu]: invalid %s key", index, alg_name(alg));
		return -1;
	}
	if (key_alg(pkey, &actual, err, errlen) != 0 || actual != alg) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	strcpy(issuer->keys[issuer->n_keys].kid, json_string_value(kid));
	issuer->keys[issuer->n_keys].alg = alg;
	issuer->keys[issuer->n_keys].pkey = pkey;
	issuer->n_keys++;
	return 0;
}

int jwt_load_external_jwks(const char *path, const char *iss, const char *aud,
			   struct jwt_verifier *v, char *err, size_t errlen)
{
	struct jwt_issuer issuer;
	json_t *root = NULL;
	const json_t *keys, *jwk;
	json_error_t error;
	size_t i;
	int rc = -1;

	memset(&issuer, 0, sizeof(issuer));
	if (!path || issuer_slot_check(v, iss, aud, err, errlen) != 0)
		goto out;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		set_err(err, errlen, "%s:%d: %s", path, error.line, error.text);
		goto out;
	}
	keys = json_object_get(root, "keys");
	if (!json_is_array(keys)) {
		set_err(err, errlen, "%s: no \"keys\" array", path);
		goto out;
	}
	json_array_foreach (keys, i, jwk) {
		if (jwks_key_add(&issuer, jwk, i, err, errlen) != 0)
			goto out;
	}
	if (issuer.n_keys == 0) {
		set_err(err, errlen, "%s: no RSA or EC P-256 signing key", path);
		goto out;
	}
	strcpy(issuer.iss, iss);
	strcpy(issuer.aud, aud);
	issuer.external = true;
	v->issuers[v->n_issuers++] = issuer;
	issuer.n_keys = 0; /* the verifier owns them now */
	rc = 0;
out:
	issuer_keys_free(&issuer);
	json_decref(root);
	return rc;
}

static json_t *jwks_entry(const struct jwt_key *key)
{
	json_t *jwk = jwk_required_members(key->pkey, key->alg);

	if (jwk && (json_object_set_new(jwk, "kid", json_string(key->kid)) ||
		    json_object_set_new(jwk, "use", json_string("sig")) ||
		    json_object_set_new(jwk, "alg", json_string(alg_name(key->alg))))) {
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

char *jwt_jwks_json(const struct jwt_verifier *v)
{
	json_t *root = json_object();
	json_t *keys = json_array();
	char *text = NULL;

	if (!v || !root || !keys || json_object_set(root, "keys", keys) != 0)
		goto out;
	/* Only what we sign with: republishing a provider's keys would vouch for them. */
	for (size_t i = 0; i < v->n_issuers && i < JWT_MAX_ISSUERS; i++) {
		const struct jwt_issuer *issuer = &v->issuers[i];

		for (size_t k = 0; k < issuer->n_keys && !issuer->external; k++)
			if (json_array_append_new(keys, jwks_entry(&issuer->keys[k])) != 0)
				goto out;
	}
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(keys);
	json_decref(root);
	return text;
}
