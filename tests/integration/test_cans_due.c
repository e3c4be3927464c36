/*
 * Cases through the real stack, continued: the members of a case (kinds,
 * relationships, links, edit, delete), the service log with its weekly hours,
 * GET /cans-due at its edges (opened 29, 30 and 31 days ago in the programs'
 * time zone, extension and close due on their day), and the audit events that
 * every read and change of a case writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/cases_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"
#include "tests/support/response_check.h"

static struct team t;

static int setup(void **state)
{
	(void)state;
	return cases_fixture_setup(&t);
}

/* The case as w1 sees it (caller frees). */
static void get_case(struct http_response *r, const char *id)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_call(r, "GET", path, t.w1_token, NULL, NULL, 0);
	assert_int_equal(r->status, 200);
}

static const json_t *member_in(const struct http_response *r, const char *member_id)
{
	size_t i;
	json_t *m;

	json_array_foreach (json_object_get(r->json, "members"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "id")), member_id) == 0)
			return m;
	}
	return NULL;
}

static bool ids_are(const json_t *array, const char *a, const char *b)
{
	size_t n = (a ? 1 : 0) + (b ? 1 : 0);

	if (json_array_size(array) != n)
		return false;
	if (a && strcmp(json_string_value(json_array_get(array, 0)), a))
		return false;
	return !b || strcmp(json_string_value(json_array_get(array, 1)), b) == 0;
}

/* --- members ------------------------------------------------------------------------ */

