/* The identity cache may only answer with what the database would answer now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/identity_cache.h"

#define NOW 1800000000L
#define DAY 20270115

static struct arena *arena;

static int setup(void **state)
{
	(void)state;
	arena = arena_new(4096);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	identity_cache_clear();
	arena_free(arena);
	return 0;
}

static struct identity sample(void)
{
	struct identity id = {0};

	id.user_id = "42";
	id.roles = 1u;
	id.certified = true;
	id.username = "worker.current";
	id.full_name = "Casey Current";
	id.email = "casey@example.org";
	id.supervisor_id = "2";
	id.program = NULL;
	id.certified_until = "2027-09-01";
	id.missing = "";
	return id;
}

static void test_entry_is_returned_as_stored_while_nothing_changed(void **state)
{
	struct identity id = sample();
	const struct identity *got;

	(void)state;
	assert_null(identity_cache_get(arena, "i:42", NOW, DAY));
	identity_cache_put("i:42", &id, identity_cache_epoch(), NOW, DAY);
	got = identity_cache_get(arena, "i:42", NOW + 1, DAY);
	assert_non_null(got);
	assert_string_equal(got->user_id, "42");
	assert_string_equal(got->email, "casey@example.org");
	assert_null(got->program);
	assert_true(got->certified);
	assert_string_equal(got->certified_until, "2027-09-01");
}

static void test_any_change_in_the_pool_makes_entries_stale(void **state)
{
	struct identity id = sample();

	(void)state;
	identity_cache_put("i:42", &id, identity_cache_epoch(), NOW, DAY);
	identity_cache_invalidate();
	assert_null(identity_cache_get(arena, "i:42", NOW, DAY));
}

static void test_entry_loaded_while_a_change_committed_is_stale(void **state)
{
	struct identity id = sample();
	uint64_t before = identity_cache_epoch();

	(void)state;
	identity_cache_invalidate(); /* a write commits during the lookup */
	identity_cache_put("i:42", &id, before, NOW, DAY);
	assert_null(identity_cache_get(arena, "i:42", NOW, DAY));
}

static void test_entries_expire_after_the_ttl(void **state)
{
	struct identity id = sample();

	(void)state;
	identity_cache_put("i:42", &id, identity_cache_epoch(), NOW, DAY);
	assert_non_null(identity_cache_get(arena, "i:42", NOW + IDENTITY_CACHE_TTL - 1, DAY));
	assert_null(identity_cache_get(arena, "i:42", NOW + IDENTITY_CACHE_TTL, DAY));
	assert_null(identity_cache_get(arena, "i:42", NOW - 1, DAY));
}

static void test_a_new_day_makes_entries_stale(void **state)
{
	struct identity id = sample();

	(void)state;
	identity_cache_put("i:42", &id, identity_cache_epoch(), NOW, DAY);
	assert_null(identity_cache_get(arena, "i:42", NOW + 1, DAY + 1));
}

static void test_keys_never_answer_for_one_another(void **state)
{
	struct identity id = sample();

	(void)state;
	identity_cache_put("i:42", &id, identity_cache_epoch(), NOW, DAY);
	assert_null(identity_cache_get(arena, "u:42", NOW, DAY));
	assert_null(identity_cache_get(arena, "i:4", NOW, DAY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_entry_is_returned_as_stored_while_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_change_in_the_pool_makes_entries_stale,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_loaded_while_a_change_committed_is_stale,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_expire_after_the_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_new_day_makes_entries_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys_never_answer_for_one_another, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("identity cache", tests, NULL, NULL);
}
