/*
 * The CANS workflow through the real stack (nginx -> FastCGI pool ->
 * PostgreSQL), first half: the instrument as data, starting a CANS, caregiver
 * sections that follow the case's links, ratings (merge, clear, every bad
 * field named at once), ETag / If-Match, completeness and the 422 that agrees
 * with it, module triggers, scope (404), roles (403) and the certification
 * gate (403 certification-required, lifted by a new record on the next
 * request). The approval chain is in test_assessments_workflow.c, the races
 * in test_assessments_races.c.
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

#include "tests/support/cans_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"
#include "tests/support/response_check.h"

#define API "/api/v1"

/* One team (sup, w, w2), another team's supervisor, QA, all certified. */
static struct cans_team team;

static int setup(void **state)
{
	(void)state;
	return cans_team_setup(&team, "a");
}

static int teardown(void **state)
{
	(void)state;
	return cans_team_teardown(&team);
}

/* --- helpers ------------------------------------------------------------------ */

static void put_ratings(struct http_response *r, const char *token, const char *id,
			const char *json, const char *if_match)
{
	const char *headers[] = {"Content-Type: application/json", if_match, NULL};
	char path[128];

	snprintf(path, sizeof(path), API "/assessments/%s/ratings", id);
	http_call(r, "PUT", path, token, headers, json, strlen(json));
}

/* The first missing item of subject ("child" or a member id). */
static char *first_missing(const char *token, const char *id, const char *subject)
{
	struct http_response r;
	json_t *m;
	char *item = NULL;
	size_t i;

	cans_get(&r, token, API "/assessments/%s/completeness", id);
	assert_status(&r, 200);
	json_array_foreach (json_object_get(r.json, "missing"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "subject")), subject) == 0) {
			item = strdup(json_string_value(json_object_get(m, "item")));
			break;
		}
	}
	http_free(&r);
	assert_non_null(item);
	return item;
}

static long rating_of(const struct http_response *r, const char *subject, const char *item)
{
	json_t *ratings = json_object_get(r->json, "ratings");
	json_t *section =
		strcmp(subject, "child") == 0
			? json_object_get(ratings, "child")
			: json_object_get(json_object_get(ratings, "caregivers"), subject);
	json_t *v = json_object_get(section, item);

	return v ? (long)json_integer_value(v) : -1;
}

/* --- the instrument ------------------------------------------------------------- */

static void test_instrument_is_served_from_data_with_etag_to_any_signed_in_caller(void **state)
{
	struct http_response r, again;
	struct cans_person office;
	char *etag, *etag2, *count;
	json_t *domain;
	size_t i, items = 0;

	(void)state;
	/* signed in, no certification, no case role */
	cans_person_new(&office, "a-off", "[\"certification_office\"]", NULL, -1);
	http_call(&r, "GET", API "/instruments/cans-2.0", office.token, NULL, NULL, 0);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "instrument"), "CANS-2.0");
	json_array_foreach (json_object_get(r.json, "domains"), i, domain) {
		items += json_array_size(json_object_get(domain, "items"));
	}
	count = test_psql("SELECT count(*) FROM cansd.instrument_items WHERE active");
	assert_int_equal(items, strtoul(count, NULL, 10));
	free(count);
	count = test_psql("SELECT code FROM cansd.instrument_domains ORDER BY sort_order LIMIT 1");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json, "domains"), 0), "code")),
			    count);
	free(count);
	etag = http_header(&r, "ETag");
	assert_non_null(etag);
	http_call(&again, "GET", API "/instruments/cans-2.0", team.w.token, NULL, NULL, 0);
	etag2 = http_header(&again, "ETag");
	assert_non_null(etag2);
	assert_string_equal(etag, etag2);
	free(etag);
	free(etag2);
	http_free(&again);
	http_free(&r);
	http_call(&r, "GET", API "/instruments/cans-2.0", NULL, NULL, NULL, 0);
	assert_problem(&r, 401, "unauthenticated");
	http_free(&r);
	cans_person_free(&office);
}

/* --- starting a CANS ------------------------------------------------------------------ */

