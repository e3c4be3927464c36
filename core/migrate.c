#include "migrate.h"

#include <stdlib.h>
#include <string.h>

#include "migrate_plan.h"

static const char schema_migrations_sql[] = "SET client_min_messages = warning;"
					    "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
					    " version    text PRIMARY KEY,"
					    " applied_at timestamptz NOT NULL DEFAULT now());"
					    "REVOKE ALL ON public.schema_migrations FROM PUBLIC;"
					    "RESET client_min_messages";

static const char api_schema_sql[] = "DROP SCHEMA IF EXISTS api CASCADE;"
				     "CREATE SCHEMA api;"
				     "GRANT USAGE ON SCHEMA api TO cansd_app";

static const char function_grants_sql[] =
	"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cansd TO cansd_app;"
	"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api TO cansd_app";

static const char instrument_copy_sql[] =
	"COPY cansd.instrument_staging (domain_code, domain_name, item_code, item_name, subject,"
	" scale, min_age_months, max_age_months, rated_when)"
	" FROM STDIN WITH (FORMAT csv, HEADER true)";

/*
 * Superuser inserts bypass row-level security; the audit event is written in
 * the same statement. ON CONFLICT: an admin made meanwhile (by the API) is
 * kept, and then no event is written either.
 */
static const char admin_insert_sql[] =
	"WITH admin AS ("
	" INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program,"
	" password_hash)"
	" VALUES ('admin', 'Program Administrator', 'admin@localhost.invalid',"
	" ARRAY['program_admin'], NULL, NULL, $1)"
	" ON CONFLICT DO NOTHING"
	" RETURNING id)"
	" INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)"
	" SELECT NULL, 'bootstrap', 'user', id::text,"
	" jsonb_build_object('username', 'admin', 'by', 'cansd migrate')"
	" FROM admin";

