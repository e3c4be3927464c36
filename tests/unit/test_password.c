/*
 * auth/password.c: PBKDF2 round trips, and stored strings that must be
 * refused with false rather than trusted, crashed on or made to spin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password.h"

/* The floor the parser accepts: keeps the tests fast. */
#define FAST_ITERATIONS 1000

static void test_hash_then_verify_round_trips(void **state)
{
	char encoded[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("correct horse", FAST_ITERATIONS, encoded, sizeof(encoded)),
			 0);
	assert_true(password_verify("correct horse", encoded));
}

static void test_hash_at_production_iterations_round_trips(void **state)
{
	char encoded[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(
		password_hash("correct horse", PASSWORD_ITERATIONS, encoded, sizeof(encoded)), 0);
	assert_non_null(strstr(encoded, "$600000$"));
	assert_true(password_verify("correct horse", encoded));
	assert_false(password_verify("correct horsf", encoded));
}

static void test_wrong_password_is_refused(void **state)
{
	char encoded[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("s3cret", FAST_ITERATIONS, encoded, sizeof(encoded)), 0);
	assert_false(password_verify("s3creT", encoded));
	assert_false(password_verify("", encoded));
	assert_false(password_verify("s3cret ", encoded));
}

static void test_encoded_form_has_prefix_iterations_salt_and_key(void **state)
{
	char encoded[PASSWORD_HASH_MAX];
	const char *salt, *key;

	(void)state;
	assert_int_equal(password_hash("pw", FAST_ITERATIONS, encoded, sizeof(encoded)), 0);
	assert_int_equal(strncmp(encoded, "pbkdf2-sha256$1000$", 19), 0);
	salt = encoded + 19;
	key = strchr(salt, '$');
	assert_non_null(key);
	assert_int_equal(key - salt, 24);      /* 16 bytes */
	assert_int_equal(strlen(key + 1), 44); /* 32 bytes */
	assert_null(strchr(encoded, '\n'));
}

static void test_same_password_hashes_differ_by_salt(void **state)
{
	char first[PASSWORD_HASH_MAX], second[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("same", FAST_ITERATIONS, first, sizeof(first)), 0);
	assert_int_equal(password_hash("same", FAST_ITERATIONS, second, sizeof(second)), 0);
	assert_string_not_equal(first, second);
	assert_true(password_verify("same", first));
	assert_true(password_verify("same", second));
}

static void test_empty_password_round_trips(void **state)
{
	char encoded[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("", FAST_ITERATIONS, encoded, sizeof(encoded)), 0);
	assert_true(password_verify("", encoded));
	assert_false(password_verify("x", encoded));
}

static void test_hash_refuses_iterations_out_of_bounds(void **state)
{
	char encoded[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("pw", 999, encoded, sizeof(encoded)), -1);
	assert_int_equal(password_hash("pw", 10000001, encoded, sizeof(encoded)), -1);
}

static void test_hash_refuses_too_small_buffer(void **state)
{
	char encoded[40];

	(void)state;
	assert_int_equal(password_hash("pw", FAST_ITERATIONS, encoded, sizeof(encoded)), -1);
	assert_int_equal(password_hash(NULL, FAST_ITERATIONS, encoded, sizeof(encoded)), -1);
}

/* A valid record for "pw", edited one field at a time below. */
static void valid_record(char *encoded)
{
	assert_int_equal(password_hash("pw", FAST_ITERATIONS, encoded, PASSWORD_HASH_MAX), 0);
	assert_true(password_verify("pw", encoded));
}

static void test_malformed_prefix_is_refused(void **state)
{
	char encoded[PASSWORD_HASH_MAX], edited[PASSWORD_HASH_MAX * 2];
	const char *const prefixes[] = {
		"pbkdf2-sha1$", "PBKDF2-SHA256$", "pbkdf2_sha256$", "$pbkdf2-sha256$", "",
		"bcrypt$"};

	(void)state;
	valid_record(encoded);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(edited, sizeof(edited), "%s%s", prefixes[i], encoded + 14);
		assert_false(password_verify("pw", edited));
	}
}

static void test_malformed_iterations_are_refused(void **state)
{
	char encoded[PASSWORD_HASH_MAX], edited[PASSWORD_HASH_MAX * 2];
	const char *const counts[] = {
		"999",   "10000001",  "-1000", "+1000", " 1000",
		"1000 ", "01000",     "1e4",   "",      "99999999999999999999",
		"0",     "4294968296"};
	const char *rest;

	(void)state;
	valid_record(encoded);
	rest = strchr(encoded + 14, '$');
	assert_non_null(rest);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		snprintf(edited, sizeof(edited), "pbkdf2-sha256$%s%s", counts[i], rest);
		assert_false(password_verify("pw", edited));
	}
}

static void test_malformed_base64_is_refused(void **state)
{
	char encoded[PASSWORD_HASH_MAX], edited[PASSWORD_HASH_MAX * 2];
	const char *salt, *key;

	(void)state;
	valid_record(encoded);
	salt = encoded + 19;
	key = strchr(salt, '$') + 1;
	/* salt: bad alphabet, whitespace, missing padding, too short, empty */
	snprintf(edited, sizeof(edited), "pbkdf2-sha256$1000$!!!!AAAAAAAAAAAAAAAAAAAA$%s", key);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "pbkdf2-sha256$1000$AAAA AAAAAAAAAAAAAAAAAAA$%s", key);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$%s", key);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "pbkdf2-sha256$1000$AAAAAAAA$%s", key);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "pbkdf2-sha256$1000$$%s", key);
	assert_false(password_verify("pw", edited));
	/* key: truncated, padding in the middle, extra field, trailing newline */
	snprintf(edited, sizeof(edited), "%.*s%.40s", (int)(key - encoded), encoded, key);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "%.*s=%s", (int)(key - encoded), encoded, key + 1);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "%s$AAAA", encoded);
	assert_false(password_verify("pw", edited));
	snprintf(edited, sizeof(edited), "%s\n", encoded);
	assert_false(password_verify("pw", edited));
}

static void test_truncated_and_absent_records_are_refused(void **state)
{
	char encoded[PASSWORD_HASH_MAX], edited[PASSWORD_HASH_MAX];
	char long_record[4096];

	(void)state;
	valid_record(encoded);
	for (size_t len = 0; len < strlen(encoded); len++) {
		memcpy(edited, encoded, len);
		edited[len] = '\0';
		assert_false(password_verify("pw", edited));
	}
	memset(long_record, 'A', sizeof(long_record) - 1);
	long_record[sizeof(long_record) - 1] = '\0';
	memcpy(long_record, "pbkdf2-sha256$1000$", 19);
	assert_false(password_verify("pw", long_record));
	assert_false(password_verify("pw", NULL));
	assert_false(password_verify(NULL, encoded));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_then_verify_round_trips),
		cmocka_unit_test(test_hash_at_production_iterations_round_trips),
		cmocka_unit_test(test_wrong_password_is_refused),
		cmocka_unit_test(test_encoded_form_has_prefix_iterations_salt_and_key),
		cmocka_unit_test(test_same_password_hashes_differ_by_salt),
		cmocka_unit_test(test_empty_password_round_trips),
		cmocka_unit_test(test_hash_refuses_iterations_out_of_bounds),
		cmocka_unit_test(test_hash_refuses_too_small_buffer),
		cmocka_unit_test(test_malformed_prefix_is_refused),
		cmocka_unit_test(test_malformed_iterations_are_refused),
		cmocka_unit_test(test_malformed_base64_is_refused),
		cmocka_unit_test(test_truncated_and_absent_records_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
