#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "utf8.h"

const char *problem_title(int status, const char *name)
{
	static const struct {
		const char *name;
		const char *title;
	} titles[] = {
		{PROBLEM_MALFORMED, "Malformed request"},
		{PROBLEM_VALIDATION, "Validation failed"},
		{PROBLEM_UNAUTHENTICATED, "Authentication required"},
		{PROBLEM_FORBIDDEN, "Forbidden"},
		{PROBLEM_CERTIFICATION, "Current CANS 2.0 certification required"},
		{PROBLEM_NOT_FOUND, "Not found"},
		{PROBLEM_METHOD, "Method not allowed"},
		{PROBLEM_CONFLICT, "Conflict"},
		{PROBLEM_PRECONDITION, "Precondition failed"},
		{PROBLEM_TOO_LARGE, "Payload too large"},
		{PROBLEM_MEDIA_TYPE, "Unsupported media type"},
		{PROBLEM_INCOMPLETE, "Incomplete assessment"},
		{PROBLEM_RATE_LIMITED, "Too many requests"},
		{PROBLEM_UNAVAILABLE, "Service unavailable"},
		{PROBLEM_INTERNAL, "Internal error"},
	};
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i].name, name) == 0)
			return titles[i].title;
	return status >= 500 ? "Internal error" : "Request refused";
}

/* s as a JSON string; bytes that are not UTF-8 become U+FFFD (RFC 8259 wants UTF-8). */
static json_t *text_value(struct arena *arena, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	json_t *value = json_string((const char *)p);
	struct buf clean;

	if (value)
		return value;
	buf_init(&clean, arena);
	while (*p) {
		size_t n = utf8_sequence(p, strnlen((const char *)p, 4));

		buf_append(&clean, n ? (const char *)p : "\xEF\xBF\xBD", n ? n : 3);
		p += n ? n : 1;
	}
	value = json_stringn(clean.data ? clean.data : "", clean.len);
	return value;
}

int problem_with_object(struct request *req, int status, const char *name, const char *detail,
			const json_t *extra)
{
	struct response *r = &req->response;
	json_t *body = json_object();
	char *text;

	json_object_set_new(
		body, "type",
		text_value(req->arena, arena_printf(req->arena, PROBLEM_TYPE_BASE "%s", name)));
	json_object_set_new(body, "title", text_value(req->arena, problem_title(status, name)));
	json_object_set_new(body, "status", json_integer(status));
	json_object_set_new(body, "detail", text_value(req->arena, detail));
	if (req->request_id)
		json_object_set_new(body, "request_id", text_value(req->arena, req->request_id));
	if (extra)
		json_object_update(body, (json_t *)extra);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		abort(); /* out of memory: as arena_alloc does */
	r->status = status;
	r->content_type = "application/problem+json";
	buf_init(&r->body, req->arena);
	buf_puts(&r->body, text);
	free(text);
	return status;
}

int problem_with(struct request *req, int status, const char *name, const char *detail,
		 const char *extra_json)
{
	json_t *extra = NULL;
	int rc;

	if (extra_json && *extra_json)
		extra = json_loads(arena_printf(req->arena, "{%s}", extra_json), 0, NULL);
	rc = problem_with_object(req, status, name, detail, json_is_object(extra) ? extra : NULL);
	json_decref(extra);
	return rc;
}

int problem(struct request *req, int status, const char *name, const char *detail_fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, detail_fmt);
	detail = arena_vprintf(req->arena, detail_fmt, ap);
	va_end(ap);
	return problem_with_object(req, status, name, detail, NULL);
}

int problem_errors(struct request *req, int status, const char *name, const char *detail,
		   const struct field_error *errors, size_t n_errors)
{
	json_t *extra = json_object(), *list = json_array();
	size_t i;
	int rc;

	for (i = 0; i < n_errors; i++) {
		json_t *error = json_object();

		json_object_set_new(error, "field", text_value(req->arena, errors[i].field));
		json_object_set_new(error, "code", text_value(req->arena, errors[i].code));
		json_object_set_new(error, "message", text_value(req->arena, errors[i].message));
		json_array_append_new(list, error);
	}
	json_object_set_new(extra, "errors", list);
	rc = problem_with_object(req, status, name, detail, extra);
	json_decref(extra);
	return rc;
}
