/*
 * SECURITY.md's rules for tokens, logins and the database layer, through
 * nginx: refresh families end with a password change and at their absolute
 * lifetime; the login throttle per (username, address) and per address,
 * atomic under parallel guessing and never checking a throttled password;
 * purging; the probe and refused locations' rate limits; an unauthenticated
 * upload refused before its body is read; a worker whose PREPARE failed
 * recovers.
 */
#include <curl/curl.h>
#include <pthread.h>
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
#include "tests/support/http.h"
#include "tests/support/metric.h"
#include "tests/support/problem_assert.h"

#define PASSWORD "a long test password"

static int teardown(void **state)
{
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	return admin_teardown(state);
}

static void clear_local_failures(void)
{
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
}

static long refresh_status(const char *refresh_token, char **next)
{
	struct http_response r;
	char body[512];
	long status;

	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh_token);
	http_json(&r, "POST", "/api/v1/auth/refresh", NULL, body);
	status = r.status;
	if (next)
		*next = status == 200 ? strdup(json_string_value(
						json_object_get(r.json, "refresh_token")))
				      : NULL;
	http_free(&r);
	return status;
}

static void login_with(const char *username, const char *password, struct http_response *r)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username,
		 password);
	http_json(r, "POST", "/api/v1/auth/login", NULL, body);
}

/* cansd_login_password_checks_total from /metrics. */
static long long password_checks(void)
{
	long long n = metric_value("cansd_login_password_checks_total");

	assert_true(n >= 0);
	return n;
}

/* ---- refresh-token families ------------------------------------------------ */

static void test_password_change_revokes_every_refresh_family(void **state)
{
	const char *name = test_unique("pwchange");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char *refresh_a = NULL, *refresh_b = NULL, *token_a, *token_b, path[128];
	struct http_response r;

	(void)state;
	clear_local_failures();
	token_a = http_login(name, PASSWORD, &refresh_a);
	token_b = http_login(name, PASSWORD, &refresh_b);
	assert_non_null(refresh_a);
	assert_non_null(refresh_b);
	snprintf(path, sizeof(path), "/api/v1/users/%s", id);
	http_json(&r, "PATCH", path, admin_token, "{\"password\":\"another long password\"}");
	assert_int_equal(r.status, 200);
	http_free(&r);
	/* Both families (two logins) are gone; the new password starts a new one. */
	assert_int_equal(refresh_status(refresh_a, NULL), 401);
	assert_int_equal(refresh_status(refresh_b, NULL), 401);
	{
		char *refresh_c = NULL,
		     *token_c = http_login(name, "another long password", &refresh_c);

		assert_non_null(token_c);
		assert_int_equal(refresh_status(refresh_c, NULL), 200);
		free(token_c);
		free(refresh_c);
	}
	free(token_a);
	free(token_b);
	free(refresh_a);
	free(refresh_b);
	free(id);
}

static void test_refresh_family_ends_at_its_absolute_lifetime_however_often_rotated(void **state)
{
	const char *name = test_unique("family");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char *refresh = NULL, *next = NULL, *token, sql[512], *out;

	(void)state;
	clear_local_failures();
	token = http_login(name, PASSWORD, &refresh);
	assert_non_null(token);
	assert_int_equal(refresh_status(refresh, &next), 200);
	/* Rotated tokens never outlive the family's end. */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.refresh_tokens WHERE user_id = %s "
		 "AND expires_at > family_started_at + interval '30 days' + interval '1 second'",
		 id);
	out = test_psql(sql);
	assert_string_equal(out, "0");
	free(out);
	/* The family began 30 days and a minute ago (CANSD_REFRESH_FAMILY_MAX_AGE's default). */
	snprintf(sql, sizeof(sql),
		 "UPDATE cansd.refresh_tokens SET family_started_at = now() - interval '30 days 1 "
		 "minute' WHERE user_id = %s",
		 id);
	free(test_psql(sql));
	assert_int_equal(refresh_status(next, NULL), 401);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.refresh_tokens WHERE user_id = %s AND revoked_at IS "
		 "NULL",
		 id);
	out = test_psql(sql);
	assert_string_equal(out, "0");
	free(out);
	free(token);
	free(refresh);
	free(next);
	free(id);
}

/* ---- the login throttle ------------------------------------------------------ */

static void test_eleventh_failure_from_an_address_is_429_without_a_password_check(void **state)
{
	const char *name = test_unique("throttle");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	struct http_response r;
	char *retry;
	long long before;
	int i;

	(void)state;
	clear_local_failures();
	for (i = 0; i < 10; i++) {
		login_with(name, "wrong password", &r);
		assert_problem(&r, 401, "unauthenticated");
		http_free(&r);
	}
	before = password_checks();
	/* Over budget: refused before the password is looked at, the right one included. */
	login_with(name, PASSWORD, &r);
	assert_problem(&r, 429, "rate-limited");
	retry = http_header(&r, "Retry-After");
	assert_non_null(retry);
	assert_true(atoi(retry) >= 1 && atoi(retry) <= 900);
	free(retry);
	http_free(&r);
	login_with(name, "wrong password", &r);
	assert_int_equal(r.status, 429);
	http_free(&r);
	assert_int_equal(password_checks(), before);
	/* Another user from the same address is not throttled by this pair. */
	clear_local_failures();
	free(id);
}

