/*
 * RFC 8725 through the real stack: every attack token goes through nginx to
 * GET /api/v1/me, must come back 401 unauthenticated with
 * `WWW-Authenticate: Bearer ... error="invalid_token"` (never a 5xx, never a
 * body that leaks internals), and must raise exactly one
 * cansd_jwt_refused_total{reason="..."} counter in /metrics: the one named.
 *
 * Tokens are forged with tests/support/jwt_forge.c. The service's public key
 * comes from its JWKS; to show that a refusal is about the one thing
 * attacked, the other claims are valid and, where the attack allows it, the
 * token is signed with the service's own private key
 * ($CANSD_TEST_VAR_DIR/keys/jwt-signing.pem), which also proves a forged
 * token of the right shape is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/support/headers.h"
#include "tests/support/http.h"
#include "tests/support/jwt_forge.h"
#include "tests/support/loopback.h"
#include "tests/support/metric.h"

static const char *const reasons[] = {
	"too_long",   "malformed", "alg",           "kid",    "crit",     "signature",
	"claim_type", "expired",   "not_yet_valid", "issuer", "audience", "subject",
};
#define N_REASONS (sizeof(reasons) / sizeof(reasons[0]))

/* What the service's own tokens say, learnt from a real login. */
static struct {
	char *token; /* admin's access token */
	char *kid;
	char *iss;
	char *aud;
	char *sub;
	EVP_PKEY *public_key;  /* from the JWKS */
	EVP_PKEY *private_key; /* the service's signing key */
	EVP_PKEY *attacker;    /* RSA, trusted by nobody */
	EVP_PKEY *attacker_ec;
} svc;

/* ---- fixture ---- */

static char *string_member(const json_t *object, const char *name)
{
	const char *v = json_string_value(json_object_get(object, name));

	assert_non_null(v);
	return strdup(v);
}

static int setup(void **state)
{
	struct http_response r;
	json_t *header, *payload, *key;
	char path[4096];

	(void)state;
	svc.token = http_admin_token();
	if (!svc.token)
		return -1;
	header = forge_segment_json(svc.token, 0);
	payload = forge_segment_json(svc.token, 1);
	if (!header || !payload)
		return -1;
	svc.kid = string_member(header, "kid");
	svc.iss = string_member(payload, "iss");
	svc.aud = string_member(payload, "aud");
	svc.sub = string_member(payload, "sub");
	json_decref(header);
	json_decref(payload);

	http_call(&r, "GET", "/api/v1/.well-known/jwks.json", NULL, NULL, NULL, 0);
	key = json_array_get(json_object_get(r.json, "keys"), 0);
	if (r.status != 200 || !key)
		return -1;
	svc.public_key = forge_rsa_public_from_jwk(json_string_value(json_object_get(key, "n")),
						   json_string_value(json_object_get(key, "e")));
	http_free(&r);
	snprintf(path, sizeof(path), "%s/keys/jwt-signing.pem", test_env("CANSD_TEST_VAR_DIR"));
	svc.private_key = forge_load_private_pem(path);
	svc.attacker = forge_generate("RSA");
	svc.attacker_ec = forge_generate("EC");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(svc.token);
	free(svc.kid);
	free(svc.iss);
	free(svc.aud);
	free(svc.sub);
	EVP_PKEY_free(svc.public_key);
	EVP_PKEY_free(svc.private_key);
	EVP_PKEY_free(svc.attacker);
	EVP_PKEY_free(svc.attacker_ec);
	return 0;
}

/* ---- tokens ---- */

/* Valid claims for the admin, valid now; the caller frees the text. */
static json_t *claims_valid(void)
{
	json_int_t now = (json_int_t)time(NULL);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "iss", svc.iss, "aud",
				   svc.aud, "sub", svc.sub, "iat", now, "nbf", now, "exp",
				   now + 600, "jti", test_unique("forged-"));

	assert_non_null(claims);
	return claims;
}

static char *payload_valid(void)
{
	return forge_json_text(claims_valid());
}

/* Signed by the service's own key: only what the test changed can be wrong. */
static char *signed_by_us(const char *header, const char *payload)
{
	return forge_sign(header, payload, FORGE_RS256, svc.private_key);
}

