/*
 * Issuing access tokens with libjwt 1.10. libjwt signs with the PEM it is
 * given and writes `alg` and `typ` itself; we add `kid` so every verifier,
 * ours included, picks the key without trying each, and a random `jti` so two
 * tokens issued in the same second still differ (and can be told apart in logs).
 */

/*
 * libjwt's <jwt.h> and ours both declare an `enum jwt_alg`. Renaming libjwt's
 * tag (only the tag: jwt_alg_t, its constants and the ABI are unchanged) lets
 * both headers into this one file.
 */
#define jwt_alg libjwt_alg
#include <jwt.h>
#undef jwt_alg

#include "jwt.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/rand.h>

#define JTI_BYTES 16

static int token_id(char *hex, size_t size)
{
	unsigned char bytes[JTI_BYTES];

	if (size < 2 * JTI_BYTES + 1 || RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -1;
	for (size_t i = 0; i < JTI_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

static int claims_add(jwt_t *jwt, const struct jwt_signer *s, const char *subject, time_t now,
		      long ttl_seconds)
{
	char jti[2 * JTI_BYTES + 1];
	long exp;

	if (__builtin_add_overflow((long)now, ttl_seconds, &exp) || token_id(jti, sizeof(jti)) != 0)
		return -1;
	if (jwt_add_header(jwt, "kid", s->kid) != 0 || jwt_add_grant(jwt, "iss", s->iss) != 0 ||
	    jwt_add_grant(jwt, "aud", s->aud) != 0 || jwt_add_grant(jwt, "sub", subject) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "nbf", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", exp) != 0 || jwt_add_grant(jwt, "jti", jti) != 0)
		return -1;
	return 0;
}

char *jwt_issue_access(const struct jwt_signer *s, const char *subject, time_t now,
		       long ttl_seconds)
{
	jwt_t *jwt = NULL;
	char *token = NULL;
	jwt_alg_t alg;

	if (!s || !s->private_pem || s->private_pem_len > INT_MAX || !subject || !*subject ||
	    ttl_seconds <= 0)
		return NULL;
	alg = s->alg == JWT_KEY_ES256 ? JWT_ALG_ES256 : JWT_ALG_RS256;
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_set_alg(jwt, alg, (const unsigned char *)s->private_pem, (int)s->private_pem_len) !=
	    0)
		goto out;
	if (claims_add(jwt, s, subject, now, ttl_seconds) != 0)
		goto out;
	token = jwt_encode_str(jwt);
out:
	jwt_free(jwt);
	return token;
}
