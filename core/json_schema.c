#include "json_schema.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "id.h"
#include "utf8.h"

bool json_is_date(const char *s)
{
	static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, max, i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	max = days_in[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

void json_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool in_list(const char *s, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(s, *allowed) == 0)
			return true;
	return false;
}

/* A string holding a decimal id; an embedded NUL would hide the rest from id_valid. */
static bool is_id(const json_t *v)
{
	const char *s = json_string_value(v);

	return s && strlen(s) == json_string_length(v) && id_valid(s);
}

static bool bounded(const struct json_field *f)
{
	return f->min != 0 || f->max != 0;
}

/* Returns the code and message of what is wrong with v, or NULL. */
static const char *check_value(struct arena *arena, const struct json_field *f, const json_t *v,
			       const char *today, const char **code)
{
	size_t i;

	*code = "type";
	switch (f->type) {
	case JF_STRING: {
		const char *s = json_string_value(v);
		size_t n;

		if (!s)
			return "must be a string";
		n = utf8_length(s);
		if (json_string_length(v) != strlen(s)) {
			*code = "invalid";
			return "must not contain NUL characters";
		}
		*code = "range";
		if (bounded(f) && (n < (size_t)f->min || n > (size_t)f->max))
			return arena_printf(arena, "must be %g to %g characters long", f->min,
					    f->max);
		*code = "enum";
		if (f->allowed && !in_list(s, f->allowed))
			return "is not one of the allowed values";
		return NULL;
	}
	case JF_INTEGER:
		if (!json_is_integer(v))
			return "must be an integer";
		*code = "range";
		if (bounded(f) && ((double)json_integer_value(v) < f->min ||
				   (double)json_integer_value(v) > f->max))
			return arena_printf(arena, "must be between %g and %g", f->min, f->max);
		return NULL;
	case JF_NUMBER:
		if (!json_is_number(v))
			return "must be a number";
		*code = "range";
		if (bounded(f) && (json_number_value(v) < f->min || json_number_value(v) > f->max))
			return arena_printf(arena, "must be between %g and %g", f->min, f->max);
		return NULL;
	case JF_BOOLEAN:
		return json_is_boolean(v) ? NULL : "must be true or false";
	case JF_DATE:
		if (!json_is_string(v))
			return "must be a date string YYYY-MM-DD";
		*code = "invalid";
		if (!json_is_date(json_string_value(v)))
			return "must be a real calendar date YYYY-MM-DD";
		*code = "future";
		if ((f->flags & JF_NOT_FUTURE) && today && strcmp(json_string_value(v), today) > 0)
			return "must not be in the future";
		return NULL;
	case JF_ID:
		return is_id(v) ? NULL : "must be an id (a string of digits)";
	case JF_STRING_ARRAY:
	case JF_ID_ARRAY:
		if (!json_is_array(v))
			return "must be an array";
		*code = "range";
		if (bounded(f) &&
		    (json_array_size(v) < (size_t)f->min || json_array_size(v) > (size_t)f->max))
			return arena_printf(arena, "must have %g to %g items", f->min, f->max);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *item = json_array_get(v, i);

			*code = "type";
			if (f->type == JF_ID_ARRAY && !is_id(item))
				return "items must be ids (strings of digits)";
			if (f->type == JF_STRING_ARRAY && !json_is_string(item))
				return "items must be strings";
			*code = "enum";
			if (f->type == JF_STRING_ARRAY && f->allowed &&
			    !in_list(json_string_value(item), f->allowed))
				return arena_printf(arena,
						    "item '%s' is not one of the allowed values",
						    json_string_value(item));
		}
		return NULL;
	case JF_OBJECT:
		return json_is_object(v) ? NULL : "must be an object";
	}
	return "is not valid";
}

static void add_error(struct field_error *errors, size_t *n, const char *field, const char *code,
		      const char *message)
{
	if (*n == JSON_SCHEMA_MAX_ERRORS)
		return;
	errors[*n].field = field;
	errors[*n].code = code;
	errors[*n].message = message;
	(*n)++;
}

size_t json_schema_check(struct arena *arena, const json_t *obj, const struct json_field *fields,
			 const char *today, struct field_error *errors)
{
	const char *key;
	json_t *value;
	const struct json_field *f;
	size_t n = 0;

	json_object_foreach ((json_t *)obj, key, value) {
		for (f = fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name)
			add_error(errors, &n, arena_strdup(arena, key), "unknown",
				  "is not a field of this request");
	}
	for (f = fields; f->name; f++) {
		const char *code, *message;

		value = json_object_get(obj, f->name);
		if (!value) {
			if (f->flags & JF_REQUIRED)
				add_error(errors, &n, f->name, "required", "is required");
			continue;
		}
		if (json_is_null(value)) {
			if (!(f->flags & JF_NULLABLE))
				add_error(errors, &n, f->name, "null", "must not be null");
			continue;
		}
		message = check_value(arena, f, value, today, &code);
		if (message)
			add_error(errors, &n, f->name, code, message);
	}
	return n;
}

static void decref(void *p)
{
	json_decref(p);
}

int json_body(struct request *req, const struct json_field *fields, json_t **out)
{
	struct field_error errors[JSON_SCHEMA_MAX_ERRORS];
	json_error_t error;
	char today[11];
	json_t *obj;
	size_t n;

	*out = NULL;
	if (!req->body || req->body_len == 0)
		return problem(req, 400, PROBLEM_MALFORMED, "A JSON object body is required.");
	obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &error);
	if (!obj)
		return problem(req, 400, PROBLEM_MALFORMED,
			       "The body is not valid JSON (line %d, column %d).", error.line,
			       error.column);
	arena_defer(req->arena, decref, obj);
	if (!json_is_object(obj))
		return problem(req, 400, PROBLEM_MALFORMED, "The body must be a JSON object.");
	json_today(today);
	n = json_schema_check(req->arena, obj, fields, today, errors);
	if (n)
		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The request body breaks the rules of this endpoint.", errors,
				      n);
	*out = obj;
	return 0;
}