static void test_failures_from_another_address_never_throttle_this_one(void **state)
{
	const char *name = test_unique("elsewhere");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	char sql[512];
	struct http_response r;

	(void)state;
	clear_local_failures();
	/* Someone at 192.0.2.7 failed 50 times for this user within the minute. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO cansd.login_failures (username, client_addr) "
		 "SELECT '%s', '192.0.2.7' FROM generate_series(1, 50)",
		 name);
	free(test_psql(sql));
	login_with(name, PASSWORD, &r);
	assert_int_equal(r.status, 200);
	http_free(&r);
	free(id);
}

static void test_thirty_failures_a_minute_from_an_address_throttle_every_username(void **state)
{
	struct http_response r;
	char *retry;

	(void)state;
	clear_local_failures();
	free(test_psql("INSERT INTO cansd.login_failures (username, client_addr) "
		       "SELECT 'spray' || g, '127.0.0.1' FROM generate_series(1, 30) g"));
	login_with("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), &r);
	assert_problem(&r, 429, "rate-limited");
	retry = http_header(&r, "Retry-After");
	assert_non_null(retry);
	assert_true(atoi(retry) >= 1 && atoi(retry) <= 60);
	free(retry);
	http_free(&r);
	clear_local_failures();
}

struct guess {
	const char *username;
	long status;
};

static void *guess(void *arg)
{
	struct guess *g = arg;
	struct http_response r;

	login_with(g->username, "wrong password", &r);
	g->status = r.status;
	http_free(&r);
	return NULL;
}

/* The check and the count are one step: 24 parallel guesses, at most 10 checked. */
static void test_parallel_guesses_never_check_more_than_ten_passwords(void **state)
{
	enum { N = 24 };
	const char *name = test_unique("parallel");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	struct guess guesses[N];
	pthread_t threads[N];
	long long before, checked;
	int i, refused = 0, throttled = 0;

	(void)state;
	clear_local_failures();
	before = password_checks();
	for (i = 0; i < N; i++) {
		guesses[i].username = name;
		guesses[i].status = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, guess, &guesses[i]), 0);
	}
	for (i = 0; i < N; i++) {
		pthread_join(threads[i], NULL);
		if (guesses[i].status == 401)
			refused++;
		else if (guesses[i].status == 429)
			throttled++;
	}
	checked = password_checks() - before;
	assert_int_equal(refused, 10);
	assert_int_equal(throttled, N - 10);
	assert_true(checked <= 10);
	clear_local_failures();
	free(id);
}

/* ---- purging ------------------------------------------------------------------ */

static void test_old_failures_and_dead_refresh_tokens_are_purged(void **state)
{
	const char *name = test_unique("purge");
	char *id = http_create_user(admin_token, name, "[\"worker\"]", NULL, PASSWORD);
	struct http_response r;
	char sql[1024], *out, *token;

	(void)state;
	clear_local_failures();
	free(test_psql("INSERT INTO cansd.login_failures (username, client_addr, at) "
		       "SELECT 'purge-me', '192.0.2.9', now() - interval '2 days' "
		       "FROM generate_series(1, 5)"));
	snprintf(
		sql, sizeof(sql),
		"INSERT INTO cansd.refresh_tokens (family_id, user_id, token_hash, issued_at, "
		"expires_at, spent_at, revoked_at, family_started_at) VALUES "
		"(gen_random_uuid(), %s, sha256(random()::text::bytea), now() - interval '40 "
		"days', "
		" now() - interval '2 days', now() - interval '35 days', NULL, now() - interval "
		"'40 days'), "
		"(gen_random_uuid(), %s, sha256(random()::text::bytea), now() - interval '5 days', "
		" now() + interval '20 days', NULL, now() - interval '3 days', now() - interval "
		"'5 days')",
		id, id);
	free(test_psql(sql));
	/* A failed login purges old failures; a login purges dead refresh tokens. */
	login_with(name, "wrong password", &r);
	assert_int_equal(r.status, 401);
	http_free(&r);
	token = http_login(name, PASSWORD, NULL);
	assert_non_null(token);
	out = test_psql("SELECT count(*) FROM cansd.login_failures WHERE username = 'purge-me'");
	assert_string_equal(out, "0");
	free(out);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.refresh_tokens WHERE user_id = %s "
		 "AND (expires_at < now() OR revoked_at IS NOT NULL)",
		 id);
	out = test_psql(sql);
	assert_string_equal(out, "0");
	free(out);
	free(token);
	free(id);
}

/* ---- nginx's own limits ---------------------------------------------------------- */

