/*
 * What a failed statement means for the client, decided from its SQLSTATE
 * alone, so the rule is one pure function a unit test can walk. An outage
 * (the connection, the server shutting down, a cancel) is a 503 the client
 * may retry; a statement the server says we got wrong (a missing prepared
 * statement, a missing function, a syntax or protocol error) is our bug: a
 * 500, logged as one and counted, never dressed up as an outage.
 */
#ifndef CANSD_DB_SQLSTATE_H
#define CANSD_DB_SQLSTATE_H

#include <stdbool.h>

enum db_failure {
	DB_FAILURE_UNAVAILABLE, /* 503: the database cannot answer now */
	DB_FAILURE_TIMEOUT,     /* 503: the statement was cancelled (statement_timeout) */
	DB_FAILURE_RETRY,       /* serialization or deadlock: retry the transaction, then 409 */
	DB_FAILURE_CONFLICT,    /* 409: unique or foreign-key violation */
	DB_FAILURE_FORBIDDEN,   /* 403: insufficient privilege (row-level security, grants) */
	DB_FAILURE_INVALID,     /* 400: a value out of range or breaking a check */
	DB_FAILURE_RAISED,      /* our own CNnnn refusal: the raised table decides */
	DB_FAILURE_BUG,         /* 500: our SQL or protocol is wrong; log as a bug */
};

/*
 * state is the result's SQLSTATE (NULL when the result carries none, as
 * for a NULL result); connection_ok says whether the connection still
 * stands. A missing state on a live connection is a protocol error: a bug.
 */
enum db_failure db_sqlstate_classify(const char *state, bool connection_ok);

/* The HTTP status a classification answers with (RAISED: 0, its table decides). */
int db_failure_status(enum db_failure failure);

#endif
