/*
 * What `cansd migrate` applies, read whole from disk before it connects: a
 * process that then gives up root for the database's OS user (peer
 * authentication) needs no access to the tree the files came from.
 *   migrations  sql/migrations/NNN_name.sql, in numeric order, each applied
 *               once and recorded as its version "NNN_name"
 *   sources     sql/functions/NAME.sql, base.sql first, then the others in byte
 *               order of their names, re-applied at every run
 *   instrument  the catalogue's CSV, as COPY reads it
 */
#ifndef CANSD_MIGRATE_PLAN_H
#define CANSD_MIGRATE_PLAN_H

#include <stddef.h>

struct arena;

struct migration {
	long long number;
	const char *file;    /* "001_identity.sql" */
	const char *version; /* "001_identity": the row in public.schema_migrations */
	const char *text;
};

struct sql_source {
	const char *name; /* "base.sql" */
	const char *text;
};

struct migrate_plan {
	const char *migrations_dir;
	struct migration *migrations;
	size_t n_migrations;
	const char *source_dir;
	struct sql_source *sources;
	size_t n_sources;
	const char *instrument_file;
	const char *instrument_csv;
	size_t instrument_len;
};

/*
 * The number of a migration file named NNN_name.sql (digits, '_', then at
 * least one of [A-Za-z0-9_.-], then ".sql"); -1 for any other name.
 */
long long migrate_file_number(const char *file_name);

/*
 * Sorts by number. -1, with err naming both files, when two share a number
 * (001_a.sql and 1_b.sql do).
 */
int migrate_order(struct migration *migrations, size_t n, char *err, size_t errlen);

/* base.sql first, then byte order of the names. -1 when there is no base.sql. */
int migrate_order_sources(struct sql_source *sources, size_t n, char *err, size_t errlen);

/*
 * The CSV as the catalogue loader gets it, in place: a '\r' before each line
 * end removed, lines with nothing but white space dropped, and every line
 * ending in '\n'. text holds len + 2 bytes (a last line may gain its '\n').
 * Returns the new length; text is NUL-terminated there.
 */
size_t migrate_clean_csv(char *text, size_t len);

/*
 * Reads the three inputs into plan, every byte allocated in arena. -1 with
 * err naming the file when one cannot be read, is empty (the CSV), holds a NUL
 * byte, or has a bad or duplicate migration name.
 */
int migrate_plan_read(struct arena *arena, const char *migrations_dir, const char *source_dir,
		      const char *instrument_file, struct migrate_plan *plan, char *err,
		      size_t errlen);

#endif
