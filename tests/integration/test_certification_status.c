/*
 * Certification currency through the real stack, as /me shows it, on the very
 * next request after a record changes, with the certification rule
 * (completion + 1 year, Feb 29 + 1 year is Feb 28, - 1 day) at its edges in
 * the programs' day (tests/support/calendar.h), and the 403
 * certification-required of a CANS route.
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

#include "handlers/routes.h"
#include "tests/support/cert_fixture.h"
#include "tests/support/problem_assert.h"
#include "tests/support/route_call.h"

/* --- 3. certification currency through /me ------------------------------------------ */

static void test_me_certification_follows_records_on_the_very_next_request(void **state)
{
	struct ymd t = today();
	struct ymd done = add_days(t, -60), old = add_days(t, -400);
	struct person w;
	struct http_response r;
	json_t *c;
	char path[128], body[160], *cans_id;

	(void)state;
	person_new(&w, "cur", WORKER_ROLES, NULL);

	/* No records: not certified, both conditions missing. */
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_true(json_is_null(json_object_get(c, "certified_until")));
	assert_true(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	assert_true(has_string(json_object_get(c, "missing"), "CANS_SACWIS_FUNCTIONALITY"));
	assert_false(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	assert_true(has_string(json_object_get(r.json, "roles"), "worker"));
	http_free(&r);

	/* CANS 2.0 alone: SACWIS still missing. */
	cans_id = record(w.id, "CANS_2_0_CERTIFICATION", done, "90");
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(certified_until(done)).s);
	assert_false(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	assert_true(has_string(json_object_get(c, "missing"), "CANS_SACWIS_FUNCTIONALITY"));
	assert_false(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	http_free(&r);

	/* And SACWIS: current on the very next request, no re-login. */
	record_and_forget(w.id, "CANS_SACWIS_FUNCTIONALITY", done);
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_true(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(certified_until(done)).s);
	assert_int_equal(json_array_size(json_object_get(c, "missing")), 0);
	assert_true(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	assert_true(has_string(json_object_get(r.json, "roles"), "worker"));
	http_free(&r);

	/* Corrected to 400 days ago: lapsed at once. */
	snprintf(path, sizeof(path), API "/training-records/%s", cans_id);
	snprintf(body, sizeof(body), "{\"completed_on\":\"%s\",\"reason\":\"wrong year\"}",
		 fmt(old).s);
	http_json(&r, "PATCH", path, office.token, body);
	assert_status(&r, 200);
	http_free(&r);
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(certified_until(old)).s);
	assert_true(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	assert_false(has_string(json_object_get(c, "missing"), "CANS_SACWIS_FUNCTIONALITY"));
	assert_false(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	http_free(&r);

	free(cans_id);
	person_free(&w);
}

static void test_cans_1_0_certification_never_makes_anyone_current(void **state)
{
	struct ymd t = today();
	struct person w;
	struct http_response r;
	json_t *c;

	(void)state;
	person_new(&w, "v1", WORKER_ROLES, NULL);
	record_and_forget(w.id, "CANS_1_0_CERTIFICATION", add_days(t, -10));
	record_and_forget(w.id, "CANS_SACWIS_FUNCTIONALITY", add_days(t, -10));
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_true(json_is_null(json_object_get(c, "certified_until")));
	assert_true(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	assert_false(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	http_free(&r);
	person_free(&w);
}

static void test_cans_2_0_recertification_makes_current_like_certification(void **state)
{
	struct ymd t = today(), done = add_days(t, -30);
	struct person w;
	struct http_response r;
	json_t *c;

	(void)state;
	person_new(&w, "recert", WORKER_ROLES, NULL);
	record_and_forget(w.id, "CANS_2_0_RECERTIFICATION", done);
	record_and_forget(w.id, "CANS_SACWIS_FUNCTIONALITY", add_days(t, -900));
	get_me(&r, w.token);
	c = certification_of(&r);
	assert_true(json_is_true(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(certified_until(done)).s);
	assert_true(has_string(json_object_get(r.json, "roles"), "certified_cans_user"));
	http_free(&r);
	person_free(&w);
}

/* The last current day is certified_until; the day after it the user has lapsed. */
static void
test_certification_is_current_through_completion_plus_one_year_minus_one_day(void **state)
{
	struct ymd t = today();
	struct ymd last_day_today = completion_for_until(t);
	struct ymd ended_yesterday = completion_for_until(add_days(t, -1));
	struct person a, b;
	struct http_response r;
	json_t *c;

	(void)state;
	person_new(&a, "edge", WORKER_ROLES, NULL);
	person_new(&b, "edgl", WORKER_ROLES, NULL);
	record_and_forget(a.id, "CANS_2_0_CERTIFICATION", last_day_today);
	record_and_forget(a.id, "CANS_SACWIS_FUNCTIONALITY", last_day_today);
	record_and_forget(b.id, "CANS_2_0_CERTIFICATION", ended_yesterday);
	record_and_forget(b.id, "CANS_SACWIS_FUNCTIONALITY", ended_yesterday);

	get_me(&r, a.token);
	c = certification_of(&r);
	assert_true(json_is_true(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(t).s);
	http_free(&r);

	get_me(&r, b.token);
	c = certification_of(&r);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_string_equal(str(c, "certified_until"), fmt(add_days(t, -1)).s);
	assert_true(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	http_free(&r);

	person_free(&a);
	person_free(&b);
}

/* 2024-02-29 + 1 year is 2025-02-28, so the last current day is 2025-02-27. */
static void test_certified_until_of_a_feb_29_completion_follows_the_clamped_year(void **state)
{
	struct ymd leap = {2024, 2, 29};
	struct person w;
	struct http_response r;

	(void)state;
	assert_string_equal(fmt(certified_until(leap)).s, "2025-02-27");
	person_new(&w, "leap", WORKER_ROLES, NULL);
	record_and_forget(w.id, "CANS_2_0_CERTIFICATION", leap);
	get_me(&r, w.token);
	assert_string_equal(str(certification_of(&r), "certified_until"), "2025-02-27");
	http_free(&r);
	person_free(&w);
}

/*
 * A CANS route refuses an uncertified caller with 403 certification-required.
 * The route is the first row of handlers/routes.c that needs certification,
 * called as a user holding the first role the row admits (worker when it
 * admits any). The CANS routes need it, so a table with no such row fails.
 */
static void test_cans_route_refuses_uncertified_caller_with_certification_required(void **state)
{
	const struct route *cans = NULL;
	struct person w;
	struct http_response r;
	char roles[64], path[512];
	const char *role;
	json_t *c;
	const char *detail;
	size_t i;

	(void)state;
	for (i = 0; i < routes_count && !cans; i++)
		if (routes[i].needs_certification)
			cans = &routes[i];
	if (!cans)
		fail_msg("no route of handlers/routes.c needs certification");
	role = route_first_role(cans->roles);
	snprintf(roles, sizeof(roles), "[\"%s\"]", role ? role : "worker");
	person_new(&w, "nocert", roles, NULL);
	/* CANS 2.0 current, the SACWIS functionality training never taken. */
	record_and_forget(w.id, "CANS_2_0_CERTIFICATION", add_days(today(), -5));
	assert_non_null(route_concrete_path(cans, w.id, path, sizeof(path)));
	route_call(&r, cans, path, w.token);
	if (r.status != 403)
		fprintf(stderr, "%s %s: %ld %s\n", cans->method, path, r.status, r.body);
	assert_problem(&r, 403, "certification-required");
	detail = str(r.json, "detail");
	assert_non_null(strstr(detail, "SACWIS"));
	c = json_object_get(r.json, "certification");
	assert_non_null(c);
	assert_true(json_is_false(json_object_get(c, "certified")));
	assert_true(has_string(json_object_get(c, "missing"), "CANS_SACWIS_FUNCTIONALITY"));
	assert_false(has_string(json_object_get(c, "missing"), "CANS_2_0_CERTIFICATION"));
	http_free(&r);
	person_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_me_certification_follows_records_on_the_very_next_request),
		cmocka_unit_test(test_cans_1_0_certification_never_makes_anyone_current),
		cmocka_unit_test(test_cans_2_0_recertification_makes_current_like_certification),
		cmocka_unit_test(
			test_certification_is_current_through_completion_plus_one_year_minus_one_day),
		cmocka_unit_test(
			test_certified_until_of_a_feb_29_completion_follows_the_clamped_year),
		cmocka_unit_test(
			test_cans_route_refuses_uncertified_caller_with_certification_required),
	};

	return cmocka_run_group_tests_name("certification_status", tests, cert_setup,
					   cert_teardown);
}