static void test_members_kinds_links_edit_and_delete(void **state)
{
	struct http_response r;
	const char *id = case_open(t.sup1, "IPS", day_text(-10), t.w1, 201, NULL);
	char *kid1, *kid2, *mum, *foster, *paramour, path[160], body[256];

	(void)state;
	kid1 = member_add(
		t.w1_token, id,
		"{\"kind\":\"child\",\"full_name\":\"Ana\",\"birth_date\":\"2012-02-29\"}", 201,
		NULL);
	/* an adult naming no children is linked to every child, now and later */
	mum = member_add(t.w1_token, id,
			 "{\"kind\":\"caregiver\",\"full_name\":\"Maria\",\"relationship\":"
			 "\"bio_parent\"}",
			 201, NULL);
	kid2 = member_add(
		t.sup1, id,
		"{\"kind\":\"child\",\"full_name\":\"Ben\",\"birth_date\":\"2020-07-01\"}", 201,
		NULL);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"collateral\",\"full_name\":\"Pat\",\"relationship\":\"paramour\","
		 "\"child_ids\":[\"%s\"]}",
		 kid2);
	paramour = member_add(t.w1_token, id, body, 201, &r);
	assert_true(ids_are(json_object_get(r.json, "child_ids"), kid2, NULL));
	http_free(&r);
	foster = member_add(t.w1_token, id,
			    "{\"kind\":\"caregiver\",\"full_name\":\"Fran\",\"relationship\":"
			    "\"foster_parent\",\"child_ids\":[]}",
			    201, NULL);

	get_case(&r, id);
	assert_int_equal(json_array_size(json_object_get(r.json, "members")), 5);
	assert_true(ids_are(json_object_get(member_in(&r, mum), "child_ids"), kid1, kid2));
	assert_true(ids_are(json_object_get(member_in(&r, kid2), "adult_ids"), mum, paramour));
	assert_true(ids_are(json_object_get(member_in(&r, kid1), "adult_ids"), mum, NULL));
	http_free(&r);

	/* edit: a name, and the foster parent's links */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/members/%s", id, foster);
	snprintf(body, sizeof(body), "{\"full_name\":\"Frances\",\"child_ids\":[\"%s\"]}", kid1);
	http_json(&r, "PATCH", path, t.w1_token, body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "full_name")), "Frances");
	assert_true(ids_are(json_object_get(r.json, "child_ids"), kid1, NULL));
	http_free(&r);
	/* a child's links are not theirs to set; a child keeps a birth date */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/members/%s", id, kid1);
	http_json(&r, "PATCH", path, t.w1_token, "{\"relationship\":\"bio_parent\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, t.w1_token, "{\"birth_date\":null}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, t.w1_token, "{}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);

	/* delete (no CANS rates anyone yet): gone, and their links with them */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/members/%s", id, paramour);
	http_call(&r, "DELETE", path, t.w1_token, NULL, NULL, 0);
	assert_int_equal(r.status, 204);
	http_free(&r);
	http_call(&r, "DELETE", path, t.w1_token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	get_case(&r, id);
	assert_null(member_in(&r, paramour));
	assert_true(ids_are(json_object_get(member_in(&r, kid2), "adult_ids"), mum, NULL));
	http_free(&r);

	/* a member of another case is not found through this one */
	{
		const char *other = case_open(t.sup1, "IPS", day_text(-1), t.w1, 201, NULL);

		snprintf(path, sizeof(path), "/api/v1/cases/%s/members/%s", other, kid1);
		http_json(&r, "PATCH", path, t.w1_token, "{\"full_name\":\"Z\"}");
		assert_problem(&r, 404, "not-found");
		http_free(&r);
		snprintf(body, sizeof(body),
			 "{\"kind\":\"caregiver\",\"full_name\":\"Q\",\"relationship\":"
			 "\"grandparent\",\"child_ids\":[\"%s\"]}",
			 kid1);
		member_add(t.w1_token, other, body, 400, &r);
		http_free(&r);
	}
	free(kid1);
	free(kid2);
	free(mum);
	free(foster);
	free(paramour);
}

static void test_every_relationship_of_each_kind(void **state)
{
	static const char *const caregivers[] = {"bio_parent", "adoptive_parent", "foster_parent",
						 "relative_caregiver", "temporary_caregiver"};
	static const char *const collaterals[] = {"paramour", "grandparent", "aunt_uncle",
						  "other_significant_adult"};
	const char *id = case_open(t.sup1, "IPS", day_text(-1), t.w1, 201, NULL);
	char body[256];
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		snprintf(body, sizeof(body),
			 "{\"kind\":\"caregiver\",\"full_name\":\"C%zu\",\"relationship\":\"%s\"}",
			 i, caregivers[i]);
		free(member_add(t.w1_token, id, body, 201, NULL));
		/* a caregiver's relationship is not a collateral's */
		snprintf(body, sizeof(body),
			 "{\"kind\":\"collateral\",\"full_name\":\"C%zu\",\"relationship\":\"%s\"}",
			 i, caregivers[i]);
		member_add(t.w1_token, id, body, 400, &r);
		assert_problem(&r, 400, "validation-failed");
		assert_non_null(strstr(r.body, "relationship"));
		http_free(&r);
	}
	for (size_t i = 0; i < 4; i++) {
		snprintf(body, sizeof(body),
			 "{\"kind\":\"collateral\",\"full_name\":\"K%zu\",\"relationship\":\"%s\"}",
			 i, collaterals[i]);
		free(member_add(t.w1_token, id, body, 201, NULL));
	}
}

