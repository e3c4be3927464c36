/*
 * GET /reports/monthly and /reports/quarterly over a known data set, each
 * figure of docs/REPORTS.md asserted exactly, with the edges: a CANS
 * approved at 23:30 in Chicago on the last day of a month (04:30 UTC the
 * next day, yet counted in the month it was approved in), a year end (an
 * initial CANS due across it), a program with no CANS (zeros, null rates),
 * team scope, and the CSV form. Cases, members, QC reviews and follow-ups
 * go through the API; CANS are written as superuser with the timestamps
 * the API cannot backdate (all periods are in 2019-2020, so nothing the
 * other test binaries create falls in them).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/cans_fixture.h"
#include "tests/support/http.h"
#include "tests/support/mint.h"
#include "tests/support/problem_assert.h"

static struct mint_person sup, sup2, worker, worker_lapsing, worker2, qa, office;
static char *case_a, *case_b, *case_c, *child_a1, *child_a2, *child_b1, *child_c1;

/* A user of IPS, certified on certified_on ("YYYY-MM-DD") or never. */
static void person_new(struct mint_person *p, const char *prefix, const char *roles,
		       const char *supervisor_id, const char *certified_on)
{
	char day[32];

	snprintf(day, sizeof(day), "DATE '%s'", certified_on ? certified_on : "");
	mint_person_new(p, admin_token, prefix, roles, supervisor_id, "IPS",
			certified_on ? day : NULL);
}

static char *id_of(struct http_response *r, long status)
{
	char *id;

	if (r->status != status)
		fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
	id = strdup(json_string_value(json_object_get(r->json, "id")));
	http_free(r);
	return id;
}

static char *case_new(const char *program, const char *opened_on, const char *worker_id)
{
	struct http_response r;
	static int n;
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"sacwis_case_id\":\"RPT-%d-%d\",\"program\":\"%s\",\"opened_on\":\"%s\","
		 "\"worker_id\":\"%s\"}",
		 (int)getpid(), ++n, program, opened_on, worker_id);
	http_json(&r, "POST", "/api/v1/cases", admin_token, body);
	return id_of(&r, 201);
}

static char *child_new(const char *token, const char *case_id)
{
	struct http_response r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/cases/%s/members", case_id);
	http_json(&r, "POST", path, token,
		  "{\"kind\":\"child\",\"full_name\":\"Report "
		  "Child\",\"birth_date\":\"2006-05-01\"}");
	return id_of(&r, 201);
}

static void case_action(const char *token, const char *case_id, const char *action,
			const char *body)
{
	struct http_response r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/cases/%s/%s", case_id, action);
	http_json(&r, "POST", path, token, body);
	if (r.status != 200)
		fail_msg("%s: %ld %s", action, r.status, r.body);
	http_free(&r);
}

/*
 * An approved CANS, written as superuser: submitted at `submitted` (local
 * time in the programs' zone), an optional return or reroute event at
 * `extra_at`, approved at `approved`; ratings "('ITEM', n), ...". The
 * approval UPDATE fires the report summary trigger as in production.
 */
static char *cans_approved(const char *case_id, const char *child_id, const char *reason,
			   const char *author, const char *approver, const char *submitted,
			   const char *extra_event, const char *extra_at, const char *approved,
			   const char *ratings)
{
	char sql[4096];
	int n;

	n = snprintf(
		sql, sizeof(sql),
		"SET TimeZone = 'America/Chicago';\n"
		"INSERT INTO cansd.assessments (case_id, child_id, reason, assessment_date, status,"
		" author_id, routed_to, routed_at, first_submitted_at, submitted_at)"
		" VALUES (%s, %s, '%s', '%s'::timestamptz::date, 'submitted', %s, %s, '%s', '%s', "
		"'%s')"
		" RETURNING id AS aid \\gset\n"
		"INSERT INTO cansd.assessment_ratings (assessment_id, subject_id, item_code, "
		"rating)"
		" SELECT :aid, %s, v.code, v.rating FROM (VALUES %s) AS v (code, rating);\n"
		"INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at)"
		" VALUES (:aid, 'submitted', %s, '%s');\n",
		case_id, child_id, reason, submitted, author, approver, submitted, submitted,
		submitted, child_id, ratings, author, submitted);
	if (extra_event)
		n += snprintf(
			sql + n, sizeof(sql) - (size_t)n,
			"INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at)"
			" VALUES (:aid, '%s', %s, '%s');\n",
			extra_event, approver, extra_at);
	snprintf(sql + n, sizeof(sql) - (size_t)n,
		 "INSERT INTO cansd.assessment_events (assessment_id, event, actor_id, at)"
		 " VALUES (:aid, 'approved', %s, '%s');\n"
		 "UPDATE cansd.assessments SET status = 'approved', approved_at = '%s',"
		 " approved_by = %s WHERE id = :aid;\n"
		 "SELECT :aid;\n",
		 approver, approved, approved, approver);
	return test_psql(sql);
}

