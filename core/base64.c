#include "base64.h"

#include <stdint.h>

static const char url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char standard_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(unsigned char c, enum base64_alphabet alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (alphabet == BASE64_URL ? '-' : '+'))
		return 62;
	if (c == (alphabet == BASE64_URL ? '_' : '/'))
		return 63;
	return -1;
}

int base64url_value(unsigned char c)
{
	return value_of(c, BASE64_URL);
}

size_t base64_encoded_len(size_t n, enum base64_alphabet alphabet)
{
	if (alphabet == BASE64_STANDARD)
		return (n + 2) / 3 * 4;
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t base64_encode(const void *in, size_t n, char *out, enum base64_alphabet alphabet)
{
	const unsigned char *p = in;
	const char *digits = alphabet == BASE64_URL ? url_alphabet : standard_alphabet;
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = digits[v >> 6 & 63];
		out[o++] = digits[v & 63];
	}
	if (n - i > 0) {
		uint32_t v = (uint32_t)p[i] << 16 | (n - i == 2 ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		if (n - i == 2)
			out[o++] = digits[v >> 6 & 63];
		if (alphabet == BASE64_STANDARD) {
			if (n - i == 1)
				out[o++] = '=';
			out[o++] = '=';
		}
	}
	out[o] = '\0';
	return o;
}

bool base64_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len,
		   enum base64_alphabet alphabet)
{
	uint32_t bits = 0;
	unsigned n_bits = 0;
	size_t n = 0;

	if (alphabet == BASE64_STANDARD) {
		/* Padded to whole quanta; at most two '=', and only at the end. */
		if (len % 4 != 0)
			return false;
		if (len > 0 && in[len - 1] == '=')
			len--;
		if (len > 0 && in[len - 1] == '=')
			len--;
	}
	/* One character left over carries 6 bits: never a whole byte. */
	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > cap)
		return false;
	for (size_t i = 0; i < len; i++) {
		int value = value_of((unsigned char)in[i], alphabet);

		if (value < 0)
			return false;
		bits = (bits << 6) | (uint32_t)value;
		n_bits += 6;
		if (n_bits >= 8) {
			n_bits -= 8;
			out[n++] = (unsigned char)(bits >> n_bits);
			bits &= (1u << n_bits) - 1;
		}
	}
	/* Non-zero leftover bits would give one byte string several encodings. */
	if (bits != 0)
		return false;
	*out_len = n;
	return true;
}
