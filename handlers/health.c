/* /healthz, /readyz and /metrics: what operators and load balancers poll. */
#include <string.h>

#include "../core/db.h"
#include "../core/metrics.h"
#include "../core/problem.h"
#include "handlers.h"

int health_live(struct request *req)
{
	static const char body[] = "{\"status\":\"ok\"}";

	return response_json(req, 200, body, sizeof(body) - 1);
}

int health_ready(struct request *req)
{
	static const char body[] = "{\"status\":\"ready\",\"database\":\"ok\"}";

	if (!db_ping())
		return problem(req, 503, PROBLEM_UNAVAILABLE, "The database is not answering.");
	return response_json(req, 200, body, sizeof(body) - 1);
}

/* nginx allows loopback only; this is the second wall behind it. */
static bool is_loopback(const char *addr)
{
	return addr && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0);
}

int metrics_get(struct request *req)
{
	struct buf out;

	if (!is_loopback(req->client_addr))
		return problem(req, 403, PROBLEM_FORBIDDEN, "Metrics are served to loopback only.");
	buf_init(&out, req->arena);
	metrics_render(&out);
	return response_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
			     out.data ? out.data : "", out.len);
}