/* ---- the checks ---- */

static void assert_no_leak(const struct http_response *r)
{
	static const char *const leaks[] = {"SQLSTATE",  "ERROR:",  "postgres", "libpq",
					    ".c:",       "/work/",  "/tmp/",    "syntax error",
					    "relation ", "column ", "violates", "stack"};

	for (size_t i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++)
		if (strstr(r->body, leaks[i])) {
			fprintf(stderr, "body leaks \"%s\": %s\n", leaks[i], r->body);
			fail();
		}
}

struct refusals {
	long long count[N_REASONS];
};

static void read_refusals(struct refusals *out)
{
	for (size_t i = 0; i < N_REASONS; i++) {
		char series[128];

		snprintf(series, sizeof(series), "cansd_jwt_refused_total{reason=\"%s\"}",
			 reasons[i]);
		out->count[i] = metric_value(series);
		if (out->count[i] < 0)
			fail_msg("/metrics has no %s", series);
	}
}

static void assert_refused_401(const struct http_response *r, const char *what)
{
	char *challenge = http_header(r, "WWW-Authenticate");

	if (r->status != 401)
		fprintf(stderr, "%s: expected 401, got %ld: %s\n", what, r->status, r->body);
	assert_int_equal(r->status, 401);
	assert_string_equal(http_problem(r), "unauthenticated");
	assert_bearer_challenge(challenge, true);
	assert_no_leak(r);
	free(challenge);
}

/* Exactly one refusal, counted under reason and nothing else. */
static void assert_counted(const struct refusals *before, const struct refusals *after,
			   const char *reason, const char *what)
{
	for (size_t i = 0; i < N_REASONS; i++) {
		long long want = strcmp(reasons[i], reason) == 0 ? 1 : 0;

		if (after->count[i] - before->count[i] != want) {
			fprintf(stderr, "%s: reason %s rose by %lld, expected %lld (refusal %s)\n",
				what, reasons[i], after->count[i] - before->count[i], want, reason);
			fail();
		}
	}
}

/* Sends token to GET /api/v1/me; frees it. */
static void expect_refused(char *token, const char *reason, const char *what)
{
	struct refusals before, after;
	struct http_response r;

	read_refusals(&before);
	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	assert_refused_401(&r, what);
	read_refusals(&after);
	assert_counted(&before, &after, reason, what);
	http_free(&r);
	free(token);
}