static void
test_create_opens_a_draft_with_a_section_for_every_adult_linked_to_the_child(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char body[256], *other_child, *other_adult, *etag;
	json_t *sections;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, false);
	other_child = cans_member_new(team.w.token, s.case_id,
				      "{\"kind\":\"child\",\"full_name\":\"Sib\","
				      "\"birth_date\":\"2019-06-01\"}");
	snprintf(body, sizeof(body),
		 "{\"kind\":\"caregiver\",\"full_name\":\"Foster\",\"relationship\":"
		 "\"foster_parent\",\"child_ids\":[\"%s\"]}",
		 other_child);
	other_adult = cans_member_new(team.w.token, s.case_id, body);
	s.assessment =
		cans_assessment_new(team.w.token, s.case_id, s.child, "initial", cans_days_ago(5));

	cans_get(&r, team.w.token, API "/assessments/%s", s.assessment);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "status"), "draft");
	assert_string_equal(cans_str(&r, "instrument"), "CANS-2.0");
	assert_string_equal(cans_str(&r, "case_id"), s.case_id);
	assert_string_equal(cans_str(&r, "child_id"), s.child);
	assert_string_equal(cans_str(&r, "author_id"), team.w.id);
	assert_string_equal(cans_str(&r, "reason"), "initial");
	assert_true(json_is_null(json_object_get(r.json, "routed_to")));
	sections = json_object_get(json_object_get(r.json, "ratings"), "caregivers");
	assert_int_equal(json_object_size(sections), 2);
	assert_non_null(json_object_get(sections, s.mum));
	assert_non_null(json_object_get(sections, s.para));
	assert_null(json_object_get(sections, other_adult));
	assert_int_equal(json_array_size(json_object_get(r.json, "caregivers")), 2);
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"1\"");
	free(etag);
	http_free(&r);
	free(other_child);
	free(other_adult);
	cans_scene_free(&s);
}

static void post_create(struct http_response *r, const char *token, const char *case_id,
			const char *child, const char *reason, const char *date)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), API "/cases/%s/assessments", case_id);
	snprintf(body, sizeof(body),
		 "{\"child_id\":\"%s\",\"reason\":\"%s\",\"assessment_date\":\"%s\"}", child,
		 reason, date);
	http_json(r, "POST", path, token, body);
}

static void test_create_is_for_the_case_worker_only_with_a_child_and_a_real_date(void **state)
{
	struct cans_scene s, t;
	struct http_response r;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, false);
	cans_scene_new(&t, &team.sup, &team.w2, false);
	post_create(&r, team.w2.token, s.case_id, s.child, "initial", cans_days_ago(1));
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	post_create(&r, team.sup.token, s.case_id, s.child, "initial", cans_days_ago(1));
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	post_create(&r, team.qa.token, s.case_id, s.child, "initial", cans_days_ago(1));
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, s.child, "initial", cans_days_ago(-2));
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "assessment_date"));
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, s.child, "initial", cans_days_ago(61));
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "assessment_date"));
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, t.child, "initial", cans_days_ago(1));
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "child_id"));
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, s.mum, "initial", cans_days_ago(1));
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "child_id"));
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, s.child, "annual", cans_days_ago(1));
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "reason"));
	http_free(&r);
	post_create(&r, team.w.token, s.case_id, s.child, "case_close", cans_days_ago(1));
	assert_status(&r, 201);
	assert_string_equal(cans_str(&r, "reason"), "case_close");
	http_free(&r);
	cans_scene_free(&s);
	cans_scene_free(&t);
}

static void test_an_adult_linked_later_joins_a_draft_but_never_a_submitted_cans(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *grandma, *aunt, path[128], *etag;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	grandma = cans_member_new(team.w.token, s.case_id,
				  "{\"kind\":\"collateral\",\"full_name\":\"Gran\","
				  "\"relationship\":\"grandparent\"}");
	cans_get(&r, team.w.token, API "/assessments/%s", s.assessment);
	assert_non_null(json_object_get(
		json_object_get(json_object_get(r.json, "ratings"), "caregivers"), grandma));
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"2\""); /* the CANS changed */
	free(etag);
	http_free(&r);

	cans_rate_complete(team.w.token, s.assessment, 1);
	snprintf(path, sizeof(path), API "/assessments/%s/submit", s.assessment);
	cans_post(&r, path, team.w.token, NULL, NULL);
	assert_status(&r, 200);
	http_free(&r);
	aunt = cans_member_new(team.w.token, s.case_id,
			       "{\"kind\":\"collateral\",\"full_name\":\"Aunt\","
			       "\"relationship\":\"aunt_uncle\"}");
	cans_get(&r, team.w.token, API "/assessments/%s", s.assessment);
	assert_null(json_object_get(
		json_object_get(json_object_get(r.json, "ratings"), "caregivers"), aunt));
	assert_string_equal(cans_str(&r, "status"), "submitted");
	http_free(&r);

	/* a member a CANS rates stays on the case */
	snprintf(path, sizeof(path), API "/cases/%s/members/%s", s.case_id, grandma);
	http_call(&r, "DELETE", path, team.w.token, NULL, NULL, 0);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	free(grandma);
	free(aunt);
	cans_scene_free(&s);
}

