/*
 * Certification lapsing through the real stack: who lapses soon
 * (GET /certifications?lapsing_within_days=N): team members current today
 * who lapse within N days, in the programs' day, and who may ask.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/cert_fixture.h"
#include "tests/support/problem_assert.h"

/* --- 5. who lapses soon --------------------------------------------------------------- */

/* Whether user_id is in GET /certifications?lapsing_within_days=days (all pages). */
static bool lapsing_has(const char *token, const char *days, const char *user_id,
			char until_out[16])
{
	char path[256];
	json_t *it;

	snprintf(path, sizeof(path), API "/certifications?lapsing_within_days=%s&limit=500", days);
	if (!(it = list_walk(token, path, "user_id", user_id, 100, NULL)))
		return false;
	if (until_out)
		snprintf(until_out, 16, "%s",
			 str(it, "certified_until") ? str(it, "certified_until") : "");
	assert_non_null(str(it, "username"));
	json_decref(it);
	return true;
}

static void certify(const struct person *p, struct ymd done)
{
	record_and_forget(p->id, "CANS_2_0_CERTIFICATION", done);
	record_and_forget(p->id, "CANS_SACWIS_FUNCTIONALITY", done);
}

static void test_lapsing_list_shows_team_members_current_today_who_lapse_within_n_days(void **state)
{
	struct ymd t = today();
	/* completed (1 year - 20 days) ago: last current day today + 19 */
	struct ymd lapsing_done = completion_for_until(add_days(t, 19));
	struct person sup, other_sup, lapsing, fresh, lapsed, day29, day30, last_day, other, gone;
	struct http_response r;
	char until[16], path[128];

	(void)state;
	person_new(&sup, "lsup", SUPERVISOR_ROLES, NULL);
	person_new(&other_sup, "losup", SUPERVISOR_ROLES, NULL);
	person_new(&lapsing, "lapsing", WORKER_ROLES, sup.id);
	person_new(&fresh, "fresh", WORKER_ROLES, sup.id);
	person_new(&lapsed, "lapsed", WORKER_ROLES, sup.id);
	person_new(&day29, "day29", WORKER_ROLES, sup.id);
	person_new(&day30, "day30", WORKER_ROLES, sup.id);
	person_new(&last_day, "lastday", WORKER_ROLES, sup.id);
	person_new(&other, "olapse", WORKER_ROLES, other_sup.id);
	person_new(&gone, "gone", WORKER_ROLES, sup.id);

	certify(&lapsing, lapsing_done);
	certify(&fresh, add_days(t, -60));
	certify(&lapsed, add_days(t, -400));
	certify(&day29, completion_for_until(add_days(t, 29)));
	certify(&day30, completion_for_until(add_days(t, 30)));
	certify(&last_day, completion_for_until(t));
	certify(&other, lapsing_done);
	certify(&gone, lapsing_done);
	/* A deactivated user is current nowhere, so lapses nowhere either. */
	snprintf(path, sizeof(path), API "/users/%s", gone.id);
	http_json(&r, "PATCH", path, admin_token, "{\"active\":false}");
	assert_status(&r, 200);
	http_free(&r);

	/* The office sees everyone: who lapses before today + 30, nobody else. */
	assert_true(lapsing_has(office.token, "30", lapsing.id, until));
	assert_string_equal(until, fmt(certified_until(lapsing_done)).s);
	assert_true(lapsing_has(office.token, "30", day29.id, NULL));
	assert_true(lapsing_has(office.token, "30", last_day.id, until));
	assert_string_equal(until, fmt(t).s);
	assert_true(lapsing_has(office.token, "30", other.id, NULL));
	assert_false(lapsing_has(office.token, "30", day30.id, NULL));
	assert_false(lapsing_has(office.token, "30", fresh.id, NULL));
	assert_false(lapsing_has(office.token, "30", lapsed.id, NULL));
	assert_false(lapsing_has(office.token, "30", gone.id, NULL));
	/* A narrower window. */
	assert_false(lapsing_has(office.token, "10", lapsing.id, NULL));
	assert_true(lapsing_has(office.token, "10", last_day.id, NULL));

	/* Program admins see everyone too. */
	assert_true(lapsing_has(admin_token, "30", lapsing.id, NULL));
	assert_true(lapsing_has(admin_token, "30", other.id, NULL));

	/* A supervisor sees their team only. */
	assert_true(lapsing_has(sup.token, "30", lapsing.id, NULL));
	assert_false(lapsing_has(sup.token, "30", other.id, NULL));
	assert_false(lapsing_has(sup.token, "30", fresh.id, NULL));
	assert_true(lapsing_has(other_sup.token, "30", other.id, NULL));
	assert_false(lapsing_has(other_sup.token, "30", lapsing.id, NULL));

	person_free(&sup);
	person_free(&other_sup);
	person_free(&lapsing);
	person_free(&fresh);
	person_free(&lapsed);
	person_free(&day29);
	person_free(&day30);
	person_free(&last_day);
	person_free(&other);
	person_free(&gone);
}

static void test_lapsing_list_refuses_workers_and_bad_day_counts(void **state)
{
	static const char *const bad[] = {"-1", "abc", "1.5", "30x"};
	struct person w;
	struct http_response r;
	char path[128];
	size_t i;

	(void)state;
	person_new(&w, "lw", WORKER_ROLES, NULL);
	http_call(&r, "GET", API "/certifications?lapsing_within_days=30", w.token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), API "/certifications?lapsing_within_days=%s", bad[i]);
		http_call(&r, "GET", path, office.token, NULL, NULL, 0);
		if (r.status != 400)
			fprintf(stderr, "lapsing_within_days=%s: %ld\n", bad[i], r.status);
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
	person_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_lapsing_list_shows_team_members_current_today_who_lapse_within_n_days),
		cmocka_unit_test(test_lapsing_list_refuses_workers_and_bad_day_counts),
	};

	return cmocka_run_group_tests_name("lapsing", tests, cert_setup, cert_teardown);
}
