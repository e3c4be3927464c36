/*
 * core/migrate_plan.c: which files `cansd migrate` applies, in which order,
 * and which it refuses before it connects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/migrate_plan.h"

static void test_a_migration_name_is_digits_underscore_name_dot_sql(void **state)
{
	(void)state;
	assert_int_equal(migrate_file_number("001_identity.sql"), 1);
	assert_int_equal(migrate_file_number("1_x.sql"), 1);
	assert_int_equal(migrate_file_number("021_api_schema.sql"), 21);
	assert_int_equal(migrate_file_number("007_a.b-C_9.sql"), 7);
	assert_int_equal(migrate_file_number("000000000000000042_x.sql"), 42);
}

static void test_any_other_name_is_refused(void **state)
{
	static const char *const bad[] = {"identity.sql",
					  "001identity.sql",
					  "001_.sql",
					  "_x.sql",
					  "001_a b.sql",
					  "001_a+b.sql",
					  "001_x.SQL",
					  "001_x.sql~",
					  "001_x",
					  ".001_x.sql",
					  "-1_x.sql",
					  "0000000000000000001_x.sql",
					  ""};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(migrate_file_number(bad[i]), -1);
	assert_int_equal(migrate_file_number(NULL), -1);
}

static struct migration named(const char *file)
{
	struct migration m;

	memset(&m, 0, sizeof(m));
	m.file = file;
	m.number = migrate_file_number(file);
	return m;
}

static void test_migrations_are_ordered_by_number_not_by_name(void **state)
{
	struct migration m[4] = {named("10_b.sql"), named("9_a.sql"), named("100_c.sql"),
				 named("011_d.sql")};
	char err[256];

	(void)state;
	assert_int_equal(migrate_order(m, 4, err, sizeof(err)), 0);
	assert_string_equal(m[0].file, "9_a.sql");
	assert_string_equal(m[1].file, "10_b.sql");
	assert_string_equal(m[2].file, "011_d.sql");
	assert_string_equal(m[3].file, "100_c.sql");
}

static void test_two_migrations_with_one_number_are_refused(void **state)
{
	struct migration m[3] = {named("002_b.sql"), named("001_a.sql"), named("1_again.sql")};
	char err[256] = "";

	(void)state;
	assert_int_equal(migrate_order(m, 3, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "number 1"));
	assert_non_null(strstr(err, "001_a.sql"));
	assert_non_null(strstr(err, "1_again.sql"));
}

static void test_sources_are_base_first_then_byte_order(void **state)
{
	struct sql_source s[5] = {{"users.sql", ""},
				  {"qc_reviews.sql", ""},
				  {"base.sql", ""},
				  {"qc.sql", ""},
				  {"Audit.sql", ""}};
	char err[256];

	(void)state;
	assert_int_equal(migrate_order_sources(s, 5, err, sizeof(err)), 0);
	assert_string_equal(s[0].name, "base.sql");
	assert_string_equal(s[1].name, "Audit.sql");
	assert_string_equal(s[2].name, "qc.sql");
	assert_string_equal(s[3].name, "qc_reviews.sql");
	assert_string_equal(s[4].name, "users.sql");
}

static void test_sources_without_base_are_refused(void **state)
{
	struct sql_source s[2] = {{"users.sql", ""}, {"cases.sql", ""}};
	char err[256];

	(void)state;
	assert_int_equal(migrate_order_sources(s, 2, err, sizeof(err)), -1);
	assert_int_equal(migrate_order_sources(s, 0, err, sizeof(err)), -1);
}

static void test_csv_loses_carriage_returns_and_blank_lines(void **state)
{
	char text[64] = "h1,h2\r\n\r\na,b\n \t \nc,\"d\r\"\r\n\nlast,line";
	size_t n = migrate_clean_csv(text, strlen(text));

	(void)state;
	assert_string_equal(text, "h1,h2\na,b\nc,\"d\r\"\nlast,line\n");
	assert_int_equal(n, strlen(text));
}

/* A scratch tree: DIR/migrations, DIR/functions, DIR/items.csv. */
static char root[64];

