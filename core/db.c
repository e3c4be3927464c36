#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db_sqlstate.h"
#include "problem.h"
#include "request.h"
#include "log.h"
#include "metrics.h"

#define DB_MAX_PARAMS 24
/* Serialization failures and deadlocks: each statement is one transaction, so retry it whole. */
#define DB_RETRIES 2

/*
 * A session and whether it holds every statement. A connect can succeed
 * while a PREPARE fails (a function missing for a moment while the SQL
 * source is re-applied): ensuring it then prepares again before the next
 * request instead of answering 500 for the rest of the worker's life.
 */
struct db_link {
	PGconn *conn;
	bool prepared;
	bool statements; /* false for a service connection (the sealer's): nothing to prepare */
};

static struct db_link primary; /* the worker's connection */
/*
 * Reports only (CANSD_REPORTS_DATABASE_URL, e.g. a read replica); conn is
 * NULL when not configured, and reports then use the primary. Every
 * statement is prepared on it too: one list, one code path.
 */
static struct db_link reports;

static const struct db_function *declared;
static size_t n_declared;

void db_declare_functions(const struct db_function *functions, size_t count)
{
	declared = functions;
	n_declared = count;
}

/*
 * Every function of schema api: its name, how many arguments it takes, how
 * many functions share the name, and its OUT columns ("body, etag"; "" for
 * a function that returns one value).
 */
static const char functions_sql[] =
	"SELECT p.proname, p.pronargs, count(*) OVER (PARTITION BY p.proname),"
	" coalesce((SELECT string_agg(quote_ident(a.name), ', ' ORDER BY a.ord)"
	"  FROM unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS a(name, mode, ord)"
	"  WHERE a.mode IN ('o', 'b', 't')), '')"
	" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'api'";

bool db_function_statement(char *out, size_t size, const char *name, int n_args,
			   const char *out_columns)
{
	size_t len;
	int i, n;

	n = *out_columns ? snprintf(out, size, "SELECT %s FROM api.%s(", out_columns, name)
			 : snprintf(out, size, "SELECT api.%s(", name);
	if (n < 0 || (size_t)n >= size)
		return false;
	len = (size_t)n;
	for (i = 1; i <= n_args; i++) {
		n = snprintf(out + len, size - len, i > 1 ? ", $%d" : "$%d", i);
		if (n < 0 || (size_t)n >= size - len)
			return false;
		len += (size_t)n;
	}
	return snprintf(out + len, size - len, ")") == 1;
}

static int function_row(const PGresult *res, const char *name)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), name) == 0)
			return i;
	return -1;
}

/*
 * Checks every declared function against the database, and prepares its
 * statement on conn when prepare is set. Returns 0, or -1 with err naming
 * the first function that does not match its row.
 */
static int functions_verify(PGconn *conn, bool prepare, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, functions_sql);
	char text[1024];
	size_t i;
	int rc = -1;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "reading the functions of schema api: %s",
			 PQerrorMessage(conn));
		goto out;
	}
	for (i = 0; i < n_declared; i++) {
		const struct db_function *f = &declared[i];
		int row = function_row(res, f->name);
		int n_args = row < 0 ? 0 : atoi(PQgetvalue(res, row, 1));
		PGresult *prepared;

		if (row < 0) {
			snprintf(err, errlen, "%s names api.%s, which the database does not have",
				 f->origin, f->name);
			goto out;
		}
		if (strcmp(PQgetvalue(res, row, 2), "1") != 0) {
			snprintf(err, errlen,
				 "%s names api.%s, which the database has %s times: a row must "
				 "name one function",
				 f->origin, f->name, PQgetvalue(res, row, 2));
			goto out;
		}
		if (n_args != f->n_args) {
			snprintf(
				err, errlen,
				"%s names api.%s, which takes %d arguments; the row passes %d (the "
				"actor, request id and client address, then %d of its own)",
				f->origin, f->name, n_args, f->n_args, f->n_args - 3);
			goto out;
		}
		if (!db_function_statement(text, sizeof(text), f->name, f->n_args,
					   PQgetvalue(res, row, 3))) {
			snprintf(err, errlen, "%s: the statement of api.%s is too long", f->origin,
				 f->name);
			goto out;
		}
		if (!prepare)
			continue;
		prepared = PQprepare(conn, f->name, text, 0, NULL);
		if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
			snprintf(err, errlen, "prepare %s: %s", f->name, PQerrorMessage(conn));
			PQclear(prepared);
			goto out;
		}
		PQclear(prepared);
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

