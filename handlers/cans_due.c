/*
 * GET /cans-due: the CANS each child in the caller's cases owes (initial,
 * extension, case_close), when, and whether it is due, overdue, pending
 * approval or met. Case data, scoped like cases; no certification needed.
 * The cursor is an offset into the ordered list (by due day).
 */
#include "../core/db.h"
#include "common.h"
#include "handlers.h"

int cans_due_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", "status", "case_id", NULL};
	static const char *const statuses[] = {"due", "overdue", "pending_approval",
					       "met", "all",     NULL};
	const char *params[4];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	params[2] = query_enum(req, "status", statuses, &status);
	if (!status)
		params[3] = query_id(req, "case_id", &status);
	if (status)
		return status;
	return db_respond(req, db_call_as(req, "cans_due_list", 4, params), 200);
}
