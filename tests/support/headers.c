#include "headers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

int header_count(const char *headers, const char *name)
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

bool has_header_prefix(const char *headers, const char *prefix)
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

void assert_header(const struct http_response *r, const char *name, const char *want)
{
	char *v = http_header(r, name);

	if (!v || strcmp(v, want) != 0)
		fprintf(stderr, "%s: want \"%s\", got \"%s\" (status %ld)\n", name, want,
			v ? v : "(none)", r->status);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

void assert_bearer_challenge(const char *challenge, bool invalid_token)
{
	assert_non_null(challenge);
	assert_int_equal(strncmp(challenge, "Bearer", 6), 0);
	if (invalid_token)
		assert_non_null(strstr(challenge, "error=\"invalid_token\""));
	else
		assert_null(strstr(challenge, "error="));
}

void assert_hygienic_headers(const struct http_response *r, const char *what)
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
