/*
 * Quality control through the API: QA analysts review any CANS and ask its
 * clinician to follow up; the assignee sees and closes theirs, nobody else
 * sees them; every step is audited in the same transaction; every refusal is
 * the problem openapi.yaml names for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/mint.h"
#include "tests/support/problem_assert.h"

static struct mint_person sup, worker, other, qa, qa_lapsed;
static char *assessment_id;

/* A user of IFPS, certified ten days ago in the programs' time zone or never. */
static void person_new(struct mint_person *p, const char *prefix, const char *roles,
		       const char *supervisor_id, bool certified)
{
	mint_person_new(p, admin_token, prefix, roles, supervisor_id, "IFPS",
			certified ? "(now() AT TIME ZONE 'America/Chicago')::date - 10" : NULL);
}

static char *created_id(struct http_response *r, const char *path, const char *token,
			const char *body)
{
	char *id;

	http_json(r, "POST", path, token, body);
	if (r->status != 201)
		fail_msg("POST %s: %ld %s", path, r->status, r->body);
	id = strdup(json_string_value(json_object_get(r->json, "id")));
	http_free(r);
	return id;
}

/* A case of worker's with one child and one submitted CANS (written as superuser). */
static int setup(void **state)
{
	struct http_response r;
	char body[512], path[128], sql[1024], *case_id, *child_id;

	if (admin_setup(state))
		return -1;
	person_new(&sup, "qcsup", "ARRAY['supervisor']", NULL, true);
	person_new(&worker, "qcwork", "ARRAY['worker']", sup.id, true);
	person_new(&other, "qcother", "ARRAY['worker']", sup.id, true);
	person_new(&qa, "qcqa", "ARRAY['qa_analyst']", NULL, true);
	person_new(&qa_lapsed, "qcqal", "ARRAY['qa_analyst']", NULL, false);
	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"QC-%d\",\"program\":\"IFPS\",\"opened_on\":\"2024-03-01\","
		 "\"worker_id\":\"%s\"}",
		 (int)getpid(), worker.id);
	case_id = created_id(&r, "/api/v1/cases", admin_token, body);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/members", case_id);
	child_id = created_id(&r, path, worker.token,
			      "{\"kind\":\"child\",\"full_name\":\"QC Child\","
			      "\"birth_date\":\"2012-01-01\"}");
	snprintf(
		sql, sizeof(sql),
		"INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, status,"
		" author_id, routed_to, routed_at, first_submitted_at, submitted_at)"
		" VALUES (%s, %s, 'initial', '2024-03-10', 'submitted', %s, %s, now(), now(), "
		"now())"
		" RETURNING id",
		case_id, child_id, worker.id, sup.id);
	assessment_id = test_psql(sql);
	free(case_id);
	free(child_id);
	return assessment_id && *assessment_id ? 0 : -1;
}

static int teardown(void **state)
{
	free(assessment_id);
	mint_person_free(&sup);
	mint_person_free(&worker);
	mint_person_free(&other);
	mint_person_free(&qa);
	mint_person_free(&qa_lapsed);
	return admin_teardown(state);
}

/* How many audit events of this action name this entity. */
static int audited(const char *action, const char *entity_id)
{
	char sql[256], *out;
	int n;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.audit_events WHERE action = '%s' AND entity_id = '%s'"
		 " AND request_id IS NOT NULL AND client_addr IS NOT NULL",
		 action, entity_id);
	out = test_psql(sql);
	n = atoi(out);
	free(out);
	return n;
}

static void test_qa_records_a_review_and_it_is_audited(void **state)
{
	struct http_response r;
	char path[128];
	char *id;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/qc-reviews", assessment_id);
	http_json(&r, "POST", path, qa.token,
		  "{\"outcome\":\"needs_follow_up\",\"notes\":\"odd\"}");
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "outcome")),
			    "needs_follow_up");
	assert_string_equal(json_string_value(json_object_get(r.json, "assessment_id")),
			    assessment_id);
	assert_string_equal(json_string_value(json_object_get(r.json, "reviewer_id")), qa.id);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	http_free(&r);
	assert_int_equal(audited("qc_review.created", id), 1);
	free(id);
}

