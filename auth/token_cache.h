/*
 * A worker's memory of tokens whose signature it has already verified.
 * RSA verification is the largest CPU cost of an authenticated request
 * (about 30 us), and clients present the same access token for its whole
 * life. A hit skips only the signature and claim parsing: expiry is checked
 * again on every request, and the caller is still loaded from the database,
 * so revocation by deactivation stays immediate. Keyed by SHA-256 of the
 * token, so a lookup's timing says nothing about a cached token.
 */
#ifndef CANSD_TOKEN_CACHE_H
#define CANSD_TOKEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "jwt.h"

#define TOKEN_CACHE_SLOTS 256

/* Verifies token, from the cache when it can; same contract as jwt_verify. */
enum jwt_refusal token_cache_verify(const struct jwt_verifier *v, const char *token, size_t len,
				    time_t now, struct jwt_claims *out);

/* Whether a token with this exp is still valid at now, with leeway; overflow-safe. */
bool token_cache_fresh(long long exp, long leeway, long long now);

#endif
