#include "dispatch.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "../auth/identity.h"
#include "../auth/identity_cache.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "../core/problem.h"

/* "application/json" with at most a charset=utf-8 parameter. */
static bool media_type_is(const char *content_type, const char *wanted)
{
	size_t n = strlen(wanted);
	const char *p;

	if (strncasecmp(content_type, wanted, n) != 0)
		return false;
	p = content_type + n;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return true;
	if (*p != ';')
		return false;
	p++;
	while (*p == ' ')
		p++;
	return strcasecmp(p, "charset=utf-8") == 0 || strcasecmp(p, "charset=\"utf-8\"") == 0;
}

bool dispatch_content_type_ok(enum body_kind kind, const char *content_type)
{
	if (!content_type)
		return false;
	switch (kind) {
	case BODY_NONE:
	case BODY_JSON:
		return media_type_is(content_type, "application/json");
	case BODY_CSV:
		return media_type_is(content_type, "text/csv");
	}
	return false;
}

/* The origin when CANSD_CORS_ORIGINS lists it exactly, else NULL. */
static const char *listed_origin(const struct request *req)
{
	int i;

	if (!req->origin || !config)
		return NULL;
	for (i = 0; i < config->n_cors_origins; i++)
		if (strcmp(config->cors_origins[i], req->origin) == 0)
			return req->origin;
	return NULL;
}

/*
 * A CORS preflight: 204, with the Access-Control-* headers only for a listed
 * origin, so an unlisted one learns nothing and its browser refuses.
 */
static int preflight(struct request *req, const struct route *table, size_t count)
{
	const char *origin = listed_origin(req);
	const char *allow = NULL;
	enum route_result match = route_methods(req, table, count, &allow);

	if (match == ROUTE_NOT_FOUND || match == ROUTE_BAD_PARAM)
		return problem(req, 404, PROBLEM_NOT_FOUND, "No such resource.");
	if (origin) {
		response_header(req, "Access-Control-Allow-Methods", allow ? allow : "");
		response_header(req, "Access-Control-Allow-Headers",
				"Authorization, Content-Type, If-Match");
		response_header(req, "Access-Control-Max-Age", "600");
	}
	return response_empty(req, 204);
}

/* The answer for every match but ROUTE_FOUND; Allow is the table's, never the request's. */
static int unmatched(struct request *req, enum route_result match, const char *allow)
{
	switch (match) {
	case ROUTE_METHOD_NOT_ALLOWED:
		response_header(req, "Allow", allow);
		return problem(req, 405, PROBLEM_METHOD, "This path does not take that method.");
	case ROUTE_BAD_PARAM:
		return problem(req, 400, PROBLEM_MALFORMED, "A path parameter is not a valid id.");
	case ROUTE_FOUND:
	case ROUTE_NOT_FOUND:
		break;
	}
	return problem(req, 404, PROBLEM_NOT_FOUND, "No such resource.");
}

/*
 * nginx refused the request before any worker saw it and handed it over for
 * the answer only it cannot give (nginx/cansd.conf.template, location
 * /.refused-by-nginx/). A 405 is TRACE or CONNECT, which nginx refuses before
 * choosing a location: the table says which methods the path has. A 400
 * with a second Authorization header is a refused credential, so 401. nginx
 * hands over as GET, so req->method is not the client's: no handler runs.
 */
static int refused_by_nginx(struct request *req, const struct route *table, size_t count)
{
	const char *allow = NULL;
	enum route_result match;

	if (req->refused_by_nginx == 400) {
		if (req->authorization_count > 1)
			return auth_authenticate(req);
		return problem(req, 400, PROBLEM_MALFORMED, "The request could not be parsed.");
	}
	match = route_methods(req, table, count, &allow);
	return unmatched(req, match, allow);
}

static int unsupported_type(struct request *req)
{
	return problem(req, 415, PROBLEM_MEDIA_TYPE,
		       req->route->body == BODY_CSV ? "This endpoint takes text/csv."
						    : "This endpoint takes application/json.");
}

