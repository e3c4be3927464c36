/*
 * What password_burn is for, through nginx and the pool: a login for an
 * unknown username is refused in the time a wrong password for a known one
 * is, so the time of a 401 does not tell which usernames exist.
 *
 * Wall time, as a client sees it: the medians of ROUNDS logins of each,
 * interleaved and alternating which goes first, so that a burst of load on
 * the shared machine touches both alike. The known user's refusal is one
 * PBKDF2 run at the production cost (hundreds of milliseconds here) beside
 * a database round trip of a few; the margin, 25% of it, allows for the
 * noise of a loaded 2-core machine and is still far narrower than what a
 * missing burn would show (the unknown user's refusal would take a few
 * milliseconds, under 5% of the known one's). So that the comparison means
 * something in this very run, a login refused before any password check (a
 * body without a password, 400) must cost under half of the known one's:
 * the PBKDF2 run is what a refusal's time is made of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/timing.h"

#define ROUNDS 7
#define MARGIN 0.25
#define PASSWORD "the right password"

static int teardown(void **state)
{
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	return admin_teardown(state);
}

/* Wall milliseconds of one POST /auth/login with body; the status must be want. */
static double login_ms(const char *body, long want)
{
	struct http_response r;
	double start, ms;

	/* Every refusal counts against this address: never reach the throttle. */
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	start = timing_ms(CLOCK_MONOTONIC);
	http_json(&r, "POST", "/api/v1/auth/login", NULL, body);
	ms = timing_ms(CLOCK_MONOTONIC) - start;
	if (r.status != want)
		fail_msg("login %s: %ld (want %ld): %s", body, r.status, want, r.body);
	http_free(&r);
	return ms;
}

static double wrong_password_ms(const char *username)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"a wrong password\"}",
		 username);
	return login_ms(body, 401);
}

static double unknown_user_ms(void)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"a wrong password\"}",
		 test_unique("nobody"));
	return login_ms(body, 401);
}

static void test_unknown_user_is_refused_in_the_time_of_a_wrong_password(void **state)
{
	const char *name = test_unique("timing");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	double known[ROUNDS], unknown[ROUNDS], unchecked[ROUNDS];
	double known_ms, unknown_ms, unchecked_ms;
	int i;

	(void)state;
	assert_non_null(id);
	for (i = 0; i < ROUNDS; i++) {
		if (i % 2) {
			unknown[i] = unknown_user_ms();
			known[i] = wrong_password_ms(name);
		} else {
			known[i] = wrong_password_ms(name);
			unknown[i] = unknown_user_ms();
		}
		unchecked[i] = login_ms("{\"username\":\"admin\"}", 400);
	}
	known_ms = timing_median(known, ROUNDS);
	unknown_ms = timing_median(unknown, ROUNDS);
	unchecked_ms = timing_median(unchecked, ROUNDS);
	print_message("median of %d refusals: wrong password %.1f ms, unknown user %.1f ms, "
		      "no password check %.1f ms\n",
		      ROUNDS, known_ms, unknown_ms, unchecked_ms);
	if (unchecked_ms * 2 > known_ms)
		fail_msg("a refusal without a password check (%.1f ms) costs more than half of one "
			 "with it (%.1f ms): the password check does not dominate, so the "
			 "comparison proves nothing",
			 unchecked_ms, known_ms);
	if (unknown_ms < known_ms * (1 - MARGIN) || unknown_ms > known_ms * (1 + MARGIN))
		fail_msg("an unknown user is refused in %.1f ms, a wrong password in %.1f ms: not "
			 "within %.0f%%",
			 unknown_ms, known_ms, MARGIN * 100);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_user_is_refused_in_the_time_of_a_wrong_password),
	};

	return cmocka_run_group_tests(tests, admin_setup, teardown);
}
