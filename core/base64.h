/*
 * The one base64 codec (RFC 4648): base64url without padding for JWS
 * segments, JWK members and refresh tokens (RFC 7515 section 2), and standard
 * base64 with padding for the password records' salt and key. Decoding is
 * strict in both: only the alphabet, padding only where RFC 4648 puts it
 * (standard only), zero leftover bits, so every byte string has exactly one
 * encoding and a token cannot be varied without changing its bytes.
 */
#ifndef CANSD_BASE64_H
#define CANSD_BASE64_H

#include <stdbool.h>
#include <stddef.h>

enum base64_alphabet {
	BASE64_URL,     /* "-_", no padding */
	BASE64_STANDARD /* "+/", padded with '=' to a multiple of 4 */
};

/* Characters base64_encode writes for n bytes, without the NUL. */
size_t base64_encoded_len(size_t n, enum base64_alphabet alphabet);

/*
 * Encodes n bytes into out, which holds base64_encoded_len(n) + 1 bytes;
 * NUL-terminates and returns the length.
 */
size_t base64_encode(const void *in, size_t n, char *out, enum base64_alphabet alphabet);

/*
 * Decodes len characters into out (at most cap bytes). false for anything
 * but the one canonical encoding, or when the result would exceed cap.
 */
bool base64_decode(const char *in, size_t len, unsigned char *out, size_t cap, size_t *out_len,
		   enum base64_alphabet alphabet);

/* The 6-bit value of a base64url character; -1 for any other byte. */
int base64url_value(unsigned char c);

#endif