static void expect_accepted(char *token, const char *what)
{
	struct http_response r;

	http_call(&r, "GET", "/api/v1/me", token, NULL, NULL, 0);
	if (r.status != 200)
		fprintf(stderr, "%s: expected 200, got %ld: %s\n", what, r.status, r.body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")), svc.sub);
	http_free(&r);
	free(token);
}

/* ---- a token of the right shape is accepted: the refusals below mean something ---- */

static void test_forged_token_signed_with_our_key_is_accepted(void **state)
{
	char *header = forge_header_json("RS256", svc.kid), *payload = payload_valid();

	(void)state;
	expect_accepted(signed_by_us(header, payload), "our key, valid claims");
	free(header);
	free(payload);
}

/* ---- algorithm ---- */

static void test_alg_none_in_any_case_is_refused_with_and_without_trailing_dot(void **state)
{
	const char *const nones[] = {"none", "None", "NONE", "nOnE"};
	char *payload = payload_valid();

	(void)state;
	for (size_t i = 0; i < sizeof(nones) / sizeof(nones[0]); i++) {
		char *header = forge_header_json(nones[i], svc.kid);
		char *input = forge_signing_input(header, payload);
		char *dotted = malloc(strlen(input) + 2);

		sprintf(dotted, "%s.", input);
		expect_refused(dotted, "alg", nones[i]);
		/* Two segments are not a JWS at all. */
		expect_refused(input, "malformed", nones[i]);
		free(header);
	}
	free(payload);
}

static void test_hs256_keyed_with_our_public_key_pem_and_der_is_refused(void **state)
{
	char *header = forge_header_json("HS256", svc.kid), *payload = payload_valid();
	size_t pem_len, der_len;
	char *pem = forge_public_pem(svc.public_key, &pem_len);
	unsigned char *der = forge_public_der(svc.public_key, &der_len);

	(void)state;
	expect_refused(forge_hs256(header, payload, (unsigned char *)pem, pem_len), "alg",
		       "HS256 keyed with the PEM");
	/* Without the final newline, as some libraries read a key file. */
	expect_refused(forge_hs256(header, payload, (unsigned char *)pem, pem_len - 1), "alg",
		       "HS256 keyed with the PEM, no newline");
	expect_refused(forge_hs256(header, payload, der, der_len), "alg",
		       "HS256 keyed with the DER");
	free(pem);
	free(der);
	free(header);
	free(payload);
}

static void test_algorithms_other_than_the_pinned_one_are_refused(void **state)
{
	char *payload = payload_valid();
	char *rs384 = forge_header_json("RS384", svc.kid),
	     *ps256 = forge_header_json("PS256", svc.kid);

	(void)state;
	/* Correctly signed for what they claim, by a key of ours or the attacker's. */
	expect_refused(forge_sign(rs384, payload, FORGE_RS384, svc.attacker), "alg", "RS384");
	expect_refused(forge_sign(ps256, payload, FORGE_PS256, svc.attacker), "alg", "PS256");
	expect_refused(forge_sign(rs384, payload, FORGE_RS384, svc.private_key), "alg",
		       "RS384 by our key");
	expect_refused(forge_sign(ps256, payload, FORGE_PS256, svc.private_key), "alg",
		       "PS256 by our key");
	free(rs384);
	free(ps256);
	free(payload);
}

/* CVE-2022-21449 shape, under our kid: our key is RSA, so ES256 is the wrong alg before all. */
static void test_es256_under_our_rsa_kid_is_refused_as_alg(void **state)
{
	char *header = forge_header_json("ES256", svc.kid), *payload = payload_valid();
	unsigned char zeros[64] = {0};

	(void)state;
	expect_refused(forge_with_signature(header, payload, zeros, sizeof(zeros)), "alg",
		       "ES256 r = s = 0");
	expect_refused(forge_sign(header, payload, FORGE_ES256, svc.attacker_ec), "alg",
		       "ES256 by the attacker's EC key");
	free(header);
	free(payload);
}

/* ---- kid ---- */

static void expect_kid_refused(const char *kid_json, const char *reason, const char *what)
{
	char *header = malloc(strlen(kid_json) + 64), *payload = payload_valid();

	sprintf(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":%s}", kid_json);
	expect_refused(signed_by_us(header, payload), reason, what);
	free(header);
	free(payload);
}

static void test_kid_path_sql_nul_missing_or_10_kb_is_refused(void **state)
{
	char *long_kid = malloc(10 * 1024 + 3), *with_nul = malloc(strlen(svc.kid) + 16);
	char *payload = payload_valid();

	(void)state;
	expect_kid_refused("\"../../../../etc/passwd\"", "kid", "kid path");
	expect_kid_refused("\"/dev/null\"", "kid", "kid absolute path");
	expect_kid_refused("\"x' UNION SELECT 'secret' --\"", "kid", "kid SQL");
	expect_kid_refused("\"1; DROP TABLE cansd.users; --\"", "kid", "kid SQL statement");
	/* Our own kid with a NUL after it must not match it the way a C string would. */
	sprintf(with_nul, "\"%s\\u0000\"", svc.kid);
	expect_kid_refused(with_nul, "kid", "our kid + NUL");
	expect_kid_refused("\"a\\u0000b\"", "kid", "kid with NUL");
	expect_kid_refused("\"no-such-key\"", "kid", "unknown kid");
	long_kid[0] = '"';
	memset(long_kid + 1, 'k', 10 * 1024);
	strcpy(long_kid + 1 + 10 * 1024, "\"");
	/* 10 KB of kid cannot fit in 8 KiB of token: refused on length, before any parsing. */
	expect_kid_refused(long_kid, "too_long", "kid of 10 KB");
	expect_refused(signed_by_us("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload), "kid",
		       "kid missing");
	free(long_kid);
	free(with_nul);
	free(payload);
}

/* ---- jku, x5u, jwk, x5c: never fetched, never used ---- */

/*
 * An attacker's key server on a loopback port: it serves the attacker's JWKS
 * to whoever connects, and counts them. The service must never be one.
 */
struct trap {
	int fd;
	int port;
	int connections;
	int stop;
	char *response;
	pthread_t thread;
};

static void *trap_serve(void *arg)
{
	struct trap *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_SEQ_CST)) {
		struct pollfd p = {.fd = t->fd, .events = POLLIN};
		char request[4096];
		int client;

		if (poll(&p, 1, 50) != 1)
			continue;
		client = accept(t->fd, NULL, NULL);
		if (client < 0)
			continue;
		__atomic_add_fetch(&t->connections, 1, __ATOMIC_SEQ_CST);
		if (read(client, request, sizeof(request)) < 0) {
			/* nothing to answer */
		}
		if (write(client, t->response, strlen(t->response)) < 0) {
			/* the peer left */
		}
		close(client);
	}
	return NULL;
}

