/*
 * A CSV reader (RFC 4180) for uploaded files: quoted fields with "" escapes
 * and line breaks inside quotes, records ended by CRLF, LF or a lone CR, and
 * a leading UTF-8 byte-order mark skipped. It reads in place: quoted fields
 * are unescaped over the bytes already consumed, so a 4 MB file costs no
 * copy and no allocation. Pure: no I/O, no arena, any input is safe.
 */
#ifndef CANSD_CSV_H
#define CANSD_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct csv_reader {
	char *pos; /* the next unread byte */
	char *end;
};

struct csv_field {
	const char *data; /* not NUL-terminated; may contain any byte */
	size_t len;
};

enum csv_result {
	CSV_RECORD,    /* a record: its fields are filled in */
	CSV_BLANK,     /* an empty line: no fields */
	CSV_MALFORMED, /* a record that breaks RFC 4180; the reader skipped it */
	CSV_END,       /* no more input */
};

/* Reads data[0..len) from its start; the bytes are rewritten while reading. */
void csv_reader_init(struct csv_reader *r, char *data, size_t len);

/*
 * Reads the next record. Up to max_fields fields go to fields; *n_fields
 * gets the record's true field count even when it is larger. On
 * CSV_MALFORMED, *why says what is wrong (a static string) and the reader
 * continues after the end of that line.
 */
enum csv_result csv_next(struct csv_reader *r, struct csv_field *fields, size_t max_fields,
			 size_t *n_fields, const char **why);

/* f without leading and trailing spaces and tabs. */
struct csv_field csv_trim(struct csv_field f);

/* true when f holds exactly the NUL-terminated string s. */
bool csv_field_is(struct csv_field f, const char *s);

#endif
