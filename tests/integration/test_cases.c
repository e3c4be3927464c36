/*
 * Case management through the real stack (nginx -> FastCGI pool ->
 * PostgreSQL): cases, their members and services, scope by relation for every
 * role and method, the IFPS caseload cap and its race, the over-8-weeks and
 * response flags, and bad input. Due dates: test_cans_due.c.
 *
 * Fixture: two teams (sup1 with w1 and w2, sup2 with w3), a QA analyst and
 * the certification office, all created through the API by the admin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* --- cases ------------------------------------------------------------------ */

static void test_case_create_read_and_etag(void **state)
{
	struct http_response r;
	char path[128], *etag;
	const char *id;

	(void)state;
	id = case_open(t.sup1, "IPS", day_text(-3), t.w1, 201, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "open");
	assert_string_equal(json_string_value(json_object_get(r.json, "program")), "IPS");
	assert_string_equal(json_string_value(json_object_get(r.json, "worker_id")), t.w1);
	assert_int_equal(json_array_size(json_object_get(r.json, "members")), 0);
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"1\"");
	free(etag);
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_call(&r, "GET", path, t.w1_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")), id);
	assert_non_null(json_object_get(r.json, "members"));
	etag = http_header(&r, "ETag");
	assert_string_equal(etag, "\"1\"");
	free(etag);
	http_free(&r);

	/* a stale If-Match is 412; the current one changes the case */
	{
		const char *stale[] = {"If-Match: \"7\"", "Content-Type: application/json", NULL};
		const char *fresh[] = {"If-Match: \"1\"", "Content-Type: application/json", NULL};
		const char *body = "{\"first_contact_at\":\"2020-01-01T10:00:00Z\"}";

		http_call(&r, "PATCH", path, t.sup1_token, stale, body, strlen(body));
		assert_problem(&r, 412, "precondition-failed");
		http_free(&r);
		http_call(&r, "PATCH", path, t.sup1_token, fresh, body, strlen(body));
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(r.json, "first_contact_at")),
				    "2020-01-01T10:00:00Z");
		etag = http_header(&r, "ETag");
		assert_string_equal(etag, "\"2\"");
		free(etag);
		http_free(&r);
	}
}

static void test_sacwis_case_id_in_use_is_409_even_in_another_team(void **state)
{
	struct http_response r;
	char body[512];
	const char *sacwis = test_unique("S-DUP-");

	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"sacwis_case_id\":\"%s\",\"program\":\"IPS\",\"opened_on\":\"%s\","
			 "\"worker_id\":\"%s\"}",
			 sacwis_safe(sacwis), day_text(-1), i == 0 ? t.w1 : t.w3);
		http_json(&r, "POST", "/api/v1/cases", i == 0 ? t.sup1_token : t.sup2_token, body);
		if (i == 0)
			assert_int_equal(r.status, 201);
		else
			assert_problem(&r, 409, "conflict");
		http_free(&r);
	}
}

static void test_supervisor_opens_and_assigns_only_for_their_team(void **state)
{
	struct http_response r;
	char path[128], body[256];
	const char *id;

	(void)state;
	case_open(t.sup1, "IPS", day_text(-1), t.w3, 400, &r);
	assert_problem(&r, 400, "validation-failed");
	assert_non_null(strstr(r.body, "\"worker_id\""));
	http_free(&r);

	/* reassigning to another team's worker is refused the same way */
	id = case_open(t.sup1, "IPS", day_text(-1), t.w1, 201, NULL);
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	snprintf(body, sizeof(body), "{\"worker_id\":\"%s\"}", t.w3);
	http_json(&r, "PATCH", path, t.sup1_token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	/* within the team it works; the program admin may assign anyone */
	snprintf(body, sizeof(body), "{\"worker_id\":\"%s\"}", t.w2);
	http_json(&r, "PATCH", path, t.sup1_token, body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "worker_id")), t.w2);
	http_free(&r);
	case_open(t.admin, "IPS", day_text(-1), t.w3, 201, NULL);
}