static void test_bad_members_are_400_and_names_are_stored_verbatim(void **state)
{
	struct http_response r;
	const char *id = case_open(t.sup1, "IPS", day_text(-1), t.w1, 201, NULL);
	char *long_name = malloc(5200), *body = malloc(5400), *kid;
	const char *sql_name = "Robert'); DROP TABLE cansd.cases;-- \\\"Bobby\\\" <b>&amp;";
	const char *stored = "Robert'); DROP TABLE cansd.cases;-- \"Bobby\" <b>&amp;";
	char path[128];

	(void)state;
	const char *bad[] = {
		"{\"kind\":\"child\",\"full_name\":\"No Birthday\"}",
		"{\"kind\":\"child\",\"full_name\":\"Future\",\"birth_date\":\"2999-01-01\"}",
		"{\"kind\":\"child\",\"full_name\":\"Impossible\",\"birth_date\":\"2019-02-29\"}",
		"{\"kind\":\"child\",\"full_name\":\"Impossible\",\"birth_date\":\"2019-13-01\"}",
		"{\"kind\":\"child\",\"full_name\":\"Rel\",\"birth_date\":\"2019-01-01\","
		"\"relationship\":\"bio_parent\"}",
		"{\"kind\":\"caregiver\",\"full_name\":\"Who\",\"relationship\":\"neighbour\"}",
		"{\"kind\":\"caregiver\",\"full_name\":\"None\"}",
		"{\"kind\":\"pet\",\"full_name\":\"Rex\"}",
		"{\"kind\":\"child\",\"full_name\":\"\",\"birth_date\":\"2019-01-01\"}",
		"{\"kind\":\"child\",\"full_name\":\"X\",\"birth_date\":\"2019-01-01\",\"id\":"
		"\"5\"}",
		"{\"kind\":\"caregiver\",\"full_name\":\"X\",\"relationship\":\"bio_parent\","
		"\"child_ids\":[\"abc\"]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		member_add(t.w1_token, id, bad[i], 400, &r);
		assert_problem(&r, 400, "validation-failed");
		http_free(&r);
	}
	/* the programs' today is a valid birth date; tomorrow is not */
	snprintf(body, 5400, "{\"kind\":\"child\",\"full_name\":\"New\",\"birth_date\":\"%s\"}",
		 day_text(0));
	free(member_add(t.w1_token, id, body, 201, NULL));
	snprintf(body, 5400, "{\"kind\":\"child\",\"full_name\":\"New\",\"birth_date\":\"%s\"}",
		 day_text(1));
	member_add(t.w1_token, id, body, 400, &r);
	http_free(&r);

	memset(long_name, 'a', 5000);
	long_name[5000] = '\0';
	snprintf(body, 5400,
		 "{\"kind\":\"child\",\"full_name\":\"%s\",\"birth_date\":\"2019-01-01\"}",
		 long_name);
	member_add(t.w1_token, id, body, 400, &r);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);

	snprintf(body, 5400,
		 "{\"kind\":\"child\",\"full_name\":\"%s\",\"birth_date\":\"2019-01-01\"}",
		 sql_name);
	kid = member_add(t.w1_token, id, body, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "full_name")), stored);
	http_free(&r);
	get_case(&r, id);
	assert_string_equal(json_string_value(json_object_get(member_in(&r, kid), "full_name")),
			    stored);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_call(&r, "GET", path, t.admin, NULL, NULL, 0);
	assert_int_equal(r.status, 200); /* the table is still there */
	http_free(&r);
	free(kid);
	free(long_name);
	free(body);
}

/* --- services ------------------------------------------------------------------------ */

