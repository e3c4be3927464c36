/*
 * GET /qc/flags?assessment_id=: the automatic QC findings stored when a CANS
 * was submitted (rules are data: sql/migrations/011_assessments.sql). QA
 * analysts and program admins read all; a supervisor their team's cases'.
 */
#include "../core/db.h"
#include "common.h"
#include "handlers.h"

int qc_flags_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", "assessment_id", NULL};
	const char *params[3];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	params[2] = query_id(req, "assessment_id", &status);
	if (status)
		return status;
	return db_respond(req, db_call_as(req, "qc_flags_list", 3, params), 200);
}
