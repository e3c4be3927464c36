/*
 * The one UTF-8 check (RFC 3629): well-formed sequences only, so overlong
 * forms, surrogates (U+D800..U+DFFF) and code points past U+10FFFF are
 * refused wherever text enters (CSV fields) or leaves (JSON strings we write).
 */
#ifndef CANSD_UTF8_H
#define CANSD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the well-formed sequence at p, of at most avail bytes; 0 when none. */
size_t utf8_sequence(const unsigned char *p, size_t avail);

/* true when s[0..len) is well-formed UTF-8 with no NUL byte. */
bool utf8_valid(const char *s, size_t len);

/* Code points in the NUL-terminated s, which is well-formed UTF-8 (jansson's strings are). */
size_t utf8_length(const char *s);

#endif
