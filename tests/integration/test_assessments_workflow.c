/*
 * The CANS workflow through the real stack, second half: the approval chain.
 * Submit routes to the author's supervisor or a named one; only the
 * supervisor it is routed to approves or returns it (a comment required); the
 * author or that supervisor reroutes it (a reason required, never to the
 * author); nobody approves their own; an approved CANS never changes (the
 * handler's state check and the database's trigger); the history, the
 * approvals queue, QC flags on submit, /cans-due and the audit trail follow.
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
	return cans_team_setup(&team, "f");
}

static int teardown(void **state)
{
	(void)state;
	return cans_team_teardown(&team);
}

/* POST /assessments/{id}/{action} with an optional body. */
static void act(struct http_response *r, const char *token, const char *id, const char *action,
		const char *json)
{
	char path[160];

	snprintf(path, sizeof(path), API "/assessments/%s/%s", id, action);
	cans_post(r, path, token, json, NULL);
}

static void act_ok(const char *token, const char *id, const char *action, const char *json,
		   const char *want_status)
{
	struct http_response r;

	act(&r, token, id, action, json);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "status"), want_status);
	http_free(&r);
}

/* A complete CANS of a new case of `worker`, submitted when wanted. */
static void complete_scene(struct cans_scene *s, const struct cans_person *supervisor,
			   const struct cans_person *worker, int value, bool submit)
{
	cans_scene_new(s, supervisor, worker, true);
	cans_rate_complete(worker->token, s->assessment, value);
	if (submit)
		act_ok(worker->token, s->assessment, "submit", NULL, "submitted");
}

static bool list_has(const struct http_response *r, const char *id)
{
	json_t *it;
	size_t i;

	json_array_foreach (json_object_get(r->json, "items"), i, it) {
		if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
			return true;
	}
	return false;
}

static void test_rate_submit_return_resubmit_approve_with_the_history_oldest_first(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char *first_submitted;
	static const char *const want[] = {"created",  "ratings_changed", "submitted",
					   "returned", "ratings_changed", "submitted",
					   "approved"};
	json_t *items, *e;
	size_t i;

	(void)state;
	complete_scene(&s, &team.sup, &team.w, 1, false);
	act(&r, team.w.token, s.assessment, "submit", NULL);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "routed_to"), team.sup.id);
	first_submitted = strdup(cans_str(&r, "first_submitted_at"));
	http_free(&r);

	act(&r, team.sup.token, s.assessment, "return", "{}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "comment"));
	http_free(&r);
	act(&r, team.sup.token, s.assessment, "return", "{\"comment\":\"\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	act_ok(team.sup.token, s.assessment, "return",
	       "{\"comment\":\"Recheck the trauma items.\"}", "returned");
	cans_rate_complete(team.w.token, s.assessment, 2);
	act_ok(team.w.token, s.assessment, "submit", "{}", "submitted");
	act(&r, team.sup.token, s.assessment, "approve", NULL);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "status"), "approved");
	assert_string_equal(cans_str(&r, "approved_by"), team.sup.id);
	assert_string_equal(cans_str(&r, "first_submitted_at"), first_submitted);
	assert_non_null(cans_str(&r, "approved_at"));
	http_free(&r);

	cans_get(&r, team.w.token, API "/assessments/%s/history", s.assessment);
	assert_status(&r, 200);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), sizeof(want) / sizeof(want[0]));
	json_array_foreach (items, i, e) {
		assert_string_equal(json_string_value(json_object_get(e, "event")), want[i]);
		assert_non_null(json_string_value(json_object_get(e, "at")));
	}
	e = json_array_get(items, 2);
	assert_string_equal(json_string_value(json_object_get(e, "actor_id")), team.w.id);
	assert_string_equal(json_string_value(json_object_get(e, "to_supervisor_id")), team.sup.id);
	e = json_array_get(items, 3);
	assert_string_equal(json_string_value(json_object_get(e, "actor_id")), team.sup.id);
	assert_string_equal(json_string_value(json_object_get(e, "comment")),
			    "Recheck the trauma items.");
	e = json_array_get(items, 6);
	assert_string_equal(json_string_value(json_object_get(e, "actor_id")), team.sup.id);
	http_free(&r);
	free(first_submitted);
	cans_scene_free(&s);
}

