/*
 * GET /certifications?lapsing_within_days=N: who is current today but stops
 * being current within N days. Currency comes from cansd.certification, the
 * one place it is computed; the office and program admins see everyone, a
 * supervisor their team (the route table admits no one else).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/db.h"
#include "../core/problem.h"
#include "common.h"
#include "handlers.h"

/* The default is the reports' "staff lapsing within 30 days". */
#define CERTIFICATIONS_DEFAULT_DAYS "30"
#define CERTIFICATIONS_MAX_DAYS 366

static bool certifications_days_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return atoi(s) <= CERTIFICATIONS_MAX_DAYS;
}

int certifications_list(struct request *req)
{
	static const char *const allowed[] = {"limit", "cursor", "lapsing_within_days", NULL};
	const char *params[3];
	int status;

	if ((status = page_params(req, allowed, &params[1], &params[2])))
		return status;
	params[0] = request_query_param(req, "lapsing_within_days");
	if (!params[0])
		params[0] = CERTIFICATIONS_DEFAULT_DAYS;
	else if (!certifications_days_ok(params[0]))
		return problem(req, 400, PROBLEM_MALFORMED,
			       "lapsing_within_days must be an integer from 0 to %d.",
			       CERTIFICATIONS_MAX_DAYS);
	return db_respond(req, db_call_as(req, "certifications_lapsing", 3, params), 200);
}
