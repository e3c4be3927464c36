/*
 * Account requests through the real stack: a supervisor asks, a program admin
 * approves (creating the worker under that supervisor) or rejects with a
 * reason; refused to workers and for taken usernames.
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

/* --- 6. account requests ---------------------------------------------------------------- */

static char *request_account(const char *token, const char *username, long want)
{
	struct http_response r;
	char body[512], *id = NULL;

	snprintf(body, sizeof(body),
		 "{\"full_name\":\"New Worker "
		 "%s\",\"email\":\"%s@example.org\",\"program\":\"IFPS\","
		 "\"username\":\"%s\"}",
		 username, username, username);
	http_json(&r, "POST", API "/account-requests", token, body);
	if (want == 201) {
		assert_status(&r, 201);
		id = strdup(str(r.json, "id"));
		assert_string_equal(str(r.json, "status"), "pending");
		assert_string_equal(str(r.json, "username"), username);
	} else {
		assert_problem(&r, want, want == 403 ? "forbidden" : "conflict");
	}
	http_free(&r);
	return id;
}

/* Whether account request id is in GET /account-requests?status=... (all pages). */
static bool account_requests_has(const char *token, const char *status, const char *id)
{
	char path[256];
	json_t *it;

	snprintf(path, sizeof(path), API "/account-requests?status=%s&limit=500", status);
	if (!(it = list_walk(token, path, "id", id, 100, NULL)))
		return false;
	assert_string_equal(str(it, "status"), status);
	json_decref(it);
	return true;
}