static void test_reroute_by_the_author_or_the_routed_supervisor_never_to_the_author(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char body[256];
	json_t *e;

	(void)state;
	complete_scene(&s, &team.sup, &team.w, 1, true);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\"}", team.sup2.id);
	act(&r, team.w.token, s.assessment, "reroute", body);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "reason"));
	http_free(&r);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"on leave\"}",
		 team.w.id);
	act(&r, team.w.token, s.assessment, "reroute", body);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "supervisor_id"));
	http_free(&r);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"on leave\"}",
		 team.w2.id);
	act(&r, team.w.token, s.assessment, "reroute", body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"on leave\"}",
		 team.sup2.id);
	act(&r, team.w2.token, s.assessment, "reroute", body);
	assert_problem(&r, 404, "not-found");
	http_free(&r);

	/* the author reroutes: the other team's supervisor now reads and decides it */
	act(&r, team.w.token, s.assessment, "reroute", body);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "routed_to"), team.sup2.id);
	http_free(&r);
	act(&r, team.sup.token, s.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	cans_get(&r, team.sup2.token, API "/approvals%s", "");
	assert_true(list_has(&r, s.assessment));
	http_free(&r);
	cans_get(&r, team.sup2.token, API "/assessments/%s", s.assessment);
	assert_status(&r, 200);
	http_free(&r);

	/* that supervisor reroutes it back */
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"not my team\"}",
		 team.sup.id);
	act(&r, team.sup2.token, s.assessment, "reroute", body);
	assert_status(&r, 200);
	assert_string_equal(cans_str(&r, "routed_to"), team.sup.id);
	http_free(&r);
	/* having been asked to decide it, they still read it but act no more */
	cans_get(&r, team.sup2.token, API "/assessments/%s", s.assessment);
	assert_status(&r, 200);
	http_free(&r);
	act(&r, team.sup2.token, s.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);

	cans_get(&r, team.qa.token, API "/assessments/%s/history", s.assessment);
	e = json_array_get(json_object_get(r.json, "items"),
			   json_array_size(json_object_get(r.json, "items")) - 2);
	assert_string_equal(json_string_value(json_object_get(e, "event")), "rerouted");
	assert_string_equal(json_string_value(json_object_get(e, "actor_id")), team.w.id);
	assert_string_equal(json_string_value(json_object_get(e, "from_supervisor_id")),
			    team.sup.id);
	assert_string_equal(json_string_value(json_object_get(e, "to_supervisor_id")),
			    team.sup2.id);
	assert_string_equal(json_string_value(json_object_get(e, "comment")), "on leave");
	e = json_array_get(json_object_get(r.json, "items"),
			   json_array_size(json_object_get(r.json, "items")) - 1);
	assert_string_equal(json_string_value(json_object_get(e, "actor_id")), team.sup2.id);
	http_free(&r);

	act_ok(team.sup.token, s.assessment, "approve", NULL, "approved");
	act(&r, team.w.token, s.assessment, "reroute", body);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	cans_scene_free(&s);
}

static void test_only_the_routed_supervisor_decides_and_nobody_approves_their_own(void **state)
{
	struct cans_person dual;
	struct cans_scene s, t;
	struct http_response r;
	char body[128];

	(void)state;
	/* a draft is not approved */
	cans_scene_new(&s, &team.sup, &team.w, true);
	act(&r, team.sup.token, s.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	cans_rate_complete(team.w.token, s.assessment, 1);
	/* routed to the other team's supervisor: the case's own supervisor may not decide */
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\"}", team.sup2.id);
	act_ok(team.w.token, s.assessment, "submit", body, "submitted");
	act(&r, team.sup.token, s.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	act(&r, team.sup.token, s.assessment, "return", "{\"comment\":\"no\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	act(&r, team.w.token, s.assessment, "approve", NULL);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	act_ok(team.sup2.token, s.assessment, "approve", NULL, "approved");

	/* someone who both rates and supervises never approves their own CANS */
	cans_person_new(&dual, "f-dual", "[\"worker\",\"supervisor\"]", team.sup.id, 30);
	complete_scene(&t, &team.sup, &dual, 1, false);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\"}", dual.id);
	act(&r, dual.token, t.assessment, "submit", body);
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "supervisor_id"));
	http_free(&r);
	act_ok(dual.token, t.assessment, "submit", NULL, "submitted");
	act(&r, dual.token, t.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"x\"}", dual.id);
	act(&r, dual.token, t.assessment, "reroute", body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	cans_scene_free(&s);
	cans_scene_free(&t);
	cans_person_free(&dual);
}

