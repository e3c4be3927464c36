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

enum role {
	ROLE_WORKER = 1u << 0,
	ROLE_SUPERVISOR = 1u << 1,
	ROLE_CERTIFICATION_OFFICE = 1u << 2,
	ROLE_QA_ANALYST = 1u << 3,
	ROLE_PROGRAM_ADMIN = 1u << 4,
	ROLE_CERTIFIED_CANS_USER = 1u << 5, /* computed, never granted */
};

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

extern const struct route routes[];
extern const size_t routes_count;

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED, ROUTE_BAD_PARAM };

/*
 * Matches method and path against the table. On ROUTE_FOUND sets req->route
 * and the path parameters (decoded, validated as ids); on
 * ROUTE_METHOD_NOT_ALLOWED, allow receives "GET, POST" for the path.
 */
enum route_result route_match(struct request *req, const struct route *table, size_t count,
			      const char **allow);

/* The role bit of an API role name; 0 for an unknown name. */
unsigned role_from_name(const char *name, size_t len);
const char *role_name(unsigned role_bit);

#endif