struct name_clash {
	const char *name; /* the declared function found among the statements, or NULL */
};

static int statement_clash(const char *name, const char *text, void *ctx)
{
	struct name_clash *clash = ctx;
	size_t i;

	(void)text;
	for (i = 0; i < n_declared && !clash->name; i++)
		if (strcmp(declared[i].name, name) == 0)
			clash->name = declared[i].origin;
	return 0;
}

int db_check_functions(const char *conninfo, char *err, size_t errlen)
{
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *values[] = {conninfo, "3", "cansd", NULL};
	struct name_clash clash = {NULL};
	PGconn *conn;
	int rc;

	if (db_statements_each(db_statements_sql, statement_clash, &clash) < 0) {
		snprintf(err, errlen, "sql/queries.sql does not split into statements");
		return -1;
	}
	if (clash.name) {
		snprintf(err, errlen,
			 "%s names a function that sql/queries.sql also has a statement for",
			 clash.name);
		return -1;
	}
	conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "%.*s", (int)strcspn(PQerrorMessage(conn), "\n"),
			 PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	rc = functions_verify(conn, false, err, errlen);
	PQfinish(conn);
	return rc;
}

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

static bool prepare_all(struct db_link *link)
{
	PGresult *res;

	/* A failed round may have left some prepared: start from none. */
	res = PQexec(link->conn, "DEALLOCATE ALL");
	PQclear(res);
	link->prepared = db_statements_each(db_statements_sql, prepare_one, link->conn) >= 0;
	if (link->prepared) {
		char err[512];

		if (functions_verify(link->conn, true, err, sizeof(err))) {
			log_error("database: %s", err);
			link->prepared = false;
		}
	}
	if (!link->prepared)
		log_error("database: preparing statements failed; retried on the next request");
	return link->prepared;
}

/* Keeps the handle when the connect fails: ensuring the link resets it once the database is back.
 */
static int db_connect(struct db_link *link, const char *conninfo, const char *application_name,
		      const char *timezone, int statement_timeout_ms)
{
	char options[256];
	const char *keys[] = {"dbname", "options", "connect_timeout", "application_name", NULL};
	const char *values[] = {conninfo, options, "3", application_name, NULL};

	/* The programs' zone makes current_date the programs' "today". */
	if (timezone)
		snprintf(options, sizeof(options), "-c TimeZone=%s -c statement_timeout=%d",
			 timezone, statement_timeout_ms);
	else
		snprintf(options, sizeof(options), "-c statement_timeout=%d", statement_timeout_ms);
	link->conn = PQconnectdbParams(keys, values, 1);
	return PQstatus(link->conn) == CONNECTION_OK ? 0 : -1;
}

static int db_connect_for_requests(struct db_link *link, const char *conninfo, const char *timezone,
				   int statement_timeout_ms)
{
	link->statements = true;
	if (db_connect(link, conninfo, "cansd", timezone, statement_timeout_ms)) {
		log_error("database: %s", PQerrorMessage(link->conn));
		return -1;
	}
	if (!prepare_all(link))
		return -1;
	return 0;
}

int db_open(const char *conninfo, const char *timezone, int statement_timeout_ms)
{
	return db_connect_for_requests(&primary, conninfo, timezone, statement_timeout_ms);
}

int db_open_reports(const char *conninfo, const char *timezone, int statement_timeout_ms)
{
	return db_connect_for_requests(&reports, conninfo, timezone, statement_timeout_ms);
}