static void test_an_approved_cans_never_changes(void **state)
{
	struct cans_scene s;
	struct http_response r;
	char path[128], sql[512], *out;

	(void)state;
	complete_scene(&s, &team.sup, &team.w, 1, true);
	act_ok(team.sup.token, s.assessment, "approve", NULL, "approved");
	snprintf(path, sizeof(path), API "/assessments/%s/ratings", s.assessment);
	http_json(&r, "PUT", path, team.w.token, "{\"child\":{}}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	act(&r, team.w.token, s.assessment, "submit", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	act(&r, team.sup.token, s.assessment, "return", "{\"comment\":\"late\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	act(&r, team.sup.token, s.assessment, "approve", NULL);
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	/* the database refuses it whoever asks, even its superuser */
	snprintf(sql, sizeof(sql),
		 "DO $$BEGIN UPDATE cansd.assessment_ratings SET rating = 3 WHERE assessment_id = "
		 "%s; RAISE EXCEPTION 'not guarded'; EXCEPTION WHEN SQLSTATE 'CN409' THEN NULL; "
		 "END$$; SELECT 'guarded'",
		 s.assessment);
	out = test_psql(sql);
	assert_string_equal(out, "guarded");
	free(out);
	cans_scene_free(&s);
}

static void test_the_approvals_queue_is_the_supervisors_own_oldest_first(void **state)
{
	struct cans_scene a, b;
	struct http_response r;
	json_t *it;
	size_t i;
	long pos_a = -1, pos_b = -1;

	(void)state;
	complete_scene(&a, &team.sup, &team.w, 1, true);
	complete_scene(&b, &team.sup, &team.w2, 1, true);
	http_call(&r, "GET", API "/approvals?limit=500", team.sup.token, NULL, NULL, 0);
	assert_status(&r, 200);
	json_array_foreach (json_object_get(r.json, "items"), i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));

		assert_string_equal(json_string_value(json_object_get(it, "status")), "submitted");
		assert_string_equal(json_string_value(json_object_get(it, "routed_to")),
				    team.sup.id);
		if (strcmp(id, a.assessment) == 0)
			pos_a = (long)i;
		if (strcmp(id, b.assessment) == 0)
			pos_b = (long)i;
	}
	assert_true(pos_a >= 0 && pos_b > pos_a);
	http_free(&r);
	http_call(&r, "GET", API "/approvals", team.sup2.token, NULL, NULL, 0);
	assert_false(list_has(&r, a.assessment));
	http_free(&r);
	http_call(&r, "GET", API "/approvals", team.w.token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	act_ok(team.sup.token, a.assessment, "approve", NULL, "approved");
	http_call(&r, "GET", API "/approvals?limit=500", team.sup.token, NULL, NULL, 0);
	assert_false(list_has(&r, a.assessment));
	assert_true(list_has(&r, b.assessment));
	http_free(&r);
	cans_get(&r, team.sup.token, API "/assessments?status=approved&case_id=%s", a.case_id);
	assert_true(list_has(&r, a.assessment));
	http_free(&r);
	cans_scene_free(&a);
	cans_scene_free(&b);
}

static bool flags_have(const struct http_response *r, const char *rule)
{
	json_t *it;
	size_t i;

	json_array_foreach (json_object_get(r->json, "items"), i, it) {
		if (strcmp(json_string_value(json_object_get(it, "rule")), rule) == 0 &&
		    json_string_value(json_object_get(it, "message")))
			return true;
	}
	return false;
}

static void test_qc_flags_are_stored_on_submit_for_qa_and_the_case_supervisor(void **state)
{
	struct cans_scene s;
	struct http_response r;

	(void)state;
	/* every need 0 and every strength 0: "no need above 0" and nothing else */
	complete_scene(&s, &team.sup, &team.w, 0, true);
	cans_get(&r, team.qa.token, API "/qc/flags?assessment_id=%s", s.assessment);
	assert_status(&r, 200);
	assert_true(flags_have(&r, "NO_NEED_ABOVE_ZERO"));
	assert_false(flags_have(&r, "NO_USEFUL_STRENGTH"));
	http_free(&r);
	cans_get(&r, team.sup.token, API "/qc/flags?assessment_id=%s", s.assessment);
	assert_status(&r, 200);
	assert_true(flags_have(&r, "NO_NEED_ABOVE_ZERO"));
	http_free(&r);
	cans_get(&r, team.sup2.token, API "/qc/flags?assessment_id=%s", s.assessment);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	cans_get(&r, team.w.token, API "/qc/flags?assessment_id=%s", s.assessment);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	cans_get(&r, team.qa.token, API "/qc/flags?assessment_id=%s", "x");
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);

	/* returned and resubmitted with needs and useful strengths: the flags are replaced */
	act_ok(team.sup.token, s.assessment, "return", "{\"comment\":\"all zero?\"}", "returned");
	cans_rate_complete(team.w.token, s.assessment, 1);
	{
		char path[128], *body;
		json_t *c;
		struct http_response g;

		cans_get(&g, team.w.token, API "/assessments/%s", s.assessment);
		c = json_deep_copy(json_object_get(json_object_get(g.json, "ratings"), "child"));
		http_free(&g);
		{
			const char *k;
			json_t *v;

			json_object_foreach (c, k, v) {
				json_integer_set(v, 1);
			}
		}
		{
			json_t *whole = json_pack("{s:o}", "child", c);

			body = json_dumps(whole, JSON_COMPACT);
			json_decref(whole);
		}
		snprintf(path, sizeof(path), API "/assessments/%s/ratings", s.assessment);
		http_json(&g, "PUT", path, team.w.token, body);
		assert_status(&g, 200);
		http_free(&g);
		free(body);
	}
	cans_rate_complete(team.w.token, s.assessment, 1);
	act_ok(team.w.token, s.assessment, "submit", NULL, "submitted");
	cans_get(&r, team.qa.token, API "/qc/flags?assessment_id=%s", s.assessment);
	assert_false(flags_have(&r, "NO_NEED_ABOVE_ZERO"));
	http_free(&r);
	cans_scene_free(&s);
}

