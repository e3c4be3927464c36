/* Checks of response headers the tests share (integration and unit). */
#ifndef CANSD_TEST_HEADERS_H
#define CANSD_TEST_HEADERS_H

#include <stdbool.h>

#include "http.h"

/*
 * How often a header appears in a raw "Name: value\r\n" block: nginx must
 * neither drop nor duplicate the worker's.
 */
int header_count(const char *headers, const char *name);

/* Whether any header line of the block starts with prefix (case-insensitive). */
bool has_header_prefix(const char *headers, const char *prefix);

/* r has header name with exactly the value want. */
void assert_header(const struct http_response *r, const char *name, const char *want);

/*
 * challenge is a WWW-Authenticate value RFC 6750 asks for: "Bearer", with
 * error="invalid_token" when a token was sent and refused, else no error.
 */
void assert_bearer_challenge(const char *challenge, bool invalid_token);

/*
 * The headers every response carries, whoever answers (worker or nginx):
 * one Cache-Control: no-store, one X-Content-Type-Options: nosniff, one
 * 32-character X-Request-Id, no version in Server, no X-Powered-By.
 */
void assert_hygienic_headers(const struct http_response *r, const char *what);

#endif
