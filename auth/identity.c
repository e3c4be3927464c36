#include "identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/config.h"
#include "../core/db.h"
#include "../core/metrics.h"
#include "../fcgi/problem.h"
#include "../fcgi/route.h"

struct auth_context auth;

int auth_init(char *err, size_t errlen)
{
	memset(&auth, 0, sizeof(auth));
	auth.verifier.leeway = JWT_LEEWAY_SECONDS;
	if (jwt_load_signing_key(config->jwt_key_path, config->jwt_issuer, config->jwt_audience,
				 &auth.signer, &auth.verifier, err, errlen))
		return -1;
	if (config->external_issuer &&
	    jwt_load_external_jwks(config->external_jwks, config->external_issuer,
				   config->external_audience, &auth.verifier, err, errlen))
		return -1;
	auth.jwks_json = jwt_jwks_json(&auth.verifier);
	if (!auth.jwks_json) {
		snprintf(err, errlen, "cannot build the JWKS document");
		return -1;
	}
	return 0;
}

void auth_free(void)
{
	jwt_verifier_free(&auth.verifier);
	jwt_signer_free(&auth.signer);
	free(auth.jwks_json);
	auth.jwks_json = NULL;
}

static int unauthenticated(struct request *req, bool token_sent, const char *detail)
{
	response_header(req, "WWW-Authenticate",
			token_sent ? "Bearer realm=\"cansd\", error=\"invalid_token\""
				   : "Bearer realm=\"cansd\"");
	return problem(req, 401, PROBLEM_UNAUTHENTICATED, "%s", detail);
}

static unsigned parse_roles(const char *list)
{
	unsigned roles = 0;

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);

		roles |= role_from_name(list, len);
		list = comma ? comma + 1 : NULL;
	}
	return roles;
}

int auth_load_identity(struct request *req, const char *user_id, const char *username)
{
	const char *params[] = {user_id, username};
	struct identity *id;
	PGresult *res = db_call(req, "identity", 2, params);

	if (!res)
		return req->response.status;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		return unauthenticated(req, true, "The account is unknown or deactivated.");
	id = arena_calloc(req->arena, 1, sizeof(*id));
	id->user_id = arena_strdup(req->arena, PQgetvalue(res, 0, 0));
	id->roles = parse_roles(PQgetvalue(res, 0, 2));
	id->certified = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	id->me_json = arena_strdup(req->arena, PQgetvalue(res, 0, 4));
	id->certification_json = arena_strdup(req->arena, PQgetvalue(res, 0, 5));
	req->identity = id;
	return 0;
}

int auth_authenticate(struct request *req)
{
	struct jwt_claims claims;
	enum jwt_refusal refusal;
	const char *token;

	if (!req->authorization)
		return unauthenticated(req, false, "A bearer token is required.");
	if (req->authorization_count > 1)
		return unauthenticated(req, true, "Send exactly one Authorization header.");
	if (strncasecmp(req->authorization, "Bearer ", 7) != 0)
		return unauthenticated(req, true, "Use the Bearer scheme.");
	token = req->authorization + 7;
	while (*token == ' ')
		token++;
	refusal = jwt_verify(&auth.verifier, token, strlen(token), time(NULL), &claims);
	if (refusal != JWT_OK) {
		metrics_jwt_refused(refusal);
		return unauthenticated(req, true, "The token is invalid or expired.");
	}
	if (claims.issuer->external)
		return auth_load_identity(req, NULL, claims.subject);
	return auth_load_identity(req, claims.subject, NULL);
}

int auth_authorize(struct request *req)
{
	const struct route *route = req->route;
	const struct identity *id = req->identity;

	if (route->roles != ROLES_ANY && !(id->roles & route->roles))
		return problem(req, 403, PROBLEM_FORBIDDEN, "Your role does not allow this action.");
	if (route->needs_certification && !id->certified) {
		const char *cert = id->certification_json;
		struct buf detail;

		buf_init(&detail, req->arena);
		buf_puts(&detail, "A current CANS 2.0 certification is required:");
		if (strstr(cert, "ACCOUNT_INACTIVE"))
			buf_puts(&detail, " the account is not active;");
		if (strstr(cert, "CANS_2_0_CERTIFICATION"))
			buf_puts(&detail, " no CANS 2.0 certification or recertification in the last year;");
		if (strstr(cert, "CANS_SACWIS_FUNCTIONALITY"))
			buf_puts(&detail, " the CANS in SACWIS functionality training is not on record;");
		detail.data[detail.len - 1] = '.';
		return problem_with(req, 403, PROBLEM_CERTIFICATION, detail.data,
				    arena_printf(req->arena, "\"certification\":%s", cert));
	}
	return 0;
}
