/*
 * The request as every later stage sees it: parsed once from the FastCGI
 * parameters, with all strings copied into the request's arena (libfcgi frees
 * its own at the next accept), and the response the handler fills in.
 */
#ifndef CANSD_REQUEST_H
#define CANSD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define REQUEST_MAX_BODY (1024 * 1024)
/* Bulk imports (text/csv routes) may send up to this much. */
#define REQUEST_MAX_BULK_BODY (16 * 1024 * 1024)
#define REQUEST_MAX_PATH_PARAMS 4
#define RESPONSE_MAX_HEADERS 16

struct route;
struct identity;

struct header {
	const char *name;
	const char *value;
};

struct response {
	int status;
	const char *content_type;
	struct header headers[RESPONSE_MAX_HEADERS];
	int n_headers;
	bool headers_overflowed; /* a header was dropped: the dispatcher answers 500 instead */
	struct buf body;
};

struct request {
	struct arena *arena;
	const char *method;
	const char *path;  /* without the query string, not percent-decoded */
	const char *query; /* raw, "" when absent */
	const char *request_id;
	const char *client_addr;  /* the peer nginx saw, never a forwarded header */
	const char *content_type; /* NULL when absent */
	const char *if_match;
	const char *accept;
	const char *origin;
	const char *preflight_method; /* Access-Control-Request-Method */
	const char *authorization;
	int authorization_count; /* >1 is refused: which one would we trust? */
	/*
	 * 405 or 400 when nginx refused the request itself and handed it over
	 * only for the answer (CANSD_NGINX_REFUSED, set by nginx's
	 * /.refused-by-nginx/ locations, never by a client header); 0 otherwise.
	 */
	int refused_by_nginx;
	long content_length; /* -1 when absent */
	char *body;          /* NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	bool body_too_large;
	/*
	 * Reads the body once the route, and so the limit, is known; sets
	 * body_too_large when the stream holds more than limit bytes. NULL
	 * when the body is already in place (unit tests).
	 */
	void (*read_body)(struct request *req, size_t limit);
	void *transport;

	/*
	 * The client sent HEAD: the dispatcher routes it as GET (RFC 9110
	 * 9.3.2: the same status and headers) and the writer sends no body.
	 */
	bool head;

	const struct route *route;
	const char *path_params[REQUEST_MAX_PATH_PARAMS];
	int n_path_params;
	const struct identity *identity; /* NULL on public routes */
	/* The caller's user id as text (NULL on public routes): all the database layer needs of
	 * them. */
	const char *caller_id;

	struct response response;
};

void request_init(struct request *req, struct arena *arena);

/*
 * Fills req from FastCGI parameters ("NAME=value" strings, NULL-ended), as
 * nginx sends them. Returns 0, or 400 when the request line is unusable
 * (including a query string with a malformed percent-escape or an encoded NUL).
 */
int request_from_params(struct request *req, char *const *params);

/* The first value of a query parameter, percent-decoded; NULL when absent. */
const char *request_query_param(struct request *req, const char *name);
/* true when the query string has a parameter of that (decoded) name, with or without a value. */
bool request_query_has(struct request *req, const char *name);
/* true when the query string names a parameter not in allowed (NULL-ended). */
bool request_query_has_unknown(struct request *req, const char *const *allowed,
			       const char **unknown);

void response_header(struct request *req, const char *name, const char *value);
/* Sets status and a JSON body owned by the arena (copied). */
int response_json(struct request *req, int status, const char *json, size_t len);
int response_text(struct request *req, int status, const char *content_type, const char *text,
		  size_t len);
int response_empty(struct request *req, int status);

/* Percent-decodes src into the arena; NULL on a malformed escape or a NUL. */
char *url_decode(struct arena *arena, const char *src, size_t len);

#endif