static int route_request(struct request *req, const struct route *table, size_t count)
{
	const char *allow = NULL;
	enum route_result match;
	size_t limit;
	int status;

	if (req->refused_by_nginx)
		return refused_by_nginx(req, table, count);
	if (strcmp(req->method, "OPTIONS") == 0 && req->preflight_method)
		return preflight(req, table, count);
	match = route_match(req, table, count, &allow);
	if (match != ROUTE_FOUND)
		return unmatched(req, match, allow);
	limit = req->route->body == BODY_CSV ? REQUEST_MAX_BULK_BODY : REQUEST_MAX_BODY;
	/*
	 * Everything the headers can decide comes before a byte of the body is
	 * read: an announced length over the limit, a type the route does not
	 * take, and who is calling. An unauthenticated 16 MiB import costs the
	 * worker nothing (nginx streams that route's body, it does not buffer it).
	 */
	if (req->body_too_large || req->content_length > (long)limit)
		return problem(req, 413, PROBLEM_TOO_LARGE, "The body is larger than %zu MiB.",
			       limit / (1024 * 1024));
	if (req->content_length > 0 &&
	    !dispatch_content_type_ok(req->route->body, req->content_type))
		return unsupported_type(req);
	if (req->route->access == ACCESS_SIGNED_IN) {
		if ((status = auth_authenticate(req)) || (status = auth_authorize(req)))
			return status;
	}
	if (req->read_body)
		req->read_body(req, limit);
	if (req->body_too_large || req->body_len > limit)
		return problem(req, 413, PROBLEM_TOO_LARGE, "The body is larger than %zu MiB.",
			       limit / (1024 * 1024));
	/* A body must be of a type the route takes; bodiless routes ignore a JSON one. */
	if (req->body_len > 0 && !dispatch_content_type_ok(req->route->body, req->content_type))
		return unsupported_type(req);
	status = req->route->handler(req);
	/* A caller's change may touch any caller: no worker may answer from an older view. */
	if (req->route->access == ACCESS_SIGNED_IN && strcmp(req->method, "GET") != 0 &&
	    status < 400)
		identity_cache_invalidate();
	return status;
}

static bool has_header(const struct request *req, const char *name)
{
	for (int i = 0; i < req->response.n_headers; i++)
		if (strcasecmp(req->response.headers[i].name, name) == 0)
			return true;
	return false;
}

void dispatch(struct request *req, const struct route *table, size_t count)
{
	struct timespec start, end;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	/* RFC 9110 9.3.2: HEAD is GET without the body, so every GET row answers it. */
	if (strcmp(req->method, "HEAD") == 0) {
		req->method = "GET";
		req->head = true;
	}
	status = route_request(req, table, count);
	/* RFC 9110: every 401 names its scheme, whichever handler refused. */
	if (req->response.status == 401 && !has_header(req, "WWW-Authenticate"))
		response_header(req, "WWW-Authenticate", "Bearer realm=\"cansd\"");
	if (listed_origin(req)) {
		response_header(req, "Access-Control-Allow-Origin", req->origin);
		response_header(req, "Access-Control-Expose-Headers", "ETag, X-Request-Id");
		response_header(req, "Vary", "Origin");
	}
	if (status <= 0 || !req->response.status)
		status = problem(req, 500, PROBLEM_INTERNAL, "The handler gave no response.");
	if (req->response.headers_overflowed) {
		log_msg("error", req->request_id, "bug: more than %d response headers",
			RESPONSE_MAX_HEADERS);
		req->response.n_headers = 0;
		req->response.headers_overflowed = false;
		status = problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	metrics_request(req->route ? (size_t)(req->route - table) : count, req->response.status,
			(double)(end.tv_sec - start.tv_sec) +
				(double)(end.tv_nsec - start.tv_nsec) / 1e9);
}
