/*
 * core/base64.c: the one codec. Every byte string has exactly one encoding in
 * each alphabet, so the decoder refuses everything else (a token that could
 * be varied without changing its bytes would pass a cache or a log as new).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/base64.h"

static void test_base64url_decoder_is_strict(void **state)
{
	unsigned char out[8];
	size_t len;

	(void)state;
	assert_true(base64_decode("QUJD", 4, out, sizeof(out), &len, BASE64_URL));
	assert_int_equal(len, 3);
	assert_memory_equal(out, "ABC", 3);
	assert_true(base64_decode("_-8", 3, out, sizeof(out), &len, BASE64_URL));
	assert_int_equal(len, 2);
	assert_false(base64_decode("QUJ", 3, out, 1, &len, BASE64_URL));          /* does not fit */
	assert_false(base64_decode("Q", 1, out, sizeof(out), &len, BASE64_URL));  /* 6 bits */
	assert_false(base64_decode("QR", 2, out, sizeof(out), &len, BASE64_URL)); /* bits left */
	assert_false(base64_decode("QQ==", 4, out, sizeof(out), &len, BASE64_URL)); /* padding */
	assert_false(base64_decode("+/8A", 4, out, sizeof(out), &len, BASE64_URL)); /* base64 */
	assert_true(base64_decode("", 0, out, sizeof(out), &len, BASE64_URL));
	assert_int_equal(len, 0);
}

static void test_standard_decoder_takes_padding_only_at_the_end(void **state)
{
	unsigned char out[8];
	size_t len;

	(void)state;
	assert_true(base64_decode("QQ==", 4, out, sizeof(out), &len, BASE64_STANDARD));
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 'A');
	assert_true(base64_decode("+/8A", 4, out, sizeof(out), &len, BASE64_STANDARD));
	assert_int_equal(len, 3);
	assert_memory_equal(out, "\xfb\xff\x00", 3);
	assert_false(
		base64_decode("QQ", 2, out, sizeof(out), &len, BASE64_STANDARD)); /* unpadded */
	assert_false(base64_decode("QQ=", 3, out, sizeof(out), &len, BASE64_STANDARD)); /* short */
	assert_false(
		base64_decode("Q===", 4, out, sizeof(out), &len, BASE64_STANDARD)); /* 3 pads */
	assert_false(
		base64_decode("Q=Q=", 4, out, sizeof(out), &len, BASE64_STANDARD)); /* inside */
	assert_false(base64_decode("QR==", 4, out, sizeof(out), &len, BASE64_STANDARD)); /* bits */
	assert_false(base64_decode("_-8A", 4, out, sizeof(out), &len, BASE64_STANDARD)); /* url */
	assert_false(base64_decode("QU JD", 5, out, sizeof(out), &len, BASE64_STANDARD));
}

static void test_encoders_match_rfc4648_vectors(void **state)
{
	/* RFC 4648 section 10, both alphabets. */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const standard[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
					       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t n = strlen(plain[i]);

		assert_int_equal(base64_encode(plain[i], n, out, BASE64_STANDARD),
				 strlen(standard[i]));
		assert_string_equal(out, standard[i]);
		assert_int_equal(base64_encoded_len(n, BASE64_STANDARD), strlen(standard[i]));
		assert_int_equal(base64_encode(plain[i], n, out, BASE64_URL), strlen(url[i]));
		assert_string_equal(out, url[i]);
		assert_int_equal(base64_encoded_len(n, BASE64_URL), strlen(url[i]));
	}
	assert_int_equal(base64_encode("\xfb\xff", 2, out, BASE64_URL), 3);
	assert_string_equal(out, "-_8");
}

static void test_every_byte_string_round_trips(void **state)
{
	unsigned char in[64], back[64];
	char text[100];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(in); n++)
		for (int a = 0; a < 2; a++) {
			enum base64_alphabet alphabet = a ? BASE64_STANDARD : BASE64_URL;
			size_t len = base64_encode(in, n, text, alphabet), got = 99;

			assert_true(base64_decode(text, len, back, n, &got, alphabet));
			assert_int_equal(got, n);
			assert_memory_equal(back, in, n);
		}
}

static void test_alphabet_value(void **state)
{
	(void)state;
	assert_int_equal(base64url_value('A'), 0);
	assert_int_equal(base64url_value('z'), 51);
	assert_int_equal(base64url_value('9'), 61);
	assert_int_equal(base64url_value('-'), 62);
	assert_int_equal(base64url_value('_'), 63);
	assert_int_equal(base64url_value('+'), -1);
	assert_int_equal(base64url_value('='), -1);
	assert_int_equal(base64url_value('.'), -1);
	assert_int_equal(base64url_value(0x80), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64url_decoder_is_strict),
		cmocka_unit_test(test_standard_decoder_takes_padding_only_at_the_end),
		cmocka_unit_test(test_encoders_match_rfc4648_vectors),
		cmocka_unit_test(test_every_byte_string_round_trips),
		cmocka_unit_test(test_alphabet_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
