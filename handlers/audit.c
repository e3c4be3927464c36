/*
 * GET /audit: who changed what, when, from where, under which request id.
 * Program admins only (the route table, then row-level security).
 */
#include <string.h>

#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

/* Entity types are lower-case words ("user", "training_record"). */
static bool audit_word_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

/* "YYYY-MM-DD" (midnight in the programs' zone) or "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
static bool audit_since_ok(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	char day[11];
	size_t n = strlen(s);

	if (n != 10 && n != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (!json_is_date(day))
		return false;
	return n == 10 ||
	       ((s[11] - '0') * 10 + (s[12] - '0') < 24 &&
		(s[14] - '0') * 10 + (s[15] - '0') < 60 && (s[17] - '0') * 10 + (s[18] - '0') < 60);
}

int audit_list(struct request *req)
{
	static const char *const allowed[] = {"limit",    "cursor", "entity_type", "entity_id",
					      "actor_id", "since",  NULL};
	const char *params[6];
	int status;

	if ((status = page_params(req, allowed, &params[0], &params[1])))
		return status;
	params[2] = request_query_param(req, "entity_type");
	if (params[2] && !audit_word_ok(params[2]))
		return problem(req, 400, PROBLEM_MALFORMED, "entity_type is a lower-case word.");
	params[3] = request_query_param(req, "entity_id");
	if (params[3] && (!*params[3] || strlen(params[3]) > 64))
		return problem(req, 400, PROBLEM_MALFORMED, "entity_id is 1 to 64 characters.");
	params[4] = query_id(req, "actor_id", &status);
	if (status)
		return status;
	params[5] = request_query_param(req, "since");
	if (params[5] && !audit_since_ok(params[5]))
		return problem(req, 400, PROBLEM_MALFORMED,
			       "since is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.");
	return db_respond(req, db_call_as(req, "audit_list", 6, params), 200);
}
