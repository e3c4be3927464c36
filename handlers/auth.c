/*
 * POST /auth/login, /auth/refresh, /auth/logout and the JWKS. Refresh tokens
 * are random, stored only as SHA-256, and rotate on every use; a spent one
 * presented again revokes its whole family (see cansd.session_refresh).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../auth/identity.h"
#include "../auth/password.h"
#include "../core/base64.h"
#include "../core/config.h"
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

#define REFRESH_TOKEN_BYTES 32

static const struct json_field login_fields[] = {
	{"username", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{"password", JF_STRING, JF_REQUIRED, 1, 1024, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

static const struct json_field refresh_fields[] = {
	{"refresh_token", JF_STRING, JF_REQUIRED, 1, 200, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/* The bytea literal of SHA-256(token): only this is ever stored. */
static const char *token_digest(struct request *req, const char *token)
{
	unsigned char md[32];
	unsigned int md_len = 0;
	char *hex = arena_alloc(req->arena, 2 + 64 + 1);
	unsigned i;

	EVP_Digest(token, strlen(token), md, &md_len, EVP_sha256(), NULL);
	hex[0] = '\\';
	hex[1] = 'x';
	for (i = 0; i < md_len; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", md[i]);
	return hex;
}

/* NULL when the random generator fails: the caller answers 503, the worker lives. */
static const char *new_refresh_token(struct request *req)
{
	unsigned char raw[REFRESH_TOKEN_BYTES];
	char *token = arena_alloc(req->arena, 3 + 4 * REFRESH_TOKEN_BYTES / 3 + 4);

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		log_msg("error", req->request_id, "RAND_bytes failed: no refresh token issued");
		return NULL;
	}
	memcpy(token, "rt_", 3);
	base64_encode(raw, sizeof(raw), token + 3, BASE64_URL);
	return token;
}

/* The 200 body of login and refresh: a fresh access token beside the refresh token. */
static int token_pair(struct request *req, const char *user_id, const char *refresh_token)
{
	char *access = jwt_issue_access(&auth.signer, user_id, time(NULL), config->access_ttl);
	json_t *body;
	const char *text;

	if (!access)
		return problem(req, 500, PROBLEM_INTERNAL, "Could not issue a token.");
	body = json_pack("{s:s, s:s, s:I, s:s}", "access_token", access, "token_type", "Bearer",
			 "expires_in", (json_int_t)config->access_ttl, "refresh_token",
			 refresh_token);
	free(access);
	if (!body)
		return problem(req, 500, PROBLEM_INTERNAL, "Could not issue a token.");
	text = json_text(req, body);
	json_decref(body);
	return response_json(req, 200, text, strlen(text));
}

static int no_randomness(struct request *req)
{
	return problem(req, 503, PROBLEM_UNAVAILABLE,
		       "Could not issue a token; try again shortly.");
}

static int login_refused(struct request *req)
{
	response_header(req, "WWW-Authenticate", "Bearer realm=\"cansd\"");
	return problem(req, 401, PROBLEM_UNAUTHENTICATED, "The username or password is wrong.");
}

/*
 * cansd.login_attempt counts the attempt as a failure before the password
 * is checked, in one locked step, so parallel guesses cannot outrun the
 * budget; a throttled attempt gets 429 and no PBKDF2 run. A success takes
 * its count back (cansd.session_start).
 */
int auth_login(struct request *req)
{
	const char *params[6];
	const char *user_id, *stored, *refresh, *attempt;
	char *username;
	json_t *body;
	PGresult *res;
	bool ok;
	int status;
	size_t i;

	if ((status = json_body(req, login_fields, &body)))
		return status;
	username = arena_strdup(req->arena, json_string_value(json_object_get(body, "username")));
	for (i = 0; username[i]; i++)
		username[i] = (char)tolower((unsigned char)username[i]);
	params[0] = username;
	params[1] = req->client_addr;
	if (!(res = db_call(req, "login_attempt", 2, params)))
		return req->response.status;
	if (!PQgetisnull(res, 0, 3)) {
		response_header(req, "Retry-After",
				arena_strdup(req->arena, PQgetvalue(res, 0, 3)));
		return problem(req, 429, PROBLEM_RATE_LIMITED,
			       "Too many failed logins; try again later.");
	}
	user_id = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
	stored = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	attempt = PQgetvalue(res, 0, 4);
	metrics_password_check();
	if (stored) {
		ok = password_verify(json_string_value(json_object_get(body, "password")), stored);
	} else {
		/* Unknown users cost what a wrong password costs. */
		password_burn(json_string_value(json_object_get(body, "password")));
		ok = false;
	}
	ok = ok && user_id && strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (!ok)
		return login_refused(req); /* already counted by login_attempt */
	if (!(refresh = new_refresh_token(req)))
		return no_randomness(req);
	params[0] = user_id;
	params[1] = token_digest(req, refresh);
	params[2] = arena_printf(req->arena, "%ld", config->refresh_ttl);
	params[3] = req->request_id;
	params[4] = req->client_addr;
	params[5] = attempt;
	if (!db_call(req, "session_start", 6, params))
		return req->response.status;
	return token_pair(req, user_id, refresh);
}

int auth_refresh(struct request *req)
{
	const char *params[6], *refresh;
	json_t *body;
	PGresult *res;
	int status;

	if ((status = json_body(req, refresh_fields, &body)))
		return status;
	if (!(refresh = new_refresh_token(req)))
		return no_randomness(req);
	params[0] = token_digest(req, json_string_value(json_object_get(body, "refresh_token")));
	params[1] = token_digest(req, refresh);
	params[2] = arena_printf(req->arena, "%ld", config->refresh_ttl);
	params[3] = req->request_id;
	params[4] = req->client_addr;
	params[5] = arena_printf(req->arena, "%ld", config->refresh_family_max_age);
	if (!(res = db_call(req, "session_refresh", 6, params)))
		return req->response.status;
	if (PQgetisnull(res, 0, 0)) {
		response_header(req, "WWW-Authenticate",
				"Bearer realm=\"cansd\", error=\"invalid_token\"");
		return problem(
			req, 401, PROBLEM_UNAUTHENTICATED,
			strcmp(PQgetvalue(res, 0, 1), "reused") == 0
				? "The refresh token was already used; its session is revoked."
				: "The refresh token is invalid, expired or revoked.");
	}
	return token_pair(req, PQgetvalue(res, 0, 0), refresh);
}

int auth_logout(struct request *req)
{
	const char *params[4];
	json_t *body;
	int status;

	if ((status = json_body(req, refresh_fields, &body)))
		return status;
	params[0] = req->identity->user_id;
	params[1] = token_digest(req, json_string_value(json_object_get(body, "refresh_token")));
	params[2] = req->request_id;
	params[3] = req->client_addr;
	/* Idempotent: an unknown or foreign token revokes nothing and still ends in 204. */
	if (!db_call(req, "session_end", 4, params))
		return req->response.status;
	return response_empty(req, 204);
}

int auth_jwks(struct request *req)
{
	return response_json(req, 200, auth.jwks_json, strlen(auth.jwks_json));
}