static char *qc_review(const char *assessment_id, const char *outcome, const char *at)
{
	struct http_response r;
	char path[128], body[256], sql[256], *id;

	snprintf(path, sizeof(path), "/api/v1/assessments/%s/qc-reviews", assessment_id);
	snprintf(body, sizeof(body), "{\"outcome\":\"%s\",\"notes\":\"checked\"}", outcome);
	http_json(&r, "POST", path, qa.token, body);
	id = id_of(&r, 201);
	snprintf(sql, sizeof(sql),
		 "UPDATE cansd.qc_reviews SET reviewed_at = '%s America/Chicago' WHERE id = %s", at,
		 id);
	free(test_psql(sql));
	return id;
}

static void follow_up(const char *assessment_id, const char *created, const char *closed)
{
	struct http_response r;
	char body[256], path[128], sql[512], *id;

	snprintf(body, sizeof(body),
		 "{\"assessment_id\":\"%s\",\"assigned_to\":\"%s\",\"notes\":\"please look\"}",
		 assessment_id, worker.id);
	http_json(&r, "POST", "/api/v1/qc/follow-ups", qa.token, body);
	id = id_of(&r, 201);
	snprintf(path, sizeof(path), "/api/v1/qc/follow-ups/%s/close", id);
	http_call(&r, "POST", path, worker.token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(sql, sizeof(sql),
		 "UPDATE cansd.qc_follow_ups SET created_at = '%s America/Chicago',"
		 " closed_at = '%s America/Chicago' WHERE id = %s",
		 created, closed, id);
	free(test_psql(sql));
	free(id);
}

/*
 * The data set (IPS unless said; W = worker, S = their supervisor):
 *   case A, W, opened 2019-10-01 (initial due 10-31), children A1, A2,
 *     closed 2019-12-20 (case_close due that day)
 *     A1 initial: submitted 10-20, returned 10-22, approved 10-31 23:30 (on time)
 *     A2 initial: submitted 11-02, rerouted 11-03, approved 11-05 (late)
 *     A1 case_close: submitted 12-18, approved 12-31 23:30 (2020-01-01 UTC)
 *   case B, W, opened 2019-11-15 (initial due 12-15), child B1, extension
 *     requested 12-28; B1 extension approved 2020-01-03; no initial ever
 *   case C, worker2 (another team), opened 2019-12-10: initial due
 *     2020-01-09, across the year end; C1 initial approved 2020-01-08
 *   QC: A1 initial reviewed 11-10 pass, A2 initial 11-12 needs_follow_up;
 *     follow-ups on A1 (11-11 to 11-20) and A2 (11-12 to 2020-01-05)
 *   staff certified 2019-06-01 (S, S2, W, worker2) and 2019-01-15
 *     (worker_lapsing: current through 2020-01-14)
 */
static int setup(void **state)
{
	char *a1_initial, *a2_initial, *r1, *r2;

	if (admin_setup(state))
		return -1;
	person_new(&sup, "rsup", "ARRAY['supervisor']", NULL, "2019-06-01");
	person_new(&sup2, "rsup2", "ARRAY['supervisor']", NULL, "2019-06-01");
	person_new(&worker, "rwork", "ARRAY['worker']", sup.id, "2019-06-01");
	person_new(&worker_lapsing, "rlaps", "ARRAY['worker']", sup.id, "2019-01-15");
	person_new(&worker2, "rwork2", "ARRAY['worker']", sup2.id, "2019-06-01");
	person_new(&qa, "rqa", "ARRAY['qa_analyst']", NULL, NULL);
	person_new(&office, "roffice", "ARRAY['certification_office']", NULL, NULL);
	/* the QA analyst reviews CANS today, so is certified today */
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
			 "INSERT INTO cansd.training_records (user_id, training_code, completed_on)"
			 " SELECT %s, c, (now() AT TIME ZONE 'America/Chicago')::date - 10"
			 " FROM unnest(ARRAY['CANS_2_0_CERTIFICATION', "
			 "'CANS_SACWIS_FUNCTIONALITY']) c",
			 qa.id);
		free(test_psql(sql));
	}

	case_a = case_new("IPS", "2019-10-01", worker.id);
	child_a1 = child_new(sup.token, case_a);
	child_a2 = child_new(sup.token, case_a);
	case_b = case_new("IPS", "2019-11-15", worker.id);
	child_b1 = child_new(sup.token, case_b);
	case_c = case_new("IPS", "2019-12-10", worker2.id);
	child_c1 = child_new(sup2.token, case_c);
	case_action(sup.token, case_b, "extension-request",
		    "{\"requested_on\":\"2019-12-28\",\"reason\":\"more time\"}");
	case_action(sup.token, case_a, "close", "{\"closed_on\":\"2019-12-20\"}");

	a1_initial = cans_approved(
		case_a, child_a1, "initial", worker.id, sup.id, "2019-10-20 10:00 America/Chicago",
		"returned", "2019-10-22 09:00 America/Chicago", "2019-10-31 23:30 America/Chicago",
		"('SEXUAL_ABUSE', 2), ('PHYSICAL_ABUSE', 3), ('FAMILY_STRENGTHS', 1),"
		" ('SUBSTANCE_USE', 1), ('SU_SEVERITY_OF_USE', 3)");
	a2_initial = cans_approved(
		case_a, child_a2, "initial", worker.id, sup2.id, "2019-11-02 10:00 America/Chicago",
		"rerouted", "2019-11-03 09:00 America/Chicago", "2019-11-05 12:00 America/Chicago",
		"('SEXUAL_ABUSE', 0), ('FAMILY_STRENGTHS', 3)");
	free(cans_approved(case_a, child_a1, "case_close", worker.id, sup.id,
			   "2019-12-18 10:00 America/Chicago", NULL, NULL,
			   "2019-12-31 23:30 America/Chicago",
			   "('SEXUAL_ABUSE', 1), ('PHYSICAL_ABUSE', 2), ('FAMILY_STRENGTHS', 0)"));
	free(cans_approved(case_b, child_b1, "extension", worker.id, sup.id,
			   "2020-01-02 10:00 America/Chicago", NULL, NULL,
			   "2020-01-03 10:00 America/Chicago", "('SEXUAL_ABUSE', 3)"));
	free(cans_approved(case_c, child_c1, "initial", worker2.id, sup2.id,
			   "2020-01-07 10:00 America/Chicago", NULL, NULL,
			   "2020-01-08 10:00 America/Chicago", "('SEXUAL_ABUSE', 0)"));
	r1 = qc_review(a1_initial, "pass", "2019-11-10 10:00");
	r2 = qc_review(a2_initial, "needs_follow_up", "2019-11-12 10:00");
	follow_up(a1_initial, "2019-11-11 10:00", "2019-11-20 10:00");
	follow_up(a2_initial, "2019-11-12 11:00", "2020-01-05 10:00");
	free(a1_initial);
	free(a2_initial);
	free(r1);
	free(r2);
	return 0;
}

