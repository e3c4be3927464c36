/*
 * API.md "HTTP hygiene" through nginx: honest status codes (405 with Allow
 * from the route table, TRACE and unknown methods included; 415; 401 with a
 * Bearer challenge), the headers every response carries and the ones none
 * does, CORS for listed origins only, error bodies that never leak
 * internals, and client addresses nginx saw, whatever the client claims.
 *
 * The last test exhausts 127.0.0.1's failed-login budget and clears it
 * again: keep it last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmocka.h>

#include "core/route.h"
#include "handlers/routes.h"
#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"

#define ORIGIN "https://app.example.test"
#define PASSWORD "correct horse battery"

/* ---- helpers ---- */

/* How often a header appears: nginx must neither drop nor duplicate the worker's. */
static int header_count(const char *headers, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (const char *line = headers; line && *line;) {
		const char *end = strstr(line, "\r\n");

		if (strncasecmp(line, name, n) == 0 && line[n] == ':')
			count++;
		line = end ? end + 2 : NULL;
	}
	return count;
}

static bool has_header_prefix(const char *headers, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *line = headers; line && *line;) {
		const char *end = strstr(line, "\r\n");

		if (strncasecmp(line, prefix, n) == 0)
			return true;
		line = end ? end + 2 : NULL;
	}
	return false;
}

static void assert_header(const struct http_response *r, const char *name, const char *want)
{
	char *v = http_header(r, name);

	if (!v || strcmp(v, want) != 0)
		fprintf(stderr, "%s: want \"%s\", got \"%s\" (status %ld)\n", name, want,
			v ? v : "(none)", r->status);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static int nginx_port(void)
{
	const char *url = test_env("CANSD_TEST_BASE_URL");
	const char *colon = strrchr(url, ':');

	assert_non_null(colon);
	return atoi(colon + 1);
}

/*
 * Bytes sent as they are (what libcurl would refuse or fix): the whole answer
 * is read until nginx closes, so requests should say "Connection: close".
 */
static char *raw_exchange(const char *request, size_t len)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)nginx_port())};
	struct timeval timeout = {.tv_sec = 10};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t cap = 65536, n = 0;
	char *out = malloc(cap + 1);
	ssize_t got;

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_true(write(fd, request, len) == (ssize_t)len);
	while (n < cap && (got = read(fd, out + n, cap - n)) > 0)
		n += (size_t)got;
	close(fd);
	out[n] = '\0';
	return out;
}

/* A raw exchange as an http_response: status, header block, body. */
static void raw_call(struct http_response *out, const char *request, size_t len)
{
	char *answer = raw_exchange(request, len);
	char *blank = strstr(answer, "\r\n\r\n");

	memset(out, 0, sizeof(*out));
	assert_int_equal(strncmp(answer, "HTTP/1.1 ", 9), 0);
	out->status = atol(answer + 9);
	assert_non_null(blank);
	out->headers = strndup(answer, (size_t)(blank - answer) + 2);
	out->body = strdup(blank + 4);
	out->body_len = strlen(out->body);
	out->json = json_loads(out->body, 0, NULL);
	free(answer);
}

/* ---- 405: Allow from the route table ---- */

/* The path a template names, with 1 for every parameter. */
static void concrete_path(const char *tmpl, char *out, size_t cap)
{
	size_t n = 0;

	while (*tmpl && n + 2 < cap) {
		if (*tmpl == '{') {
			out[n++] = '1';
			tmpl = strchr(tmpl, '}') + 1;
		} else {
			out[n++] = *tmpl++;
		}
	}
	out[n] = '\0';
}

/* Does template match path, a parameter matching one all-digit segment? */
static bool template_matches(const char *tmpl, const char *path)
{
	while (*tmpl && *path) {
		if (*tmpl == '{') {
			if (*path < '0' || *path > '9')
				return false;
			while (*path >= '0' && *path <= '9')
				path++;
			tmpl = strchr(tmpl, '}') + 1;
		} else if (*tmpl++ != *path++) {
			return false;
		}
	}
	return !*tmpl && !*path;
}

/* "GET, HEAD, POST": the table's methods for path, in table order, HEAD beside GET. */
static void table_allow(const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < routes_count; i++) {
		if (!template_matches(routes[i].path, path) || strstr(out, routes[i].method))
			continue;
		if (out[0])
			strncat(out, ", ", cap - strlen(out) - 1);
		strncat(out, routes[i].method, cap - strlen(out) - 1);
		if (strcmp(routes[i].method, "GET") == 0)
			strncat(out, ", HEAD", cap - strlen(out) - 1);
	}
}

