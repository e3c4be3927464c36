/* GET /me: the caller as the identity lookup already loaded it (no second query). */
#include <string.h>

#include "../auth/identity.h"
#include "../core/problem.h"
#include "handlers.h"

int me_get(struct request *req)
{
	const char *body = identity_me_json(req, req->identity);

	if (!body)
		return problem(req, 503, PROBLEM_UNAVAILABLE,
			       "The service is busy; try again shortly.");
	return response_json(req, 200, body, strlen(body));
}
