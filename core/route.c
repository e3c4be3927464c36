#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
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

/* route_match for method, or for no method at all when method is NULL. */
static enum route_result route_find(struct request *req, const char *method,
				    const struct route *table, size_t count, const char **allow)
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
		if (method && strcmp(table[i].method, method) == 0) {
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

enum route_result route_match(struct request *req, const struct route *table, size_t count,
			      const char **allow)
{
	return route_find(req, req->method, table, count, allow);
}

enum route_result route_methods(struct request *req, const struct route *table, size_t count,
				const char **allow)
{
	return route_find(req, NULL, table, count, allow);
}

int route_call_arity(const struct route_call *call)
{
	int n = 3; /* the actor, request id and client address */
	const struct route_arg *arg;

	for (arg = call->args; arg && arg->kind != ARG_END; arg++)
		n++;
	return n;
}

int route_declare_functions(const struct route *table, size_t count, char *err, size_t errlen)
{
	/* Lives as long as the process: every connect prepares from it. */
	struct db_function *functions = calloc(count ? count : 1, sizeof(*functions));
	size_t i, j, n = 0;

	if (!functions) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < count; i++) {
		const struct route_call *call = table[i].call;
		char *origin;
		bool known = false;

		if (!call)
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(functions[j].name, call->function) != 0)
				continue;
			if (functions[j].n_args != route_call_arity(call)) {
				snprintf(err, errlen,
					 "route %s %s passes api.%s %d arguments, %s passes %d",
					 table[i].method, table[i].path, call->function,
					 route_call_arity(call), functions[j].origin,
					 functions[j].n_args);
				free(functions);
				return -1;
			}
			known = true;
		}
		if (known)
			continue;
		origin = malloc(strlen(table[i].method) + strlen(table[i].path) + 8);
		if (!origin) {
			snprintf(err, errlen, "out of memory");
			free(functions);
			return -1;
		}
		sprintf(origin, "route %s %s", table[i].method, table[i].path);
		functions[n++] =
			(struct db_function){call->function, route_call_arity(call), origin};
	}
	db_declare_functions(functions, n);
	return 0;
}
