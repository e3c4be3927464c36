#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "problem.h"
#include "request.h"
#include "log.h"
#include "metrics.h"

#define DB_MAX_PARAMS 24

static PGconn *conn; /* the worker's one connection */
/*
 * Reports only (CANSD_REPORTS_DATABASE_URL, e.g. a replica); NULL when not
 * configured, and reports then use conn. Every statement is prepared on it
 * too: the report functions are the only ones called there, but preparing
 * one list keeps one code path.
 */
static PGconn *reports_conn;

static int prepare_one(const char *name, const char *text, void *ctx)
{
	PGconn *target = ctx;
	PGresult *res = PQprepare(target, name, text, 0, NULL);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		log_error("prepare %s: %s", name, PQerrorMessage(target));
	PQclear(res);
	return ok ? 0 : -1;
}

static bool prepare_all(PGconn *target)
{
	return db_statements_each(db_statements_sql, prepare_one, target) >= 0;
}

static PGconn *db_connect(const char *conninfo, const char *timezone, int statement_timeout_ms,
			  int *rc)
{
	char options[256];
	const char *keys[] = {"dbname", "options", "connect_timeout", "application_name", NULL};
	const char *values[] = {conninfo, options, "3", "cansd", NULL};
	PGconn *c;

	/* The programs' zone makes current_date the programs' "today". */
	snprintf(options, sizeof(options), "-c TimeZone=%s -c statement_timeout=%d", timezone,
		 statement_timeout_ms);
	c = PQconnectdbParams(keys, values, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		/* Keep the handle: db_ensure resets it once the database is back. */
		log_error("database: %s", PQerrorMessage(c));
		*rc = -1;
		return c;
	}
	*rc = prepare_all(c) ? 0 : -1;
	if (*rc)
		log_error("database: preparing statements failed");
	return c;
}

int db_open(const char *conninfo, const char *timezone, int statement_timeout_ms)
{
	int rc;

	conn = db_connect(conninfo, timezone, statement_timeout_ms, &rc);
	return rc;
}

int db_open_reports(const char *conninfo, const char *timezone, int statement_timeout_ms)
{
	int rc;

	reports_conn = db_connect(conninfo, timezone, statement_timeout_ms, &rc);
	return rc;
}

void db_close(void)
{
	PQfinish(conn);
	conn = NULL;
	if (reports_conn)
		PQfinish(reports_conn);
	reports_conn = NULL;
}

static bool db_ensure_conn(PGconn *c)
{
	if (!c)
		return false;
	if (PQstatus(c) != CONNECTION_OK) {
		PQreset(c);
		if (PQstatus(c) != CONNECTION_OK)
			return false;
		metrics_db_reconnect();
		/* Prepared statements die with their session. */
		if (!prepare_all(c)) {
			PQreset(c);
			return false;
		}
	}
	if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		PGresult *res = PQexec(c, "ROLLBACK");

		PQclear(res);
	}
	return PQstatus(c) == CONNECTION_OK;
}

bool db_ensure(void)
{
	return db_ensure_conn(conn);
}

bool db_ping(void)
{
	PGresult *res;
	bool ok;

	if (!db_ensure())
		return false;
	res = PQexec(conn, "SELECT 1");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok;
}

static void clear_result(void *res)
{
	PQclear(res);
}

/*
 * Our SQL functions raise SQLSTATE CNnnn for refusals they decide; the
 * message is written for clients and DETAIL, when present, is a JSON object
 * whose members join the problem (errors[], missing[], certification).
 */
static int problem_from_raised(struct request *req, const char *state, const char *message,
			       const char *detail)
{
	static const struct {
		const char *state;
		int status;
		const char *name;
	} map[] = {
		{"CN400", 400, PROBLEM_VALIDATION},    {"CN401", 401, PROBLEM_UNAUTHENTICATED},
		{"CN403", 403, PROBLEM_FORBIDDEN},     {"CN404", 404, PROBLEM_NOT_FOUND},
		{"CN409", 409, PROBLEM_CONFLICT},      {"CN412", 412, PROBLEM_PRECONDITION},
		{"CN422", 422, PROBLEM_VALIDATION},    {"CN423", 422, PROBLEM_INCOMPLETE},
		{"CN428", 403, PROBLEM_CERTIFICATION},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		char *members = NULL;

		if (strcmp(map[i].state, state))
			continue;
		if (detail && *detail) {
			json_t *obj = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);

			if (json_is_object(obj) && json_object_size(obj) > 0) {
				char *dump = json_dumps(obj, JSON_COMPACT);
				size_t len = dump ? strlen(dump) : 0;

				if (len > 2)
					members = arena_strndup(req->arena, dump + 1, len - 2);
				free(dump);
			}
			json_decref(obj);
		}
		return problem_with(req, map[i].status, map[i].name, message, members);
	}
	return -1;
}