static void put(const char *relative, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, relative);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int tree_up(void **state)
{
	char path[128];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/cansd-plan.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/migrations", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/functions", root);
	mkdir(path, 0700);
	put("migrations/002_second.sql", "SELECT 2;", 9);
	put("migrations/001_first.sql", "SELECT 1;", 9);
	put("migrations/README.md", "not a migration", 15);
	put("functions/base.sql", "SELECT 'base';", 14);
	put("functions/a.sql", "SELECT 'a';", 11);
	put("functions/.hidden.sql", "SELECT 'hidden';", 16);
	put("items.csv", "code,name\r\nA,a\r\n", 16);
	return 0;
}

static int tree_down(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int read_plan(struct arena *a, struct migrate_plan *plan, char *err, size_t errlen)
{
	char *m = arena_printf(a, "%s/migrations", root),
	     *f = arena_printf(a, "%s/functions", root),
	     *csv = arena_printf(a, "%s/items.csv", root);

	return migrate_plan_read(a, m, f, csv, plan, err, errlen);
}

static void test_the_plan_holds_every_file_read_whole_in_order(void **state)
{
	struct arena *a = arena_new(4096);
	struct migrate_plan plan;
	char err[512] = "";

	(void)state;
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.n_migrations, 2);
	assert_string_equal(plan.migrations[0].file, "001_first.sql");
	assert_string_equal(plan.migrations[0].version, "001_first");
	assert_string_equal(plan.migrations[0].text, "SELECT 1;");
	assert_string_equal(plan.migrations[1].version, "002_second");
	/* A hidden source file is not applied, as a shell glob would not have. */
	assert_int_equal(plan.n_sources, 2);
	assert_string_equal(plan.sources[0].name, "base.sql");
	assert_string_equal(plan.sources[1].name, "a.sql");
	assert_string_equal(plan.instrument_csv, "code,name\nA,a\n");
	assert_int_equal(plan.instrument_len, 14);
	arena_free(a);
}

static void test_a_bad_migration_name_stops_the_plan(void **state)
{
	struct arena *a = arena_new(4096);
	struct migrate_plan plan;
	char err[512] = "", path[128];

	(void)state;
	put("migrations/3-third.sql", "SELECT 3;", 9);
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NNN_name.sql"));
	assert_non_null(strstr(err, "3-third.sql"));
	snprintf(path, sizeof(path), "%s/migrations/3-third.sql", root);
	unlink(path);
	arena_free(a);
}

static void test_a_nul_byte_an_empty_catalogue_or_no_base_stops_the_plan(void **state)
{
	struct arena *a = arena_new(4096);
	struct migrate_plan plan;
	char err[512] = "", path[128];

	(void)state;
	put("migrations/003_nul.sql", "SELECT\0 3;", 10);
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	snprintf(path, sizeof(path), "%s/migrations/003_nul.sql", root);
	unlink(path);

	put("items.csv", "", 0);
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	put("items.csv", "code,name\n", 10);

	snprintf(path, sizeof(path), "%s/functions/base.sql", root);
	unlink(path);
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "base.sql is missing"));
	put("functions/base.sql", "SELECT 'base';", 14);
	assert_int_equal(read_plan(a, &plan, err, sizeof(err)), 0);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_migration_name_is_digits_underscore_name_dot_sql),
		cmocka_unit_test(test_any_other_name_is_refused),
		cmocka_unit_test(test_migrations_are_ordered_by_number_not_by_name),
		cmocka_unit_test(test_two_migrations_with_one_number_are_refused),
		cmocka_unit_test(test_sources_are_base_first_then_byte_order),
		cmocka_unit_test(test_sources_without_base_are_refused),
		cmocka_unit_test(test_csv_loses_carriage_returns_and_blank_lines),
		cmocka_unit_test(test_the_plan_holds_every_file_read_whole_in_order),
		cmocka_unit_test(test_a_bad_migration_name_stops_the_plan),
		cmocka_unit_test(test_a_nul_byte_an_empty_catalogue_or_no_base_stops_the_plan),
	};

	return cmocka_run_group_tests(tests, tree_up, tree_down);
}