/* --- ratings ------------------------------------------------------------------------ */

static void test_ratings_merge_and_null_clears(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *a, *b, *cg, body[512];

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	a = first_missing(team.w.token, s.assessment, "child");
	cg = first_missing(team.w.token, s.assessment, s.mum);
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":2},\"caregivers\":{\"%s\":{\"%s\":3}}}", a,
		 s.mum, cg);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_status(&r, 200);
	http_free(&r);
	b = first_missing(team.w.token, s.assessment, "child");
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":0}}", b);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_status(&r, 200);
	assert_int_equal(rating_of(&r, "child", a), 2);
	assert_int_equal(rating_of(&r, "child", b), 0);
	assert_int_equal(rating_of(&r, s.mum, cg), 3);
	http_free(&r);
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":null}}", a);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_status(&r, 200);
	assert_int_equal(rating_of(&r, "child", a), -1);
	assert_int_equal(rating_of(&r, "child", b), 0);
	http_free(&r);
	free(a);
	free(b);
	free(cg);
	cans_scene_free(&s);
}

static void test_ratings_name_every_bad_field_in_one_400_and_change_nothing(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *child_item, *cg_item, *young, body[1024], *etag;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	child_item = first_missing(team.w.token, s.assessment, "child");
	cg_item = first_missing(team.w.token, s.assessment, s.mum);
	/* an item that ends before the child's age */
	young = test_psql(
		"SELECT code FROM cansd.instrument_items WHERE active AND subject = 'child'"
		" AND max_age_months < cansd.age_in_months('" CANS_CHILD_BIRTH
		"', current_date - 40) ORDER BY sort_order LIMIT 1");
	assert_true(strlen(young) > 0);
	snprintf(body, sizeof(body),
		 "{\"child\":{\"NO_SUCH_ITEM\":1,\"%s\":4,\"%s\":1,\"%s\":1},"
		 "\"caregivers\":{\"%s\":{\"%s\":1.5,\"%s\":\"2\"},\"999999\":{\"%s\":1}}}",
		 child_item, cg_item, young, s.mum, cg_item, child_item, cg_item);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "child.NO_SUCH_ITEM"));
	{
		char f[160];

		snprintf(f, sizeof(f), "child.%s", child_item);
		assert_true(error_names(&r, f)); /* 4: out of range */
		snprintf(f, sizeof(f), "child.%s", cg_item);
		assert_true(error_names(&r, f)); /* a caregiver item under child */
		snprintf(f, sizeof(f), "child.%s", young);
		assert_true(error_names(&r, f)); /* not at this age */
		snprintf(f, sizeof(f), "caregivers.%s.%s", s.mum, cg_item);
		assert_true(error_names(&r, f)); /* 1.5 */
		snprintf(f, sizeof(f), "caregivers.%s.%s", s.mum, child_item);
		assert_true(error_names(&r, f)); /* a child item under a caregiver */
	}
	assert_true(error_names(&r, "caregivers.999999"));
	assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 7);
	http_free(&r);

	put_ratings(&r, team.w.token, s.assessment, "{\"child\":[1]}", NULL);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "child"));
	http_free(&r);
	put_ratings(&r, team.w.token, s.assessment, "{\"caregivers\":{\"mum\":{}},\"extra\":{}}",
		    NULL);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "extra"));
	http_free(&r);
	put_ratings(&r, team.w.token, s.assessment, "{\"caregivers\":{\"mum\":{}}}", NULL);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "caregivers.mum"));
	http_free(&r);

	cans_get(&r, team.w.token, API "/assessments/%s", s.assessment);
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"1\"");
	assert_int_equal(
		json_object_size(json_object_get(json_object_get(r.json, "ratings"), "child")), 0);
	free(etag);
	http_free(&r);
	free(child_item);
	free(cg_item);
	free(young);
	cans_scene_free(&s);
}