static void expect_405(const char *method, const char *path, const char *allow)
{
	struct http_response r;
	char *got;

	http_call(&r, method, path, admin_token, NULL, NULL, 0);
	/*
	 * Methods nginx refuses itself are rate-limited (zone cansd_refused,
	 * 20/s, burst 100), and the table has more paths than that burst: wait
	 * as Retry-After says, then ask again.
	 */
	for (int tries = 0; r.status == 429 && tries < 10; tries++) {
		http_free(&r);
		sleep(1);
		http_call(&r, method, path, admin_token, NULL, NULL, 0);
	}
	if (r.status != 405)
		fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body);
	assert_problem(&r, 405, "method-not-allowed");
	got = http_header(&r, "Allow");
	if (!got || strcmp(got, allow) != 0)
		fprintf(stderr, "%s %s: Allow \"%s\", the table says \"%s\"\n", method, path,
			got ? got : "(none)", allow);
	assert_non_null(got);
	assert_string_equal(got, allow);
	/* Never an echo of the request. */
	assert_null(strstr(got, method));
	assert_int_equal(header_count(r.headers, "Allow"), 1);
	free(got);
	http_free(&r);
}

static void test_every_path_refuses_other_methods_with_allow_from_the_table(void **state)
{
	/* TRACE and CONNECT are refused by nginx itself, before any location. */
	static const char *const methods[] = {"GET",   "POST",    "PUT",      "PATCH", "DELETE",
					      "TRACE", "CONNECT", "PROPFIND", "FOO"};
	char path[512], allow[128];

	(void)state;
	for (size_t i = 0; i < routes_count; i++) {
		concrete_path(routes[i].path, path, sizeof(path));
		table_allow(path, allow, sizeof(allow));
		assert_true(allow[0] != '\0');
		for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			/* "GET" is in "GET, POST"; no table method is a part of another. */
			if (strstr(allow, methods[m]))
				continue;
			expect_405(methods[m], path, allow);
		}
	}
}

static void test_trace_on_paths_outside_the_table(void **state)
{
	struct http_response r;

	(void)state;
	/* the walk of the table above emptied the refused-request bucket: 5 s refill it */
	sleep(5);
	/* nginx's own files take GET and HEAD. */
	expect_405("TRACE", "/api/v1/openapi.yaml", "GET, HEAD");
	expect_405("POST", "/api/v1/openapi.yaml", "GET, HEAD");
	expect_405("TRACE", "/docs/", "GET, HEAD");
	/* A path nobody has is 404, whatever the method; a bad id is 400. */
	http_call(&r, "TRACE", "/api/v1/no-such-thing", NULL, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "TRACE", "/api/v1/users/abc", NULL, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	/* The hand-over is nginx's alone: its location is internal, and a client header is no
	 * param. */
	http_call(&r, "GET", "/.refused-by-nginx/method", NULL, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	{
		const char *spoof[] = {"Cansd-Nginx-Refused: 405", NULL};

		http_call(&r, "GET", "/api/v1/me", admin_token, spoof, NULL, 0);
		assert_int_equal(r.status, 200);
		http_free(&r);
	}
	/* TRACE never reaches a handler: no echo of the request, no 200. */
	http_call(&r, "TRACE", "/healthz", NULL, NULL, NULL, 0);
	assert_problem(&r, 405, "method-not-allowed");
	assert_null(strstr(r.body, "TRACE"));
	http_free(&r);
}

/* ---- 415 ---- */

static void post_with_type(struct http_response *r, const char *path, const char *type,
			   const char *body)
{
	char header[256];
	const char *headers[] = {header, NULL};

	/* "Content-Type:" with nothing after it makes libcurl send none at all. */
	snprintf(header, sizeof(header), "Content-Type:%s%s", type ? " " : "", type ? type : "");
	http_call(r, "POST", path, admin_token, headers, body, strlen(body));
}

static void test_body_of_a_type_the_endpoint_does_not_take_is_415(void **state)
{
	static const char *const refused[] = {
		"text/plain",
		"application/xml",
		"application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x",
		"application/json; charset=iso-8859-1",
		"application/jsonx",
		"application/merge-patch+json",
		"text/csv",
		NULL, /* no Content-Type at all */
	};
	static const char *const taken[] = {"application/json", "application/json; charset=utf-8",
					    "Application/JSON;charset=UTF-8"};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		post_with_type(&r, "/api/v1/users", refused[i], "{\"username\":\"x\"}");
		if (r.status != 415)
			fprintf(stderr, "Content-Type %s\n", refused[i] ? refused[i] : "(none)");
		assert_problem(&r, 415, "unsupported-media-type");
		http_free(&r);
	}
	/* The types JSON endpoints take get past 415 (to the body's own problem). */
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		post_with_type(&r, "/api/v1/users", taken[i], "{");
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
	/* The CSV import takes text/csv and nothing else. */
	post_with_type(&r, "/api/v1/training-records/import", "application/json", "{}");
	assert_problem(&r, 415, "unsupported-media-type");
	http_free(&r);
}

/* ---- 401 ---- */

static void assert_challenge(const struct http_response *r, bool invalid_token)
{
	char *challenge = http_header(r, "WWW-Authenticate");

	assert_int_equal(r->status, 401);
	assert_non_null(challenge);
	assert_int_equal(strncmp(challenge, "Bearer", 6), 0);
	if (invalid_token)
		assert_non_null(strstr(challenge, "error=\"invalid_token\""));
	else
		assert_null(strstr(challenge, "error="));
	free(challenge);
}

static void test_every_401_carries_a_bearer_challenge(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/api/v1/users", NULL, NULL, NULL, 0);
	assert_challenge(&r, false);
	http_free(&r);
	http_call(&r, "GET", "/api/v1/users", "not.a.token", NULL, NULL, 0);
	assert_challenge(&r, true);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL,
		  "{\"refresh_token\":\"spent-or-never-issued\"}");
	assert_challenge(&r, true);
	http_free(&r);
	http_json(&r, "POST", "/api/v1/auth/login", NULL,
		  "{\"username\":\"nobody-at-all\",\"password\":\"whatever it is\"}");
	assert_challenge(&r, false);
	http_free(&r);
}

