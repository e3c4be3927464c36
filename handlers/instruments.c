/*
 * GET /instruments/cans-2.0: the item catalogue (domains in form order, each
 * with its items), loaded from sql/data/cans-2.0-items.csv at start. Any
 * signed-in caller; no certification, since the form itself is not case data.
 * The ETag is a hash of the content, so clients cache it across loads.
 */
#include "../core/db.h"
#include "handlers.h"

int instruments_get(struct request *req)
{
	return db_respond(req, db_call_as(req, "instruments_get", 0, NULL), 200);
}