static void test_extension_request_and_close_follow_the_status_order(void **state)
{
	struct http_response r;
	char path[160], body[256];
	const char *id = case_open(t.sup1, "IPS", day_text(-20), t.w1, 201, NULL);

	(void)state;
	/* not before the case opened, not in the future */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/extension-request", id);
	snprintf(body, sizeof(body), "{\"requested_on\":\"%s\",\"reason\":\"x\"}", day_text(-21));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"requested_on\":\"%s\",\"reason\":\"x\"}", day_text(1));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "POST", path, t.w1_token,
		  "{\"requested_on\":\"2026-02-30\",\"reason\":\"x\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);

	snprintf(body, sizeof(body), "{\"requested_on\":\"%s\",\"reason\":\"family needs more\"}",
		 day_text(-2));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "extension_requested");
	http_free(&r);
	http_json(&r, "POST", path, t.sup1_token, body);
	assert_problem(&r, 409, "conflict");
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/cases/%s/close", id);
	snprintf(body, sizeof(body), "{\"closed_on\":\"%s\"}", day_text(-3));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_problem(&r, 400, "validation-failed"); /* before the extension request */
	http_free(&r);
	snprintf(body, sizeof(body), "{\"closed_on\":\"%s\"}", day_text(0));
	http_json(&r, "POST", path, t.sup1_token, body);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "closed");
	http_free(&r);
	http_json(&r, "POST", path, t.w1_token, body);
	assert_problem(&r, 409, "conflict");
	http_free(&r);

	/* a closed case changes no more */
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2020-01-01T00:00:00Z\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/members", id);
	http_json(&r, "POST", path, t.w1_token,
		  "{\"kind\":\"child\",\"full_name\":\"Late\",\"birth_date\":\"2015-01-01\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
}

/* --- scope by relation, every method ------------------------------------------ */

struct call {
	const char *method;
	const char *fmt;  /* path with %s for the case id (and %s for a member id) */
	const char *body; /* %D: the programs' today */
	bool worker_may;  /* false: the route table refuses workers (403) on any case */
};

/* Ordered so that a caller in scope gets through all of them: close comes last. */
static const struct call every_case_call[] = {
	{"GET", "/api/v1/cases/%s", NULL, true},
	{"PATCH", "/api/v1/cases/%s", "{\"first_contact_at\":\"2020-01-01T00:00:00Z\"}", false},
	{"POST", "/api/v1/cases/%s/members",
	 "{\"kind\":\"child\",\"full_name\":\"X\",\"birth_date\":\"2015-01-01\"}", true},
	{"PATCH", "/api/v1/cases/%s/members/%s", "{\"full_name\":\"Y\"}", true},
	{"DELETE", "/api/v1/cases/%s/members/%s", NULL, true},
	{"POST", "/api/v1/cases/%s/services",
	 "{\"service_type\":\"respite\",\"service_date\":\"%D\",\"hours\":1}", true},
	{"GET", "/api/v1/cases/%s/services", NULL, true},
	{"GET", "/api/v1/cans-due?case_id=%s", NULL, true},
	{"POST", "/api/v1/cases/%s/extension-request", "{\"requested_on\":\"%D\",\"reason\":\"x\"}",
	 true},
	{"POST", "/api/v1/cases/%s/close", "{\"closed_on\":\"%D\"}", true},
};

/* Calls every case route on case_id as token; each must answer want (0: any 2xx). */
static void expect_every_call(const char *token, const char *case_id, const char *member_id,
			      long want, bool writes_only, bool as_worker)
{
	size_t i;

	for (i = 0; i < sizeof(every_case_call) / sizeof(every_case_call[0]); i++) {
		const struct call *c = &every_case_call[i];
		struct http_response r;
		char path[256], body[512] = "";
		const char *mark;
		long expect = want;

		if (want == 404 && as_worker && !c->worker_may)
			expect = 403;
		if (writes_only && strcmp(c->method, "GET") == 0)
			continue;
		snprintf(path, sizeof(path), c->fmt, case_id, member_id);
		if (c->body && (mark = strstr(c->body, "%D")))
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(mark - c->body), c->body,
				 day_text(0), mark + 2);
		else if (c->body)
			snprintf(body, sizeof(body), "%s", c->body);
		if (c->body)
			http_json(&r, c->method, path, token, body);
		else
			http_call(&r, c->method, path, token, NULL, NULL, 0);
		if (expect == 0 ? (r.status < 200 || r.status > 299) : r.status != expect)
			fail_msg("%s %s: got %ld, want %ld: %s", c->method, path, r.status, expect,
				 r.body);
		if (expect >= 400)
			assert_problem(&r, expect, expect == 404 ? "not-found" : "forbidden");
		http_free(&r);
	}
}

