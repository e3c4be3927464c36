/*
 * The steps of `cansd migrate` on one superuser connection, each in one
 * transaction (a failed step leaves nothing of itself behind; the steps before
 * it stay committed):
 *   1. every migration not yet in public.schema_migrations, in numeric order,
 *      each as role cansd_owner and recorded in the same transaction;
 *   2. the SQL source: schema api dropped and re-created whole, base.sql,
 *      then the other files, with check_function_bodies off, then the
 *      function grants to cansd_app;
 *   3. the instrument catalogue: COPY into cansd.instrument_staging, then
 *      cansd.instrument_load();
 *   4. user admin, when there is none.
 * migrate_lock comes first and holds a session-level advisory lock until the
 * connection closes, so two runs against one database apply in turn, never
 * interleaved. Multi-statement files go through the simple query protocol
 * (PQexec): a file's text is sent as it is, nothing is built from strings.
 * Progress goes to out, errors (with the server's message) to err_out.
 */
#ifndef CANSD_MIGRATE_H
#define CANSD_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

struct migrate_plan;

/*
 * The advisory lock's key ("cansdmig" in ASCII), the same for every version:
 * a run of an older binary and one of a newer one must exclude each other too.
 */
#define MIGRATE_LOCK_KEY "7161132912489326951"

/* Blocks until no other run holds the lock (saying so on out when it waits). */
int migrate_lock(PGconn *conn, FILE *out, FILE *err_out);

/* Step 1. *applied counts what this run applied. */
int migrate_apply_migrations(PGconn *conn, const struct migrate_plan *plan, size_t *applied,
			     FILE *out, FILE *err_out);

/* Step 2. */
int migrate_apply_source(PGconn *conn, const struct migrate_plan *plan, FILE *out, FILE *err_out);

/* Step 3. */
int migrate_load_instrument(PGconn *conn, const struct migrate_plan *plan, FILE *out,
			    FILE *err_out);

/* Step 4, in two calls: hashing costs a third of a second, so only when needed. */
int migrate_admin_exists(PGconn *conn, bool *exists, FILE *err_out);
/*
 * Inserts user admin (program_admin) with password_hash and its audit event,
 * in one statement; *created is false when an admin appeared meanwhile.
 */
int migrate_admin_create(PGconn *conn, const char *password_hash, bool *created, FILE *err_out);

#endif
