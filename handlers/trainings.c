/*
 * GET /trainings: the training catalogue, for any signed-in user. It is data
 * (cansd.trainings), so a new training code needs a migration, not code.
 */
#include "../core/db.h"
#include "../core/problem.h"
#include "handlers.h"

int trainings_list(struct request *req)
{
	static const char *const allowed[] = {NULL};
	const char *unknown = NULL;

	if (request_query_has_unknown(req, allowed, &unknown))
		return problem(req, 400, PROBLEM_MALFORMED, "Unknown query parameter '%s'.",
			       unknown);
	return db_respond(req, db_call_as(req, "trainings_list", 0, NULL), 200);
}
