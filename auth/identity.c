#include "identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/config.h"
#include "../core/db.h"
#include "../core/metrics.h"
#include "../core/problem.h"
#include "../core/route.h"
#include "identity_cache.h"

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

/*
 * RFC 6750 section 3: the challenge names the Bearer scheme, and adds
 * error="invalid_token" only when a bearer token was sent and refused (a
 * request with no token, or with another scheme, gets the bare challenge).
 */
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

static const char *column(struct request *req, const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : arena_strdup(req->arena, PQgetvalue(res, 0, col));
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
	id->user_id = column(req, res, 0);
	id->roles = parse_roles(PQgetvalue(res, 0, 2));
	id->certified = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	id->username = column(req, res, 4);
	id->full_name = column(req, res, 5);
	id->email = column(req, res, 6);
	id->supervisor_id = column(req, res, 7);
	id->program = column(req, res, 8);
	id->certified_until = column(req, res, 9);
	id->missing = column(req, res, 10);
	if (!id->missing)
		id->missing = "";
	req->identity = id;
	req->caller_id = id->user_id;
	return 0;
}

/*
 * The caller's JSON is built on every request (GET /me) and every refusal
 * for certification, so without jansson's checks: keys are constants, and
 * values come from the database, whose encoding (UTF8) never lets invalid
 * text through.
 */
static json_t *text_value(const char *s, size_t len)
{
	return json_stringn_nocheck(s, len);
}

static json_t *nullable(const char *s)
{
	return s ? text_value(s, strlen(s)) : json_null();
}

/* A comma-separated list as a JSON array of strings. */
static json_t *json_list(const char *list)
{
	json_t *array = json_array();

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);

		json_array_append_new(array, text_value(list, len));
		list = comma ? comma + 1 : NULL;
	}
	return array;
}

json_t *identity_certification(const struct identity *id)
{
	json_t *c = json_object();

	json_object_set_new_nocheck(c, "certified", json_boolean(id->certified));
	json_object_set_new_nocheck(c, "certified_until", nullable(id->certified_until));
	json_object_set_new_nocheck(c, "missing", json_list(id->missing));
	return c;
}

static int to_buf(const char *data, size_t len, void *ctx)
{
	buf_append(ctx, data, len);
	return 0;
}

const char *identity_me_json(struct request *req, const struct identity *id)
{
	json_t *me = json_object(), *roles = json_array();
	struct buf out;
	unsigned bit;
	int rc;

	for (bit = 1; bit <= ROLE_CERTIFIED_CANS_USER; bit <<= 1)
		if (id->roles & bit)
			json_array_append_new(roles, json_string_nocheck(role_name(bit)));
	json_object_set_new_nocheck(me, "id", nullable(id->user_id));
	json_object_set_new_nocheck(me, "username", nullable(id->username));
	json_object_set_new_nocheck(me, "full_name", nullable(id->full_name));
	json_object_set_new_nocheck(me, "email", nullable(id->email));
	json_object_set_new_nocheck(me, "roles", roles);
	json_object_set_new_nocheck(me, "supervisor_id", nullable(id->supervisor_id));
	json_object_set_new_nocheck(me, "program", nullable(id->program));
	json_object_set_new_nocheck(me, "active", json_true());
	json_object_set_new_nocheck(me, "certification", identity_certification(id));
	/* straight into the arena: no malloc'd copy to strdup and free */
	buf_init(&out, req->arena);
	rc = json_dump_callback(me, to_buf, &out, JSON_COMPACT);
	json_decref(me);
	return rc ? NULL : out.data; /* NULL: jansson ran out of memory */
}

/* Today in the programs' zone (TZ is CANSD_TIMEZONE) as YYYYMMDD. */
static int today_number(time_t now)
{
	struct tm tm;

	localtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The caller from the identity cache, or from the database (then remembered). */
static int load_caller(struct request *req, const struct jwt_claims *claims)
{
	const char *key = arena_printf(req->arena, "%s:%s", claims->issuer->external ? "u" : "i",
				       claims->subject);
	time_t now = time(NULL);
	int day = today_number(now), status;
	uint64_t epoch;

	req->identity = identity_cache_get(req->arena, key, now, day);
	if (req->identity) {
		req->caller_id = req->identity->user_id;
		return 0;
	}
	/* Read before the lookup: a change committed meanwhile makes this entry stale. */
	epoch = identity_cache_epoch();
	if (claims->issuer->external)
		status = auth_load_identity(req, NULL, claims->subject);
	else
		status = auth_load_identity(req, claims->subject, NULL);
	if (status == 0)
		identity_cache_put(key, req->identity, epoch, now, day);
	return status;
}

int auth_authenticate(struct request *req)
{
	struct jwt_claims claims;
	enum jwt_refusal refusal;
	const char *token;

	/*
	 * RFC 6750's query form is never accepted, not even beside a good
	 * header: a token in a URL ends up in histories, proxies and logs.
	 */
	if (request_query_has(req, "access_token")) {
		metrics_jwt_refused(JWT_REFUSED_MALFORMED);
		return unauthenticated(req, true,
				       "Send the token in the Authorization header only.");
	}
	if (!req->authorization)
		return unauthenticated(req, false, "A bearer token is required.");
	/* Which one would we trust? Counted with the malformed tokens. */
	if (req->authorization_count > 1) {
		metrics_jwt_refused(JWT_REFUSED_MALFORMED);
		return unauthenticated(req, true, "Send exactly one Authorization header.");
	}
	if (strncasecmp(req->authorization, "Bearer ", 7) != 0)
		return unauthenticated(req, false, "Use the Bearer scheme.");
	token = req->authorization + 7;
	while (*token == ' ')
		token++;
	refusal = token_cache_verify(&auth.verifier, token, strlen(token), time(NULL), &claims);
	if (refusal != JWT_OK) {
		metrics_jwt_refused(refusal);
		return unauthenticated(req, true, "The token is invalid or expired.");
	}
	return load_caller(req, &claims);
}

int auth_authorize(struct request *req)
{
	const struct route *route = req->route;
	const struct identity *id = req->identity;

	if (route->roles != ROLES_ANY && !(id->roles & route->roles))
		return problem(req, 403, PROBLEM_FORBIDDEN,
			       "Your role does not allow this action.");
	if (route->needs_certification && !id->certified) {
		const char *missing = id->missing;
		struct buf detail;
		json_t *extra;
		int status;

		buf_init(&detail, req->arena);
		buf_puts(&detail, "A current CANS 2.0 certification is required:");
		if (strstr(missing, "ACCOUNT_INACTIVE"))
			buf_puts(&detail, " the account is not active;");
		if (strstr(missing, "CANS_2_0_CERTIFICATION"))
			buf_puts(&detail,
				 " no CANS 2.0 certification or recertification in the last year;");
		if (strstr(missing, "CANS_SACWIS_FUNCTIONALITY"))
			buf_puts(&detail,
				 " the CANS in SACWIS functionality training is not on record;");
		detail.data[detail.len - 1] = '.';
		extra = json_pack("{s:o}", "certification", identity_certification(id));
		status = problem_with_object(req, 403, PROBLEM_CERTIFICATION, detail.data, extra);

		json_decref(extra);
		return status;
	}
	return 0;
}
