/*
 * GET /trainings: the training catalogue, for any signed-in user. It is data
 * (cansd.trainings), so a new training code needs a migration, not code. It
 * pages like every list; the cursor is a position in catalogue order, which
 * only a migration changes.
 */
#include "../core/db.h"
#include "common.h"
#include "handlers.h"

int trainings_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	const char *params[2];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	return db_respond(req, db_call_as(req, "trainings_list", 2, params), 200);
}
