/*
 * Calling a row of the route table (handlers/routes.c) over HTTP, for the
 * tests generated from the table: a concrete path for its template and a
 * body of the kind it declares.
 */
#ifndef CANSD_TEST_ROUTE_CALL_H
#define CANSD_TEST_ROUTE_CALL_H

#include <stddef.h>

#include "core/route.h"
#include "http.h"

/*
 * The route's path with every "{name}" replaced by id. Returns out, or NULL
 * when it does not fit.
 */
char *route_concrete_path(const struct route *route, const char *id, char *out, size_t size);

/*
 * Calls the route at path as token, with a minimal body of the kind the
 * route takes: "{}" as application/json, a header line as text/csv, none
 * for BODY_NONE.
 */
void route_call(struct http_response *out, const struct route *route, const char *path,
		const char *token);

/* The API name of the first role of mask (NULL when mask is ROLES_ANY). */
const char *route_first_role(unsigned mask);

#endif
