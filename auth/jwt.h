/*
 * Access tokens: verification (pure, no I/O, no network ever) and issuing.
 *
 * Verification pins the algorithm to the key the `kid` selects and never
 * trusts the header's `alg`; the signature is checked with OpenSSL against a
 * key parsed once at start (libjwt 1.10's jwt_decode would re-parse the PEM on
 * every call and verify with whatever algorithm the header names). Issuing
 * uses libjwt.
 */
#ifndef CANSD_JWT_H
#define CANSD_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#define JWT_MAX_TOKEN_LEN 8192
#define JWT_LEEWAY_SECONDS 60
#define JWT_MAX_KEYS 16
#define JWT_MAX_ISSUERS 2

/* Why a token was refused; each is counted in /metrics by name. */
enum jwt_refusal {
	JWT_OK = 0,
	JWT_REFUSED_TOO_LONG,  /* over JWT_MAX_TOKEN_LEN, before any crypto */
	JWT_REFUSED_MALFORMED, /* not three base64url segments, JSON serialization, bad JSON */
	JWT_REFUSED_ALG,       /* none, HS*, or not the algorithm pinned to the key */
	JWT_REFUSED_KID,       /* missing, unknown, or not a plain short string */
	JWT_REFUSED_CRIT,      /* crit names something we do not understand */
	JWT_REFUSED_SIGNATURE,
	JWT_REFUSED_CLAIM_TYPE, /* exp/nbf/iat/iss/aud/sub of the wrong JSON type */
	JWT_REFUSED_EXPIRED,    /* includes a missing exp */
	JWT_REFUSED_NOT_YET_VALID,
	JWT_REFUSED_ISSUER,
	JWT_REFUSED_AUDIENCE,
	JWT_REFUSED_SUBJECT,
	JWT_REFUSAL_COUNT
};

const char *jwt_refusal_name(enum jwt_refusal r);

enum jwt_alg { JWT_KEY_RS256, JWT_KEY_ES256 };

struct jwt_key {
	char kid[128];
	enum jwt_alg alg;
	EVP_PKEY *pkey; /* public (and private for our own signing key) */
};

struct jwt_issuer {
	char iss[256];
	char aud[256];
	bool external; /* subject comes from preferred_username, else sub */
	struct jwt_key keys[JWT_MAX_KEYS];
	size_t n_keys;
};

struct jwt_verifier {
	struct jwt_issuer issuers[JWT_MAX_ISSUERS];
	size_t n_issuers;
	long leeway; /* seconds */
};

struct jwt_claims {
	const struct jwt_issuer *issuer;
	char subject[256]; /* our issuer: user id (sub); external: preferred_username or sub */
	long long exp;
};

enum jwt_refusal jwt_verify(const struct jwt_verifier *v, const char *token, size_t len, time_t now,
			    struct jwt_claims *out);

/* Frees the keys of every issuer. */
void jwt_verifier_free(struct jwt_verifier *v);

/* Our signing key: a PEM private key (RSA 2048+ or EC P-256) loaded at start. */
struct jwt_signer {
	char kid[128];
	enum jwt_alg alg;
	char *private_pem; /* what libjwt wants */
	size_t private_pem_len;
	char iss[256];
	char aud[256];
};

/*
 * Loads the PEM private key at path into signer and adds its public half as
 * the (only) key of a new non-external issuer in v. kid is the RFC 7638
 * thumbprint. Returns 0 or -1 with a message in err.
 */
int jwt_load_signing_key(const char *path, const char *iss, const char *aud,
			 struct jwt_signer *signer, struct jwt_verifier *v, char *err,
			 size_t errlen);

/*
 * Adds an external identity provider from a JWKS file (RSA and EC P-256 keys
 * with a kid; others skipped). Returns 0 or -1 with a message in err.
 */
int jwt_load_external_jwks(const char *path, const char *iss, const char *aud,
			   struct jwt_verifier *v, char *err, size_t errlen);

/* The public JWKS document of every non-external issuer, malloc'd JSON. */
char *jwt_jwks_json(const struct jwt_verifier *v);

/* A signed access token for subject, malloc'd; NULL on failure. */
char *jwt_issue_access(const struct jwt_signer *s, const char *subject, time_t now,
		       long ttl_seconds);

void jwt_signer_free(struct jwt_signer *s);

/* A kid we accept: 1..127 bytes of [A-Za-z0-9._-], so it is never a path or SQL. */
bool jwt_kid_is_valid(const char *kid, size_t len);

#endif
