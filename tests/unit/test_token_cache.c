/* The verified-token cache: a hit must never accept what jwt_verify would refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/token_cache.h"

#define NOW 1800000000L

struct fixture {
	struct jwt_verifier v;
	struct jwt_signer s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	EVP_PKEY *key = EVP_RSA_gen(2048);
	char path[] = "/tmp/cansd-token-cache-XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");

	PEM_write_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL);
	fclose(out);
	EVP_PKEY_free(key);
	f->v.leeway = JWT_LEEWAY_SECONDS;
	if (jwt_load_signing_key(path, "cansd", "cansd-api", &f->s, &f->v, err, sizeof(err)))
		return -1;
	unlink(path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	jwt_signer_free(&f->s);
	jwt_verifier_free(&f->v);
	free(f);
	return 0;
}

static void test_cached_token_is_accepted_again_with_the_same_claims(void **state)
{
	struct fixture *f = *state;
	char *token = jwt_issue_access(&f->s, "42", NOW, 900);
	struct jwt_claims a, b;

	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW, &a), JWT_OK);
	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW + 1, &b), JWT_OK);
	assert_string_equal(b.subject, "42");
	assert_true(a.exp == b.exp);
	free(token);
}

static void test_cached_token_still_expires(void **state)
{
	struct fixture *f = *state;
	char *token = jwt_issue_access(&f->s, "43", NOW, 900);
	struct jwt_claims c;

	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW, &c), JWT_OK);
	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW + 900 + 30, &c),
			 JWT_OK);
	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW + 900 + 120, &c),
			 JWT_REFUSED_EXPIRED);
	free(token);
}

static void test_tampered_copy_of_a_cached_token_is_refused(void **state)
{
	struct fixture *f = *state;
	char *token = jwt_issue_access(&f->s, "44", NOW, 900);
	char *dot = strchr(token, '.');
	struct jwt_claims c;

	assert_int_equal(token_cache_verify(&f->v, token, strlen(token), NOW, &c), JWT_OK);
	dot[2] = dot[2] == 'A' ? 'B' : 'A';
	assert_int_not_equal(token_cache_verify(&f->v, token, strlen(token), NOW, &c), JWT_OK);
	free(token);
}

static void test_oversized_token_is_refused_before_hashing(void **state)
{
	struct fixture *f = *state;
	size_t n = JWT_MAX_TOKEN_LEN + 1;
	char *big = malloc(n + 1);
	struct jwt_claims c;

	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(token_cache_verify(&f->v, big, n, NOW, &c), JWT_REFUSED_TOO_LONG);
	free(big);
}

/* exp is the token's: exp + leeway saturates instead of wrapping (UBSan would report it). */
static void test_expiry_arithmetic_saturates_on_huge_exp(void **state)
{
	(void)state;
	assert_true(token_cache_fresh(LLONG_MAX, JWT_LEEWAY_SECONDS, NOW));
	assert_true(token_cache_fresh(LLONG_MAX - 1, JWT_LEEWAY_SECONDS, LLONG_MAX));
	assert_false(token_cache_fresh(LLONG_MIN, JWT_LEEWAY_SECONDS, NOW));
	assert_false(token_cache_fresh(LLONG_MIN + 1, -JWT_LEEWAY_SECONDS, NOW));
	assert_true(token_cache_fresh(NOW, JWT_LEEWAY_SECONDS, NOW + JWT_LEEWAY_SECONDS));
	assert_false(token_cache_fresh(NOW, JWT_LEEWAY_SECONDS, NOW + JWT_LEEWAY_SECONDS + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_token_is_accepted_again_with_the_same_claims),
		cmocka_unit_test(test_cached_token_still_expires),
		cmocka_unit_test(test_tampered_copy_of_a_cached_token_is_refused),
		cmocka_unit_test(test_oversized_token_is_refused_before_hashing),
		cmocka_unit_test(test_expiry_arithmetic_saturates_on_huge_exp),
	};

	return cmocka_run_group_tests_name("token cache", tests, setup, teardown);
}