static void trap_start(struct trap *t)
{
	json_t *jwks = json_pack("{s:[o]}", "keys", forge_rsa_jwk(svc.attacker, "attacker-1"));
	char *body = forge_json_text(jwks);

	memset(t, 0, sizeof(*t));
	t->response = malloc(strlen(body) + 128);
	sprintf(t->response,
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n%s",
		strlen(body), body);
	free(body);
	t->fd = loopback_listen(16, &t->port);
	assert_true(t->fd >= 0);
	assert_int_equal(pthread_create(&t->thread, NULL, trap_serve, t), 0);
}

static int trap_connections(struct trap *t)
{
	return __atomic_load_n(&t->connections, __ATOMIC_SEQ_CST);
}

static void trap_stop(struct trap *t)
{
	__atomic_store_n(&t->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t->thread, NULL);
	close(t->fd);
	free(t->response);
}

/* The trap works: a client that does connect is counted and gets the attacker's JWKS. */
static void trap_self_check(struct trap *t)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char reply[8192] = "";
	ssize_t n;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_true(write(fd, "GET /jwks.json HTTP/1.1\r\n\r\n", 27) == 27);
	n = read(fd, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	assert_non_null(strstr(reply, "attacker-1"));
	close(fd);
	assert_int_equal(trap_connections(t), 1);
	__atomic_store_n(&t->connections, 0, __ATOMIC_SEQ_CST);
}

static char *header_pointing_away(const char *kid, const char *members)
{
	char *out = malloc(strlen(members) + 256);

	sprintf(out, "{\"alg\":\"RS256\",\"typ\":\"JWT\"%s%s%s,%s}", kid ? ",\"kid\":\"" : "",
		kid ? kid : "", kid ? "\"" : "", members);
	return out;
}

struct pointing_away {
	const char *kid;     /* NULL: none */
	const char *members; /* the header members that point elsewhere */
	const char *reason;
	const char *what;
};

