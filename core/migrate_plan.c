#include "migrate_plan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* 18 digits: any number a file name may carry fits a long long. */
#define MIGRATE_NUMBER_DIGITS_MAX 18

long long migrate_file_number(const char *file_name)
{
	const char *p = file_name, *name;
	size_t len, digits;
	long long number = 0;

	if (!file_name)
		return -1;
	len = strlen(file_name);
	for (digits = 0; p[digits] >= '0' && p[digits] <= '9'; digits++)
		;
	if (digits == 0 || digits > MIGRATE_NUMBER_DIGITS_MAX || p[digits] != '_')
		return -1;
	name = p + digits + 1;
	if (len < digits + 1 + 1 + 4 || strcmp(file_name + len - 4, ".sql") != 0)
		return -1;
	for (p = name; p < file_name + len - 4; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return -1;
	for (p = file_name; p < file_name + digits; p++)
		number = number * 10 + (*p - '0');
	return number;
}

static int by_number(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return strcmp(x->file, y->file);
}

int migrate_order(struct migration *migrations, size_t n, char *err, size_t errlen)
{
	size_t i;

	if (n > 1)
		qsort(migrations, n, sizeof(*migrations), by_number);
	for (i = 1; i < n; i++)
		if (migrations[i].number == migrations[i - 1].number) {
			snprintf(err, errlen, "two migrations share number %lld: %s and %s",
				 migrations[i].number, migrations[i - 1].file, migrations[i].file);
			return -1;
		}
	return 0;
}

static int base_first(const void *a, const void *b)
{
	const struct sql_source *x = a, *y = b;
	int x_base = strcmp(x->name, "base.sql") == 0, y_base = strcmp(y->name, "base.sql") == 0;

	if (x_base != y_base)
		return x_base ? -1 : 1;
	return strcmp(x->name, y->name);
}

int migrate_order_sources(struct sql_source *sources, size_t n, char *err, size_t errlen)
{
	if (n > 1)
		qsort(sources, n, sizeof(*sources), base_first);
	if (n == 0 || strcmp(sources[0].name, "base.sql") != 0) {
		snprintf(err, errlen, "base.sql is missing");
		return -1;
	}
	return 0;
}

size_t migrate_clean_csv(char *text, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		const char *nl = memchr(text + in, '\n', len - in);
		size_t end = nl ? (size_t)(nl - text) : len, line_end = end, i;
		int blank = 1;

		if (line_end > in && text[line_end - 1] == '\r')
			line_end--;
		for (i = in; i < line_end && blank; i++)
			if (!strchr(" \t\v\f\r", text[i]))
				blank = 0;
		if (!blank) {
			memmove(text + out, text + in, line_end - in);
			out += line_end - in;
			text[out++] = '\n';
		}
		in = end + 1;
	}
	text[out] = '\0';
	return out;
}

/* The whole file, NUL-terminated; its length in *len. NULL with err set. */
static char *read_whole(struct arena *arena, const char *path, size_t *len, char *err,
			size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, arena);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	fclose(f);
	/* The text goes to libpq as a C string: a NUL would cut it short. */
	if (b.len && memchr(b.data, '\0', b.len)) {
		snprintf(err, errlen, "%s holds a NUL byte", path);
		return NULL;
	}
	*len = b.len;
	return b.len ? b.data : arena_strdup(arena, "");
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* Calls add for every "*.sql" name in dir (those starting with '.' only when dotfiles). */
static int each_sql_file(const char *dir, int dotfiles,
			 int (*add)(const char *name, void *ctx, char *err, size_t errlen),
			 void *ctx, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)))
		if (has_suffix(e->d_name, ".sql") && (dotfiles || e->d_name[0] != '.'))
			rc = add(e->d_name, ctx, err, errlen);
	closedir(d);
	return rc;
}

struct collect {
	struct arena *arena;
	const char *dir;
	struct buf items; /* an array of struct migration or struct sql_source */
};

static int add_migration(const char *name, void *ctx, char *err, size_t errlen)
{
	struct collect *c = ctx;
	struct migration m;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.number = migrate_file_number(name);
	if (m.number < 0) {
		snprintf(err, errlen, "migration file name must be NNN_name.sql: %s/%s", c->dir,
			 name);
		return -1;
	}
	m.file = arena_strdup(c->arena, name);
	m.version = arena_strndup(c->arena, name, strlen(name) - 4);
	m.text = read_whole(c->arena, arena_printf(c->arena, "%s/%s", c->dir, name), &len, err,
			    errlen);
	if (!m.text)
		return -1;
	buf_append(&c->items, (const char *)&m, sizeof(m));
	return 0;
}

static int add_source(const char *name, void *ctx, char *err, size_t errlen)
{
	struct collect *c = ctx;
	struct sql_source s;
	size_t len;

	s.name = arena_strdup(c->arena, name);
	s.text = read_whole(c->arena, arena_printf(c->arena, "%s/%s", c->dir, name), &len, err,
			    errlen);
	if (!s.text)
		return -1;
	buf_append(&c->items, (const char *)&s, sizeof(s));
	return 0;
}

/* A copy of the collected array, aligned for its type (a buf's bytes need not be). */
static void *items_copy(struct collect *c, size_t size, size_t *n)
{
	void *items;

	*n = c->items.len / size;
	items = arena_calloc(c->arena, *n ? *n : 1, size);
	if (*n)
		memcpy(items, c->items.data, c->items.len);
	return items;
}

int migrate_plan_read(struct arena *arena, const char *migrations_dir, const char *source_dir,
		      const char *instrument_file, struct migrate_plan *plan, char *err,
		      size_t errlen)
{
	struct collect c;
	char *csv, *clean;
	size_t len;

	memset(plan, 0, sizeof(*plan));
	plan->migrations_dir = migrations_dir;
	plan->source_dir = source_dir;
	plan->instrument_file = instrument_file;

	c.arena = arena;
	c.dir = migrations_dir;
	buf_init(&c.items, arena);
	/* Dotfiles too: a hidden ".x.sql" is a bad name, not one to skip silently. */
	if (each_sql_file(migrations_dir, 1, add_migration, &c, err, errlen))
		return -1;
	plan->migrations = items_copy(&c, sizeof(struct migration), &plan->n_migrations);
	if (migrate_order(plan->migrations, plan->n_migrations, err, errlen))
		return -1;

	c.dir = source_dir;
	buf_init(&c.items, arena);
	if (each_sql_file(source_dir, 0, add_source, &c, err, errlen))
		return -1;
	plan->sources = items_copy(&c, sizeof(struct sql_source), &plan->n_sources);
	if (migrate_order_sources(plan->sources, plan->n_sources, err, errlen)) {
		snprintf(err, errlen, "%s/base.sql is missing", source_dir);
		return -1;
	}

	csv = read_whole(arena, instrument_file, &len, err, errlen);
	if (!csv)
		return -1;
	if (len == 0) {
		snprintf(err, errlen, "the instrument file %s is empty", instrument_file);
		return -1;
	}
	/* Two bytes more: a last line without '\n' gets one, then the NUL. */
	clean = arena_alloc(arena, len + 2);
	memcpy(clean, csv, len + 1);
	plan->instrument_len = migrate_clean_csv(clean, len);
	plan->instrument_csv = clean;
	return 0;
}
