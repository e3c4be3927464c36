/*
 * What password_burn (auth/password.c) is for: a login for an unknown user
 * costs what a wrong password for a known one costs, so the time a refusal
 * takes does not tell which usernames exist. Here the two calls themselves;
 * tests/integration/test_login_timing.c measures the same through the login
 * endpoint.
 *
 * Measured in the thread's CPU time, which other processes on a loaded
 * machine do not inflate (wall time would count their turns on the cores),
 * as the medians of ROUNDS runs of each, interleaved and alternating which
 * goes first, so that drift (frequency scaling, a cold cache) touches both
 * alike. Both run PBKDF2-HMAC-SHA256 at PASSWORD_ITERATIONS and differ only
 * by the parse of the stored record (microseconds against a PBKDF2 run of
 * hundreds of milliseconds), so the medians agree within a few percent (3%
 * apart, 670 and 690 ms, on a loaded 2-core machine). The margin, 15%, is
 * wide enough for that noise and far narrower than any real difference: a
 * burn at half the iterations misses it by 35 points, one that derives
 * nothing by 85.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "auth/password.h"
#include "tests/support/timing.h"

#define ROUNDS 5
#define MARGIN 0.15

static double cpu_ms_of_verify(const char *encoded)
{
	double start = timing_ms(CLOCK_THREAD_CPUTIME_ID);

	assert_false(password_verify("a wrong password", encoded));
	return timing_ms(CLOCK_THREAD_CPUTIME_ID) - start;
}

static double cpu_ms_of_burn(void)
{
	double start = timing_ms(CLOCK_THREAD_CPUTIME_ID);

	password_burn("a wrong password");
	return timing_ms(CLOCK_THREAD_CPUTIME_ID) - start;
}

static void test_unknown_user_costs_what_a_wrong_password_costs(void **state)
{
	char encoded[PASSWORD_HASH_MAX];
	double known[ROUNDS], unknown[ROUNDS], known_ms, unknown_ms;
	int i;

	(void)state;
	assert_int_equal(
		password_hash("the right password", PASSWORD_ITERATIONS, encoded, sizeof(encoded)),
		0);
	for (i = 0; i < ROUNDS; i++) {
		if (i % 2) {
			unknown[i] = cpu_ms_of_burn();
			known[i] = cpu_ms_of_verify(encoded);
		} else {
			known[i] = cpu_ms_of_verify(encoded);
			unknown[i] = cpu_ms_of_burn();
		}
	}
	known_ms = timing_median(known, ROUNDS);
	unknown_ms = timing_median(unknown, ROUNDS);
	print_message("median CPU time of %d: wrong password %.1f ms, unknown user %.1f ms\n",
		      ROUNDS, known_ms, unknown_ms);
	if (unknown_ms < known_ms * (1 - MARGIN) || unknown_ms > known_ms * (1 + MARGIN))
		fail_msg("an unknown user costs %.1f ms, a wrong password %.1f ms: not within "
			 "%.0f%%",
			 unknown_ms, known_ms, MARGIN * 100);
}

static void test_burn_runs_for_any_password(void **state)
{
	(void)state;
	password_burn("nobody's password");
	password_burn("");
	password_burn(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_user_costs_what_a_wrong_password_costs),
		cmocka_unit_test(test_burn_runs_for_any_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
