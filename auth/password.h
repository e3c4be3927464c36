/*
 * Password hashing: PBKDF2-HMAC-SHA256 at OWASP's 600,000 iterations, a
 * 16-byte random salt, stored self-describing so the cost can rise later:
 *   pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>
 */
#ifndef CANSD_PASSWORD_H
#define CANSD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_ITERATIONS 600000
#define PASSWORD_HASH_MAX 160

/* 0 on success; out holds the encoded hash. */
int password_hash(const char *password, unsigned iterations, char *out, size_t outlen);

/* Constant-time comparison of the derived key. false for a malformed hash. */
bool password_verify(const char *password, const char *encoded);

/* Costs what a verification costs, so an unknown user takes as long as a wrong password. */
void password_burn(const char *password);

#endif