static int teardown(void **state)
{
	mint_person_free(&sup);
	mint_person_free(&sup2);
	mint_person_free(&worker);
	mint_person_free(&worker_lapsing);
	mint_person_free(&worker2);
	mint_person_free(&qa);
	mint_person_free(&office);
	free(case_a);
	free(case_b);
	free(case_c);
	free(child_a1);
	free(child_a2);
	free(child_b1);
	free(child_c1);
	return admin_teardown(state);
}

/* --- reading figures ------------------------------------------------------------ */

/* GET path as token; the whole body (caller frees with json_decref). */
static json_t *report(const char *token, const char *path)
{
	struct http_response r;
	json_t *body;

	http_call(&r, "GET", path, token, NULL, NULL, 0);
	if (r.status != 200 || !r.json)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	body = json_incref(r.json);
	http_free(&r);
	return body;
}

/* A figure by its CSV name: "cans_approved.initial", "items.SEXUAL_ABUSE.share". */
static const json_t *figure(const json_t *body, const char *path)
{
	const json_t *v = json_object_get(body, "figures");
	char buf[128], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v)) {
			size_t i;
			const json_t *e, *found = NULL;

			json_array_foreach (v, i, e)
				if (strcmp(json_string_value(json_object_get(e, "item")), part) ==
				    0)
					found = e;
			v = found;
		} else {
			v = json_object_get(v, part);
		}
	}
	if (!v)
		fail_msg("no figure %s", path);
	return v;
}