static void test_etag_on_every_read_and_write_and_a_stale_if_match_is_412(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *item, body[256], *etag, path[128];

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	item = first_missing(team.w.token, s.assessment, "child");
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":1}}", item);
	put_ratings(&r, team.w.token, s.assessment, body, "If-Match: \"1\"");
	assert_status(&r, 200);
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"2\"");
	free(etag);
	http_free(&r);
	put_ratings(&r, team.w.token, s.assessment, body, "If-Match: \"1\"");
	assert_problem(&r, 412, "precondition-failed");
	http_free(&r);
	put_ratings(&r, team.w.token, s.assessment, body, "If-Match: W/\"2\"");
	assert_status(&r, 200);
	http_free(&r);
	cans_get(&r, team.w.token, API "/assessments/%s/completeness", s.assessment);
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"3\"");
	free(etag);
	http_free(&r);
	cans_rate_complete(team.w.token, s.assessment, 1);
	snprintf(path, sizeof(path), API "/assessments/%s/submit", s.assessment);
	cans_post(&r, path, team.w.token, "{}", "If-Match: \"3\"");
	assert_problem(&r, 412, "precondition-failed");
	http_free(&r);
	free(item);
	cans_scene_free(&s);
}

/* --- completeness and modules ------------------------------------------------------------ */

static void test_completeness_and_submit_agree_and_an_incomplete_submit_is_422(void **state)
{
	struct cans_scene s;
	struct http_response c, r;
	char path[128], body[256];
	json_t *m;
	bool saw_child = false, saw_mum = false, saw_para = false;
	size_t i;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	cans_get(&c, team.w.token, API "/assessments/%s/completeness", s.assessment);
	assert_status(&c, 200);
	assert_true(json_is_false(json_object_get(c.json, "complete")));
	json_array_foreach (json_object_get(c.json, "missing"), i, m) {
		const char *subject = json_string_value(json_object_get(m, "subject"));

		saw_child |= strcmp(subject, "child") == 0;
		saw_mum |= strcmp(subject, s.mum) == 0;
		saw_para |= strcmp(subject, s.para) == 0;
	}
	assert_true(saw_child && saw_mum && saw_para);
	snprintf(path, sizeof(path), API "/assessments/%s/submit", s.assessment);
	cans_post(&r, path, team.w.token, NULL, NULL);
	assert_problem(&r, 422, "incomplete-assessment");
	assert_true(
		json_equal(json_object_get(r.json, "missing"), json_object_get(c.json, "missing")));
	http_free(&r);
	http_free(&c);

	/* all but one: both name exactly that one */
	cans_rate_complete(team.w.token, s.assessment, 1);
	{
		char *item = test_psql("SELECT code FROM cansd.instrument_items WHERE active AND "
				       "subject = 'caregiver' ORDER BY sort_order DESC LIMIT 1");

		snprintf(body, sizeof(body), "{\"caregivers\":{\"%s\":{\"%s\":null}}}", s.para,
			 item);
		put_ratings(&r, team.w.token, s.assessment, body, NULL);
		assert_status(&r, 200);
		http_free(&r);
		cans_get(&c, team.w.token, API "/assessments/%s/completeness", s.assessment);
		assert_int_equal(json_array_size(json_object_get(c.json, "missing")), 1);
		m = json_array_get(json_object_get(c.json, "missing"), 0);
		assert_string_equal(json_string_value(json_object_get(m, "subject")), s.para);
		assert_string_equal(json_string_value(json_object_get(m, "item")), item);
		cans_post(&r, path, team.w.token, "{}", NULL);
		assert_problem(&r, 422, "incomplete-assessment");
		assert_true(json_equal(json_object_get(r.json, "missing"),
				       json_object_get(c.json, "missing")));
		http_free(&r);
		http_free(&c);
		free(item);
	}
	cans_scene_free(&s);
}

