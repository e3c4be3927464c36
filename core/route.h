/*
 * The route table is the security policy: each row names the handler, the
 * roles that may call it, whether a current CANS certification is needed
 * and what body it takes. The dispatcher enforces a row before its handler
 * runs; handlers never check roles by hand.
 *
 * Most rows also name the SQL function that does their work (struct
 * route_call): the row then says everything the request needs, the body's
 * schema, the query parameters, what the function is passed and the success
 * status, and one handler runs every such row. The statement is prepared
 * from the row (SELECT ... FROM api.<function>($1..$n)), so nothing but the
 * row and the function has to agree, and `cansd serve` refuses to start
 * when they do not.
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

struct json_field;

/* What a row passes its function, after the actor, request id and client address. */
enum route_arg_kind {
	ARG_END,
	ARG_PATH,    /* path parameter number index (an id: the match checked it) */
	ARG_BODY,    /* the body, validated against the row's schema, as JSON text */
	ARG_VERSION, /* the version If-Match names; NULL when absent or "*" */
	ARG_LIMIT,   /* ?limit=, 1..500, 50 when absent */
	ARG_CURSOR,  /* ?cursor=, an id the previous page gave; NULL when absent */
	ARG_ID,      /* ?name=, an id; NULL when absent */
	ARG_ENUM,    /* ?name=, one of values; NULL when absent */
	ARG_COUNT,   /* ?name=, an integer from 0 to max; fallback when absent */
};

struct route_arg {
	enum route_arg_kind kind;
	const char *name;          /* the query parameter's */
	const char *const *values; /* ARG_ENUM: NULL-ended */
	int index;                 /* ARG_PATH: which one; ARG_COUNT: the maximum */
	const char *fallback;      /* ARG_COUNT: the value when absent */
	const char *refusal;       /* the 400's detail for a bad value; NULL: the kind's own */
};

enum route_call_flags {
	CALL_BODY_OPTIONAL = 1u << 0, /* no body reads as {} */
	CALL_BODY_NONEMPTY = 1u << 1, /* {} is refused: it names nothing to change */
};

/*
 * A row's SQL function and what it is passed. Query parameters other than
 * the declared ones are refused when the row declares any; the checks run
 * in the order paging, the other query parameters, body, If-Match.
 */
struct route_call {
	const char *function; /* api.<function>, and the prepared statement's name */
	int status;           /* on success: the function's body with it, or none for 204 */
	const struct json_field *schema; /* the body's, or NULL */
	unsigned flags;                  /* route_call_flags */
	const struct route_arg *args;    /* ARG_END-terminated, in the function's order */
};

struct route {
	const char *method;
	const char *path; /* template: "{name}" matches one id segment */
	route_handler handler;
	enum access access;
	unsigned roles; /* any of these; ROLES_ANY for every signed-in user */
	bool needs_certification;
	enum body_kind body;
	const struct route_call *call; /* NULL: the handler is C code of its own */
};

/* How many parameters the row's function takes: its arguments plus the three of the context. */
int route_call_arity(const struct route_call *call);

/*
 * Hands every row's function to the database layer, which prepares one
 * statement for each at every connect. Returns 0, or -1 (err says which
 * row) when two rows name one function with different arguments.
 */
int route_declare_functions(const struct route *table, size_t count, char *err, size_t errlen);

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED, ROUTE_BAD_PARAM };

/*
 * Matches method and path against the table. On ROUTE_FOUND sets req->route
 * and the path parameters (decoded, validated as ids); on
 * ROUTE_METHOD_NOT_ALLOWED, allow receives "GET, HEAD, POST" for the path
 * (HEAD beside every GET: the table keeps GET rows only).
 */
enum route_result route_match(struct request *req, const struct route *table, size_t count,
			      const char **allow);

/*
 * The methods the table has for req's path, whatever req's method: as
 * route_match, but never ROUTE_FOUND; ROUTE_METHOD_NOT_ALLOWED means the
 * path exists, with allow as for a 405 (a CORS preflight, a refusal nginx
 * handed over).
 */
enum route_result route_methods(struct request *req, const struct route *table, size_t count,
				const char **allow);

#endif