static int burst(const char *method, const char *path, int n)
{
	struct http_response r;
	int i, limited = 0;

	for (i = 0; i < n; i++) {
		http_call(&r, method, path, NULL, NULL, NULL, 0);
		if (r.status == 429) {
			if (!limited)
				assert_problem(&r, 429, "rate-limited");
			limited++;
		}
		http_free(&r);
	}
	return limited;
}

static void test_readyz_burst_gets_429(void **state)
{
	(void)state;
	assert_true(burst("GET", "/readyz", 60) > 0);
	sleep(5); /* 5 r/s: the bucket refills for whoever probes next */
}

static void test_burst_of_requests_nginx_refused_gets_429(void **state)
{
	(void)state;
	assert_true(burst("TRACE", "/api/v1/me", 250) > 0);
	sleep(6);
}

/* ---- authentication before the body -------------------------------------------------- */

struct upload {
	size_t sent, total;
	size_t sent_when_answered;
	int answered;
};

static size_t slow_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;
	size_t n = size * nmemb;

	if (u->sent >= u->total)
		return 0;
	if (n > 64 * 1024)
		n = 64 * 1024;
	if (n > u->total - u->sent)
		n = u->total - u->sent;
	memset(buf, 'a', n);
	u->sent += n;
	usleep(20 * 1000); /* 10 MiB in about 3 s: a slow client */
	return n;
}

static size_t note_header(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;

	if (!u->answered && size * nmemb > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		u->answered = 1;
		u->sent_when_answered = u->sent;
	}
	return size * nmemb;
}

static size_t ignore(char *buf, size_t size, size_t nmemb, void *userdata)
{
	(void)buf;
	(void)userdata;
	return size * nmemb;
}

static void test_unauthenticated_large_import_is_401_before_the_body_is_read(void **state)
{
	struct upload u = {0, 10 * 1024 * 1024, 0, 0};
	struct curl_slist *list = NULL;
	char url[512];
	CURL *curl = curl_easy_init();
	long status = 0;

	(void)state;
	snprintf(url, sizeof(url), "%s/api/v1/training-records/import",
		 test_env("CANSD_TEST_BASE_URL"));
	list = curl_slist_append(list, "Content-Type: text/csv");
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, slow_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u.total);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, note_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &u);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ignore);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_perform(curl); /* may end in a send error: the server stopped reading */
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	assert_int_equal(status, 401);
	assert_true(u.answered);
	/* The answer came while most of the upload was still to be sent. */
	assert_true(u.sent_when_answered < u.total / 2);
}

/* ---- the database layer ----------------------------------------------------------- */

static long get_status(const char *path)
{
	struct http_response r;
	long status;

	http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
	status = r.status;
	if (status != 200 && status != 503)
		fprintf(stderr, "GET %s: %ld %s\n", path, status, r.body ? r.body : "");
	http_free(&r);
	return status;
}

/* Renames api.<from> (whatever its arguments) to <to>. */
static void rename_function(const char *from, const char *to)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "DO $$ DECLARE f regprocedure; BEGIN "
		 "SELECT p.oid::regprocedure INTO STRICT f FROM pg_proc p "
		 "JOIN pg_namespace n ON n.oid = p.pronamespace "
		 "WHERE n.nspname = 'api' AND p.proname = '%s'; "
		 "EXECUTE format('ALTER FUNCTION %%s RENAME TO %s', f); END $$",
		 from, to);
	free(test_psql(sql));
}

/*
 * A worker that reconnects while a statement's function is missing cannot
 * prepare: it answers 503, and once the function is back it prepares again
 * on its next request (it used to answer 500 for the rest of its life).
 */
static void test_a_worker_whose_prepare_failed_recovers(void **state)
{
	int i;

	(void)state;
	rename_function("trainings_list", "trainings_list_away");
	free(test_psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
		       "WHERE usename = 'cansd_app'"));
	for (i = 0; i < 6; i++)
		assert_int_equal(get_status("/api/v1/trainings"), 503);
	rename_function("trainings_list_away", "trainings_list");
	for (i = 0; i < 8; i++)
		assert_int_equal(get_status("/api/v1/trainings"), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_change_revokes_every_refresh_family),
		cmocka_unit_test(
			test_refresh_family_ends_at_its_absolute_lifetime_however_often_rotated),
		cmocka_unit_test(
			test_eleventh_failure_from_an_address_is_429_without_a_password_check),
		cmocka_unit_test(test_failures_from_another_address_never_throttle_this_one),
		cmocka_unit_test(
			test_thirty_failures_a_minute_from_an_address_throttle_every_username),
		cmocka_unit_test(test_parallel_guesses_never_check_more_than_ten_passwords),
		cmocka_unit_test(test_old_failures_and_dead_refresh_tokens_are_purged),
		cmocka_unit_test(test_readyz_burst_gets_429),
		cmocka_unit_test(test_burst_of_requests_nginx_refused_gets_429),
		cmocka_unit_test(test_unauthenticated_large_import_is_401_before_the_body_is_read),
		cmocka_unit_test(test_a_worker_whose_prepare_failed_recovers),
	};

	return cmocka_run_group_tests_name("security", tests, admin_setup, teardown);
}