static void test_jku_x5u_jwk_x5c_are_never_fetched_nor_used(void **state)
{
	struct trap t;
	char jku[128], x5u[128], *jwk_text, *x5c_b64, *all, *payload = payload_valid();
	unsigned char *cert;
	size_t cert_len;
	int len;
	struct pointing_away cases[7];
	size_t n_cases = 0;

	(void)state;
	trap_start(&t);
	trap_self_check(&t);
	snprintf(jku, sizeof(jku), "\"jku\":\"http://127.0.0.1:%d/jwks.json\"", t.port);
	snprintf(x5u, sizeof(x5u), "\"x5u\":\"http://127.0.0.1:%d/cert.pem\"", t.port);
	{
		char *jwk = forge_json_text(forge_rsa_jwk(svc.attacker, "attacker-1"));

		jwk_text = malloc(strlen(jwk) + 16);
		sprintf(jwk_text, "\"jwk\":%s", jwk);
		free(jwk);
	}
	cert = forge_self_signed_der(svc.attacker, &cert_len);
	x5c_b64 = malloc(cert_len * 2 + 32); /* x5c is standard base64 (RFC 7515 4.1.6) */
	strcpy(x5c_b64, "\"x5c\":[\"");
	len = EVP_EncodeBlock((unsigned char *)x5c_b64 + 8, cert, (int)cert_len);
	strcpy(x5c_b64 + 8 + len, "\"]");
	all = malloc(strlen(jku) + strlen(x5u) + strlen(jwk_text) + strlen(x5c_b64) + 8);
	sprintf(all, "%s,%s,%s,%s", jku, x5u, jwk_text, x5c_b64);

	/* Under our kid the attacker's signature fails against our key. */
	cases[n_cases++] = (struct pointing_away){svc.kid, jku, "signature", "jku, our kid"};
	cases[n_cases++] = (struct pointing_away){svc.kid, x5u, "signature", "x5u, our kid"};
	cases[n_cases++] = (struct pointing_away){svc.kid, jwk_text, "signature", "jwk, our kid"};
	cases[n_cases++] = (struct pointing_away){svc.kid, x5c_b64, "signature", "x5c, our kid"};
	/* Under the attacker's kid, or none, there is no key of ours to try. */
	cases[n_cases++] = (struct pointing_away){"attacker-1", jku, "kid", "jku, attacker's kid"};
	cases[n_cases++] =
		(struct pointing_away){"attacker-1", all, "kid", "all four, attacker's kid"};
	cases[n_cases++] = (struct pointing_away){NULL, all, "kid", "all four, no kid"};
	for (size_t i = 0; i < n_cases; i++) {
		char *header = header_pointing_away(cases[i].kid, cases[i].members);

		expect_refused(forge_sign(header, payload, FORGE_RS256, svc.attacker),
			       cases[i].reason, cases[i].what);
		free(header);
	}
	/* Requests are synchronous, but give a stray fetch every chance to show up. */
	usleep(300 * 1000);
	assert_int_equal(trap_connections(&t), 0);
	trap_stop(&t);
	free(all);
	free(x5c_b64);
	free(cert);
	free(jwk_text);
	free(payload);
}

/* ---- crit ---- */

static void test_crit_naming_anything_is_refused(void **state)
{
	const char *const crits[] = {"[\"exp\"]", "[\"b64\"]", "[\"x-cansd\"]", "[]"};
	char *payload = payload_valid();

	(void)state;
	for (size_t i = 0; i < sizeof(crits) / sizeof(crits[0]); i++) {
		char *header = malloc(strlen(svc.kid) + 128);

		sprintf(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\",\"crit\":%s}",
			svc.kid, crits[i]);
		expect_refused(signed_by_us(header, payload), "crit", crits[i]);
		free(header);
	}
	free(payload);
}

/* ---- time claims ---- */

static void test_time_claims_of_the_wrong_json_type_are_refused(void **state)
{
	const char *const names[] = {"exp", "nbf", "iat"};
	char raw[4][64];
	long long soon = (long long)time(NULL) + 600;
	char *header = forge_header_json("RS256", svc.kid);

	(void)state;
	snprintf(raw[0], sizeof(raw[0]), "\"%lld\"", soon); /* a string */
	strcpy(raw[1], "null");
	snprintf(raw[2], sizeof(raw[2]), "%lld.5", soon); /* a float */
	strcpy(raw[3], "1e308");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t j = 0; j < 4; j++) {
			char *payload = forge_json_text_with_raw(claims_valid(), names[i], raw[j]);
			char what[128];

			snprintf(what, sizeof(what), "%s = %s", names[i], raw[j]);
			expect_refused(signed_by_us(header, payload), "claim_type", what);
			free(payload);
		}
	}
	free(header);
}

static char *payload_expiring(long long seconds_from_now)
{
	long long now = (long long)time(NULL);
	json_t *claims = claims_valid();

	json_object_set_new(claims, "exp", json_integer(now + seconds_from_now));
	json_object_set_new(claims, "iat", json_integer(now + seconds_from_now - 900));
	json_object_set_new(claims, "nbf", json_integer(now + seconds_from_now - 900));
	return forge_json_text(claims);
}

static void test_exp_30_seconds_past_is_accepted_and_120_refused(void **state)
{
	char *header = forge_header_json("RS256", svc.kid);
	char *recent = payload_expiring(-30), *stale = payload_expiring(-120);

	(void)state;
	expect_accepted(signed_by_us(header, recent), "expired 30 s ago (leeway 60 s)");
	expect_refused(signed_by_us(header, stale), "expired", "expired 120 s ago");
	free(header);
	free(recent);
	free(stale);
}

