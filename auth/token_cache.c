#include "token_cache.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

struct slot {
	bool used;
	unsigned char digest[32];
	struct jwt_claims claims;
};

/* Per process: each worker forks with an empty cache and fills its own. */
static struct slot slots[TOKEN_CACHE_SLOTS];

/*
 * exp comes from the token: exp + leeway must saturate as the verifier's
 * does, or an exp near LLONG_MAX would wrap to the past (undefined
 * behaviour, and a refusal the verifier never made) and one near LLONG_MIN
 * would wrap into the future.
 */
bool token_cache_fresh(long long exp, long leeway, long long now)
{
	long long until;

	if (__builtin_add_overflow(exp, (long long)leeway, &until))
		until = leeway > 0 ? LLONG_MAX : LLONG_MIN;
	return now <= until;
}

enum jwt_refusal token_cache_verify(const struct jwt_verifier *v, const char *token, size_t len,
				    time_t now, struct jwt_claims *out)
{
	unsigned char digest[32];
	unsigned int digest_len = 0;
	struct slot *slot;
	enum jwt_refusal r;

	/* Too long, or not hashable: let the verifier say why. */
	if (len > JWT_MAX_TOKEN_LEN ||
	    !EVP_Digest(token, len, digest, &digest_len, EVP_sha256(), NULL))
		return jwt_verify(v, token, len, now, out);
	slot = &slots[(digest[0] | (size_t)digest[1] << 8) % TOKEN_CACHE_SLOTS];
	if (slot->used && memcmp(slot->digest, digest, sizeof(digest)) == 0) {
		if (!token_cache_fresh(slot->claims.exp, v->leeway, (long long)now)) {
			slot->used = false;
			return JWT_REFUSED_EXPIRED;
		}
		*out = slot->claims;
		return JWT_OK;
	}
	r = jwt_verify(v, token, len, now, out);
	if (r == JWT_OK) {
		slot->used = true;
		memcpy(slot->digest, digest, sizeof(digest));
		slot->claims = *out;
	}
	return r;
}