/* A case of w1 (team 1) with one child, and that child's id. */
static const char *scoped_case(char **member_id)
{
	struct http_response r;
	const char *id = case_open(t.sup1, "IPS", day_text(-5), t.w1, 201, NULL);

	*member_id = member_add(t.w1_token, id,
				"{\"kind\":\"child\",\"full_name\":\"Scope Kid\",\"birth_date\":"
				"\"2016-05-05\"}",
				201, &r);
	http_free(&r);
	return id;
}

static void test_another_workers_case_is_404_by_every_method(void **state)
{
	char *member;
	const char *id = scoped_case(&member);

	(void)state;
	/* w2 is on the same team as w1, but it is not their case */
	expect_every_call(t.w2_token, id, member, 404, false, true);
	free(member);
}

static void test_another_teams_case_is_404_to_a_supervisor_by_every_method(void **state)
{
	char *member;
	const char *id = scoped_case(&member);

	(void)state;
	expect_every_call(t.sup2_token, id, member, 404, false, false);
	/* and its own supervisor gets through every one of them */
	expect_every_call(t.sup1_token, id, member, 0, false, false);
	free(member);
}

static void test_qa_reads_every_case_and_changes_none(void **state)
{
	struct http_response r;
	char *member, path[128];
	const char *id = scoped_case(&member);

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_call(&r, "GET", path, t.qa_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/services", id);
	http_call(&r, "GET", path, t.qa_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	expect_every_call(t.qa_token, id, member, 403, true, false);
	free(member);
}

static void test_certification_office_sees_no_case_data(void **state)
{
	char *member;
	const char *id = scoped_case(&member);
	struct http_response r;

	(void)state;
	expect_every_call(t.office_token, id, member, 403, false, false);
	http_call(&r, "GET", "/api/v1/cases", t.office_token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	free(member);
}

static void test_worker_may_not_open_or_reassign_cases(void **state)
{
	struct http_response r;
	char *member, path[128];
	const char *id = scoped_case(&member);

	(void)state;
	case_open(t.w1_token, "IPS", day_text(0), t.w1, 403, &r);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/cases/%s", id);
	http_json(&r, "PATCH", path, t.w1_token, "{\"first_contact_at\":\"2020-01-01T00:00:00Z\"}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	free(member);
}

/* Lists hold exactly the caller's cases. */
static bool list_has(const char *token, const char *query, const char *id)
{
	struct http_response r;
	char path[256];
	bool found = false;
	size_t i;
	json_t *item;

	snprintf(path, sizeof(path), "/api/v1/cases?limit=500%s", query);
	http_call(&r, "GET", path, token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	json_array_foreach (json_object_get(r.json, "items"), i, item) {
		if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
			found = true;
	}
	http_free(&r);
	return found;
}

static void test_lists_are_scoped_and_filtered(void **state)
{
	char *member;
	const char *mine = scoped_case(&member);
	const char *other = case_open(t.sup2, "IPS", day_text(-2), t.w3, 201, NULL);
	char query[128];

	(void)state;
	assert_true(list_has(t.w1_token, "", mine));
	assert_false(list_has(t.w1_token, "", other));
	assert_false(list_has(t.w2_token, "", mine));
	assert_true(list_has(t.sup1_token, "", mine));
	assert_false(list_has(t.sup1_token, "", other));
	assert_true(list_has(t.sup2_token, "", other));
	assert_false(list_has(t.sup2_token, "", mine));
	assert_true(list_has(t.qa_token, "", mine));
	assert_true(list_has(t.qa_token, "", other));
	assert_true(list_has(t.admin_token, "&program=IPS&status=open", mine));
	assert_false(list_has(t.admin_token, "&program=IFPS", mine));
	assert_false(list_has(t.admin_token, "&status=closed", mine));
	snprintf(query, sizeof(query), "&worker_id=%s", t.w1);
	assert_true(list_has(t.qa_token, query, mine));
	assert_false(list_has(t.qa_token, query, other));
	free(member);
}

static void test_paging_walks_every_case_once(void **state)
{
	struct list_seen seen;
	char path[256];
	const char *w = t.w2;

	(void)state;
	for (int i = 0; i < 3; i++)
		case_open(t.sup1, "IPS", day_text(-1), w, 201, NULL);
	snprintf(path, sizeof(path), "/api/v1/cases?limit=2&worker_id=%s", w);
	assert_null(list_walk(t.sup1_token, path, NULL, NULL, 100, &seen));
	assert_true(seen.items >= 3);
	assert_true(seen.pages >= 2);
}

/* --- the IFPS caseload cap ------------------------------------------------------ */

static void test_fifth_ifps_family_is_409_by_create_and_by_patch(void **state)
{
	struct http_response r;
	char path[128], body[128];
	const char *w = new_team_worker(t.sup1_id);
	const char *ids[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		ids[i] = strdup(case_open(t.sup1, "IFPS", day_text(-1), w, 201, NULL));
	case_open(t.sup1, "IFPS", day_text(-1), w, 409, &r);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	/* IPS cases do not count, and a case's program need not match the worker's */
	case_open(t.sup1, "IPS", day_text(-1), w, 201, NULL);

	/* assigning an open IFPS family by PATCH counts the same */
	{
		const char *other = case_open(t.sup1, "IFPS", day_text(-1), t.w2, 201, NULL);

		snprintf(path, sizeof(path), "/api/v1/cases/%s", other);
		snprintf(body, sizeof(body), "{\"worker_id\":\"%s\"}", w);
		http_json(&r, "PATCH", path, t.sup1_token, body);
		assert_problem(&r, 409, "conflict");
		http_free(&r);
	}

	/* closing one frees a place */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/close", ids[0]);
	snprintf(body, sizeof(body), "{\"closed_on\":\"%s\"}", day_text(0));
	http_json(&r, "POST", path, t.sup1_token, body);
	assert_int_equal(r.status, 200);
	http_free(&r);
	case_open(t.admin, "IFPS", day_text(-1), w, 201, NULL);
	for (int i = 0; i < 4; i++)
		free((char *)ids[i]);
}

/*
 * Two supervisors (and the program admin) assign the fifth family to one
 * worker at the same moment: exactly one wins. Each child process opens one
 * case and reports its status; repeated over several rounds.
 */
static void test_caseload_cap_race_has_exactly_one_winner(void **state)
{
	enum { ROUNDS = 5, RACERS = 6 };

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		const char *w = strdup(new_team_worker(t.sup1_id));
		pid_t pids[RACERS];
		int created = 0, refused = 0;

		for (int i = 0; i < 3; i++)
			case_open(t.sup1, "IFPS", day_text(-1), w, 201, NULL);
		for (int i = 0; i < RACERS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				struct http_response r;
				const char *by = i % 3 == 0   ? t.sup1
						 : i % 3 == 1 ? t.sup1b
							      : t.admin;

				case_open(by, "IFPS", day_text(-1), w, 0, &r);
				_exit(r.status == 201 ? 0 : r.status == 409 ? 1 : 2);
			}
		}
		for (int i = 0; i < RACERS; i++) {
			int st = 0;

			assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
			assert_true(WIFEXITED(st));
			if (WEXITSTATUS(st) == 0)
				created++;
			else if (WEXITSTATUS(st) == 1)
				refused++;
		}
		if (created != 1 || refused != RACERS - 1)
			fail_msg("round %d: %d created, %d refused of %d", round, created, refused,
				 RACERS);
		free((char *)w);
	}
}

/* --- IFPS flags ------------------------------------------------------------------- */

static bool has_flag(const json_t *c, const char *flag)
{
	size_t i;
	json_t *f;

	json_array_foreach (json_object_get(c, "flags"), i, f) {
		if (strcmp(json_string_value(f), flag) == 0)
			return true;
	}
	return false;
}

static void test_ifps_case_past_8_weeks_is_flagged_and_listed(void **state)
{
	struct http_response r;
	char path[128], body[128];
	const char *w = strdup(new_team_worker(t.sup1_id));
	const char *past, *at;

	(void)state;
	past = strdup(case_open(t.sup1, "IFPS", day_text(-57), w, 201, &r));
	assert_true(has_flag(r.json, "over_8_weeks"));
	http_free(&r);
	at = case_open(t.sup1, "IFPS", day_text(-56), w, 201, &r);
	assert_false(has_flag(r.json, "over_8_weeks"));
	http_free(&r);
	/* IPS has no such rule */
	case_open(t.sup1, "IPS", day_text(-90), w, 201, &r);
	assert_false(has_flag(r.json, "over_8_weeks"));
	http_free(&r);

	assert_true(list_has(t.sup1_token, "&flag=over_8_weeks", past));
	assert_false(list_has(t.sup1_token, "&flag=over_8_weeks", at));

	/* an extension request lifts it */
	snprintf(path, sizeof(path), "/api/v1/cases/%s/extension-request", past);
	snprintf(body, sizeof(body), "{\"requested_on\":\"%s\",\"reason\":\"more\"}", day_text(0));
	http_json(&r, "POST", path, t.w1_token, body);
	assert_int_equal(r.status, 404); /* not w1's case */
	http_free(&r);
	http_json(&r, "POST", path, t.sup1_token, body);
	assert_int_equal(r.status, 200);
	assert_false(has_flag(r.json, "over_8_weeks"));
	http_free(&r);
	assert_false(list_has(t.sup1_token, "&flag=over_8_weeks", past));
	free((char *)past);
	free((char *)w);
}

static void test_ifps_response_time_is_computed_and_late_ones_flagged(void **state)
{
	struct http_response r;
	char path[128];
	const char *slow, *fast;

	(void)state;
	const char *w = new_team_worker(t.sup1_id);

	slow = strdup(case_open_referral(t.sup1, w, "2026-01-05T08:00:00Z", &r));
	http_free(&r);
	fast = case_open_referral(t.sup1, w, "2026-01-05T08:00:00-06:00", &r);
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/cases/%s", slow);
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2026-01-06T14:00:00Z\"}");
	assert_int_equal(r.status, 200);
	assert_true(json_number_value(json_object_get(r.json, "response_hours")) == 30.0);
	assert_true(has_flag(r.json, "response_over_24_hours"));
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/cases/%s", fast);
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2026-01-05T18:00:00-06:00\"}");
	assert_int_equal(r.status, 200);
	assert_true(json_number_value(json_object_get(r.json, "response_hours")) == 10.0);
	assert_false(has_flag(r.json, "response_over_24_hours"));
	http_free(&r);

	/* before the referral, in the future, or not RFC 3339: 400 */
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2026-01-05T07:00:00-06:00\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2999-01-05T07:00:00Z\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, t.sup1_token, "{\"first_contact_at\":\"now is the time!!!\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "PATCH", path, t.sup1_token,
		  "{\"first_contact_at\":\"2026-02-30T07:00:00Z\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	free((char *)slow);
}

/* --- bad input ----------------------------------------------------------------------- */

static void test_bad_case_bodies_and_ids(void **state)
{
	struct http_response r;
	char body[512];

	(void)state;
	/* server-owned and unknown fields */
	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"X-1\",\"program\":\"IPS\",\"opened_on\":\"%s\","
		 "\"worker_id\":\"%s\",\"status\":\"closed\"}",
		 day_text(0), t.w1);
	http_json(&r, "POST", "/api/v1/cases", t.sup1_token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	/* unknown program, impossible and future dates, a SACWIS id with SQL in it */
	const char *bad[] = {
		"{\"sacwis_case_id\":\"X-2\",\"program\":\"FOO\",\"opened_on\":\"2026-01-01\","
		"\"worker_id\":\"%s\"}",
		"{\"sacwis_case_id\":\"X-3\",\"program\":\"IPS\",\"opened_on\":\"2025-02-29\","
		"\"worker_id\":\"%s\"}",
		"{\"sacwis_case_id\":\"X-4\",\"program\":\"IPS\",\"opened_on\":\"2999-01-01\","
		"\"worker_id\":\"%s\"}",
		"{\"sacwis_case_id\":\"'; DROP TABLE x;--\",\"program\":\"IPS\","
		"\"opened_on\":\"2026-01-01\",\"worker_id\":\"%s\"}",
		"{\"sacwis_case_id\":\"X-5\",\"program\":\"IPS\",\"opened_on\":\"2026-01-01\","
		"\"worker_id\":\"99999999999999999\"}%s",
		"{\"sacwis_case_id\":\"X-6\",\"program\":\"IPS\",\"opened_on\":\"2026-01-01\","
		"\"worker_id\":\"abc\"}%s",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), bad[i], strstr(bad[i], "}%s") ? "" : t.w1);
		http_json(&r, "POST", "/api/v1/cases", t.sup1_token, body);
		if (r.status != 400)
			fail_msg("%s: %ld %s", body, r.status, r.body);
		assert_problem(&r, 400, "validation-failed");
		http_free(&r);
	}
	/* the programs' today is accepted, tomorrow is not (even where UTC turned) */
	case_open(t.sup1, "IPS", day_text(0), t.w1, 201, NULL);
	case_open(t.sup1, "IPS", day_text(1), t.w1, 400, &r);
	http_free(&r);

	/* ids: non-numeric and too long are 400, huge but valid is 404 */
	http_call(&r, "GET", "/api/v1/cases/abc", t.sup1_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/cases/99999999999999999999999", t.sup1_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/cases/999999999999999999", t.sup1_token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "DELETE", "/api/v1/cases/1/members/x1", t.sup1_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
	/* bad query parameters */
	const char *queries[] = {"/api/v1/cases?status=bogus",  "/api/v1/cases?program=ips",
				 "/api/v1/cases?worker_id=abc", "/api/v1/cases?flag=late",
				 "/api/v1/cases?limit=0",       "/api/v1/cases?sort=id",
				 "/api/v1/cans-due?status=x",   "/api/v1/cans-due?case_id=1x"};
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		http_call(&r, "GET", queries[i], t.sup1_token, NULL, NULL, 0);
		if (r.status != 400)
			fail_msg("%s: %ld", queries[i], r.status);
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_create_read_and_etag),
		cmocka_unit_test(test_sacwis_case_id_in_use_is_409_even_in_another_team),
		cmocka_unit_test(test_supervisor_opens_and_assigns_only_for_their_team),
		cmocka_unit_test(test_extension_request_and_close_follow_the_status_order),
		cmocka_unit_test(test_another_workers_case_is_404_by_every_method),
		cmocka_unit_test(test_another_teams_case_is_404_to_a_supervisor_by_every_method),
		cmocka_unit_test(test_qa_reads_every_case_and_changes_none),
		cmocka_unit_test(test_certification_office_sees_no_case_data),
		cmocka_unit_test(test_worker_may_not_open_or_reassign_cases),
		cmocka_unit_test(test_lists_are_scoped_and_filtered),
		cmocka_unit_test(test_paging_walks_every_case_once),
		cmocka_unit_test(test_fifth_ifps_family_is_409_by_create_and_by_patch),
		cmocka_unit_test(test_caseload_cap_race_has_exactly_one_winner),
		cmocka_unit_test(test_ifps_case_past_8_weeks_is_flagged_and_listed),
		cmocka_unit_test(test_ifps_response_time_is_computed_and_late_ones_flagged),
		cmocka_unit_test(test_bad_case_bodies_and_ids),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
