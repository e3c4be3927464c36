/*
 * The one parser of the decimal numbers the API takes as text: row ids (path
 * parameters, ?...=id, JSON id fields, our tokens' sub, cursors) and small
 * counts (limit, an ETag's version). Digits only: no sign, space, exponent or
 * hex that strtoll would forgive, so what we check is what PostgreSQL reads.
 */
#ifndef CANSD_ID_H
#define CANSD_ID_H

#include <stdbool.h>
#include <stddef.h>

/* Digits of the largest bigint, 9223372036854775807. */
#define ID_MAX_DIGITS 19

/* true when s is 1..max_digits decimal digits and nothing else. */
bool id_digits(const char *s, size_t max_digits);

/* true when s is a decimal id that fits a PostgreSQL bigint (0..2^63-1). */
bool id_valid(const char *s);

#endif