int db_open_service(const char *conninfo, const char *application_name, int statement_timeout_ms)
{
	primary.statements = false;
	return db_connect(&primary, conninfo, application_name, NULL, statement_timeout_ms);
}

PGresult *db_exec(const char *sql)
{
	return PQexec(primary.conn, sql);
}

bool db_connected(void)
{
	return primary.conn && PQstatus(primary.conn) == CONNECTION_OK;
}

const char *db_error(void)
{
	return primary.conn ? PQerrorMessage(primary.conn) : "out of memory\n";
}

void db_close(void)
{
	PQfinish(primary.conn);
	primary.conn = NULL;
	primary.prepared = false;
	if (reports.conn)
		PQfinish(reports.conn);
	reports.conn = NULL;
	reports.prepared = false;
}

static bool db_ensure_link(struct db_link *link)
{
	if (!link->conn)
		return false;
	if (PQstatus(link->conn) != CONNECTION_OK) {
		PQreset(link->conn);
		if (PQstatus(link->conn) != CONNECTION_OK)
			return false;
		if (!link->statements)
			return true;
		metrics_db_reconnect();
		/* Prepared statements die with their session. */
		link->prepared = false;
	}
	if (PQtransactionStatus(link->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(link->conn, "ROLLBACK");

		PQclear(res);
	}
	if (!link->statements)
		return PQstatus(link->conn) == CONNECTION_OK;
	if (!link->prepared && PQstatus(link->conn) == CONNECTION_OK)
		prepare_all(link);
	return PQstatus(link->conn) == CONNECTION_OK && link->prepared;
}

bool db_ensure(void)
{
	return db_ensure_link(&primary);
}

bool db_ping(void)
{
	PGresult *res;
	bool ok;

	if (!db_ensure())
		return false;
	res = PQexec(primary.conn, "SELECT 1");
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
		json_t *members = NULL;
		int rc;

		if (strcmp(map[i].state, state))
			continue;
		if (detail && *detail)
			members = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);
		rc = problem_with_object(req, map[i].status, map[i].name, message,
					 json_is_object(members) ? members : NULL);
		json_decref(members);
		return rc;
	}
	return -1;
}

/* Maps a failed result to a problem; never shows SQL text to the client. */
static int db_problem(struct request *req, struct db_link *link, const PGresult *res)
{
	PGconn *conn = link->conn;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *message = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	bool connection_ok = conn && PQstatus(conn) == CONNECTION_OK;
	enum db_failure failure;
	int status;

	if (!res && connection_ok && !link->prepared) {
		/* Reachable, but our statements do not prepare: not ready yet (or a broken deploy).
		 */
		metrics_db_error();
		log_msg("error", req->request_id, "database: statements not prepared");
		return problem(req, 503, PROBLEM_UNAVAILABLE,
			       "The service is not ready; try again shortly.");
	}
	failure = db_sqlstate_classify(state, connection_ok);
	switch (failure) {
	case DB_FAILURE_UNAVAILABLE:
		metrics_db_error();
		log_msg("error", req->request_id, "database unavailable (%s): %s",
			state ? state : "-", conn ? PQerrorMessage(conn) : "no connection");
		return problem(req, 503, PROBLEM_UNAVAILABLE,
			       "The database is unavailable; try again shortly.");
	case DB_FAILURE_TIMEOUT:
		log_msg("warning", req->request_id, "sql %s: %s", state, message ? message : "");
		return problem(req, 503, PROBLEM_UNAVAILABLE, "The request took too long.");
	case DB_FAILURE_RAISED:
		if ((status = problem_from_raised(req, state, message, detail)) > 0)
			return status;
		break; /* a CNnnn we do not know: our SQL and C disagree */
	case DB_FAILURE_RETRY:
	case DB_FAILURE_CONFLICT:
		log_msg("warning", req->request_id, "sql %s: %s", state, message ? message : "");
		return problem(
			req, 409, PROBLEM_CONFLICT,
			strcmp(state, "23503") == 0
				? "A referenced record does not exist."
				: "The change conflicts with the current state; reload and retry.");
	case DB_FAILURE_FORBIDDEN:
		log_msg("warning", req->request_id, "sql %s: %s", state, message ? message : "");
		return problem(req, 403, PROBLEM_FORBIDDEN,
			       "Your role does not allow this change.");
	case DB_FAILURE_INVALID:
		log_msg("warning", req->request_id, "sql %s: %s", state, message ? message : "");
		return problem(req, 400, PROBLEM_VALIDATION,
			       "A value is out of range or malformed.");
	case DB_FAILURE_BUG:
		break;
	}
	/* 26000 means this session lost a statement: prepare again on the next request. */
	if (state && strcmp(state, "26000") == 0)
		link->prepared = false;
	metrics_db_error();
	log_msg("error", req->request_id, "bug: sql %s: %s", state ? state : "(no SQLSTATE)",
		message ? message : (conn ? PQerrorMessage(conn) : ""));
	return problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
}