/* ---- headers on every response ---- */

static void assert_hygienic_headers(const struct http_response *r, const char *what)
{
	char *server = http_header(r, "Server");
	char *id = http_header(r, "X-Request-Id");

	if (header_count(r->headers, "Cache-Control") != 1 ||
	    header_count(r->headers, "X-Content-Type-Options") != 1)
		fprintf(stderr, "%s (%ld):\n%s\n", what, r->status, r->headers);
	assert_header(r, "Cache-Control", "no-store");
	assert_header(r, "X-Content-Type-Options", "nosniff");
	assert_int_equal(header_count(r->headers, "Cache-Control"), 1);
	assert_int_equal(header_count(r->headers, "X-Content-Type-Options"), 1);
	assert_non_null(id);
	assert_int_equal(strlen(id), 32);
	assert_int_equal(header_count(r->headers, "X-Request-Id"), 1);
	/* No version anywhere: "nginx" at most. */
	if (server && strpbrk(server, "0123456789/"))
		fprintf(stderr, "%s: Server: %s\n", what, server);
	assert_true(!server || !strpbrk(server, "0123456789/"));
	assert_int_equal(header_count(r->headers, "X-Powered-By"), 0);
	free(server);
	free(id);
}

struct sample {
	long status;
	const char *method;
	const char *path;
	bool as_admin;
	const char *content_type;
	const char *body;
};