/* Maps a failed result to a problem; never shows SQL text to the client. */
static int db_problem(struct request *req, PGconn *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *message = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	int status;

	if (!state || PQstatus(c) != CONNECTION_OK || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P03") == 0) {
		metrics_db_error();
		log_msg("error", req->request_id, "database unavailable: %s", PQerrorMessage(c));
		return problem(req, 503, PROBLEM_UNAVAILABLE,
			       "The database is unavailable; try again shortly.");
	}
	if (strncmp(state, "CN", 2) == 0 &&
	    (status = problem_from_raised(req, state, message, detail)) > 0)
		return status;
	log_msg("warning", req->request_id, "sql %s: %s", state, message ? message : "");
	if (strcmp(state, "23505") == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0)
		return problem(req, 409, PROBLEM_CONFLICT,
			       "The change conflicts with the current state; reload and retry.");
	if (strcmp(state, "23503") == 0)
		return problem(req, 409, PROBLEM_CONFLICT, "A referenced record does not exist.");
	if (strcmp(state, "42501") == 0)
		return problem(req, 403, PROBLEM_FORBIDDEN,
			       "Your role does not allow this change.");
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return problem(req, 400, PROBLEM_VALIDATION,
			       "A value is out of range or malformed.");
	if (strcmp(state, "57014") == 0)
		return problem(req, 503, PROBLEM_UNAVAILABLE, "The request took too long.");
	metrics_db_error();
	return problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
}

static PGresult *db_call_on(PGconn *c, struct request *req, const char *statement, int n_params,
			    const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (!db_ensure_conn(c)) {
		db_problem(req, c, NULL);
		return NULL;
	}
	res = PQexecPrepared(c, statement, n_params, params, NULL, NULL, 0);
	/* A dead connection shows up on the first query after the server restarted. */
	if (PQstatus(c) != CONNECTION_OK && strcmp(req->method, "GET") == 0) {
		PQclear(res);
		if (!db_ensure_conn(c)) {
			db_problem(req, c, NULL);
			return NULL;
		}
		res = PQexecPrepared(c, statement, n_params, params, NULL, NULL, 0);
	}
	arena_defer(req->arena, clear_result, res);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_problem(req, c, res);
		return NULL;
	}
	return res;
}

PGresult *db_call(struct request *req, const char *statement, int n_params,
		  const char *const *params)
{
	return db_call_on(conn, req, statement, n_params, params);
}

/* $1..$3 = the actor id, request id and client address, then params. */
static PGresult *db_call_as_on(PGconn *c, struct request *req, const char *statement, int n_params,
			       const char *const *params)
{
	const char *all[DB_MAX_PARAMS];
	int i;

	if (n_params + 3 > DB_MAX_PARAMS)
		abort();
	all[0] = req->caller_id;
	all[1] = req->request_id;
	all[2] = req->client_addr;
	for (i = 0; i < n_params; i++)
		all[i + 3] = params[i];
	return db_call_on(c, req, statement, n_params + 3, all);
}

PGresult *db_call_as(struct request *req, const char *statement, int n_params,
		     const char *const *params)
{
	return db_call_as_on(conn, req, statement, n_params, params);
}

PGresult *db_call_reports_as(struct request *req, const char *statement, int n_params,
			     const char *const *params)
{
	return db_call_as_on(reports_conn ? reports_conn : conn, req, statement, n_params, params);
}

int db_respond(struct request *req, PGresult *res, int status)
{
	if (!res)
		return req->response.status;
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0))
		return problem(req, 404, PROBLEM_NOT_FOUND, "No such resource.");
	if (PQnfields(res) > 1 && !PQgetisnull(res, 0, 1))
		response_header(req, "ETag",
				arena_printf(req->arena, "\"%s\"", PQgetvalue(res, 0, 1)));
	return response_json(req, status, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

int db_statements_each(const char *sql, int (*fn)(const char *name, const char *text, void *ctx),
		       void *ctx)
{
	static const char marker[] = "-- name: ";
	const char *p = strstr(sql, marker);
	int count = 0;

	while (p) {
		const char *name = p + sizeof(marker) - 1;
		const char *name_end = strchr(name, '\n');
		const char *next;
		char name_buf[128];
		char *text;
		size_t name_len;
		int rc;

		if (!name_end)
			return -1;
		name_len = (size_t)(name_end - name);
		while (name_len && (name[name_len - 1] == ' ' || name[name_len - 1] == '\r'))
			name_len--;
		if (name_len == 0 || name_len >= sizeof(name_buf))
			return -1;
		memcpy(name_buf, name, name_len);
		name_buf[name_len] = '\0';
		next = strstr(name_end, marker);
		text = strndup(name_end + 1,
			       next ? (size_t)(next - name_end - 1) : strlen(name_end + 1));
		if (!text)
			abort();
		rc = fn(name_buf, text, ctx);
		free(text);
		if (rc)
			return -1;
		count++;
		p = next;
	}
	return count;
}
