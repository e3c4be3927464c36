#include "db_sqlstate.h"

#include <string.h>

static bool class_is(const char *state, const char *cls)
{
	return strncmp(state, cls, 2) == 0;
}

enum db_failure db_sqlstate_classify(const char *state, bool connection_ok)
{
	if (!connection_ok)
		return DB_FAILURE_UNAVAILABLE;
	if (!state || strlen(state) != 5)
		return DB_FAILURE_BUG;
	/*
	 * 08: connection exceptions; 57P01-57P05: admin/crash shutdown,
	 * cannot connect now, database dropped, idle session timeout; 53:
	 * insufficient resources (too many connections, out of memory or disk).
	 */
	if (class_is(state, "08") || class_is(state, "53") ||
	    (strncmp(state, "57P0", 4) == 0 && state[4] >= '1' && state[4] <= '5'))
		return DB_FAILURE_UNAVAILABLE;
	if (strcmp(state, "57014") == 0)
		return DB_FAILURE_TIMEOUT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_FAILURE_RETRY;
	if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
		return DB_FAILURE_CONFLICT;
	if (strcmp(state, "42501") == 0)
		return DB_FAILURE_FORBIDDEN;
	if (class_is(state, "CN"))
		return DB_FAILURE_RAISED;
	if (class_is(state, "22") || class_is(state, "23"))
		return DB_FAILURE_INVALID;
	/* 26000 (no such prepared statement), 42xxx, 0A, XX and the rest. */
	return DB_FAILURE_BUG;
}

int db_failure_status(enum db_failure failure)
{
	switch (failure) {
	case DB_FAILURE_UNAVAILABLE:
	case DB_FAILURE_TIMEOUT:
		return 503;
	case DB_FAILURE_RETRY:
	case DB_FAILURE_CONFLICT:
		return 409;
	case DB_FAILURE_FORBIDDEN:
		return 403;
	case DB_FAILURE_INVALID:
		return 400;
	case DB_FAILURE_RAISED:
		return 0;
	case DB_FAILURE_BUG:
		break;
	}
	return 500;
}
