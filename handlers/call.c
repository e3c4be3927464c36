/*
 * The handler of every row that names its SQL function (core/route.h,
 * struct route_call): it checks what the row declares, in the order paging,
 * the other query parameters, body, If-Match, and passes the values to the
 * function's statement in the row's order. The function does the rest: the
 * rules, row-level security and the audit event, in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/db.h"
#include "../core/id.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "../core/route.h"
#include "common.h"
#include "handlers.h"

#define CALL_MAX_ARGS 16

static bool is_query(enum route_arg_kind kind)
{
	return kind == ARG_LIMIT || kind == ARG_CURSOR || kind == ARG_ID || kind == ARG_ENUM ||
	       kind == ARG_COUNT;
}

static bool count_ok(const char *s, int max)
{
	size_t digits = 1;
	int m;

	for (m = max; m >= 10; m /= 10)
		digits++;
	return id_digits(s, digits) && atoi(s) <= max;
}

/* The value of one query parameter other than paging; 0 or the 400 written. */
static int query_value(struct request *req, const struct route_arg *arg, const char **value)
{
	int status = 0;

	switch (arg->kind) {
	case ARG_ID:
		*value = query_id(req, arg->name, &status);
		return status;
	case ARG_ENUM:
		*value = query_enum(req, arg->name, arg->values, arg->refusal, &status);
		return status;
	case ARG_COUNT:
		*value = request_query_param(req, arg->name);
		if (!*value)
			*value = arg->fallback;
		else if (!count_ok(*value, arg->index))
			return problem(req, 400, PROBLEM_MALFORMED, "%s", arg->refusal);
		return 0;
	default:
		return 0;
	}
}

/* ?limit=, ?cursor= and the other query parameters the row declares, into values. */
static int query_values(struct request *req, const struct route_arg *args, const char **values)
{
	const char *allowed[CALL_MAX_ARGS + 1];
	const char *limit, *cursor;
	size_t n = 0, i;
	int status;

	for (i = 0; args[i].kind != ARG_END; i++) {
		if (args[i].kind == ARG_LIMIT)
			allowed[n++] = "limit";
		else if (args[i].kind == ARG_CURSOR)
			allowed[n++] = "cursor";
		else if (is_query(args[i].kind))
			allowed[n++] = args[i].name;
	}
	/* A row that declares no query parameter ignores the query string. */
	if (n == 0)
		return 0;
	allowed[n] = NULL;
	if ((status = page_params(req, allowed, &limit, &cursor)))
		return status;
	for (i = 0; args[i].kind != ARG_END; i++) {
		if (args[i].kind == ARG_LIMIT)
			values[i] = limit;
		else if (args[i].kind == ARG_CURSOR)
			values[i] = cursor;
		else if (is_query(args[i].kind) &&
			 (status = query_value(req, &args[i], &values[i])))
			return status;
	}
	return 0;
}

/* The body as the function takes it: validated JSON text. 0 or the 400 written. */
static int body_value(struct request *req, const struct route_call *call, const char **text)
{
	json_t *body;
	int status;

	if ((call->flags & CALL_BODY_OPTIONAL) && req->body_len == 0) {
		*text = "{}";
		return 0;
	}
	if ((status = json_body(req, call->schema, &body)))
		return status;
	if ((call->flags & CALL_BODY_NONEMPTY) && json_object_size(body) == 0) {
		static const struct field_error nothing = {"", "empty",
							   "name at least one field to change"};

		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The body names nothing to change.", &nothing, 1);
	}
	*text = json_text(req, body);
	return 0;
}

int call_route(struct request *req)
{
	const struct route_call *call = req->route->call;
	const struct route_arg *args = call->args;
	const char *values[CALL_MAX_ARGS] = {NULL};
	const char *body = NULL, *version = NULL;
	PGresult *res;
	int n, i, status;

	for (n = 0; args[n].kind != ARG_END; n++)
		if (n == CALL_MAX_ARGS)
			return problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
	if ((status = query_values(req, args, values)))
		return status;
	if (call->schema && (status = body_value(req, call, &body)))
		return status;
	for (i = 0; i < n; i++)
		if (args[i].kind == ARG_VERSION && (status = if_match_version(req, &version)))
			return status;
	for (i = 0; i < n; i++) {
		if (args[i].kind == ARG_PATH)
			values[i] = req->path_params[args[i].index];
		else if (args[i].kind == ARG_BODY)
			values[i] = body;
		else if (args[i].kind == ARG_VERSION)
			values[i] = version;
	}
	res = db_call_as(req, call->function, n, values);
	if (call->status == 204)
		return res ? response_empty(req, 204) : req->response.status;
	return db_respond(req, res, call->status);
}
