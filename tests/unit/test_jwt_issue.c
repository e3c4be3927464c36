/*
 * auth/jwt_issue.c and the verifier together: tokens we issue, and tokens signed as we would, are
 * accepted; the API refuses bad arguments.
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

#include "tests/support/jwt_fixture.h"

/* ---- accepted tokens ---- */

static void test_issued_rs256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);
	struct jwt_claims claims;

	assert_non_null(token);
	assert_refusal(jwt_verify(&f->v, token, strlen(token), NOW, &claims), JWT_OK);
	assert_ptr_equal(claims.issuer, &f->v.issuers[0]);
	assert_string_equal(claims.subject, USER_ID);
	assert_int_equal(claims.exp, NOW + TTL);
	free(token);
}

static void test_issued_es256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;
	char *token = jwt_issue_access(&f->ec, "9223372036854775807", NOW, TTL);
	struct jwt_claims claims;

	assert_non_null(token);
	assert_refusal(jwt_verify(&f->v_ec, token, strlen(token), NOW, &claims), JWT_OK);
	assert_string_equal(claims.subject, "9223372036854775807");
	free(token);
}

static void test_issued_tokens_differ_by_jti(void **state)
{
	const struct fixture *f = *state;
	char *first = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);
	char *second = jwt_issue_access(&f->rsa, USER_ID, NOW, TTL);

	assert_non_null(first);
	assert_non_null(second);
	assert_string_not_equal(first, second);
	free(first);
	free(second);
}

static void test_issue_refuses_bad_arguments(void **state)
{
	const struct fixture *f = *state;

	assert_null(jwt_issue_access(&f->rsa, NULL, NOW, TTL));
	assert_null(jwt_issue_access(&f->rsa, "", NOW, TTL));
	assert_null(jwt_issue_access(&f->rsa, USER_ID, NOW, 0));
	assert_null(jwt_issue_access(NULL, USER_ID, NOW, TTL));
}

static void test_hand_signed_rs256_token_is_accepted(void **state)
{
	const struct fixture *f = *state;

	expect(&f->v, ours_rs256(f, claims_ours()), JWT_OK);
}

static void test_typ_at_jwt_in_any_case_is_accepted(void **state)
{
	const struct fixture *f = *state;
	const char *const typs[] = {"JWT", "jwt", "at+jwt", "AT+JWT"};
	char header[256], *payload = forge_json_text(claims_ours());

	for (size_t i = 0; i < sizeof(typs) / sizeof(typs[0]); i++) {
		snprintf(header, sizeof(header),
			 "{\"alg\":\"RS256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typs[i], f->rsa.kid);
		expect(&f->v, ours_rs256_text(f, header, payload), JWT_OK);
	}
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", f->rsa.kid);
	expect(&f->v, ours_rs256_text(f, header, payload), JWT_OK);
	free(payload);
}

/* ---- API edges ---- */

static void test_refusal_names_are_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < JWT_REFUSAL_COUNT; i++) {
		assert_non_null(jwt_refusal_name((enum jwt_refusal)i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(jwt_refusal_name((enum jwt_refusal)i),
						jwt_refusal_name((enum jwt_refusal)j));
	}
	assert_string_equal(jwt_refusal_name(JWT_REFUSAL_COUNT), "unknown");
	assert_string_equal(jwt_refusal_name((enum jwt_refusal) - 1), "unknown");
}

static void test_verify_refuses_null_arguments(void **state)
{
	const struct fixture *f = *state;
	struct jwt_claims claims;

	assert_refusal(jwt_verify(NULL, "a.b.c", 5, NOW, &claims), JWT_REFUSED_MALFORMED);
	assert_refusal(jwt_verify(&f->v, NULL, 5, NOW, &claims), JWT_REFUSED_MALFORMED);
	assert_refusal(jwt_verify(&f->v, "a.b.c", 5, NOW, NULL), JWT_REFUSED_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_rs256_token_is_accepted),
		cmocka_unit_test(test_issued_es256_token_is_accepted),
		cmocka_unit_test(test_issued_tokens_differ_by_jti),
		cmocka_unit_test(test_issue_refuses_bad_arguments),
		cmocka_unit_test(test_hand_signed_rs256_token_is_accepted),
		cmocka_unit_test(test_typ_at_jwt_in_any_case_is_accepted),
		cmocka_unit_test(test_refusal_names_are_distinct),
		cmocka_unit_test(test_verify_refuses_null_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