static void test_account_request_approve_creates_worker_under_requesting_supervisor(void **state)
{
	struct person sup, other_sup;
	struct http_response r;
	char *username = strdup(test_unique("newbie")), *other_username = strdup(test_unique("nb"));
	char *req_id, *other_req_id, *new_user_id, path[128], sql[256], *count;

	(void)state;
	person_new(&sup, "asup", SUPERVISOR_ROLES, NULL);
	person_new(&other_sup, "aosup", SUPERVISOR_ROLES, NULL);

	/* The request: pending, the requester is the worker-to-be's supervisor. */
	{
		char body[512];

		snprintf(body, sizeof(body),
			 "{\"full_name\":\"New Worker\",\"email\":\"%s@example.org\","
			 "\"program\":\"IFPS\",\"username\":\"%s\"}",
			 username, username);
		http_json(&r, "POST", API "/account-requests", sup.token, body);
		assert_status(&r, 201);
		assert_string_equal(str(r.json, "status"), "pending");
		assert_string_equal(str(r.json, "supervisor_id"), sup.id);
		req_id = strdup(str(r.json, "id"));
		http_free(&r);
	}
	other_req_id = request_account(other_sup.token, other_username, 201);

	/* The admin sees both pending; each supervisor only their own. */
	assert_true(account_requests_has(admin_token, "pending", req_id));
	assert_true(account_requests_has(admin_token, "pending", other_req_id));
	assert_true(account_requests_has(sup.token, "pending", req_id));
	assert_false(account_requests_has(sup.token, "pending", other_req_id));
	assert_true(account_requests_has(other_sup.token, "pending", other_req_id));
	assert_false(account_requests_has(other_sup.token, "pending", req_id));

	/* A supervisor may not approve, even their own request. */
	snprintf(path, sizeof(path), API "/account-requests/%s/approve", req_id);
	http_json(&r, "POST", path, sup.token, "{}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);

	/* Approval: 201 with the new user, a worker on the requester's team. */
	http_json(&r, "POST", path, admin_token, "{}");
	assert_status(&r, 201);
	assert_string_equal(str(r.json, "username"), username);
	assert_int_equal(json_array_size(json_object_get(r.json, "roles")), 1);
	assert_true(has_string(json_object_get(r.json, "roles"), "worker"));
	assert_string_equal(str(r.json, "supervisor_id"), sup.id);
	assert_string_equal(str(r.json, "program"), "IFPS");
	new_user_id = strdup(str(r.json, "id"));
	http_free(&r);

	/* Approving again: the request is decided. */
	http_json(&r, "POST", path, admin_token, "{}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	assert_false(account_requests_has(admin_token, "pending", req_id));
	assert_true(account_requests_has(admin_token, "approved", req_id));

	/* The user exists and is on the supervisor's team. */
	snprintf(path, sizeof(path), API "/users/%s", new_user_id);
	http_call(&r, "GET", path, sup.token, NULL, NULL, 0);
	assert_status(&r, 200);
	assert_string_equal(str(r.json, "username"), username);
	assert_string_equal(str(r.json, "supervisor_id"), sup.id);
	http_free(&r);

	/* Its username is taken now. */
	free(request_account(other_sup.token, username, 409));

	/* Audit: the request's life is recorded. */
	count = test_psql("SELECT count(*) FROM cansd.audit_events "
			  "WHERE action LIKE 'account_request.%'");
	assert_true(atoi(count) > 0);
	free(count);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.audit_events WHERE entity_id = '%s' AND action IN "
		 "('account_request.created', 'account_request.approved')",
		 req_id);
	count = test_psql(sql);
	assert_string_equal(count, "2");
	free(count);

	free(username);
	free(other_username);
	free(req_id);
	free(other_req_id);
	free(new_user_id);
	person_free(&sup);
	person_free(&other_sup);
}

static void test_account_request_reject_needs_a_reason(void **state)
{
	struct person sup;
	struct http_response r;
	char *username = strdup(test_unique("rej")), *req_id, path[128], sql[256], *count;

	(void)state;
	person_new(&sup, "rsup", SUPERVISOR_ROLES, NULL);
	req_id = request_account(sup.token, username, 201);
	snprintf(path, sizeof(path), API "/account-requests/%s/reject", req_id);

	http_json(&r, "POST", path, admin_token, "{}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "reason"));
	http_free(&r);
	http_json(&r, "POST", path, admin_token, "{\"reason\":\"\"}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "reason"));
	http_free(&r);
	assert_true(account_requests_has(admin_token, "pending", req_id));

	http_json(&r, "POST", path, sup.token, "{\"reason\":\"changed my mind\"}");
	assert_problem(&r, 403, "forbidden");
	http_free(&r);

	http_json(&r, "POST", path, admin_token, "{\"reason\":\"no budget for this position\"}");
	assert_status(&r, 200);
	assert_string_equal(str(r.json, "status"), "rejected");
	assert_string_equal(str(r.json, "reason"), "no budget for this position");
	http_free(&r);
	assert_true(account_requests_has(sup.token, "rejected", req_id));

	/* Decided: neither approve nor reject again. */
	http_json(&r, "POST", path, admin_token, "{\"reason\":\"again\"}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);
	snprintf(path, sizeof(path), API "/account-requests/%s/approve", req_id);
	http_json(&r, "POST", path, admin_token, "{}");
	assert_problem(&r, 409, "conflict");
	http_free(&r);

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.audit_events WHERE entity_id = '%s' "
		 "AND action = 'account_request.rejected'",
		 req_id);
	count = test_psql(sql);
	assert_string_equal(count, "1");
	free(count);
	/* No user was created. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM cansd.users WHERE username = '%s'",
		 username);
	count = test_psql(sql);
	assert_string_equal(count, "0");
	free(count);

	free(username);
	free(req_id);
	person_free(&sup);
}

static void test_account_request_refused_to_workers_and_for_taken_usernames(void **state)
{
	struct person sup, other_sup, w;
	struct http_response r;
	char *pending = strdup(test_unique("pend")), *req_id;

	(void)state;
	person_new(&sup, "tsup", SUPERVISOR_ROLES, NULL);
	person_new(&other_sup, "tosup", SUPERVISOR_ROLES, NULL);
	person_new(&w, "tw", WORKER_ROLES, sup.id);

	free(request_account(w.token, test_unique("wreq"), 403));
	free(request_account(office.token, test_unique("oreq"), 403));
	/* An existing user's name, and admin's. */
	free(request_account(sup.token, w.name, 409));
	free(request_account(sup.token, "admin", 409));
	/* A username a pending request already names. */
	req_id = request_account(sup.token, pending, 201);
	free(request_account(sup.token, pending, 409));
	/* ... even when another supervisor, who cannot see that request, asks. */
	free(request_account(other_sup.token, pending, 409));

	/* Only the documented fields. */
	http_json(&r, "POST", API "/account-requests", sup.token,
		  "{\"full_name\":\"X\",\"email\":\"x@example.org\",\"program\":\"IPS\","
		  "\"username\":\"someone-new\",\"supervisor_id\":\"1\"}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "supervisor_id"));
	http_free(&r);
	http_json(&r, "POST", API "/account-requests", sup.token,
		  "{\"full_name\":\"X\",\"email\":\"x@example.org\",\"program\":\"IPS\"}");
	assert_problem(&r, 400, "validation-failed");
	assert_true(error_names(&r, "username"));
	http_free(&r);

	/* A worker may not list them either. */
	http_call(&r, "GET", API "/account-requests?status=pending", w.token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);

	/* A status that does not exist is a bad query parameter. */
	http_call(&r, "GET", API "/account-requests?status=maybe", admin_token, NULL, NULL, 0);
	assert_problem(&r, 400, "malformed-request");
	http_free(&r);

	free(pending);
	free(req_id);
	person_free(&sup);
	person_free(&other_sup);
	person_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_account_request_approve_creates_worker_under_requesting_supervisor),
		cmocka_unit_test(test_account_request_reject_needs_a_reason),
		cmocka_unit_test(test_account_request_refused_to_workers_and_for_taken_usernames),
	};

	return cmocka_run_group_tests_name("account_requests", tests, cert_setup, cert_teardown);
}