static void expect_int(const json_t *body, const char *path, long long want)
{
	const json_t *v = figure(body, path);

	if (!json_is_integer(v) || json_integer_value(v) != want)
		fail_msg("%s: expected %lld, got %s", path, want,
			 json_is_integer(v) ? "another number" : "not an integer");
	if (json_integer_value(v) != want)
		fail_msg("%s", path);
}

static void expect_real(const json_t *body, const char *path, double want)
{
	const json_t *v = figure(body, path);

	if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-9)
		fail_msg("%s: expected %g, got %g", path, want, json_number_value(v));
}

static void expect_null(const json_t *body, const char *path)
{
	if (!json_is_null(figure(body, path)))
		fail_msg("%s: expected null", path);
}

/* --- the figures ---------------------------------------------------------------- */

static void test_quarter_2019_q4_every_figure(void **state)
{
	json_t *b = report(qa.token, "/api/v1/reports/quarterly?quarter=2019-Q4&program=IPS");
	const json_t *period = json_object_get(b, "period");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(period, "kind")), "quarter");
	assert_string_equal(json_string_value(json_object_get(period, "label")), "2019-Q4");
	assert_string_equal(json_string_value(json_object_get(period, "from")), "2019-10-01");
	assert_string_equal(json_string_value(json_object_get(period, "to")), "2019-12-31");
	assert_string_equal(json_string_value(json_object_get(b, "program")), "IPS");
	assert_string_equal(json_string_value(json_object_get(b, "scope")), "all");
	expect_int(b, "cans_approved.initial", 2);
	expect_int(b, "cans_approved.extension", 0);
	expect_int(b, "cans_approved.case_close", 1); /* 12-31 23:30 Chicago */
	expect_int(b, "cans_approved.total", 3);
	/* due in Q4: A1 and A2 on 10-31, B1 on 12-15; only A1 on time */
	expect_int(b, "initial_on_time.count", 1);
	expect_int(b, "initial_on_time.of", 3);
	expect_real(b, "initial_on_time.rate", 0.3333);
	/* B1 initial (12-15), B1 extension (12-28), A2 case_close (12-20) */
	expect_int(b, "overdue", 3);
	/* 3, 11 and 13 days: median 11, p90 11 + 0.8 * 2 */
	expect_real(b, "days_submit_to_approval.median", 11);
	expect_real(b, "days_submit_to_approval.p90", 12.6);
	expect_int(b, "returns", 1);
	expect_int(b, "reroutes", 1);
	expect_int(b, "qc_reviews.count", 2);
	expect_int(b, "qc_reviews.passed", 1);
	expect_real(b, "qc_reviews.pass_rate", 0.5);
	expect_int(b, "follow_ups_open", 1);
	expect_int(b, "items.SEXUAL_ABUSE.rated", 3);
	expect_real(b, "items.SEXUAL_ABUSE.share", 0.3333);
	expect_int(b, "items.PHYSICAL_ABUSE.rated", 2);
	expect_real(b, "items.PHYSICAL_ABUSE.share", 1);
	expect_int(b, "items.FAMILY_STRENGTHS.rated", 3);
	expect_real(b, "items.FAMILY_STRENGTHS.share", 0.6667);
	expect_int(b, "items.SUBSTANCE_USE.rated", 1);
	expect_real(b, "items.SUBSTANCE_USE.share", 0);
	/* a module item whose trigger (SUBSTANCE_USE>=2) does not hold is not counted */
	expect_int(b, "items.SU_SEVERITY_OF_USE.rated", 0);
	expect_null(b, "items.SU_SEVERITY_OF_USE.share");
	expect_int(b, "start_and_close.children", 1);
	expect_int(b, "start_and_close.actionable_at_start", 2);
	expect_int(b, "start_and_close.actionable_at_close", 1);
	/* IPS staff on 2019-12-31: S, S2, W, worker2, worker_lapsing */
	expect_int(b, "staff_certified", 5);
	expect_int(b, "staff_lapsing_within_30_days", 1);
	json_decref(b);
}