static void test_review_refusals(void **state)
{
	struct http_response r;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/qc-reviews", assessment_id);
	http_json(&r, "POST", path, worker.token, "{\"outcome\":\"pass\",\"notes\":\"\"}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	http_json(&r, "POST", path, qa_lapsed.token, "{\"outcome\":\"pass\",\"notes\":\"\"}");
	assert_problem(&r, 403, "certification-required");
	http_free(&r);
	http_json(&r, "POST", path, qa.token, "{\"outcome\":\"fine\",\"notes\":\"\"}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "POST", path, qa.token, "{\"outcome\":\"pass\",\"notes\":\"\",\"score\":1}");
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_json(&r, "POST", "/api/v1/assessments/999999999/qc-reviews", qa.token,
		  "{\"outcome\":\"pass\",\"notes\":\"\"}");
	assert_problem(&r, 404, "not-found");
	http_free(&r);
}

static void test_follow_up_seen_and_closed_by_its_assignee_only(void **state)
{
	struct http_response r;
	char body[256], path[128], *id;

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"assessment_id\":\"%s\",\"assigned_to\":\"%s\",\"notes\":\"re-rate trauma\"}",
		 assessment_id, worker.id);
	id = created_id(&r, "/api/v1/qc/follow-ups", qa.token, body);
	assert_int_equal(audited("qc_follow_up.created", id), 1);

	http_call(&r, "GET", "/api/v1/qc/follow-ups?status=open", worker.token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json, "items"), 0), "status")),
			    "open");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/qc/follow-ups?status=open", other.token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/qc/follow-ups/%s/close", id);
	http_call(&r, "POST", path, other.token, NULL, NULL, 0);
	assert_problem(&r, 404, "not-found");
	http_free(&r);
	http_call(&r, "POST", path, worker.token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "closed");
	assert_string_equal(json_string_value(json_object_get(r.json, "closed_by")), worker.id);
	http_free(&r);
	assert_int_equal(audited("qc_follow_up.closed", id), 1);
	http_call(&r, "POST", path, worker.token, NULL, NULL, 0);
	assert_problem(&r, 409, "conflict");
	http_free(&r);

	http_call(&r, "GET", "/api/v1/qc/follow-ups?status=open", worker.token, NULL, NULL, 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/qc/follow-ups?status=closed&assessment_id=%s",
		 assessment_id);
	http_call(&r, "GET", path, qa.token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	http_free(&r);
	free(id);
}

static void test_follow_up_refusals(void **state)
{
	struct http_response r;
	char body[256];

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"assessment_id\":\"%s\",\"assigned_to\":\"%s\",\"notes\":\"x\"}", assessment_id,
		 worker.id);
	http_json(&r, "POST", "/api/v1/qc/follow-ups", sup.token, body);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	/* a QA analyst is no clinician to follow up */
	snprintf(body, sizeof(body),
		 "{\"assessment_id\":\"%s\",\"assigned_to\":\"%s\",\"notes\":\"x\"}", assessment_id,
		 qa.id);
	http_json(&r, "POST", "/api/v1/qc/follow-ups", qa.token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	snprintf(body, sizeof(body),
		 "{\"assessment_id\":\"999999999\",\"assigned_to\":\"%s\",\"notes\":\"x\"}",
		 worker.id);
	http_json(&r, "POST", "/api/v1/qc/follow-ups", qa.token, body);
	assert_problem(&r, 400, "validation-failed");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/qc/follow-ups?status=maybe", qa.token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qa_records_a_review_and_it_is_audited),
		cmocka_unit_test(test_review_refusals),
		cmocka_unit_test(test_follow_up_seen_and_closed_by_its_assignee_only),
		cmocka_unit_test(test_follow_up_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
