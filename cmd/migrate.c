#include "migrate.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "../auth/password.h"
#include "../core/arena.h"
#include "../core/base64.h"
#include "../core/migrate.h"
#include "../core/migrate_plan.h"
#include "os_user.h"

/* 18 random bytes: 24 base64url characters, the length the shell generated. */
#define ADMIN_PASSWORD_BYTES 18
#define ADMIN_PASSWORD_MIN 8

struct migrate_options {
	const char *sql_dir;
	const char *os_user;
	const char *conninfo;
	int wait_seconds;
};

static int usage(void)
{
	fprintf(stderr, "usage: cansd migrate [--sql DIR] [--os-user USER] [--wait SECONDS] "
			"[CONNINFO]\n");
	return 2;
}

static int parse_options(int argc, char **argv, struct migrate_options *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->sql_dir = "sql";
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--sql") == 0 && i + 1 < argc) {
			o->sql_dir = argv[++i];
		} else if (strcmp(a, "--os-user") == 0 && i + 1 < argc) {
			o->os_user = argv[++i];
		} else if (strcmp(a, "--wait") == 0 && i + 1 < argc) {
			char *end;
			long s = strtol(argv[++i], &end, 10);

			if (*argv[i] == '\0' || *end || s < 0 || s > 3600)
				return -1;
			o->wait_seconds = (int)s;
		} else if (a[0] != '-' && !o->conninfo) {
			o->conninfo = a;
		} else {
			return -1;
		}
	}
	return 0;
}

/* The environment's path when set, else DIR/default_path. */
static const char *input_path(struct arena *arena, const char *env, const char *sql_dir,
			      const char *default_path)
{
	const char *v = getenv(env);

	return v && *v ? v : arena_printf(arena, "%s/%s", sql_dir, default_path);
}

/*
 * Database cansd unless the conninfo names one (PGDATABASE does not count,
 * as before); application_name says who holds the lock in pg_stat_activity.
 */
static PGconn *connect_once(const char *conninfo)
{
	const char *keys[4] = {"dbname", NULL, NULL, NULL};
	const char *values[4] = {conninfo ? conninfo : "", NULL, NULL, NULL};
	PQconninfoOption *opts = PQconninfoParse(values[0], NULL);
	const PQconninfoOption *o;
	bool named = false;
	int n = 1;
	PGconn *conn;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
			named = true;
	/* Not a connection string: libpq takes the word itself as the database. */
	if (!opts && *values[0])
		named = true;
	PQconninfoFree(opts);
	if (!named) {
		keys[n] = "dbname";
		values[n++] = "cansd";
	}
	keys[n] = "fallback_application_name";
	values[n++] = "cansd-migrate";
	conn = PQconnectdbParams(keys, values, 1);
	return conn;
}

/* Retries for up to wait_seconds (a server that is still starting). */
static PGconn *connect_waiting(const char *conninfo, int wait_seconds)
{
	time_t deadline = time(NULL) + wait_seconds;
	bool said = false;
	PGconn *conn;

	for (;;) {
		conn = connect_once(conninfo);
		if (PQstatus(conn) == CONNECTION_OK || time(NULL) >= deadline)
			return conn;
		if (!said) {
			fprintf(stdout, "migrate: waiting up to %d s for the database: %s",
				wait_seconds, PQerrorMessage(conn));
			fflush(stdout);
			said = true;
		}
		PQfinish(conn);
		sleep(1);
	}
}

/* A box on stdout around the lines, as every start-up notice is shown. */
static void print_box(const char *const *lines, size_t n)
{
	size_t width = 0, i, j;

	for (i = 0; i < n; i++)
		if (strlen(lines[i]) > width)
			width = strlen(lines[i]);
	for (j = 0; j < 2; j++) {
		putchar('+');
		for (i = 0; i < width + 2; i++)
			putchar('=');
		puts("+");
		for (i = 0; j == 0 && i < n; i++)
			printf("| %-*s |\n", (int)width, lines[i]);
	}
}

/*
 * Creates user admin when there is none: CANSD_ADMIN_PASSWORD, else a
 * generated password printed once. 0, or -1 (the message is out).
 */