static bool should_retry(PGconn *conn, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return PQstatus(conn) == CONNECTION_OK &&
	       db_sqlstate_classify(state, true) == DB_FAILURE_RETRY;
}

static PGresult *db_call_on(struct db_link *link, struct request *req, const char *statement,
			    int n_params, const char *const *params)
{
	PGresult *res;
	ExecStatusType st;
	int attempt;

	if (!db_ensure_link(link)) {
		db_problem(req, link, NULL);
		return NULL;
	}
	res = PQexecPrepared(link->conn, statement, n_params, params, NULL, NULL, 0);
	/* A dead connection shows up on the first query after the server restarted. */
	if (PQstatus(link->conn) != CONNECTION_OK && strcmp(req->method, "GET") == 0) {
		PQclear(res);
		if (!db_ensure_link(link)) {
			db_problem(req, link, NULL);
			return NULL;
		}
		res = PQexecPrepared(link->conn, statement, n_params, params, NULL, NULL, 0);
	}
	st = PQresultStatus(res);
	for (attempt = 0;
	     attempt < DB_RETRIES && st == PGRES_FATAL_ERROR && should_retry(link->conn, res);
	     attempt++) {
		PQclear(res);
		res = PQexecPrepared(link->conn, statement, n_params, params, NULL, NULL, 0);
		st = PQresultStatus(res);
	}
	arena_defer(req->arena, clear_result, res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_problem(req, link, res);
		return NULL;
	}
	return res;
}

PGresult *db_call(struct request *req, const char *statement, int n_params,
		  const char *const *params)
{
	return db_call_on(&primary, req, statement, n_params, params);
}

/* $1..$3 = the actor id, request id and client address, then params. */
static PGresult *db_call_as_on(struct db_link *link, struct request *req, const char *statement,
			       int n_params, const char *const *params)
{
	const char *all[DB_MAX_PARAMS];
	int i;

	/* A handler passing more than the array holds is our bug: refuse it, keep the worker. */
	if (n_params < 0 || n_params + 3 > DB_MAX_PARAMS) {
		log_msg("error", req->request_id, "bug: %s called with %d parameters", statement,
			n_params);
		problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
		return NULL;
	}
	all[0] = req->caller_id;
	all[1] = req->request_id;
	all[2] = req->client_addr;
	for (i = 0; i < n_params; i++)
		all[i + 3] = params[i];
	return db_call_on(link, req, statement, n_params + 3, all);
}

PGresult *db_call_as(struct request *req, const char *statement, int n_params,
		     const char *const *params)
{
	return db_call_as_on(&primary, req, statement, n_params, params);
}

PGresult *db_call_reports_as(struct request *req, const char *statement, int n_params,
			     const char *const *params)
{
	return db_call_as_on(reports.conn ? &reports : &primary, req, statement, n_params, params);
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
			return -1; /* out of memory: the statements count as not prepared */
		rc = fn(name_buf, text, ctx);
		free(text);
		if (rc)
			return -1;
		count++;
		p = next;
	}
	return count;
}
