#include "jwt_forge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/base64.h"

static void *must(void *p, const char *what)
{
	if (!p) {
		fprintf(stderr, "jwt_forge: %s failed\n", what);
		abort();
	}
	return p;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "jwt_forge: %s failed\n", what);
		abort();
	}
}

char *forge_b64url(const void *data, size_t len)
{
	char *out = must(malloc(base64_encoded_len(len, BASE64_URL) + 1), "malloc");

	base64_encode(data, len, out, BASE64_URL);
	return out;
}

char *forge_joined(const char *a, const char *b)
{
	char *out = must(malloc(strlen(a) + strlen(b) + 2), "malloc");

	sprintf(out, "%s.%s", a, b);
	return out;
}

char *forge_signing_input(const char *header, const char *payload)
{
	char *h = forge_b64url(header, strlen(header));
	char *p = forge_b64url(payload, strlen(payload));
	char *input = forge_joined(h, p);

	free(h);
	free(p);
	return input;
}

char *forge_with_signature(const char *header, const char *payload, const unsigned char *sig,
			   size_t sig_len)
{
	char *input = forge_signing_input(header, payload);
	char *s = forge_b64url(sig, sig_len);
	char *token = forge_joined(input, s);

	free(s);
	free(input);
	return token;
}

/* OpenSSL's DER ECDSA signature as JWS wants it: raw r || s, 32 bytes each. */
size_t forge_der_to_raw(unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	ECDSA_SIG *ecdsa = must(d2i_ECDSA_SIG(NULL, &p, (long)len), "d2i_ECDSA_SIG");
	const BIGNUM *r, *s;

	ECDSA_SIG_get0(ecdsa, &r, &s);
	check(BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32,
	      "BN_bn2binpad");
	ECDSA_SIG_free(ecdsa);
	return 64;
}

size_t forge_signature(enum forge_alg alg, EVP_PKEY *key, const char *input, unsigned char *sig,
		       size_t cap)
{
	EVP_MD_CTX *ctx = must(EVP_MD_CTX_new(), "EVP_MD_CTX_new");
	EVP_PKEY_CTX *pkey_ctx = NULL;
	size_t len = cap;

	check(EVP_DigestSignInit(ctx, &pkey_ctx, alg == FORGE_RS384 ? EVP_sha384() : EVP_sha256(),
				 NULL, key) == 1,
	      "EVP_DigestSignInit");
	if (alg == FORGE_PS256)
		check(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
			      EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) ==
				      1,
		      "PSS padding");
	check(EVP_DigestSign(ctx, sig, &len, (const unsigned char *)input, strlen(input)) == 1,
	      "EVP_DigestSign");
	EVP_MD_CTX_free(ctx);
	return alg == FORGE_ES256 ? forge_der_to_raw(sig, len) : len;
}

char *forge_sign(const char *header, const char *payload, enum forge_alg alg, EVP_PKEY *key)
{
	char *input = forge_signing_input(header, payload);
	unsigned char sig[1024];
	size_t len = forge_signature(alg, key, input, sig, sizeof(sig));
	char *s = forge_b64url(sig, len);
	char *token = forge_joined(input, s);

	free(s);
	free(input);
	return token;
}

char *forge_hs256(const char *header, const char *payload, const unsigned char *key, size_t key_len)
{
	char *input = forge_signing_input(header, payload);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	char *s, *token;

	must(HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)input, strlen(input), mac,
		  &mac_len),
	     "HMAC");
	s = forge_b64url(mac, mac_len);
	token = forge_joined(input, s);
	free(s);
	free(input);
	return token;
}

/* The decoded bytes of len base64url characters, malloc'd; NULL when they are not that. */
static unsigned char *b64url_decode(const char *in, size_t len, size_t *n)
{
	unsigned char *out = must(malloc(len + 1), "malloc");

	if (!base64_decode(in, len, out, len + 1, n, BASE64_URL)) {
		free(out);
		return NULL;
	}
	return out;
}

json_t *forge_segment_json(const char *token, int segment)
{
	const char *start = token, *end;
	unsigned char *bytes;
	size_t n;
	json_t *value;

	for (int i = 0; i < segment && start; i++) {
		start = strchr(start, '.');
		start = start ? start + 1 : NULL;
	}
	if (!start)
		return NULL;
	end = strchr(start, '.');
	n = end ? (size_t)(end - start) : strlen(start);
	bytes = b64url_decode(start, n, &n);
	if (!bytes)
		return NULL;
	value = json_loadb((const char *)bytes, n, 0, NULL);
	free(bytes);
	return value;
}

static BIGNUM *bn_from_b64url(const char *text)
{
	size_t n;
	unsigned char *bytes = must(b64url_decode(text, strlen(text), &n), "base64url");
	BIGNUM *bn = must(BN_bin2bn(bytes, (int)n, NULL), "BN_bin2bn");

	free(bytes);
	return bn;
}

