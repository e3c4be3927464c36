#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

int problem_with(struct request *req, int status, const char *name, const char *detail,
		 const char *extra_json)
{
	struct response *r = &req->response;

	r->status = status;
	r->content_type = "application/problem+json";
	buf_init(&r->body, req->arena);
	buf_puts(&r->body, "{\"type\":");
	buf_json_string(&r->body, arena_printf(req->arena, PROBLEM_TYPE_BASE "%s", name));
	buf_puts(&r->body, ",\"title\":");
	buf_json_string(&r->body, problem_title(status, name));
	buf_printf(&r->body, ",\"status\":%d,\"detail\":", status);
	buf_json_string(&r->body, detail ? detail : "");
	if (req->request_id) {
		buf_puts(&r->body, ",\"request_id\":");
		buf_json_string(&r->body, req->request_id);
	}
	if (extra_json && *extra_json) {
		buf_puts(&r->body, ",");
		buf_puts(&r->body, extra_json);
	}
	buf_puts(&r->body, "}");
	return status;
}

int problem(struct request *req, int status, const char *name, const char *detail_fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, detail_fmt);
	detail = arena_vprintf(req->arena, detail_fmt, ap);
	va_end(ap);
	return problem_with(req, status, name, detail, NULL);
}

int problem_errors(struct request *req, int status, const char *name, const char *detail,
		   const struct field_error *errors, size_t n_errors)
{
	struct buf b;
	size_t i;

	buf_init(&b, req->arena);
	buf_puts(&b, "\"errors\":[");
	for (i = 0; i < n_errors; i++) {
		buf_puts(&b, i ? ",{\"field\":" : "{\"field\":");
		buf_json_string(&b, errors[i].field);
		buf_puts(&b, ",\"code\":");
		buf_json_string(&b, errors[i].code);
		buf_puts(&b, ",\"message\":");
		buf_json_string(&b, errors[i].message);
		buf_puts(&b, "}");
	}
	buf_puts(&b, "]");
	return problem_with(req, status, name, detail, b.data);
}