static void test_every_status_carries_no_store_nosniff_and_no_version(void **state)
{
	const char *name = test_unique("hyg"), *office_name = test_unique("hygoffice");
	char *worker = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char *office = http_create_user(admin_token, office_name, "[\"certification_office\"]",
					NULL, PASSWORD);
	char *worker_token = http_login(name, PASSWORD, NULL);
	char *office_token = http_login(office_name, PASSWORD, NULL);
	char user_path[64], create_body[512];
	const struct sample samples[] = {
		{200, "GET", "/api/v1/.well-known/jwks.json", false, NULL, NULL},
		{200, "GET", "/api/v1/me", true, NULL, NULL},
		{200, "GET", "/api/v1/openapi.yaml", false, NULL, NULL},
		{200, "GET", "/docs/", false, NULL, NULL},
		{200, "GET", "/healthz", false, NULL, NULL},
		{201, "POST", "/api/v1/users", true, "application/json", create_body},
		{400, "GET", "/api/v1/users/abc", true, NULL, NULL},
		{400, "GET", "/api/v1/users?limit=%zz", true, NULL, NULL},
		{401, "GET", "/api/v1/me", false, NULL, NULL},
		{404, "GET", "/api/v1/nothing-here", true, NULL, NULL},
		{404, "GET", "/nothing-here", false, NULL, NULL},
		{405, "DELETE", "/api/v1/me", true, NULL, NULL},
		{405, "TRACE", "/api/v1/me", true, NULL, NULL},
		{405, "POST", "/api/v1/openapi.yaml", false, "text/plain", "x"},
		{409, "POST", "/api/v1/users", true, "application/json", create_body},
		{415, "POST", "/api/v1/users", true, "text/plain", "x"},
	};
	struct http_response r;
	char *big;

	(void)state;
	assert_non_null(worker);
	assert_non_null(office);
	assert_non_null(worker_token);
	assert_non_null(office_token);
	snprintf(create_body, sizeof(create_body),
		 "{\"username\":\"%s\",\"full_name\":\"H\",\"email\":\"h@example.org\","
		 "\"roles\":[\"worker\"],\"program\":\"IPS\",\"password\":\"" PASSWORD "\"}",
		 test_unique("hygnew"));
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		char type[128];
		const char *headers[] = {type, NULL};

		snprintf(type, sizeof(type), "Content-Type: %s",
			 s->content_type ? s->content_type : "application/json");
		http_call(&r, s->method, s->path, s->as_admin ? admin_token : NULL,
			  s->body ? headers : NULL, s->body, s->body ? strlen(s->body) : 0);
		if (r.status != s->status)
			fprintf(stderr, "%s %s: %ld %s\n", s->method, s->path, r.status, r.body);
		assert_int_equal(r.status, s->status);
		assert_hygienic_headers(&r, s->path);
		http_free(&r);
	}

	/* 403 from the worker; 412 for a stale If-Match. */
	http_call(&r, "GET", "/api/v1/users", worker_token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	assert_hygienic_headers(&r, "403");
	http_free(&r);
	snprintf(user_path, sizeof(user_path), "/api/v1/users/%s", worker);
	{
		const char *headers[] = {"Content-Type: application/json", "If-Match: \"999999\"",
					 NULL};

		http_call(&r, "PATCH", user_path, admin_token, headers, "{\"full_name\":\"X\"}",
			  17);
		assert_problem(&r, 412, "precondition-failed");
		assert_hygienic_headers(&r, "412");
		http_free(&r);
	}
	/* 422 from the CSV import. */
	{
		const char *headers[] = {"Content-Type: text/csv", NULL};
		const char *csv =
			"username,training_code,completed_on,score\nnobody,NOPE,2024-13-45,x\n";

		http_call(&r, "POST", "/api/v1/training-records/import", office_token, headers, csv,
			  strlen(csv));
		assert_int_equal(r.status, 422);
		assert_hygienic_headers(&r, "422");
		http_free(&r);
	}
	/* 204: a preflight. */
	{
		const char *headers[] = {"Origin: " ORIGIN, "Access-Control-Request-Method: GET",
					 NULL};

		http_call(&r, "OPTIONS", "/api/v1/me", NULL, headers, NULL, 0);
		assert_int_equal(r.status, 204);
		assert_hygienic_headers(&r, "204");
		http_free(&r);
	}
	/* nginx's own: 413 (over 1 MiB), 414 (URI over the header buffer), 400 (bad request). */
	big = malloc(1100001);
	memset(big, ' ', 1100000);
	big[0] = '{';
	big[1099999] = '}';
	big[1100000] = '\0';
	{
		const char *headers[] = {"Content-Type: application/json", NULL};

		http_call(&r, "POST", "/api/v1/users", admin_token, headers, big, 1100000);
		assert_problem(&r, 413, "payload-too-large");
		assert_hygienic_headers(&r, "413");
		http_free(&r);
	}
	free(big);
	{
		size_t n = 20000;
		char *request = malloc(n + 128);

		strcpy(request, "GET /api/v1/me?q=");
		memset(request + strlen(request), 'a', n);
		strcpy(request + 17 + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		raw_call(&r, request, strlen(request));
		assert_int_equal(r.status, 414);
		assert_hygienic_headers(&r, "414");
		http_free(&r);
		free(request);
	}
	{
		static const char request[] = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nHost: "
					      "y\r\nConnection: close\r\n\r\n";

		raw_call(&r, request, sizeof(request) - 1);
		assert_problem(&r, 400, "malformed-request");
		assert_hygienic_headers(&r, "400 from nginx");
		http_free(&r);
	}
	free(worker);
	free(office);
	free(worker_token);
	free(office_token);
}

/* nginx's 503 while the pool is away, then the pool back as the stack started it. */
static void test_nginx_answers_503_with_the_same_headers_while_the_pool_is_down(void **state)
{
	struct http_response r;
	char *retry;

	(void)state;
	assert_int_equal(test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_stop' >/dev/null 2>&1"),
			 0);
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_problem(&r, 503, "service-unavailable");
	assert_hygienic_headers(&r, "503");
	retry = http_header(&r, "Retry-After");
	assert_non_null(retry);
	free(retry);
	http_free(&r);
	assert_int_equal(
		test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_start' >/dev/null 2>&1"), 0);
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

/* ---- CORS ---- */

static void test_cors_origins_are_configured_for_the_test_stack(void **state)
{
	(void)state;
	/* scripts/test.sh exports it; lib.sh passes every CANSD_* to the pool. */
	assert_string_equal(test_env("CANSD_CORS_ORIGINS"), ORIGIN);
}

static void test_preflight_from_a_listed_origin_is_204_with_the_exact_origin(void **state)
{
	const char *headers[] = {
		"Origin: " ORIGIN, "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: authorization, content-type, if-match", NULL};
	struct http_response r;
	char *allow_headers, *max_age;

	(void)state;
	http_call(&r, "OPTIONS", "/api/v1/users", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 204);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	assert_header(&r, "Access-Control-Allow-Methods", "GET, HEAD, POST");
	allow_headers = http_header(&r, "Access-Control-Allow-Headers");
	assert_non_null(allow_headers);
	assert_non_null(strcasestr(allow_headers, "Authorization"));
	assert_non_null(strcasestr(allow_headers, "Content-Type"));
	assert_non_null(strcasestr(allow_headers, "If-Match"));
	max_age = http_header(&r, "Access-Control-Max-Age");
	assert_non_null(max_age);
	assert_true(atoi(max_age) > 0);
	/* Each once: nginx passes the worker's headers, adds none and drops none. */
	assert_int_equal(header_count(r.headers, "Access-Control-Allow-Origin"), 1);
	assert_int_equal(header_count(r.headers, "Access-Control-Allow-Methods"), 1);
	assert_null(strstr(r.headers, "*"));
	free(allow_headers);
	free(max_age);
	http_free(&r);

	/* A path with an id: its own methods. */
	http_call(&r, "OPTIONS", "/api/v1/users/1", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 204);
	assert_header(&r, "Access-Control-Allow-Methods", "GET, HEAD, PATCH");
	http_free(&r);
}

static void test_responses_to_a_listed_origin_expose_etag_and_request_id(void **state)
{
	const char *headers[] = {"Origin: " ORIGIN, NULL};
	struct http_response r;
	char *expose;

	(void)state;
	http_call(&r, "GET", "/api/v1/users/1", admin_token, headers, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	expose = http_header(&r, "Access-Control-Expose-Headers");
	assert_non_null(expose);
	assert_non_null(strcasestr(expose, "ETag"));
	assert_non_null(strcasestr(expose, "X-Request-Id"));
	free(expose);
	http_free(&r);
	/* Errors too: a browser must be able to read a 401 to know to log in again. */
	http_call(&r, "GET", "/api/v1/me", NULL, headers, NULL, 0);
	assert_int_equal(r.status, 401);
	assert_header(&r, "Access-Control-Allow-Origin", ORIGIN);
	http_free(&r);
}

static void test_an_unlisted_origin_gets_no_access_control_header(void **state)
{
	static const char *const origins[] = {
		"https://evil.example",
		"https://app.example.test.evil.example",
		"http://app.example.test",
		"https://app.example.test:8443",
		"null",
		"*",
	};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		char origin[256];
		const char *preflight[] = {origin, "Access-Control-Request-Method: POST", NULL};
		const char *plain[] = {origin, NULL};

		snprintf(origin, sizeof(origin), "Origin: %s", origins[i]);
		http_call(&r, "OPTIONS", "/api/v1/users", NULL, preflight, NULL, 0);
		assert_int_equal(r.status, 204);
		assert_false(has_header_prefix(r.headers, "Access-Control-"));
		http_free(&r);
		http_call(&r, "GET", "/api/v1/me", admin_token, plain, NULL, 0);
		assert_int_equal(r.status, 200);
		assert_false(has_header_prefix(r.headers, "Access-Control-"));
		http_free(&r);
	}
	/* No Origin at all: no CORS either. */
	http_call(&r, "GET", "/api/v1/me", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_false(has_header_prefix(r.headers, "Access-Control-"));
	http_free(&r);
}

/* ---- error bodies ---- */

/*
 * "column " is a leak when PostgreSQL says it (column "x" of relation "y"),
 * not when the JSON parser points into the client's own body ("not valid
 * JSON (line 1, column 2)", core/json_schema.c).
 */
static bool leaks_a_column(const char *body)
{
	for (const char *p = strcasestr(body, "column "); p; p = strcasestr(p + 1, "column ")) {
		bool json_position =
			p - body >= 2 && p[-2] == ',' && p[-1] == ' ' && p[7] >= '0' && p[7] <= '9';

		if (!json_position)
			return true;
	}
	return false;
}

static void assert_no_leak(const struct http_response *r, const char *what)
{
	static const char *const leaks[] = {"SQLSTATE",  "ERROR:",   "postgres", "libpq",
					    ".c:",       "/work/",   "/tmp/",    "syntax error",
					    "relation ", "violates", "stack",    "FATAL",
					    "DETAIL:",   "HINT:",    "CONTEXT:", "pq_"};

	if (r->status >= 500)
		fprintf(stderr, "%s: %ld %s\n", what, r->status, r->body);
	assert_true(r->status < 500);
	for (size_t i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++)
		if (strcasestr(r->body, leaks[i])) {
			fprintf(stderr, "%s: the body leaks \"%s\": %s\n", what, leaks[i], r->body);
			fail();
		}
	if (leaks_a_column(r->body)) {
		fprintf(stderr, "%s: the body names a column: %s\n", what, r->body);
		fail();
	}
}

struct probe {
	const char *method;
	const char *path;
	const char *content_type; /* NULL: no body */
	const char *body;
};

static void test_error_bodies_never_leak_internals(void **state)
{
	const char *office_name = test_unique("leakoffice");
	char *office = http_create_user(admin_token, office_name, "[\"certification_office\"]",
					NULL, PASSWORD);
	char *office_token = http_login(office_name, PASSWORD, NULL);
	char records_path[128], nested[8192 + 1];
	static const char user_fields[] =
		"\"full_name\":\"Robert'); DROP TABLE cansd.users;--\",\"email\":\"a@b.c' OR "
		"'1'='1\","
		"\"roles\":[\"worker\"],\"program\":\"IPS\",\"password\":\"" PASSWORD "\"";
	char sql_user[512], sql_role[512], sql_supervisor[512], big_supervisor[512];
	const struct probe probes[] = {
		/* bodies that are not JSON, or not the JSON expected */
		{"POST", "/api/v1/users", "application/json", "{"},
		{"POST", "/api/v1/users", "application/json", "[]"},
		{"POST", "/api/v1/users", "application/json", "nul"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":}"},
		{"POST", "/api/v1/users", "application/json", "{\"a\":1} trailing"},
		{"POST", "/api/v1/users", "application/json", "\xff\xfe{}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"\xc3\x28\"}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"a\\u0000b\"}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"\\ud800\"}"},
		{"POST", "/api/v1/users", "application/json", nested},
		/* huge numbers */
		{"POST", "/api/v1/users", "application/json", "{\"username\":1e999}"},
		{"POST", "/api/v1/users", "application/json",
		 "{\"username\":99999999999999999999999999999999}"},
		{"POST", "/api/v1/auth/login", "application/json",
		 "{\"username\":\"x\",\"password\":-1e400}"},
		/* SQL in fields */
		{"POST", "/api/v1/users", "application/json", sql_user},
		{"POST", "/api/v1/users", "application/json", sql_role},
		{"POST", "/api/v1/users", "application/json", sql_supervisor},
		{"POST", "/api/v1/users", "application/json", big_supervisor},
		{"PATCH", "/api/v1/users/1", "application/json",
		 "{\"supervisor_id\":\"999999999999999999\"}"},
		{"PATCH", "/api/v1/users/1", "application/json",
		 "{\"program\":\"IPS' OR 1=1 --\"}"},
		{"PATCH", "/api/v1/users/1", "application/json", "{}"},
		{"POST", "/api/v1/auth/refresh", "application/json",
		 "{\"refresh_token\":\"' OR 1=1; --\"}"},
		{"POST", "/api/v1/auth/login", "application/json",
		 "{\"username\":\"' OR '1'='1\",\"password\":\"' OR '1'='1\"}"},
		{"POST", "/api/v1/account-requests/1/reject", "application/json",
		 "{\"reason\":\"'); DELETE FROM cansd.users; --\"}"},
		/* query parameters */
		{"GET", "/api/v1/users?limit=99999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users?limit=-1", NULL, NULL},
		{"GET", "/api/v1/users?limit=%00", NULL, NULL},
		{"GET", "/api/v1/users?cursor=1'%20OR%20'1'='1", NULL, NULL},
		{"GET", "/api/v1/users?cursor=999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users?role=worker'%3B%20DROP%20TABLE%20cansd.users%3B--", NULL,
		 NULL},
		{"GET", "/api/v1/users?active=maybe", NULL, NULL},
		{"GET", "/api/v1/users?role=%FF%FE", NULL, NULL},
		{"GET", "/api/v1/users?id=1", NULL, NULL},
		{"GET", "/api/v1/account-requests?status=pending'%20UNION%20SELECT%201--", NULL,
		 NULL},
		{"GET", "/api/v1/certifications?lapsing_within_days=1%20OR%201=1", NULL, NULL},
		{"GET", "/api/v1/certifications?lapsing_within_days=99999999999999", NULL, NULL},
		/* ids */
		{"GET", "/api/v1/users/abc", NULL, NULL},
		{"GET", "/api/v1/users/-1", NULL, NULL},
		{"GET", "/api/v1/users/0", NULL, NULL},
		{"GET", "/api/v1/users/1e5", NULL, NULL},
		{"GET", "/api/v1/users/99999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users/999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users/%31%00", NULL, NULL},
		{"GET", "/api/v1/users/1'%20OR%20'1'='1", NULL, NULL},
		{"GET", "/api/v1/users/%2e%2e%2f%2e%2e%2fetc%2fpasswd", NULL, NULL},
		{"GET", "/api/v1/training-records/%FF", NULL, NULL},
		{"PATCH", "/api/v1/training-records/999999999999999999", "application/json",
		 "{\"reason\":\"x\",\"score\":50}"},
	};
	struct http_response r;

	(void)state;
	assert_non_null(office_token);
	snprintf(records_path, sizeof(records_path), "/api/v1/users/%s/training-records", office);
	for (size_t i = 0; i < 4096; i++) {
		nested[i] = '[';
		nested[8191 - i] = ']';
	}
	nested[8192] = '\0';
	snprintf(sql_user, sizeof(sql_user),
		 "{\"username\":\"x'); DROP TABLE cansd.users; --\",%s}", user_fields);
	snprintf(sql_role, sizeof(sql_role),
		 "{\"username\":\"%s\",%s,\"roles\":[\"worker' OR 1=1 --\"]}", test_unique("leak"),
		 user_fields);
	snprintf(sql_supervisor, sizeof(sql_supervisor),
		 "{\"username\":\"%s\",\"supervisor_id\":\"1 OR 1=1\",%s}", test_unique("leak"),
		 user_fields);
	snprintf(big_supervisor, sizeof(big_supervisor),
		 "{\"username\":\"%s\",\"supervisor_id\":\"999999999999999999\",%s}",
		 test_unique("leak"), user_fields);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		char type[128], what[256];
		const char *headers[] = {type, NULL};

		snprintf(type, sizeof(type), "Content-Type: %s",
			 p->content_type ? p->content_type : "");
		snprintf(what, sizeof(what), "%s %.200s", p->method, p->path);
		http_call(&r, p->method, p->path, admin_token, p->body ? headers : NULL, p->body,
			  p->body ? strlen(p->body) : 0);
		assert_no_leak(&r, what);
		http_free(&r);
	}

	/* As the certification office: training records and the CSV import. */
	{
		static const char *const bodies[] = {
			"{\"training_code\":\"X' OR 1=1 --\",\"completed_on\":\"2024-01-01\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-02-"
			"30\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"99999-01-"
			"01\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-01-"
			"01\","
			"\"score\":1e308}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-01-"
			"01\","
			"\"score\":\"NaN\"}",
		};

		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			http_json(&r, "POST", records_path, office_token, bodies[i]);
			assert_no_leak(&r, bodies[i]);
			assert_true(r.status >= 400);
			http_free(&r);
		}
	}
	{
		static const char *const csvs[] = {
			"username,training_code,completed_on,score\n"
			"x'); DROP TABLE cansd.users; --,CANS_2_0_CERTIFICATION,2024-01-01,90\n",
			"username,training_code,completed_on,score\n\"unterminated,x,y,z\n",
			"username,training_code,completed_on,score\nadmin,CANS_2_0_CERTIFICATION,"
			"2024-01-01,99999999999999999999999\n",
			"username,training_code,completed_on,score\nadmin,CANS_2_0_CERTIFICATION,"
			"\xff\xfe,1\n",
			"not,the,header\n",
			"",
		};
		const char *headers[] = {"Content-Type: text/csv", NULL};

		for (size_t i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
			http_call(&r, "POST", "/api/v1/training-records/import", office_token,
				  headers, csvs[i], strlen(csvs[i]));
			assert_no_leak(&r, "CSV import");
			assert_true(r.status >= 400);
			http_free(&r);
		}
	}
	/* What libcurl would not send: a NUL in the query, bytes that are not UTF-8, long URLs. */
	{
		static const char nul_query[] = "GET /api/v1/users?limit=1\0 HTTP/1.1\r\nHost: "
						"x\r\nConnection: close\r\n\r\n";
		static const char not_utf8[] = "GET /api/v1/users/\xff\xfe HTTP/1.1\r\nHost: "
					       "x\r\nConnection: close\r\n\r\n";
		const size_t lengths[] = {8000, 15000, 20000};

		raw_call(&r, nul_query, sizeof(nul_query) - 1);
		assert_no_leak(&r, "NUL in the query");
		assert_int_equal(r.status, 400);
		http_free(&r);
		raw_call(&r, not_utf8, sizeof(not_utf8) - 1);
		assert_no_leak(&r, "path not UTF-8");
		assert_true(r.status >= 400);
		http_free(&r);
		for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			char *request = malloc(lengths[i] + 256);
			size_t n;

			n = (size_t)sprintf(request, "GET /api/v1/users/");
			memset(request + n, '9', lengths[i]);
			sprintf(request + n + lengths[i],
				" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
				"Connection: close\r\n\r\n",
				"x");
			raw_call(&r, request, strlen(request));
			assert_no_leak(&r, "very long URL");
			assert_true(r.status == 400 || r.status == 404 || r.status == 414);
			http_free(&r);
			free(request);
		}
	}
	/* Attack tokens (tests/integration/test_jwt_attacks.c has them all). */
	{
		static const char *const tokens[] = {
			"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
			"eyJhbGciOiJSUzI1NiIsImtpZCI6IicgT1IgJzEnPScxIn0.eyJzdWIiOiIxIn0.AAAA",
			"{\"payload\":\"eyJzdWIiOiIxIn0\",\"signature\":\"AAAA\"}",
			"' OR 1=1 --",
		};

		for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			http_call(&r, "GET", "/api/v1/me", tokens[i], NULL, NULL, 0);
			assert_no_leak(&r, tokens[i]);
			assert_int_equal(r.status, 401);
			http_free(&r);
		}
	}
	free(office);
	free(office_token);
}

