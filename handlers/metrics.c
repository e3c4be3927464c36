/* GET /metrics: the pool's counters in Prometheus text form, for loopback callers. */
#include <string.h>

#include "../core/metrics.h"
#include "../core/problem.h"
#include "handlers.h"

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