static int bootstrap_admin(PGconn *conn, const char *chosen)
{
	unsigned char raw[ADMIN_PASSWORD_BYTES];
	char generated[((ADMIN_PASSWORD_BYTES + 2) / 3) * 4 + 1], hash[PASSWORD_HASH_MAX];
	char line[128];
	const char *password = chosen;
	bool exists = false, created = false;
	int rc = -1;

	if (migrate_admin_exists(conn, &exists, stderr))
		return -1;
	if (exists) {
		printf("migrate: user admin exists\n");
		return 0;
	}
	if (password && (strlen(password) < ADMIN_PASSWORD_MIN || strpbrk(password, "\r\n"))) {
		fprintf(stderr,
			"migrate: CANSD_ADMIN_PASSWORD must be one line of at least %d "
			"characters\n",
			ADMIN_PASSWORD_MIN);
		return -1;
	}
	if (!password) {
		if (RAND_bytes(raw, sizeof(raw)) != 1) {
			fprintf(stderr, "migrate: no random bytes for the admin password\n");
			return -1;
		}
		base64_encode(raw, sizeof(raw), generated, BASE64_URL);
		password = generated;
	}
	if (password_hash(password, PASSWORD_ITERATIONS, hash, sizeof(hash))) {
		fprintf(stderr, "migrate: hashing the admin password failed\n");
		goto out;
	}
	if (migrate_admin_create(conn, hash, &created, stderr))
		goto out;
	rc = 0;
	if (!created) {
		printf("migrate: user admin exists\n");
	} else if (chosen) {
		printf("migrate: created user 'admin' with the password from "
		       "CANSD_ADMIN_PASSWORD\n");
	} else {
		const char *lines[4] = {"cansd: created user 'admin' (program_admin)", line,
					"It is shown only this once. Set CANSD_ADMIN_PASSWORD "
					"before the",
					"first start to choose it instead."};

		snprintf(line, sizeof(line), "password: %s", password);
		print_box(lines, 4);
		OPENSSL_cleanse(line, sizeof(line));
	}
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(generated, sizeof(generated));
	return rc;
}

static int run_steps(PGconn *conn, const struct migrate_plan *plan, const char *admin_password)
{
	size_t applied;

	if (migrate_lock(conn, stdout, stderr) ||
	    migrate_apply_migrations(conn, plan, &applied, stdout, stderr) ||
	    migrate_apply_source(conn, plan, stdout, stderr) ||
	    migrate_load_instrument(conn, plan, stdout, stderr) ||
	    bootstrap_admin(conn, admin_password))
		return 1;
	printf("migrate: database %s is up to date\n", PQdb(conn));
	return 0;
}

int migrate_command(int argc, char **argv)
{
	struct migrate_options o;
	struct migrate_plan plan;
	struct arena *arena = NULL;
	const char *admin_password;
	PGconn *conn = NULL;
	char err[1024];
	int rc = 2;

	if (parse_options(argc, argv, &o))
		return usage();
	/* Only read when admin is missing: once it exists, the variable is ignored. */
	admin_password = getenv("CANSD_ADMIN_PASSWORD");
	if (admin_password && !*admin_password)
		admin_password = NULL;
	/* Unbuffered enough for a log: each line as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	arena = arena_new(1 << 20);
	if (migrate_plan_read(arena,
			      input_path(arena, "CANSD_MIGRATIONS_DIR", o.sql_dir, "migrations"),
			      input_path(arena, "CANSD_SQL_SOURCE_DIR", o.sql_dir, "functions"),
			      input_path(arena, "CANSD_INSTRUMENT_FILE", o.sql_dir,
					 "data/cans-2.0-items.csv"),
			      &plan, err, sizeof(err))) {
		fprintf(stderr, "cansd migrate: %s\n", err);
		goto out;
	}
	/* Everything is read: from here on the tree may be out of reach. */
	if (o.os_user && os_user_become(o.os_user, "migrate"))
		goto out;
	conn = connect_waiting(o.conninfo, o.wait_seconds);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "cansd migrate: cannot connect: %s", PQerrorMessage(conn));
		goto out;
	}
	rc = run_steps(conn, &plan, admin_password);
out:
	PQfinish(conn);
	arena_free(arena);
	return rc;
}
