/*
 * auth/identity.c, auth_authenticate: one bearer token in Authorization and nowhere
 * else; every refusal carries the challenge RFC 6750 asks for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "auth/identity.h"
#include "auth/jwt.h"
#include "tests/support/jwt_forge.h"
#include "core/arena.h"
#include "core/request.h"

#include "tests/support/headers.h"
#include "tests/support/jwt_fixture.h"

/* ---- the Authorization header (auth/identity.c, auth_authenticate) ---- */

struct header_case {
	struct arena *arena;
	struct request req;
};

static struct request *request_with(struct header_case *c, const char *authorization, int count,
				    const char *query)
{
	c->arena = arena_new(0);
	request_init(&c->req, c->arena);
	c->req.method = "GET";
	c->req.path = "/api/v1/me";
	c->req.authorization = authorization;
	c->req.authorization_count = count;
	c->req.query = query ? query : "";
	return &c->req;
}

static const char *response_header_value(const struct request *req, const char *name)
{
	for (int i = 0; i < req->response.n_headers; i++)
		if (strcmp(req->response.headers[i].name, name) == 0)
			return req->response.headers[i].value;
	return NULL;
}

/* Refused before the verifier or the database is touched (neither exists here). */
static void expect_challenge(struct header_case *c, bool invalid_token)
{
	const char *challenge;

	assert_int_equal(auth_authenticate(&c->req), 401);
	assert_int_equal(c->req.response.status, 401);
	assert_null(c->req.identity);
	challenge = response_header_value(&c->req, "WWW-Authenticate");
	assert_bearer_challenge(challenge, invalid_token);
	arena_free(c->arena);
}

static void test_two_authorization_headers_are_refused_as_invalid_token(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->rsa, USER_ID, time(NULL), TTL);
	char *header = malloc(strlen(token) + 8);
	struct header_case c;

	/* Even a good token: with two, which one would we trust? */
	sprintf(header, "Bearer %s", token);
	request_with(&c, header, 2, NULL);
	expect_challenge(&c, true);
	free(header);
	free(token);
}

static void test_token_in_query_string_is_refused_even_beside_a_header(void **state)
{
	struct header_case c;

	(void)state;
	request_with(&c, NULL, 0, "access_token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
	expect_challenge(&c, true);
	request_with(&c, "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", 1, "a=1&access_token=x");
	expect_challenge(&c, true);
	/* The name as a client may encode it is the same name. */
	request_with(&c, NULL, 0, "access%5Ftoken=x");
	expect_challenge(&c, true);
}

static void test_no_token_or_another_scheme_gets_the_bare_challenge(void **state)
{
	struct header_case c;

	(void)state;
	request_with(&c, NULL, 0, NULL);
	expect_challenge(&c, false);
	request_with(&c, "Basic YWRtaW46c2VjcmV0", 1, NULL);
	expect_challenge(&c, false);
	/* A bearer token that is refused is invalid_token. */
	request_with(&c, "Bearer not.a.token", 1, NULL);
	expect_challenge(&c, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_authorization_headers_are_refused_as_invalid_token),
		cmocka_unit_test(test_token_in_query_string_is_refused_even_beside_a_header),
		cmocka_unit_test(test_no_token_or_another_scheme_gets_the_bare_challenge),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