static void test_months_count_the_approval_day_in_chicago(void **state)
{
	json_t *oct = report(qa.token, "/api/v1/reports/monthly?month=2019-10&program=IPS");
	json_t *dec = report(qa.token, "/api/v1/reports/monthly?month=2019-12&program=IPS");
	json_t *jan = report(qa.token, "/api/v1/reports/monthly?month=2020-01&program=IPS");

	(void)state;
	/* 2019-10-31 23:30 Chicago is November in UTC; it is October's */
	expect_int(oct, "cans_approved.initial", 1);
	expect_int(oct, "returns", 1);
	expect_int(oct, "initial_on_time.count", 1);
	expect_int(oct, "initial_on_time.of", 2);
	/* due on the last day and approved late: not overdue on that day yet */
	expect_int(oct, "overdue", 0);
	expect_real(oct, "days_submit_to_approval.median", 11);
	expect_int(dec, "cans_approved.case_close", 1);
	expect_int(dec, "follow_ups_open", 1);
	expect_int(jan, "cans_approved.case_close", 0);
	expect_int(jan, "cans_approved.extension", 1);
	expect_int(jan, "cans_approved.initial", 1);
	expect_int(jan, "follow_ups_open", 0);
	json_decref(oct);
	json_decref(dec);
	json_decref(jan);
}

static void test_initial_due_across_the_year_end_counts_in_the_next_quarter(void **state)
{
	json_t *all = report(qa.token, "/api/v1/reports/quarterly?quarter=2020-Q1&program=IPS");
	json_t *team = report(sup.token, "/api/v1/reports/quarterly?quarter=2020-Q1&program=IPS");

	(void)state;
	expect_int(all, "initial_on_time.count", 1);
	expect_int(all, "initial_on_time.of", 1);
	expect_real(all, "initial_on_time.rate", 1);
	expect_int(all, "cans_approved.total", 2);
	/* C is the other team's case: the supervisor's report has no initial due */
	assert_string_equal(json_string_value(json_object_get(team, "scope")), "team");
	expect_int(team, "initial_on_time.of", 0);
	expect_null(team, "initial_on_time.rate");
	expect_int(team, "cans_approved.extension", 1);
	expect_int(team, "cans_approved.total", 1);
	json_decref(all);
	json_decref(team);
}

static void test_team_report_counts_the_team_and_its_staff(void **state)
{
	json_t *b = report(sup.token, "/api/v1/reports/quarterly?quarter=2019-Q4");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(b, "scope")), "team");
	assert_true(json_is_null(json_object_get(b, "program")));
	expect_int(b, "cans_approved.total", 3);
	expect_int(b, "overdue", 3);
	/* the supervisor, W and worker_lapsing; not S2 or worker2 */
	expect_int(b, "staff_certified", 3);
	expect_int(b, "staff_lapsing_within_30_days", 1);
	json_decref(b);
}