static void
test_module_items_are_required_while_the_trigger_holds_and_kept_when_lowered(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *trigger, *threshold, *module_n, *module_item, body[256], sql[512];

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM cansd.instrument_items WHERE active AND trigger_item IS NOT NULL "
		 "AND min_age_months <= cansd.age_in_months('" CANS_CHILD_BIRTH "', current_date - "
		 "40) GROUP BY trigger_item, trigger_min ORDER BY trigger_item LIMIT 1",
		 "trigger_item");
	trigger = test_psql(sql);
	snprintf(sql, sizeof(sql),
		 "SELECT trigger_min, count(*), min(code) FROM cansd.instrument_items "
		 "WHERE active AND trigger_item = '%s' GROUP BY trigger_min",
		 trigger);
	threshold = test_psql(sql); /* "N|count|item" */
	module_n = strchr(threshold, '|');
	assert_non_null(module_n);
	*module_n++ = '\0';
	module_item = strchr(module_n, '|');
	*module_item++ = '\0';

	cans_rate_complete(team.w.token, s.assessment, 0);
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":%s}}", trigger, threshold);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_status(&r, 200);
	http_free(&r);
	cans_get(&r, team.w.token, API "/assessments/%s/completeness", s.assessment);
	assert_int_equal(json_array_size(json_object_get(r.json, "missing")), atoi(module_n));
	http_free(&r);
	cans_rate_complete(team.w.token, s.assessment, 1);
	snprintf(body, sizeof(body), "{\"child\":{\"%s\":0}}", trigger);
	put_ratings(&r, team.w.token, s.assessment, body, NULL);
	assert_status(&r, 200);
	assert_int_equal(rating_of(&r, "child", module_item), 1); /* kept */
	http_free(&r);
	cans_get(&r, team.w.token, API "/assessments/%s/completeness", s.assessment);
	assert_true(json_is_true(json_object_get(r.json, "complete")));
	http_free(&r);
	free(trigger);
	free(threshold);
	cans_scene_free(&s);
}

/* --- scope, roles and certification ----------------------------------------------------------- */

static void test_out_of_scope_is_404_and_roles_without_cans_are_403(void **state)
{
	struct cans_scene s;
	struct http_response r;
	struct cans_person office;
	char path[128];
	static const char *const reads[] = {API "/assessments/%s",
					    API "/assessments/%s/completeness",
					    API "/assessments/%s/history"};
	size_t i;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		cans_get(&r, team.w2.token, reads[i], s.assessment);
		assert_problem(&r, 404, "not-found");
		http_free(&r);
		cans_get(&r, team.sup2.token, reads[i], s.assessment);
		assert_problem(&r, 404, "not-found");
		http_free(&r);
		cans_get(&r, team.sup.token, reads[i], s.assessment);
		assert_status(&r, 200);
		http_free(&r);
	}
	put_ratings(&r, team.w2.token, s.assessment, "{}", NULL);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	cans_get(&r, team.w2.token, API "/assessments?case_id=%s", s.case_id);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);
	cans_get(&r, team.w.token, API "/assessments/%s", "999999999");
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	cans_person_new(&office, "a-off2", "[\"certification_office\"]", NULL, 30);
	cans_get(&r, office.token, API "/assessments/%s", s.assessment);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	cans_person_free(&office);
	snprintf(path, sizeof(path), API "/assessments/%s/approve", s.assessment);
	cans_post(&r, path, team.w.token, NULL, NULL);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	cans_scene_free(&s);
}

static void test_qa_analyst_reads_every_cans_and_changes_none(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char path[160];
	static const char *const actions[] = {"submit", "approve", "return", "reroute"};
	size_t i;

	(void)state;
	cans_scene_new(&s, &team.sup, &team.w, true);
	cans_get(&r, team.qa.token, API "/assessments/%s", s.assessment);
	assert_status(&r, 200);
	http_free(&r);
	cans_get(&r, team.qa.token, API "/assessments/%s/history", s.assessment);
	assert_status(&r, 200);
	http_free(&r);
	cans_get(&r, team.qa.token, API "/assessments?case_id=%s", s.case_id);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	http_free(&r);
	put_ratings(&r, team.qa.token, s.assessment, "{}", NULL);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		snprintf(path, sizeof(path), API "/assessments/%s/%s", s.assessment, actions[i]);
		cans_post(&r, path, team.qa.token, "{}", NULL);
		assert_problem(&r, 403, "forbidden");
		http_free(&r);
	}
	cans_scene_free(&s);
}

static bool missing_names(const struct http_response *r, const char *condition)
{
	json_t *v;
	size_t i;

	json_array_foreach (json_object_get(json_object_get(r->json, "certification"), "missing"),
			    i, v) {
		if (strcmp(json_string_value(v), condition) == 0)
			return true;
	}
	return false;
}