/* ---- client addresses ---- */

static const char *const forwarded[] = {
	"X-Forwarded-For: 203.0.113.%d", "X-Real-IP: 198.51.100.%d",
	"Forwarded: for=192.0.2.%d",     "X-Client-IP: 203.0.113.%d",
	"True-Client-IP: 198.51.100.%d",
};
#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void test_audit_records_the_address_nginx_saw(void **state)
{
	char lines[N_FORWARDED][64], sql[256], *id, *addr;
	const char *headers[N_FORWARDED + 2];
	struct http_response r;
	char body[256];

	(void)state;
	for (size_t i = 0; i < N_FORWARDED; i++) {
		snprintf(lines[i], sizeof(lines[i]), forwarded[i], 7);
		headers[i] = lines[i];
	}
	headers[N_FORWARDED] = "Content-Type: application/json";
	headers[N_FORWARDED + 1] = NULL;
	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
		 test_env("CANSD_TEST_ADMIN_PASSWORD"));
	http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
	assert_int_equal(r.status, 200);
	id = http_header(&r, "X-Request-Id");
	assert_non_null(id);
	http_free(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT client_addr FROM cansd.audit_events WHERE request_id = '%s' AND action = "
		 "'login'",
		 id);
	addr = test_psql(sql);
	assert_string_equal(addr, "127.0.0.1");
	free(addr);
	free(id);
}

