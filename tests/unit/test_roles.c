/* core/roles.c: role names and bits, the granted roles, the programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/roles.h"

static void test_role_names_round_trip(void **state)
{
	static const unsigned bits[] = {
		ROLE_WORKER,     ROLE_SUPERVISOR,    ROLE_CERTIFICATION_OFFICE,
		ROLE_QA_ANALYST, ROLE_PROGRAM_ADMIN, ROLE_CERTIFIED_CANS_USER,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const char *name = role_name(bits[i]);

		assert_non_null(name);
		assert_int_equal(role_from_name(name, strlen(name)), bits[i]);
	}
}

static void test_role_from_name_knows_the_api_names(void **state)
{
	(void)state;
	assert_int_equal(role_from_name("worker", 6), ROLE_WORKER);
	assert_int_equal(role_from_name("supervisor", 10), ROLE_SUPERVISOR);
	assert_int_equal(role_from_name("certification_office", 20), ROLE_CERTIFICATION_OFFICE);
	assert_int_equal(role_from_name("qa_analyst", 10), ROLE_QA_ANALYST);
	assert_int_equal(role_from_name("program_admin", 13), ROLE_PROGRAM_ADMIN);
	assert_int_equal(role_from_name("certified_cans_user", 19), ROLE_CERTIFIED_CANS_USER);
}

/* The names a user can be granted: every role but the computed one, each once. */
static void test_granted_roles_are_every_role_but_the_computed_one(void **state)
{
	size_t n = 0;

	(void)state;
	for (const char *const *name = role_granted_names; *name; name++, n++) {
		unsigned bit = role_granted_from_name(*name, strlen(*name));

		assert_int_not_equal(bit, 0);
		assert_int_not_equal(bit, ROLE_CERTIFIED_CANS_USER);
		assert_string_equal(role_name(bit), *name);
	}
	assert_int_equal(n, 5);
	assert_int_equal(role_granted_from_name("certified_cans_user", 19), 0);
	assert_int_equal(role_granted_from_name("admin", 5), 0);
	assert_string_equal(program_names[0], "IPS");
	assert_string_equal(program_names[1], "IFPS");
	assert_null(program_names[2]);
}

static void test_role_from_name_uses_only_len_bytes(void **state)
{
	(void)state;
	/* A name inside a longer, unterminated buffer (e.g. a JSON array). */
	assert_int_equal(role_from_name("worker\",\"supervisor", 6), ROLE_WORKER);
	assert_int_equal(role_from_name("supervisors", 10), ROLE_SUPERVISOR);
}

static void test_role_from_name_refuses_unknown_prefix_and_case(void **state)
{
	(void)state;
	assert_int_equal(role_from_name("work", 4), 0);
	assert_int_equal(role_from_name("workers", 7), 0);
	assert_int_equal(role_from_name("Worker", 6), 0);
	assert_int_equal(role_from_name("admin", 5), 0);
	assert_int_equal(role_from_name("", 0), 0);
}

static void test_role_name_of_unknown_or_combined_bits_is_null(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_QA_ANALYST), "qa_analyst");
	assert_null(role_name(0));
	assert_null(role_name(ROLE_WORKER | ROLE_SUPERVISOR));
	assert_null(role_name(1u << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names_round_trip),
		cmocka_unit_test(test_role_from_name_knows_the_api_names),
		cmocka_unit_test(test_granted_roles_are_every_role_but_the_computed_one),
		cmocka_unit_test(test_role_from_name_uses_only_len_bytes),
		cmocka_unit_test(test_role_from_name_refuses_unknown_prefix_and_case),
		cmocka_unit_test(test_role_name_of_unknown_or_combined_bits_is_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