static const char *due_status(const char *token, const char *case_id, const char *reason)
{
	static char status[32];
	struct http_response r;
	json_t *it;
	size_t i;

	status[0] = '\0';
	cans_get(&r, token, API "/cans-due?status=all&case_id=%s", case_id);
	assert_status(&r, 200);
	json_array_foreach (json_object_get(r.json, "items"), i, it) {
		if (strcmp(json_string_value(json_object_get(it, "reason")), reason) == 0)
			snprintf(status, sizeof(status), "%s",
				 json_string_value(json_object_get(it, "status")));
	}
	http_free(&r);
	return status;
}

static void test_cans_due_is_pending_approval_once_submitted_and_met_once_approved(void **state)
{
	struct cans_scene s;

	(void)state;
	complete_scene(&s, &team.sup, &team.w, 1, false);
	/* opened 60 days ago: the initial CANS was due after 30 */
	assert_string_equal(due_status(team.w.token, s.case_id, "initial"), "overdue");
	act_ok(team.w.token, s.assessment, "submit", NULL, "submitted");
	assert_string_equal(due_status(team.w.token, s.case_id, "initial"), "pending_approval");
	act_ok(team.sup.token, s.assessment, "return", "{\"comment\":\"again\"}", "returned");
	assert_string_equal(due_status(team.w.token, s.case_id, "initial"), "overdue");
	act_ok(team.w.token, s.assessment, "submit", NULL, "submitted");
	act_ok(team.sup.token, s.assessment, "approve", NULL, "approved");
	assert_string_equal(due_status(team.sup.token, s.case_id, "initial"), "met");
	cans_scene_free(&s);
}

static bool audit_has(const json_t *items, const char *action)
{
	json_t *it;
	size_t i;

	json_array_foreach (items, i, it) {
		if (strcmp(json_string_value(json_object_get(it, "action")), action) == 0)
			return true;
	}
	return false;
}

static void test_every_read_and_every_change_of_a_cans_is_audited(void **state)
{
	struct cans_scene s;
	struct http_response r;
	json_t *items;
	static const char *const actions[] = {"assessment.created", "assessment.ratings_changed",
					      "assessment.read", "assessment.submitted",
					      "assessment.approved"};
	size_t i;

	(void)state;
	complete_scene(&s, &team.sup, &team.w, 1, true);
	cans_get(&r, team.qa.token, API "/assessments/%s", s.assessment);
	http_free(&r);
	act_ok(team.sup.token, s.assessment, "approve", NULL, "approved");
	cans_get(&r, cans_admin_token(), API "/audit?entity_type=assessment&entity_id=%s&limit=500",
		 s.assessment);
	assert_status(&r, 200);
	items = json_object_get(r.json, "items");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!audit_has(items, actions[i]))
			fail_msg("no %s in %s", actions[i], r.body);
	http_free(&r);
	cans_scene_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_rate_submit_return_resubmit_approve_with_the_history_oldest_first),
		cmocka_unit_test(
			test_reroute_by_the_author_or_the_routed_supervisor_never_to_the_author),
		cmocka_unit_test(
			test_only_the_routed_supervisor_decides_and_nobody_approves_their_own),
		cmocka_unit_test(test_an_approved_cans_never_changes),
		cmocka_unit_test(test_the_approvals_queue_is_the_supervisors_own_oldest_first),
		cmocka_unit_test(test_qc_flags_are_stored_on_submit_for_qa_and_the_case_supervisor),
		cmocka_unit_test(
			test_cans_due_is_pending_approval_once_submitted_and_met_once_approved),
		cmocka_unit_test(test_every_read_and_every_change_of_a_cans_is_audited),
	};

	return cmocka_run_group_tests_name("assessments workflow", tests, setup, teardown);
}