static void test_program_without_cans_is_zeros_and_null_rates(void **state)
{
	json_t *b = report(qa.token, "/api/v1/reports/quarterly?quarter=2019-Q4&program=IFPS");
	const json_t *items = figure(b, "items");
	size_t i;
	const json_t *e;

	(void)state;
	expect_int(b, "cans_approved.total", 0);
	expect_int(b, "initial_on_time.count", 0);
	expect_int(b, "initial_on_time.of", 0);
	expect_null(b, "initial_on_time.rate");
	expect_int(b, "overdue", 0);
	expect_null(b, "days_submit_to_approval.median");
	expect_null(b, "days_submit_to_approval.p90");
	expect_int(b, "returns", 0);
	expect_int(b, "reroutes", 0);
	expect_int(b, "qc_reviews.count", 0);
	expect_null(b, "qc_reviews.pass_rate");
	expect_int(b, "follow_ups_open", 0);
	expect_int(b, "start_and_close.children", 0);
	expect_int(b, "staff_certified", 0);
	assert_true(json_array_size(items) > 50);
	json_array_foreach (items, i, e) {
		assert_int_equal(json_integer_value(json_object_get(e, "rated")), 0);
		assert_true(json_is_null(json_object_get(e, "share")));
	}
	json_decref(b);
}

static void test_csv_is_one_row_per_number_with_empty_nulls(void **state)
{
	static const char *const csv[] = {"Accept: text/csv", NULL};
	struct http_response r;
	char *type, *disposition;

	(void)state;
	http_call(&r, "GET", "/api/v1/reports/quarterly?quarter=2019-Q4&program=IPS", qa.token, csv,
		  NULL, 0);
	assert_int_equal(r.status, 200);
	type = http_header(&r, "Content-Type");
	disposition = http_header(&r, "Content-Disposition");
	assert_string_equal(type, "text/csv; charset=utf-8");
	assert_string_equal(disposition, "attachment; filename=\"cansd-report-2019-Q4-IPS.csv\"");
	assert_true(strncmp(r.body, "figure,value\r\n", 14) == 0);
	assert_non_null(strstr(r.body, "\r\ncans_approved.initial,2\r\n"));
	assert_non_null(strstr(r.body, "\r\ninitial_on_time.rate,0.3333\r\n"));
	assert_non_null(strstr(r.body, "\r\ndays_submit_to_approval.p90,12.6\r\n"));
	assert_non_null(strstr(r.body, "\r\nitems.SEXUAL_ABUSE.share,0.3333\r\n"));
	assert_non_null(strstr(r.body, "\r\nitems.SU_SEVERITY_OF_USE.share,\r\n"));
	assert_null(strstr(r.body, "Report Child"));
	assert_null(strstr(r.body, "need"));
	free(type);
	free(disposition);
	http_free(&r);
}

