/* /healthz and /readyz: what operators and load balancers poll. */
#include "../core/db.h"
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
