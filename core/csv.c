#include "csv.h"

#include <stdint.h>
#include <string.h>

void csv_reader_init(struct csv_reader *r, char *data, size_t len)
{
	r->pos = data;
	r->end = data + len;
	/* Spreadsheets save "CSV UTF-8" with a byte-order mark. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->pos += 3;
}

static bool csv_is_eol(char c)
{
	return c == '\n' || c == '\r';
}

/* The position after the line end at p (CRLF, LF or a lone CR), if any. */
static char *csv_skip_eol(char *p, const char *end)
{
	if (p < end && *p == '\r') {
		p++;
		if (p < end && *p == '\n')
			p++;
	} else if (p < end && *p == '\n') {
		p++;
	}
	return p;
}

/*
 * Gives up on the record at p and resumes at the next line, so one bad line
 * costs one error, not the rest of the file.
 */
static enum csv_result csv_malformed(struct csv_reader *r, char *p, const char **why,
				     const char *reason)
{
	while (p < r->end && !csv_is_eol(*p))
		p++;
	r->pos = csv_skip_eol(p, r->end);
	*why = reason;
	return CSV_MALFORMED;
}

enum csv_result csv_next(struct csv_reader *r, struct csv_field *fields, size_t max_fields,
			 size_t *n_fields, const char **why)
{
	char *p = r->pos;
	const char *end = r->end;
	size_t n = 0;

	*n_fields = 0;
	*why = NULL;
	if (p >= end)
		return CSV_END;
	if (csv_is_eol(*p)) {
		r->pos = csv_skip_eol(p, end);
		return CSV_BLANK;
	}
	for (;;) {
		struct csv_field f;

		if (p < end && *p == '"') {
			/* Unescaped bytes overwrite consumed ones: w always trails p. */
			char *w = p;

			f.data = w;
			p++;
			for (;;) {
				if (p >= end) {
					r->pos = r->end;
					*why = "a quoted field is not closed";
					return CSV_MALFORMED;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			f.len = (size_t)(w - f.data);
			if (p < end && *p != ',' && !csv_is_eol(*p))
				return csv_malformed(r, p, why, "text follows a closing quote");
		} else {
			f.data = p;
			while (p < end && *p != ',' && !csv_is_eol(*p)) {
				if (*p == '"')
					return csv_malformed(r, p, why,
							     "a quote inside an unquoted field");
				p++;
			}
			f.len = (size_t)(p - f.data);
		}
		if (n < max_fields)
			fields[n] = f;
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		break;
	}
	r->pos = csv_skip_eol(p, end);
	*n_fields = n;
	return CSV_RECORD;
}

struct csv_field csv_trim(struct csv_field f)
{
	while (f.len && (f.data[0] == ' ' || f.data[0] == '\t')) {
		f.data++;
		f.len--;
	}
	while (f.len && (f.data[f.len - 1] == ' ' || f.data[f.len - 1] == '\t'))
		f.len--;
	return f;
}

bool csv_field_is(struct csv_field f, const char *s)
{
	return strlen(s) == f.len && memcmp(f.data, s, f.len) == 0;
}
