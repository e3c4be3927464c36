/*
 * The route table is the security policy: each row names the handler, the
 * roles that may call it, whether a current CANS certification is needed
 * and what body it takes. The dispatcher enforces a row before its handler
 * runs; handlers never check roles by hand.
 */
#ifndef CANSD_ROUTE_H
#define CANSD_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "roles.h"

/* Who may call a route. */
enum access {
	ACCESS_PUBLIC,   /* no token needed */
	ACCESS_SIGNED_IN /* a valid token of an active user, then roles below */
};

#define ROLES_ANY 0u /* any signed-in user */

enum body_kind { BODY_NONE, BODY_JSON, BODY_CSV };

typedef int (*route_handler)(struct request *req);

struct route {
	const char *method;
	const char *path; /* template: "{name}" matches one id segment */
	route_handler handler;
	enum access access;
	unsigned roles; /* any of these; ROLES_ANY for every signed-in user */
	bool needs_certification;
	enum body_kind body;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED, ROUTE_BAD_PARAM };

/*
 * Matches method and path against the table. On ROUTE_FOUND sets req->route
 * and the path parameters (decoded, validated as ids); on
 * ROUTE_METHOD_NOT_ALLOWED, allow receives "GET, HEAD, POST" for the path
 * (HEAD beside every GET: the table keeps GET rows only).
 */
enum route_result route_match(struct request *req, const struct route *table, size_t count,
			      const char **allow);

#endif
