/*
 * The worker's one PostgreSQL connection. Statements are the named blocks of
 * sql/queries.sql and one per declared function (a route row's), prepared at
 * connect and after every reconnect; C refers to them by name. Each request-level statement is one
 * call of a SQL function that sets the request context and does the work in one transaction, so a
 * request costs one round trip and a change commits with its audit event.
 */
#ifndef CANSD_DB_H
#define CANSD_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

struct request;

int db_open(const char *conninfo, const char *timezone, int statement_timeout_ms);
/*
 * The optional second connection, for reports only (CANSD_REPORTS_DATABASE_URL:
 * a read replica takes the long aggregate queries off the primary). Without
 * it, db_call_reports_as uses the one connection.
 */
int db_open_reports(const char *conninfo, const char *timezone, int statement_timeout_ms);
/*
 * Instead of db_open, in a process that serves no request (the audit
 * sealer): the same connection, named application_name, with no
 * statements prepared. db_ensure reconnects it; db_exec runs one query on it.
 */
int db_open_service(const char *conninfo, const char *application_name, int statement_timeout_ms);
/* One query without parameters on the connection; the caller clears the result. */
PGresult *db_exec(const char *sql);
/* Whether the connection is up now; db_error says what libpq last said. */
bool db_connected(void);
const char *db_error(void);
void db_close(void);

/* Reconnects (and re-prepares) when the connection is bad; true when usable. */
bool db_ensure(void);

/* true when a trivial query answers now: /readyz. */
bool db_ping(void);

/*
 * Executes a prepared statement with text parameters (NULL = SQL NULL). The
 * result belongs to the request's arena. On failure (database unreachable,
 * SQL error) it writes the matching problem into the response and returns
 * NULL; the caller just returns req->response.status.
 */
PGresult *db_call(struct request *req, const char *statement, int n_params,
		  const char *const *params);

/* db_call with the actor id, request id and client address as $1..$3. */
PGresult *db_call_as(struct request *req, const char *statement, int n_params,
		     const char *const *params);

/* db_call_as on the reports connection when there is one (read-only work only). */
PGresult *db_call_reports_as(struct request *req, const char *statement, int n_params,
			     const char *const *params);

/*
 * The common end of a handler: a one-row result whose first column is the
 * JSON body and whose optional second column is the version for the ETag.
 */
int db_respond(struct request *req, PGresult *res, int status);

/*
 * A statement made from a SQL function's name and arity: the route rows'
 * (core/route.h). Its result has the function's OUT columns (body, etag) or
 * its one value.
 */
struct db_function {
	const char *name;   /* api.<name>, and the statement's name */
	int n_args;         /* $1..$n_args */
	const char *origin; /* who names it, for messages: "route GET /api/v1/cases" */
};

/* Declared once, before the first connect (the master, before it forks). */
void db_declare_functions(const struct db_function *functions, size_t count);

/*
 * Connects once and checks every declared function against the database:
 * it exists in schema api, once, and takes n_args arguments, and no
 * statement of sql/queries.sql has its name. Returns 0 when all hold, -1
 * with err naming the first that does not, 1 when the database cannot be
 * reached (err says why; workers check again at every connect).
 */
int db_check_functions(const char *conninfo, char *err, size_t errlen);

/*
 * "SELECT <out_columns> FROM api.<name>($1, ..., $n)", or "SELECT
 * api.<name>($1, ...)" when out_columns is "": the text of a declared
 * function's statement, into out. false when it does not fit.
 */
bool db_function_statement(char *out, size_t size, const char *name, int n_args,
			   const char *out_columns);

/* The statement source embedded from sql/queries.sql. */
extern const char db_statements_sql[];

/* Splits "-- name: X" blocks; calls fn for each. Returns the count or -1. */
int db_statements_each(const char *sql, int (*fn)(const char *name, const char *text, void *ctx),
		       void *ctx);

#endif