static void test_workers_and_the_office_get_403(void **state)
{
	struct http_response r;

	(void)state;
	http_call(&r, "GET", "/api/v1/reports/monthly?month=2019-10", worker.token, NULL, NULL, 0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/reports/quarterly?quarter=2019-Q4", office.token, NULL, NULL,
		  0);
	assert_problem(&r, 403, "forbidden");
	http_free(&r);
	http_call(&r, "GET", "/api/v1/reports/monthly?month=2019-10", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

static void test_bad_periods_and_parameters_are_400(void **state)
{
	static const char *const bad[] = {
		"/api/v1/reports/monthly?month=2019-13",
		"/api/v1/reports/monthly?month=2019-1",
		"/api/v1/reports/monthly",
		"/api/v1/reports/monthly?quarter=2019-Q4",
		"/api/v1/reports/monthly?month=2019-10&program=XYZ",
		"/api/v1/reports/quarterly?quarter=2019-Q5",
		"/api/v1/reports/quarterly?quarter=2019-10",
		"/api/v1/reports/quarterly?quarter=2019-Q4&extra=1",
	};
	struct http_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_call(&r, "GET", bad[i], qa.token, NULL, NULL, 0);
		assert_problem(&r, 400, "malformed-request");
		http_free(&r);
	}
}

/*
 * The production path: a CANS rated, submitted, rerouted and approved
 * through the API (by the supervisor it was rerouted to, who is not the
 * team's) reaches the current month's team report through the approval
 * trigger.
 */
static void test_cans_approved_through_the_api_counts_this_month(void **state)
{
	struct mint_person psup, pother, pworker;
	struct cans_person csup = {0}, cworker = {0};
	struct cans_scene scene;
	struct http_response r;
	char body[512], path[160], month[8];
	time_t now = time(NULL);
	struct tm tm;
	json_t *rep;

	(void)state;
	setenv("TZ", "America/Chicago", 1);
	tzset();
	localtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	person_new(&psup, "rasup", "ARRAY['supervisor']", NULL, NULL);
	person_new(&pother, "raoth", "ARRAY['supervisor']", NULL, NULL);
	person_new(&pworker, "rawrk", "ARRAY['worker']", psup.id, NULL);
	/* certified today (ten days ago), all three */
	snprintf(body, sizeof(body),
		 "INSERT INTO cansd.training_records (user_id, training_code, completed_on)"
		 " SELECT u, c, (now() AT TIME ZONE 'America/Chicago')::date - 10"
		 " FROM unnest(ARRAY['CANS_2_0_CERTIFICATION', 'CANS_SACWIS_FUNCTIONALITY']) c,"
		 " unnest(ARRAY[%s, %s, %s]) u",
		 psup.id, pother.id, pworker.id);
	free(test_psql(body));
	csup.id = psup.id;
	csup.token = psup.token;
	cworker.id = pworker.id;
	cworker.token = pworker.token;
	cans_scene_new(&scene, &csup, &cworker, true);
	cans_rate_complete(pworker.token, scene.assessment, 2);
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/submit", scene.assessment);
	cans_post(&r, path, pworker.token, NULL, NULL);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/reroute", scene.assessment);
	snprintf(body, sizeof(body), "{\"supervisor_id\":\"%s\",\"reason\":\"away\"}", pother.id);
	cans_post(&r, path, pworker.token, body, NULL);
	assert_int_equal(r.status, 200);
	http_free(&r);
	snprintf(path, sizeof(path), "/api/v1/assessments/%s/approve", scene.assessment);
	cans_post(&r, path, pother.token, NULL, NULL);
	if (r.status != 200)
		fail_msg("approve: %ld %s", r.status, r.body);
	http_free(&r);

	snprintf(path, sizeof(path), "/api/v1/reports/monthly?month=%s", month);
	rep = report(psup.token, path);
	assert_string_equal(json_string_value(json_object_get(rep, "scope")), "team");
	expect_int(rep, "cans_approved.initial", 1);
	expect_int(rep, "cans_approved.total", 1);
	expect_int(rep, "reroutes", 1);
	expect_int(rep, "returns", 0);
	expect_real(rep, "days_submit_to_approval.median", 0);
	expect_int(rep, "items.SEXUAL_ABUSE.rated", 1);
	expect_real(rep, "items.SEXUAL_ABUSE.share", 1);
	expect_int(rep, "staff_certified", 2);
	expect_int(rep, "staff_lapsing_within_30_days", 0);
	json_decref(rep);
	cans_scene_free(&scene);
	mint_person_free(&psup);
	mint_person_free(&pother);
	mint_person_free(&pworker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter_2019_q4_every_figure),
		cmocka_unit_test(test_months_count_the_approval_day_in_chicago),
		cmocka_unit_test(test_initial_due_across_the_year_end_counts_in_the_next_quarter),
		cmocka_unit_test(test_team_report_counts_the_team_and_its_staff),
		cmocka_unit_test(test_program_without_cans_is_zeros_and_null_rates),
		cmocka_unit_test(test_csv_is_one_row_per_number_with_empty_nulls),
		cmocka_unit_test(test_workers_and_the_office_get_403),
		cmocka_unit_test(test_bad_periods_and_parameters_are_400),
		cmocka_unit_test(test_cans_approved_through_the_api_counts_this_month),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