static void
test_a_lapsed_worker_is_refused_until_a_new_record_on_the_very_next_request(void **state)
{
	struct cans_person lapsed;
	struct cans_scene s;
	struct http_response r;
	char path[128], body[256];

	(void)state;
	cans_person_new(&lapsed, "a-lapsed", WORKER_ROLES, team.sup.id, 400);
	cans_scene_new(&s, &team.sup, &lapsed, false);
	snprintf(path, sizeof(path), API "/cases/%s/assessments", s.case_id);
	snprintf(body, sizeof(body),
		 "{\"child_id\":\"%s\",\"reason\":\"initial\",\"assessment_date\":\"%s\"}", s.child,
		 cans_days_ago(3));
	http_json(&r, "POST", path, lapsed.token, body);
	assert_problem(&r, 403, "certification-required");
	assert_true(missing_names(&r, "CANS_2_0_CERTIFICATION"));
	assert_non_null(strstr(cans_str(&r, "detail"), "CANS 2.0"));
	http_free(&r);
	http_call(&r, "GET", API "/assessments", lapsed.token, NULL, NULL, 0);
	assert_problem(&r, 403, "certification-required");
	http_free(&r);
	/* case data needs no certification */
	cans_get(&r, lapsed.token, API "/cases/%s", s.case_id);
	assert_status(&r, 200);
	http_free(&r);

	cans_record_training(lapsed.id, "CANS_2_0_RECERTIFICATION", cans_days_ago(0));
	http_json(&r, "POST", path, lapsed.token, body);
	assert_status(&r, 201);
	http_free(&r);
	cans_scene_free(&s);
	cans_person_free(&lapsed);
}

static void test_a_supervisor_needs_a_current_certification_too(void **state)
{
	struct cans_person nocert, worker;
	struct cans_scene s;
	struct http_response r;
	char path[128];

	(void)state;
	cans_person_new(&nocert, "a-sup-nc", SUPERVISOR_ROLES, NULL, -1);
	cans_record_training(nocert.id, "CANS_2_0_CERTIFICATION", cans_days_ago(10));
	cans_person_new(&worker, "a-w-nc", WORKER_ROLES, nocert.id, 10);
	cans_scene_new(&s, &nocert, &worker, true);
	cans_rate_complete(worker.token, s.assessment, 1);
	snprintf(path, sizeof(path), API "/assessments/%s/submit", s.assessment);
	cans_post(&r, path, worker.token, NULL, NULL);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "routed_to"), nocert.id);
	http_free(&r);
	http_call(&r, "GET", API "/approvals", nocert.token, NULL, NULL, 0);
	assert_problem(&r, 403, "certification-required");
	assert_true(missing_names(&r, "CANS_SACWIS_FUNCTIONALITY"));
	assert_non_null(strstr(cans_str(&r, "detail"), "SACWIS"));
	http_free(&r);
	snprintf(path, sizeof(path), API "/assessments/%s/approve", s.assessment);
	cans_post(&r, path, nocert.token, NULL, NULL);
	assert_problem(&r, 403, "certification-required");
	http_free(&r);
	cans_record_training(nocert.id, "CANS_SACWIS_FUNCTIONALITY", cans_days_ago(0));
	cans_post(&r, path, nocert.token, NULL, NULL);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "status"), "approved");
	http_free(&r);
	cans_scene_free(&s);
	cans_person_free(&worker);
	cans_person_free(&nocert);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_instrument_is_served_from_data_with_etag_to_any_signed_in_caller),
		cmocka_unit_test(
			test_create_opens_a_draft_with_a_section_for_every_adult_linked_to_the_child),
		cmocka_unit_test(
			test_create_is_for_the_case_worker_only_with_a_child_and_a_real_date),
		cmocka_unit_test(
			test_an_adult_linked_later_joins_a_draft_but_never_a_submitted_cans),
		cmocka_unit_test(test_ratings_merge_and_null_clears),
		cmocka_unit_test(test_ratings_name_every_bad_field_in_one_400_and_change_nothing),
		cmocka_unit_test(test_etag_on_every_read_and_write_and_a_stale_if_match_is_412),
		cmocka_unit_test(
			test_completeness_and_submit_agree_and_an_incomplete_submit_is_422),
		cmocka_unit_test(
			test_module_items_are_required_while_the_trigger_holds_and_kept_when_lowered),
		cmocka_unit_test(test_out_of_scope_is_404_and_roles_without_cans_are_403),
		cmocka_unit_test(test_qa_analyst_reads_every_cans_and_changes_none),
		cmocka_unit_test(
			test_a_lapsed_worker_is_refused_until_a_new_record_on_the_very_next_request),
		cmocka_unit_test(test_a_supervisor_needs_a_current_certification_too),
	};

	return cmocka_run_group_tests_name("assessments", tests, setup, teardown);
}
