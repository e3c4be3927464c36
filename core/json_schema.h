/*
 * Declared request-body validation (Kore's habit): each body has a small
 * schema, one validator checks it and produces the errors[] of the 400, and
 * handlers never re-check types. Unknown fields are refused, which is also
 * how clients are kept from setting server-owned fields.
 */
#ifndef CANSD_JSON_SCHEMA_H
#define CANSD_JSON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "problem.h"

enum json_field_type {
	JF_STRING,  /* min/max: length in characters (UTF-8 code points) */
	JF_INTEGER, /* min/max: value */
	JF_NUMBER,  /* min/max: value */
	JF_BOOLEAN,
	JF_DATE,         /* "YYYY-MM-DD", a real calendar day */
	JF_ID,           /* a decimal id as a string */
	JF_STRING_ARRAY, /* min/max: item count; allowed applies to items */
	JF_ID_ARRAY,     /* min/max: item count */
	JF_OBJECT,       /* shape checked by the handler */
};

enum json_field_flags {
	JF_REQUIRED = 1u << 0,
	JF_NULLABLE = 1u << 1,
	JF_NOT_FUTURE = 1u << 2, /* dates: today or earlier in CANSD_TIMEZONE */
};

struct json_field {
	const char *name; /* NULL ends the schema */
	enum json_field_type type;
	unsigned flags;
	double min;
	double max;                 /* 0 and 0: no bounds */
	const char *const *allowed; /* NULL-ended list of allowed strings, or NULL */
};

#define JSON_SCHEMA_MAX_ERRORS 32

/*
 * Validates obj against fields; today is "YYYY-MM-DD" for JF_NOT_FUTURE.
 * Fills errors (up to JSON_SCHEMA_MAX_ERRORS) with strings from arena and
 * returns their count; 0 means valid.
 */
size_t json_schema_check(struct arena *arena, const json_t *obj, const struct json_field *fields,
			 const char *today, struct field_error *errors);

/* true for "YYYY-MM-DD" naming a real day (leap years included). */
bool json_is_date(const char *s);

/* Today in the process's time zone (TZ is set to CANSD_TIMEZONE at start). */
void json_today(char out[11]);

/*
 * Parses req's body as a JSON object and validates it. On success *out holds
 * the object (released with the request's arena) and 0 is returned; else the
 * status of the problem written (400 malformed-request / validation-failed).
 */
int json_body(struct request *req, const struct json_field *fields, json_t **out);

#endif