static void test_nbf_120_seconds_ahead_is_refused(void **state)
{
	char *header = forge_header_json("RS256", svc.kid);
	long long now = (long long)time(NULL);
	json_t *claims = claims_valid();
	char *payload;

	(void)state;
	json_object_set_new(claims, "nbf", json_integer(now + 120));
	payload = forge_json_text(claims);
	expect_refused(signed_by_us(header, payload), "not_yet_valid", "nbf 120 s ahead");
	free(header);
	free(payload);
}

static void test_wrong_issuer_audience_or_subject_is_refused(void **state)
{
	char *header = forge_header_json("RS256", svc.kid);
	json_t *claims;

	(void)state;
	claims = claims_valid();
	json_object_set_new(claims, "iss", json_string("https://evil.example"));
	{
		char *payload = forge_json_text(claims);

		expect_refused(signed_by_us(header, payload), "issuer", "foreign iss");
		free(payload);
	}
	claims = claims_valid();
	json_object_set_new(claims, "aud", json_string("another-api"));
	{
		char *payload = forge_json_text(claims);

		expect_refused(signed_by_us(header, payload), "audience", "foreign aud");
		free(payload);
	}
	claims = claims_valid();
	json_object_set_new(claims, "sub", json_string("1 OR 1=1"));
	{
		char *payload = forge_json_text(claims);

		expect_refused(signed_by_us(header, payload), "subject", "sub not a user id");
		free(payload);
	}
	free(header);
}

/* ---- size and serialization ---- */

static void test_token_over_8_kib_is_refused_before_any_crypto(void **state)
{
	char *header = forge_header_json("RS256", svc.kid), *pad = malloc(7001), *payload, *junk;
	json_t *claims = claims_valid();

	(void)state;
	/* Correctly signed by our key: only its size is wrong. */
	memset(pad, 'p', 7000);
	pad[7000] = '\0';
	json_object_set_new(claims, "pad", json_string(pad));
	payload = forge_json_text(claims);
	{
		char *token = signed_by_us(header, payload);

		assert_true(strlen(token) > 8192);
		expect_refused(token, "too_long", "a signed token over 8 KiB");
	}
	junk = malloc(9001);
	memset(junk, 'A', 9000);
	junk[9000] = '\0';
	expect_refused(junk, "too_long", "9000 bytes of base64url");
	free(pad);
	free(payload);
	free(header);
}

static void test_json_serialized_jws_is_refused(void **state)
{
	char *header = forge_header_json("RS256", svc.kid), *payload = payload_valid();
	char *token = signed_by_us(header, payload);
	char *first = strchr(token, '.'), *second = strchr(first + 1, '.');
	size_t cap = strlen(token) + 256;
	char *flat = malloc(cap), *general = malloc(cap);

	(void)state;
	/* The very token above, valid in compact form, in the flattened and general forms. */
	snprintf(flat, cap, "{\"payload\":\"%.*s\",\"protected\":\"%.*s\",\"signature\":\"%s\"}",
		 (int)(second - first - 1), first + 1, (int)(first - token), token, second + 1);
	snprintf(general, cap,
		 "{\"payload\":\"%.*s\",\"signatures\":[{\"protected\":\"%.*s\",\"signature\":\"%"
		 "s\"}]}",
		 (int)(second - first - 1), first + 1, (int)(first - token), token, second + 1);
	expect_refused(flat, "malformed", "flattened JSON serialization");
	expect_refused(general, "malformed", "general JSON serialization");
	expect_accepted(token, "the same token, compact");
	free(header);
	free(payload);
}

/* ---- how the token travels ---- */

static void test_two_authorization_headers_are_refused(void **state)
{
	char *header = forge_header_json("RS256", svc.kid), *payload = payload_valid();
	char *token = signed_by_us(header, payload);
	char *second = malloc(strlen(token) + 32);
	const char *headers[] = {second, NULL};
	struct refusals before, after;
	struct http_response r;

	(void)state;
	/* Both valid and identical: which one would be trusted is still not ours to guess. */
	sprintf(second, "Authorization: Bearer %s", token);
	read_refusals(&before);
	http_call(&r, "GET", "/api/v1/me", token, headers, NULL, 0);
	assert_refused_401(&r, "two Authorization headers");
	read_refusals(&after);
	assert_counted(&before, &after, "malformed", "two Authorization headers");
	http_free(&r);
	free(second);
	free(token);
	free(header);
	free(payload);
}