EVP_PKEY *forge_rsa_public_from_jwk(const char *n, const char *e)
{
	BIGNUM *bn_n = bn_from_b64url(n), *bn_e = bn_from_b64url(e);
	OSSL_PARAM_BLD *bld = must(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = must(EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL), "RSA context");
	EVP_PKEY *key = NULL;

	check(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
		      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1,
	      "OSSL_PARAM_BLD_push_BN");
	params = must(OSSL_PARAM_BLD_to_param(bld), "OSSL_PARAM_BLD_to_param");
	check(EVP_PKEY_fromdata_init(ctx) == 1 &&
		      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1,
	      "EVP_PKEY_fromdata");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	return key;
}

EVP_PKEY *forge_load_private_pem(const char *path)
{
	FILE *f = must(fopen(path, "r"), path);
	EVP_PKEY *key = must(PEM_read_PrivateKey(f, NULL, NULL, NULL), "PEM_read_PrivateKey");

	fclose(f);
	return key;
}

EVP_PKEY *forge_generate(const char *type)
{
	if (strcmp(type, "EC") == 0)
		return must(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), "EC keygen");
	return must(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), "RSA keygen");
}

char *forge_public_pem(EVP_PKEY *key, size_t *len)
{
	BIO *bio = must(BIO_new(BIO_s_mem()), "BIO_new");
	char *data, *out;
	long n;

	check(PEM_write_bio_PUBKEY(bio, key) == 1, "PEM_write_bio_PUBKEY");
	n = BIO_get_mem_data(bio, &data);
	out = must(malloc((size_t)n + 1), "malloc");
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return out;
}

unsigned char *forge_public_der(EVP_PKEY *key, size_t *len)
{
	unsigned char *der = NULL, *out;
	int n = i2d_PUBKEY(key, &der);

	check(n > 0, "i2d_PUBKEY");
	out = must(malloc((size_t)n), "malloc");
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

unsigned char *forge_self_signed_der(EVP_PKEY *key, size_t *len)
{
	X509 *cert = must(X509_new(), "X509_new");
	X509_NAME *name;
	unsigned char *der = NULL, *out;
	int n;

	check(X509_set_version(cert, 2) == 1, "X509_set_version");
	check(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1, "serial");
	must(X509_gmtime_adj(X509_getm_notBefore(cert), -3600), "notBefore");
	must(X509_gmtime_adj(X509_getm_notAfter(cert), 3600), "notAfter");
	check(X509_set_pubkey(cert, key) == 1, "X509_set_pubkey");
	name = X509_get_subject_name(cert);
	check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					 (const unsigned char *)"cansd.example.org", -1, -1,
					 0) == 1,
	      "subject");
	check(X509_set_issuer_name(cert, name) == 1, "issuer");
	check(X509_sign(cert, key, EVP_sha256()) > 0, "X509_sign");
	n = i2d_X509(cert, &der);
	check(n > 0, "i2d_X509");
	out = must(malloc((size_t)n), "malloc");
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	X509_free(cert);
	*len = (size_t)n;
	return out;
}

static json_t *bn_param_json(EVP_PKEY *key, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char bytes[1024];
	int n;
	char *text;
	json_t *value;

	check(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
	n = BN_bn2bin(bn, bytes);
	BN_free(bn);
	text = forge_b64url(bytes, (size_t)n);
	value = json_string(text);
	free(text);
	return value;
}

json_t *forge_rsa_jwk(EVP_PKEY *key, const char *kid)
{
	return must(json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "kty", "RSA", "kid", kid, "alg",
			      "RS256", "use", "sig", "n", bn_param_json(key, OSSL_PKEY_PARAM_RSA_N),
			      "e", bn_param_json(key, OSSL_PKEY_PARAM_RSA_E)),
		    "json_pack");
}

char *forge_header_json(const char *alg, const char *kid)
{
	char *out = must(malloc(strlen(alg) + strlen(kid) + 64), "malloc");

	sprintf(out, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", alg, kid);
	return out;
}

char *forge_json_text(json_t *value)
{
	char *text = must(json_dumps(value, JSON_COMPACT), "json_dumps");

	json_decref(value);
	return text;
}

char *forge_json_text_with_raw(json_t *claims, const char *name, const char *raw)
{
	char *text, *out;
	size_t len;

	json_object_del(claims, name);
	text = forge_json_text(claims);
	len = strlen(text);
	out = must(malloc(len + strlen(name) + strlen(raw) + 8), "malloc");
	sprintf(out, "%.*s,\"%s\":%s}", (int)(len - 1), text, name, raw);
	free(text);
	return out;
}
