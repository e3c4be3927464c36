/*
 * The caller, as loaded from the database on every request: roles and
 * certification are never cached and never read from a token, so a lapse,
 * a new training record or a deactivation takes effect on the next request.
 */
#ifndef CANSD_IDENTITY_H
#define CANSD_IDENTITY_H

#include <stdbool.h>

#include <jansson.h>

#include "../core/request.h"
#include "jwt.h"
#include "token_cache.h"

struct identity {
	const char *user_id; /* decimal, as SQL takes it */
	unsigned roles;      /* enum role bits, certified_cans_user included */
	bool certified;
	const char *username;
	const char *full_name;
	const char *email;
	const char *supervisor_id;   /* NULL: none */
	const char *program;         /* NULL: none */
	const char *certified_until; /* NULL: no CANS 2.0 record */
	const char *missing;         /* comma-separated failed conditions, "" when none */
};

/* The GET /me body; NULL when out of memory. */
const char *identity_me_json(struct request *req, const struct identity *id);

/* The "certification" object of /me and of the 403 certification-required (a new reference). */
json_t *identity_certification(const struct identity *id);

/* The keys and settings authentication uses; built once before the fork. */
struct auth_context {
	struct jwt_verifier verifier;
	struct jwt_signer signer;
	char *jwks_json;
};

extern struct auth_context auth;

/* Loads keys per the configuration; -1 with a message in err. */
int auth_init(char *err, size_t errlen);
void auth_free(void);

/*
 * Authenticates the bearer token of req and loads the caller into
 * req->identity. Returns 0, or the status of the problem it wrote.
 */
int auth_authenticate(struct request *req);

/*
 * Applies the route's roles and certification rule to req->identity.
 * Returns 0, or the status of the problem it wrote.
 */
int auth_authorize(struct request *req);

/* Loads the user by id into req->identity (login and refresh use it). */
int auth_load_identity(struct request *req, const char *user_id, const char *username);

#endif