static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) >= 0)
		found = strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return found;
}

static void test_token_in_query_string_is_refused_and_never_logged(void **state)
{
	char *header = forge_header_json("RS256", svc.kid), *payload = payload_valid();
	char *token = signed_by_us(header, payload);
	char *path = malloc(strlen(token) + 64), *log_path = malloc(4096);
	const char *signature = strrchr(token, '.') + 1;
	struct refusals before, after;
	struct http_response r;

	(void)state;
	sprintf(path, "/api/v1/me?access_token=%s", token);
	read_refusals(&before);
	http_call(&r, "GET", path, NULL, NULL, NULL, 0);
	assert_refused_401(&r, "token in the query");
	read_refusals(&after);
	assert_counted(&before, &after, "malformed", "token in the query");
	http_free(&r);
	/* Not even next to a good header. */
	http_call(&r, "GET", path, svc.token, NULL, NULL, 0);
	assert_refused_401(&r, "token in the query and the header");
	http_free(&r);

	snprintf(log_path, 4096, "%s/log/nginx-access.log", test_env("CANSD_TEST_VAR_DIR"));
	/* nginx buffers its access log and flushes it every second. */
	for (int i = 0;
	     i < 30 && !file_contains(log_path, "GET /api/v1/me?[redacted] HTTP/1.1\" 401"); i++)
		usleep(100 * 1000);
	assert_true(file_contains(log_path, "GET /api/v1/me?[redacted] HTTP/1.1\" 401"));
	assert_false(file_contains(log_path, signature));
	snprintf(log_path, 4096, "%s/log/cansd.log", test_env("CANSD_TEST_VAR_DIR"));
	assert_false(file_contains(log_path, signature));
	free(log_path);
	free(path);
	free(token);
	free(header);
	free(payload);
}

static void test_bearer_scheme_is_required(void **state)
{
	const char *basic[] = {"Authorization: Basic YWRtaW46c2VjcmV0", NULL};
	struct http_response r;
	char *challenge;

	(void)state;
	/* RFC 6750 3.1: another scheme is no bearer token, so the bare challenge. */
	http_call(&r, "GET", "/api/v1/me", NULL, basic, NULL, 0);
	assert_int_equal(r.status, 401);
	challenge = http_header(&r, "WWW-Authenticate");
	assert_bearer_challenge(challenge, false);
	free(challenge);
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_token_signed_with_our_key_is_accepted),
		cmocka_unit_test(
			test_alg_none_in_any_case_is_refused_with_and_without_trailing_dot),
		cmocka_unit_test(test_hs256_keyed_with_our_public_key_pem_and_der_is_refused),
		cmocka_unit_test(test_algorithms_other_than_the_pinned_one_are_refused),
		cmocka_unit_test(test_es256_under_our_rsa_kid_is_refused_as_alg),
		cmocka_unit_test(test_kid_path_sql_nul_missing_or_10_kb_is_refused),
		cmocka_unit_test(test_jku_x5u_jwk_x5c_are_never_fetched_nor_used),
		cmocka_unit_test(test_crit_naming_anything_is_refused),
		cmocka_unit_test(test_time_claims_of_the_wrong_json_type_are_refused),
		cmocka_unit_test(test_exp_30_seconds_past_is_accepted_and_120_refused),
		cmocka_unit_test(test_nbf_120_seconds_ahead_is_refused),
		cmocka_unit_test(test_wrong_issuer_audience_or_subject_is_refused),
		cmocka_unit_test(test_token_over_8_kib_is_refused_before_any_crypto),
		cmocka_unit_test(test_json_serialized_jws_is_refused),
		cmocka_unit_test(test_two_authorization_headers_are_refused),
		cmocka_unit_test(test_token_in_query_string_is_refused_and_never_logged),
		cmocka_unit_test(test_bearer_scheme_is_required),
	};

	return cmocka_run_group_tests_name("jwt attacks", tests, setup, teardown);
}