static void test_service_log_and_weekly_hours(void **state)
{
	struct http_response r;
	const char *id =
		case_open(t.sup1, "IFPS", day_text(-10), new_team_worker(t.sup1_id), 201, NULL);
	char path[128], body[256];
	const json_t *weeks;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/cases/%s/services", id);
	snprintf(body, sizeof(body),
		 "{\"service_type\":\"family_therapy\",\"service_date\":\"%s\",\"hours\":5.5,"
		 "\"notes\":\"home visit\"}",
		 day_text(-10));
	http_json(&r, "POST", path, t.sup1, body);
	assert_int_equal(r.status, 201);
	assert_true(json_number_value(json_object_get(r.json, "hours")) == 5.5);
	http_free(&r);
	snprintf(body, sizeof(body),
		 "{\"service_type\":\"crisis_intervention\",\"service_date\":\"%s\",\"hours\":3}",
		 day_text(-4));
	http_json(&r, "POST", path, t.sup1, body);
	assert_int_equal(r.status, 201);
	http_free(&r);

	const char *bad[] = {
		"{\"service_type\":\"massage\",\"service_date\":\"%s\",\"hours\":1}",
		"{\"service_type\":\"respite\",\"service_date\":\"%s\",\"hours\":0}",
		"{\"service_type\":\"respite\",\"service_date\":\"%s\",\"hours\":25}",
		"{\"service_type\":\"respite\",\"service_date\":\"%s\",\"hours\":\"2\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), bad[i], day_text(-1));
		http_json(&r, "POST", path, t.sup1, body);
		assert_problem(&r, 400, "validation-failed");
		http_free(&r);
	}
	/* before the case opened, or in the future */
	snprintf(body, sizeof(body),
		 "{\"service_type\":\"respite\",\"service_date\":\"%s\",\"hours\":1}",
		 day_text(-11));
	http_json(&r, "POST", path, t.sup1, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	snprintf(body, sizeof(body),
		 "{\"service_type\":\"respite\",\"service_date\":\"%s\",\"hours\":1}", day_text(1));
	http_json(&r, "POST", path, t.sup1, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);

	/* week 1 (days 0-6 of the case) holds 5.5 + 3 hours, week 2 none; target 8-10 */
	http_call(&r, "GET", path, t.qa_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
	weeks = json_object_get(json_object_get(r.json, "weekly_hours"), "weeks");
	assert_int_equal(json_array_size(weeks), 2);
	assert_true(json_number_value(json_object_get(json_array_get(weeks, 0), "hours")) == 8.5);
	assert_true(json_is_true(json_object_get(json_array_get(weeks, 0), "within_target")));
	assert_true(json_number_value(json_object_get(json_array_get(weeks, 1), "hours")) == 0);
	assert_true(json_number_value(json_object_get(
			    json_object_get(json_object_get(r.json, "weekly_hours"), "target"),
			    "min")) == 8);
	http_free(&r);
}

/* --- due CANS -------------------------------------------------------------------------- */

/* The due items of one case as "reason due_on status;..." (in list order). */
static void due_items(const char *token, const char *case_id, char *out, size_t size)
{
	struct http_response r;
	char path[160];
	size_t i;
	json_t *item;

	snprintf(path, sizeof(path), "/api/v1/cans-due?case_id=%s", case_id);
	http_call(&r, "GET", path, token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	*out = '\0';
	json_array_foreach (json_object_get(r.json, "items"), i, item) {
		size_t used = strlen(out);

		snprintf(out + used, size - used, "%s%s %s %s", i ? ";" : "",
			 json_string_value(json_object_get(item, "reason")),
			 json_string_value(json_object_get(item, "due_on")),
			 json_string_value(json_object_get(item, "status")));
		assert_string_equal(json_string_value(json_object_get(item, "case_id")), case_id);
	}
	http_free(&r);
}

static const char *case_with_child(int opened_days_ago)
{
	const char *id = case_open(t.sup1, "IPS", day_text(-opened_days_ago), t.w1, 201, NULL);

	free(member_add(t.w1_token, id,
			"{\"kind\":\"child\",\"full_name\":\"Due\",\"birth_date\":\"2014-06-01\"}",
			201, NULL));
	return id;
}

static void test_initial_cans_due_at_29_30_and_31_days(void **state)
{
	char got[512], want[512];

	(void)state;
	/* due on opened_on + 30 in the programs' time zone; due through it, overdue after */
	due_items(t.w1_token, case_with_child(29), got, sizeof(got));
	snprintf(want, sizeof(want), "initial %s due", day_text(1));
	assert_string_equal(got, want);
	due_items(t.w1_token, case_with_child(30), got, sizeof(got));
	snprintf(want, sizeof(want), "initial %s due", day_text(0));
	assert_string_equal(got, want);
	due_items(t.sup1, case_with_child(31), got, sizeof(got));
	snprintf(want, sizeof(want), "initial %s overdue", day_text(-1));
	assert_string_equal(got, want);
	/* no child, nothing due */
	due_items(t.w1_token, case_open(t.sup1, "IPS", day_text(-40), t.w1, 201, NULL), got,
		  sizeof(got));
	assert_string_equal(got, "");
}

static void test_extension_and_close_are_due_on_their_day(void **state)
{
	struct http_response r;
	const char *id = case_with_child(40);
	char path[160], body[160], got[512], want[512];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/cases/%s/extension-request", id);
	snprintf(body, sizeof(body), "{\"requested_on\":\"%s\",\"reason\":\"more\"}", day_text(-1));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/close", id);
	snprintf(body, sizeof(body), "{\"closed_on\":\"%s\"}", day_text(0));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_int_equal(r.status, 200);
	http_free(&r);
	due_items(t.w1_token, id, got, sizeof(got));
	snprintf(want, sizeof(want), "initial %s overdue;extension %s overdue;case_close %s due",
		 day_text(-10), day_text(-1), day_text(0));
	assert_string_equal(got, want);

	/* filters: status, and nothing is met before CANS exist */
	snprintf(path, sizeof(path), "/api/v1/cans-due?status=due&case_id=%s", id);
	http_call(&r, "GET", path, t.qa_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cans-due?status=met&case_id=%s", id);
	http_call(&r, "GET", path, t.admin, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);
	/* out of scope: 404 by case, and absent from the caller's list */
	snprintf(path, sizeof(path), "/api/v1/cans-due?case_id=%s", id);
	http_call(&r, "GET", path, t.sup2, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/cans-due?status=all&limit=500", t.w3_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	{
		size_t i;
		json_t *item;
		char needle[64];

		snprintf(needle, sizeof(needle), "%s", id);
		json_array_foreach (json_object_get(r.json, "items"), i, item) {
			assert_string_not_equal(json_string_value(json_object_get(item, "case_id")),
						needle);
		}
	}
	http_free(&r);
}

static void test_cans_due_pages_with_its_cursor(void **state)
{
	struct list_seen seen;

	(void)state;
	for (int i = 0; i < 3; i++)
		case_with_child(5 + i);
	assert_null(list_walk(t.w1_token, "/api/v1/cans-due?limit=2", NULL, NULL, 200, &seen));
	assert_true(seen.items >= 3);
	assert_true(seen.pages >= 2);
}

/* --- audit ---------------------------------------------------------------------------- */

static int audit_count(const char *case_id, const char *action)
{
	struct http_response r;
	char path[160];
	size_t i;
	json_t *e;
	int n = 0;

	snprintf(path, sizeof(path), "/api/v1/audit?entity_type=case&entity_id=%s&limit=500",
		 case_id);
	http_call(&r, "GET", path, t.admin, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	json_array_foreach (json_object_get(r.json, "items"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "action")), action) == 0)
			n++;
	}
	http_free(&r);
	return n;
}

static void test_every_read_and_change_of_a_case_is_audited(void **state)
{
	struct http_response r;
	const char *id = case_with_child(3);
	char path[160];

	(void)state;
	assert_int_equal(audit_count(id, "case.created"), 1);
	assert_int_equal(audit_count(id, "case.member_added"), 1);
	assert_int_equal(audit_count(id, "case.read"), 0);
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_call(&r, "GET", path, t.qa_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	assert_int_equal(audit_count(id, "case.read"), 1);
	/* a list writes one read per case it shows */
	http_call(&r, "GET", "/api/v1/cases?limit=500", t.w1_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	assert_int_equal(audit_count(id, "case.read"), 2);
	/* a refused read writes nothing */
	http_call(&r, "GET", path, t.sup2, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	assert_int_equal(audit_count(id, "case.read"), 2);
	http_json(&r, "PATCH", path, t.sup1, "{\"first_contact_at\":\"2020-01-01T00:00:00Z\"}");
	assert_int_equal(r.status, 200);
	http_free(&r);
	assert_int_equal(audit_count(id, "case.updated"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_kinds_links_edit_and_delete),
		cmocka_unit_test(test_every_relationship_of_each_kind),
		cmocka_unit_test(test_bad_members_are_400_and_names_are_stored_verbatim),
		cmocka_unit_test(test_service_log_and_weekly_hours),
		cmocka_unit_test(test_initial_cans_due_at_29_30_and_31_days),
		cmocka_unit_test(test_extension_and_close_are_due_on_their_day),
		cmocka_unit_test(test_cans_due_pages_with_its_cursor),
		cmocka_unit_test(test_every_read_and_change_of_a_case_is_audited),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