/*
 * Last: 127.0.0.1 runs out of failed logins (30 a minute). Different
 * usernames, so the per-username limit (10) never applies; rotating
 * forwarding headers, so only the peer address can be what is counted.
 * The first 25 failures are booked directly: 30 logins in a row can take
 * more than the minute on a loaded machine (each runs PBKDF2), and the
 * oldest would age out before the last.
 */
static void test_rotating_forwarded_headers_cannot_escape_the_login_limit(void **state)
{
	char lines[N_FORWARDED][64], body[256], *retry, *count;
	const char *headers[N_FORWARDED + 2];
	struct http_response r;
	int i;

	(void)state;
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	free(test_psql(
		"INSERT INTO cansd.login_failures (username, client_addr) "
		"SELECT 'rotating-booked-' || g, '127.0.0.1' FROM generate_series(1, 25) g"));
	headers[N_FORWARDED] = "Content-Type: application/json";
	headers[N_FORWARDED + 1] = NULL;
	for (i = 25; i <= 30; i++) {
		for (size_t h = 0; h < N_FORWARDED; h++) {
			snprintf(lines[h], sizeof(lines[h]), forwarded[h], i + 1);
			headers[h] = lines[h];
		}
		snprintf(body, sizeof(body),
			 "{\"username\":\"%s\",\"password\":\"wrong password\"}",
			 test_unique("rotating"));
		http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
		if (i < 30) {
			assert_int_equal(r.status, 401);
		} else {
			assert_problem(&r, 429, "rate-limited");
			assert_hygienic_headers(&r, "429");
			retry = http_header(&r, "Retry-After");
			assert_non_null(retry);
			assert_true(atoi(retry) > 0 && atoi(retry) <= 60);
			free(retry);
		}
		http_free(&r);
	}
	/* Every failure was booked on the address nginx saw, none on a forwarded one. */
	count = test_psql("SELECT count(*) FILTER (WHERE client_addr = '127.0.0.1') || ' ' || "
			  "count(*) FILTER (WHERE client_addr <> '127.0.0.1') "
			  "FROM cansd.login_failures WHERE username LIKE 'rotating%'");
	assert_string_equal(count, "30 0");
	free(count);
	/* The address is what is blocked: even the right password waits. */
	snprintf(body, sizeof(body), "{\"username\":\"admin\",\"password\":\"%s\"}",
		 test_env("CANSD_TEST_ADMIN_PASSWORD"));
	http_call(&r, "POST", "/api/v1/auth/login", NULL, headers, body, strlen(body));
	assert_problem(&r, 429, "rate-limited");
	http_free(&r);
	/* Leave the budget as we found it for whatever runs next. */
	free(test_psql("DELETE FROM cansd.login_failures"));
	assert_non_null((count = http_login("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), NULL)));
	free(count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_path_refuses_other_methods_with_allow_from_the_table),
		cmocka_unit_test(test_trace_on_paths_outside_the_table),
		cmocka_unit_test(test_body_of_a_type_the_endpoint_does_not_take_is_415),
		cmocka_unit_test(test_every_401_carries_a_bearer_challenge),
		cmocka_unit_test(test_every_status_carries_no_store_nosniff_and_no_version),
		cmocka_unit_test(
			test_nginx_answers_503_with_the_same_headers_while_the_pool_is_down),
		cmocka_unit_test(test_cors_origins_are_configured_for_the_test_stack),
		cmocka_unit_test(test_preflight_from_a_listed_origin_is_204_with_the_exact_origin),
		cmocka_unit_test(test_responses_to_a_listed_origin_expose_etag_and_request_id),
		cmocka_unit_test(test_an_unlisted_origin_gets_no_access_control_header),
		cmocka_unit_test(test_error_bodies_never_leak_internals),
		cmocka_unit_test(test_audit_records_the_address_nginx_saw),
		/* keep last: it spends 127.0.0.1's failed-login budget (and restores it) */
		cmocka_unit_test(test_rotating_forwarded_headers_cannot_escape_the_login_limit),
	};

	return cmocka_run_group_tests_name("hygiene", tests, admin_setup, admin_teardown);
}