/* Runs sql (one statement or several); false with the server's message on err_out. */
static bool run(PGconn *conn, const char *sql, const char *what, FILE *err_out)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;

	if (!ok)
		fprintf(err_out, "migrate: %s: %s", what, PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

/*
 * Ends the step's transaction (rolls back whatever failed) and resets what a
 * file may have SET for the session: each step starts from the defaults, as
 * when every file had a connection of its own. RESET ALL keeps the lock.
 */
static int finish(PGconn *conn, bool ok, FILE *err_out)
{
	PGresult *res = PQexec(conn, ok ? "COMMIT" : "ROLLBACK");
	bool done = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (ok && !done)
		fprintf(err_out, "migrate: COMMIT: %s", PQerrorMessage(conn));
	PQclear(res);
	res = PQexec(conn, "RESET ALL");
	PQclear(res);
	return ok && done ? 0 : -1;
}

int migrate_lock(PGconn *conn, FILE *out, FILE *err_out)
{
	PGresult *res = PQexec(conn, "SELECT pg_try_advisory_lock(" MIGRATE_LOCK_KEY ")");
	bool held;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(err_out, "migrate: advisory lock: %s", PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	held = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (held)
		return 0;
	fprintf(out, "migrate: waiting for another cansd migrate on this database to finish\n");
	fflush(out);
	return run(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "advisory lock", err_out)
		       ? 0
		       : -1;
}

/* The versions already applied, as a result to search (sorted by the server). */
static PGresult *applied_versions(PGconn *conn, FILE *err_out)
{
	PGresult *res;

	if (!run(conn, schema_migrations_sql, "public.schema_migrations", err_out))
		return NULL;
	res = PQexec(conn, "SELECT version FROM public.schema_migrations ORDER BY version "
			   "COLLATE \"C\"");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(err_out, "migrate: reading public.schema_migrations: %s",
			PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

static bool is_applied(PGresult *applied, const char *version)
{
	int lo = 0, hi = PQntuples(applied) - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(PQgetvalue(applied, mid, 0), version);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

static int apply_one(PGconn *conn, const struct migration *m, FILE *err_out)
{
	const char *params[1] = {m->version};
	PGresult *res;
	bool ok;

	/* warnings and errors only: "... does not exist, skipping" is no news */
	ok = run(conn, "BEGIN; SET LOCAL ROLE cansd_owner; SET LOCAL client_min_messages = warning",
		 m->file, err_out) &&
	     run(conn, m->text, m->file, err_out) && run(conn, "RESET ROLE", m->file, err_out);
	if (ok) {
		res = PQexecParams(conn,
				   "INSERT INTO public.schema_migrations (version) VALUES ($1)", 1,
				   NULL, params, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(err_out, "migrate: recording %s: %s", m->version,
				PQerrorMessage(conn));
		PQclear(res);
	}
	return finish(conn, ok, err_out);
}

int migrate_apply_migrations(PGconn *conn, const struct migrate_plan *plan, size_t *applied,
			     FILE *out, FILE *err_out)
{
	PGresult *done = applied_versions(conn, err_out);
	size_t i;
	int rc = 0;

	*applied = 0;
	if (!done)
		return -1;
	for (i = 0; i < plan->n_migrations && rc == 0; i++) {
		const struct migration *m = &plan->migrations[i];

		if (is_applied(done, m->version))
			continue;
		if (apply_one(conn, m, err_out)) {
			fprintf(err_out,
				"migrate: migration %s/%s failed; nothing of it was applied\n",
				plan->migrations_dir, m->file);
			rc = -1;
			break;
		}
		fprintf(out, "migrate: applied %s\n", m->file);
		fflush(out);
		(*applied)++;
	}
	if (rc == 0)
		fprintf(out, "migrate: %zu migrations in %s, %zu applied now\n", plan->n_migrations,
			plan->migrations_dir, *applied);
	PQclear(done);
	return rc;
}

int migrate_apply_source(PGconn *conn, const struct migrate_plan *plan, FILE *out, FILE *err_out)
{
	bool ok;
	size_t i;

	/*
	 * check_function_bodies off: files need not be ordered by the functions
	 * they call; plpgsql bodies are checked at their first call anyway.
	 */
	ok = run(conn,
		 "BEGIN; SET LOCAL ROLE cansd_owner; SET LOCAL check_function_bodies = off;"
		 " SET LOCAL client_min_messages = warning",
		 "SQL source", err_out) &&
	     run(conn, api_schema_sql, "schema api", err_out);
	for (i = 0; ok && i < plan->n_sources; i++) {
		const char *name = plan->sources[i].name;

		ok = run(conn, plan->sources[i].text, name, err_out);
		if (!ok)
			fprintf(err_out, "migrate: in %s/%s\n", plan->source_dir, name);
	}
	ok = ok && run(conn, function_grants_sql, "function grants", err_out) &&
	     run(conn, "RESET ROLE", "SQL source", err_out);
	if (finish(conn, ok, err_out)) {
		fprintf(err_out,
			"migrate: applying the SQL source files (%s) failed; nothing of it was "
			"applied\n",
			plan->source_dir);
		return -1;
	}
	fprintf(out, "migrate: SQL source applied: %zu files from %s (schema api re-created)\n",
		plan->n_sources, plan->source_dir);
	return 0;
}

/* Sends the CSV as the COPY's data; false with the reason on err_out. */
static bool copy_in(PGconn *conn, const struct migrate_plan *plan, FILE *err_out)
{
	PGresult *res = PQexec(conn, instrument_copy_sql);
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;

	PQclear(res);
	if (!ok) {
		fprintf(err_out, "migrate: COPY: %s", PQerrorMessage(conn));
		return false;
	}
	ok = PQputCopyData(conn, plan->instrument_csv, (int)plan->instrument_len) == 1;
	if (PQputCopyEnd(conn, ok ? NULL : "sending the file failed") != 1)
		ok = false;
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (ok)
				fprintf(err_out, "migrate: COPY: %s", PQerrorMessage(conn));
			ok = false;
		}
		PQclear(res);
	}
	return ok;
}

int migrate_load_instrument(PGconn *conn, const struct migrate_plan *plan, FILE *out, FILE *err_out)
{
	PGresult *res = NULL;
	char items[32] = "?";
	bool ok;

	if (plan->instrument_len > (size_t)0x7fffffff) {
		fprintf(err_out, "migrate: the instrument file %s is too large\n",
			plan->instrument_file);
		return -1;
	}
	ok = run(conn, "BEGIN; SET LOCAL ROLE cansd_owner; DELETE FROM cansd.instrument_staging",
		 "instrument", err_out) &&
	     copy_in(conn, plan, err_out);
	if (ok) {
		res = PQexec(conn, "SELECT cansd.instrument_load()");
		ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
		if (ok)
			snprintf(items, sizeof(items), "%s", PQgetvalue(res, 0, 0));
		else
			fprintf(err_out, "migrate: cansd.instrument_load(): %s",
				PQerrorMessage(conn));
		PQclear(res);
	}
	ok = ok && run(conn, "RESET ROLE", "instrument", err_out);
	if (finish(conn, ok, err_out)) {
		fprintf(err_out,
			"migrate: loading the instrument %s failed; nothing of it was "
			"applied\n",
			plan->instrument_file);
		return -1;
	}
	fprintf(out, "migrate: instrument loaded: %s items from %s\n", items,
		plan->instrument_file);
	return 0;
}

int migrate_admin_exists(PGconn *conn, bool *exists, FILE *err_out)
{
	PGresult *res = PQexec(conn, "SELECT EXISTS (SELECT 1 FROM cansd.users"
				     " WHERE username = 'admin')");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(err_out, "migrate: looking for user admin: %s", PQerrorMessage(conn));
		rc = -1;
	} else {
		*exists = PQgetvalue(res, 0, 0)[0] == 't';
	}
	PQclear(res);
	return rc;
}

int migrate_admin_create(PGconn *conn, const char *password_hash, bool *created, FILE *err_out)
{
	const char *params[1] = {password_hash};
	PGresult *res = PQexecParams(conn, admin_insert_sql, 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(err_out, "migrate: creating user admin: %s", PQerrorMessage(conn));
		rc = -1;
	} else {
		*created = strcmp(PQcmdTuples(res), "1") == 0;
	}
	PQclear(res);
	return rc;
}
