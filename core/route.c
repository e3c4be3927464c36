#include "route.h"

#include <string.h>

#include "id.h"

/*
 * Compares one template against a path segment by segment. Returns 1 on a
 * match, 0 on none, -1 when it matches but a parameter is not a valid id.
 */
static int match_template(struct request *req, const char *tmpl, const char *path, bool capture)
{
	int n_params = 0;
	bool bad = false;

	while (*tmpl && *path) {
		const char *t_end = strchr(tmpl + 1, '/');
		const char *p_end = strchr(path + 1, '/');
		size_t t_len = t_end ? (size_t)(t_end - tmpl) : strlen(tmpl);
		size_t p_len = p_end ? (size_t)(p_end - path) : strlen(path);

		if (*tmpl != '/' || *path != '/')
			return 0;
		if (t_len > 2 && tmpl[1] == '{') {
			char *value;

			if (p_len < 2 || n_params == REQUEST_MAX_PATH_PARAMS)
				return 0;
			value = url_decode(req->arena, path + 1, p_len - 1);
			if (!value || !id_valid(value))
				bad = true;
			else if (capture)
				req->path_params[n_params] = value;
			n_params++;
		} else if (t_len != p_len || strncmp(tmpl, path, t_len) != 0) {
			return 0;
		}
		tmpl += t_len;
		path += p_len;
	}
	if (*tmpl || *path)
		return 0;
	if (bad)
		return -1;
	if (capture)
		req->n_path_params = n_params;
	return 1;
}

enum route_result route_match(struct request *req, const struct route *table, size_t count,
			      const char **allow)
{
	struct buf methods;
	bool path_known = false, bad_param = false;
	size_t i;

	buf_init(&methods, req->arena);
	for (i = 0; i < count; i++) {
		int m = match_template(req, table[i].path, req->path, false);

		if (m == 0)
			continue;
		if (m < 0) {
			bad_param = true;
			continue;
		}
		path_known = true;
		if (strcmp(table[i].method, req->method) == 0) {
			match_template(req, table[i].path, req->path, true);
			req->route = &table[i];
			return ROUTE_FOUND;
		}
		if (!strstr(methods.data ? methods.data : "", table[i].method)) {
			if (methods.len)
				buf_puts(&methods, ", ");
			buf_puts(&methods, table[i].method);
			/* Every GET row answers HEAD too (the dispatcher routes HEAD as GET). */
			if (strcmp(table[i].method, "GET") == 0)
				buf_puts(&methods, ", HEAD");
		}
	}
	if (path_known) {
		*allow = methods.data;
		return ROUTE_METHOD_NOT_ALLOWED;
	}
	return bad_param ? ROUTE_BAD_PARAM : ROUTE_NOT_FOUND;
}
