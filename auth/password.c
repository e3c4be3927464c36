/*
 * Password hashing with PBKDF2-HMAC-SHA256 (OpenSSL). The stored form names
 * its own cost, so raising PASSWORD_ITERATIONS later leaves old hashes
 * verifiable. Verification parses the stored form strictly and bounds the
 * cost it may demand before deriving anything: a corrupt or hostile row makes
 * it return false, never crash or spin.
 */
#include "password.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../core/base64.h"

#define ENCODED_PREFIX "pbkdf2-sha256$"
#define SALT_LEN 16
#define SALT_MAX_LEN 64 /* a later, longer salt still verifies */
#define KEY_LEN 32      /* SHA-256 output: more would only cost the defender */
#define ITERATIONS_MIN 1000
#define ITERATIONS_MAX 10000000
#define ITERATIONS_MAX_DIGITS 8

struct password_record {
	unsigned iterations;
	unsigned char salt[SALT_MAX_LEN];
	size_t salt_len;
	unsigned char key[KEY_LEN];
};

static bool password_derive(const char *password, const unsigned char *salt, size_t salt_len,
			    unsigned iterations, unsigned char key[KEY_LEN])
{
	size_t len = strlen(password);

	if (len > INT_MAX || iterations > INT_MAX)
		return false;
	return PKCS5_PBKDF2_HMAC(password, (int)len, salt, (int)salt_len, (int)iterations,
				 EVP_sha256(), KEY_LEN, key) == 1;
}

/* Decimal digits only: no sign, space or leading zero that strtoul would forgive. */
static bool iterations_parse(const char *text, size_t len, unsigned *iterations)
{
	unsigned value = 0;

	if (len == 0 || len > ITERATIONS_MAX_DIGITS || text[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	*iterations = value;
	return value >= ITERATIONS_MIN && value <= ITERATIONS_MAX;
}

/* pbkdf2-sha256$<iterations>$<salt>$<key>, each field checked before use. */
static bool record_parse(const char *encoded, struct password_record *r)
{
	const char *field, *end;
	size_t key_len;

	if (strnlen(encoded, PASSWORD_HASH_MAX + 1) > PASSWORD_HASH_MAX ||
	    strncmp(encoded, ENCODED_PREFIX, strlen(ENCODED_PREFIX)) != 0)
		return false;
	field = encoded + strlen(ENCODED_PREFIX);
	end = strchr(field, '$');
	if (!end || !iterations_parse(field, (size_t)(end - field), &r->iterations))
		return false;
	field = end + 1;
	end = strchr(field, '$');
	if (!end ||
	    !base64_decode(field, (size_t)(end - field), r->salt, sizeof(r->salt), &r->salt_len,
			   BASE64_STANDARD) ||
	    r->salt_len < SALT_LEN)
		return false;
	field = end + 1;
	return base64_decode(field, strlen(field), r->key, sizeof(r->key), &key_len,
			     BASE64_STANDARD) &&
	       key_len == KEY_LEN;
}

int password_hash(const char *password, unsigned iterations, char *out, size_t outlen)
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	unsigned char salt_text[(SALT_LEN + 2) / 3 * 4 + 1], key_text[(KEY_LEN + 2) / 3 * 4 + 1];
	int n, rc = -1;

	if (!password || !out || iterations < ITERATIONS_MIN || iterations > ITERATIONS_MAX)
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    !password_derive(password, salt, sizeof(salt), iterations, key))
		goto out;
	base64_encode(salt, sizeof(salt), (char *)salt_text, BASE64_STANDARD);
	base64_encode(key, sizeof(key), (char *)key_text, BASE64_STANDARD);
	n = snprintf(out, outlen, ENCODED_PREFIX "%u$%s$%s", iterations, (const char *)salt_text,
		     (const char *)key_text);
	if (n > 0 && (size_t)n < outlen)
		rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key_text, sizeof(key_text));
	return rc;
}

bool password_verify(const char *password, const char *encoded)
{
	struct password_record record;
	unsigned char key[KEY_LEN];
	bool ok = false;

	if (!password || !encoded || !record_parse(encoded, &record))
		return false;
	if (password_derive(password, record.salt, record.salt_len, record.iterations, key))
		ok = CRYPTO_memcmp(key, record.key, KEY_LEN) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&record, sizeof(record));
	return ok;
}

void password_burn(const char *password)
{
	/* Any fixed salt does: the result is thrown away, only the time matters. */
	static const unsigned char dummy_salt[SALT_LEN] = "cansd-burn-salt";
	unsigned char key[KEY_LEN];

	if (password_derive(password ? password : "", dummy_salt, sizeof(dummy_salt),
			    PASSWORD_ITERATIONS, key))
		OPENSSL_cleanse(key, sizeof(key));
}
