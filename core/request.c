#include "request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void request_init(struct request *req, struct arena *arena)
{
	memset(req, 0, sizeof(*req));
	req->arena = arena;
	req->query = "";
	req->content_length = -1;
	buf_init(&req->response.body, arena);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Every escape is '%' and two hex digits, and none encodes NUL: a parameter
 * that cannot be decoded is refused with the request, never taken as absent.
 */
static bool query_is_well_formed(const char *query)
{
	for (const char *p = query; *p; p++) {
		if (*p != '%')
			continue;
		if (hex_value(p[1]) < 0 || hex_value(p[2]) < 0 || (p[1] == '0' && p[2] == '0'))
			return false;
		p += 2;
	}
	return true;
}

/* The status nginx refused with (its /.refused-by-nginx/ locations); 0 for anything else. */
static int nginx_refusal(const char *status)
{
	if (strcmp(status, "405") == 0)
		return 405;
	if (strcmp(status, "400") == 0)
		return 400;
	return 0;
}

static const char *param_value(const char *param, const char *name)
{
	size_t n = strlen(name);

	return strncmp(param, name, n) == 0 && param[n] == '=' ? param + n + 1 : NULL;
}

static bool parse_content_length(const char *v, long *out)
{
	char *end;
	long n;

	if (!*v || !isdigit((unsigned char)*v))
		return false;
	n = strtol(v, &end, 10);
	if (*end || n < 0)
		return false;
	*out = n;
	return true;
}

int request_from_params(struct request *req, char *const *params)
{
	const char *uri = NULL;
	const char *v;
	const char *q;

	for (; params && *params; params++) {
		const char *p = *params;

		if ((v = param_value(p, "REQUEST_METHOD")))
			req->method = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "REQUEST_URI")))
			uri = v;
		else if ((v = param_value(p, "REQUEST_ID")))
			req->request_id = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "REMOTE_ADDR")))
			req->client_addr = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "CONTENT_TYPE")))
			req->content_type = *v ? arena_strdup(req->arena, v) : NULL;
		else if ((v = param_value(p, "CONTENT_LENGTH"))) {
			if (*v && !parse_content_length(v, &req->content_length))
				return 400;
		} else if ((v = param_value(p, "HTTP_AUTHORIZATION"))) {
			/* nginx passes a repeated header as a repeated parameter. */
			req->authorization_count++;
			req->authorization = arena_strdup(req->arena, v);
		} else if ((v = param_value(p, "HTTP_IF_MATCH")))
			req->if_match = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "HTTP_ACCEPT")))
			req->accept = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "HTTP_ORIGIN")))
			req->origin = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "HTTP_ACCESS_CONTROL_REQUEST_METHOD")))
			req->preflight_method = arena_strdup(req->arena, v);
		else if ((v = param_value(p, "CANSD_NGINX_REFUSED")))
			req->refused_by_nginx = nginx_refusal(v);
	}
	if (!req->method || !uri || uri[0] != '/')
		return 400;
	q = strchr(uri, '?');
	if (q) {
		req->path = arena_strndup(req->arena, uri, (size_t)(q - uri));
		req->query = arena_strdup(req->arena, q + 1);
		if (!query_is_well_formed(req->query))
			return 400;
	} else {
		req->path = arena_strdup(req->arena, uri);
	}
	if (req->content_length > REQUEST_MAX_BULK_BODY)
		req->body_too_large = true;
	return 0;
}

char *url_decode(struct arena *arena, const char *src, size_t len)
{
	char *out = arena_alloc(arena, len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return NULL;
			hi = hex_value(src[i + 1]);
			lo = hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				return NULL;
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

const char *request_query_param(struct request *req, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = req->query;

	while (p && *p) {
		const char *end = strchr(p, '&');
		const char *eq = memchr(p, '=', end ? (size_t)(end - p) : strlen(p));
		size_t key_len = eq ? (size_t)(eq - p) : (end ? (size_t)(end - p) : strlen(p));

		if (key_len == name_len && strncmp(p, name, name_len) == 0) {
			const char *value = eq ? eq + 1 : p + key_len;
			size_t value_len = end ? (size_t)(end - value) : strlen(value);

			return url_decode(req->arena, value, value_len);
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

bool request_query_has(struct request *req, const char *name)
{
	const char *p = req->query;

	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t seg = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', seg);
		const char *key = url_decode(req->arena, p, eq ? (size_t)(eq - p) : seg);

		if (key && strcmp(key, name) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

bool request_query_has_unknown(struct request *req, const char *const *allowed,
			       const char **unknown)
{
	const char *p = req->query;

	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t seg = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', seg);
		size_t key_len = eq ? (size_t)(eq - p) : seg;
		const char *const *a;
		bool known = key_len == 0; /* "a&&b" leaves empty segments: harmless */

		for (a = allowed; !known && a && *a; a++)
			known = strlen(*a) == key_len && strncmp(*a, p, key_len) == 0;
		if (!known) {
			if (unknown)
				*unknown = arena_strndup(req->arena, p, key_len);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

void response_header(struct request *req, const char *name, const char *value)
{
	struct response *r = &req->response;

	/* More headers than a response holds is our bug: answered as a 500, never a crash. */
	if (r->n_headers == RESPONSE_MAX_HEADERS) {
		r->headers_overflowed = true;
		return;
	}
	r->headers[r->n_headers].name = name;
	r->headers[r->n_headers].value = value;
	r->n_headers++;
}

int response_text(struct request *req, int status, const char *content_type, const char *text,
		  size_t len)
{
	struct response *r = &req->response;

	r->status = status;
	r->content_type = content_type;
	buf_init(&r->body, req->arena);
	buf_append(&r->body, text, len);
	return status;
}

int response_json(struct request *req, int status, const char *json, size_t len)
{
	return response_text(req, status, "application/json; charset=utf-8", json, len);
}

int response_empty(struct request *req, int status)
{
	req->response.status = status;
	req->response.content_type = NULL;
	buf_init(&req->response.body, req->arena);
	return status;
}
