#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "../core/id.h"
#include "../core/problem.h"

int page_params(struct request *req, const char *const *allowed, const char **limit,
		const char **cursor)
{
	const char *unknown = NULL;

	if (request_query_has_unknown(req, allowed, &unknown))
		return problem(req, 400, PROBLEM_MALFORMED, "Unknown query parameter '%s'.",
			       unknown);
	*limit = request_query_param(req, "limit");
	*cursor = request_query_param(req, "cursor");
	if (!*limit)
		*limit = PAGE_DEFAULT_LIMIT;
	else if (!id_digits(*limit, 3) || atoi(*limit) < 1 || atoi(*limit) > PAGE_MAX_LIMIT)
		return problem(req, 400, PROBLEM_MALFORMED,
			       "limit must be an integer from 1 to %d.", PAGE_MAX_LIMIT);
	if (*cursor && !id_valid(*cursor))
		return problem(req, 400, PROBLEM_MALFORMED, "cursor is not one this service gave.");
	return 0;
}

int if_match_version(struct request *req, const char **version)
{
	const char *v = req->if_match;
	size_t n;

	*version = NULL;
	if (!v || strcmp(v, "*") == 0)
		return 0;
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	n = strlen(v);
	if (n >= 3 && v[0] == '"' && v[n - 1] == '"') {
		char *digits = arena_strndup(req->arena, v + 1, n - 2);

		if (id_digits(digits, 9)) {
			*version = digits;
			return 0;
		}
	}
	return problem(req, 412, PROBLEM_PRECONDITION,
		       "If-Match names no current version of this resource.");
}

const char *json_text(struct request *req, const json_t *value)
{
	char *dump = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *copy;

	if (!dump)
		abort();
	copy = arena_strdup(req->arena, dump);
	free(dump);
	return copy;
}

const char *query_id(struct request *req, const char *name, int *status)
{
	const char *v = request_query_param(req, name);

	*status = 0;
	if (v && !id_valid(v)) {
		*status = problem(req, 400, PROBLEM_MALFORMED, "%s must be an id.", name);
		return NULL;
	}
	return v;
}

const char *query_enum(struct request *req, const char *name, const char *const *allowed,
		       const char *refusal, int *status)
{
	const char *v = request_query_param(req, name);
	size_t i;

	*status = 0;
	if (!v)
		return NULL;
	for (i = 0; allowed[i]; i++)
		if (strcmp(v, allowed[i]) == 0)
			return v;
	*status = refusal ? problem(req, 400, PROBLEM_MALFORMED, "%s", refusal)
			  : problem(req, 400, PROBLEM_MALFORMED,
				    "%s is not one of its allowed values.", name);
	return NULL;
}
