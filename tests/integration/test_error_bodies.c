/*
 * HTTP hygiene through nginx: error bodies never leak internals
 * (SQL, column names, paths, stack traces), whatever the request does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"
#include "tests/support/problem_assert.h"
#include "tests/support/raw_http.h"

#define PASSWORD "correct horse battery"

/* ---- error bodies ---- */

/*
 * "column " is a leak when PostgreSQL says it (column "x" of relation "y"),
 * not when the JSON parser points into the client's own body ("not valid
 * JSON (line 1, column 2)", core/json_schema.c).
 */
static bool leaks_a_column(const char *body)
{
	for (const char *p = strcasestr(body, "column "); p; p = strcasestr(p + 1, "column ")) {
		bool json_position =
			p - body >= 2 && p[-2] == ',' && p[-1] == ' ' && p[7] >= '0' && p[7] <= '9';

		if (!json_position)
			return true;
	}
	return false;
}

static void assert_no_leak(const struct http_response *r, const char *what)
{
	static const char *const leaks[] = {"SQLSTATE",  "ERROR:",   "postgres", "libpq",
					    ".c:",       "/work/",   "/tmp/",    "syntax error",
					    "relation ", "violates", "stack",    "FATAL",
					    "DETAIL:",   "HINT:",    "CONTEXT:", "pq_"};

	if (r->status >= 500)
		fprintf(stderr, "%s: %ld %s\n", what, r->status, r->body);
	assert_true(r->status < 500);
	for (size_t i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++)
		if (strcasestr(r->body, leaks[i])) {
			fprintf(stderr, "%s: the body leaks \"%s\": %s\n", what, leaks[i], r->body);
			fail();
		}
	if (leaks_a_column(r->body)) {
		fprintf(stderr, "%s: the body names a column: %s\n", what, r->body);
		fail();
	}
}

struct probe {
	const char *method;
	const char *path;
	const char *content_type; /* NULL: no body */
	const char *body;
};

static void test_error_bodies_never_leak_internals(void **state)
{
	const char *office_name = test_unique("leakoffice");
	char *office = http_create_user(admin_token, office_name, "[\"certification_office\"]",
					NULL, PASSWORD);
	char *office_token = http_login(office_name, PASSWORD, NULL);
	char records_path[128], nested[8192 + 1];
	static const char user_fields[] =
		"\"full_name\":\"Robert'); DROP TABLE cansd.users;--\",\"email\":\"a@b.c' OR "
		"'1'='1\","
		"\"roles\":[\"worker\"],\"program\":\"IPS\",\"password\":\"" PASSWORD "\"";
	char sql_user[512], sql_role[512], sql_supervisor[512], big_supervisor[512];
	const struct probe probes[] = {
		/* bodies that are not JSON, or not the JSON expected */
		{"POST", "/api/v1/users", "application/json", "{"},
		{"POST", "/api/v1/users", "application/json", "[]"},
		{"POST", "/api/v1/users", "application/json", "nul"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":}"},
		{"POST", "/api/v1/users", "application/json", "{\"a\":1} trailing"},
		{"POST", "/api/v1/users", "application/json", "\xff\xfe{}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"\xc3\x28\"}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"a\\u0000b\"}"},
		{"POST", "/api/v1/users", "application/json", "{\"username\":\"\\ud800\"}"},
		{"POST", "/api/v1/users", "application/json", nested},
		/* huge numbers */
		{"POST", "/api/v1/users", "application/json", "{\"username\":1e999}"},
		{"POST", "/api/v1/users", "application/json",
		 "{\"username\":99999999999999999999999999999999}"},
		{"POST", "/api/v1/auth/login", "application/json",
		 "{\"username\":\"x\",\"password\":-1e400}"},
		/* SQL in fields */
		{"POST", "/api/v1/users", "application/json", sql_user},
		{"POST", "/api/v1/users", "application/json", sql_role},
		{"POST", "/api/v1/users", "application/json", sql_supervisor},
		{"POST", "/api/v1/users", "application/json", big_supervisor},
		{"PATCH", "/api/v1/users/1", "application/json",
		 "{\"supervisor_id\":\"999999999999999999\"}"},
		{"PATCH", "/api/v1/users/1", "application/json",
		 "{\"program\":\"IPS' OR 1=1 --\"}"},
		{"PATCH", "/api/v1/users/1", "application/json", "{}"},
		{"POST", "/api/v1/auth/refresh", "application/json",
		 "{\"refresh_token\":\"' OR 1=1; --\"}"},
		{"POST", "/api/v1/auth/login", "application/json",
		 "{\"username\":\"' OR '1'='1\",\"password\":\"' OR '1'='1\"}"},
		{"POST", "/api/v1/account-requests/1/reject", "application/json",
		 "{\"reason\":\"'); DELETE FROM cansd.users; --\"}"},
		/* query parameters */
		{"GET", "/api/v1/users?limit=99999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users?limit=-1", NULL, NULL},
		{"GET", "/api/v1/users?limit=%00", NULL, NULL},
		{"GET", "/api/v1/users?cursor=1'%20OR%20'1'='1", NULL, NULL},
		{"GET", "/api/v1/users?cursor=999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users?role=worker'%3B%20DROP%20TABLE%20cansd.users%3B--", NULL,
		 NULL},
		{"GET", "/api/v1/users?active=maybe", NULL, NULL},
		{"GET", "/api/v1/users?role=%FF%FE", NULL, NULL},
		{"GET", "/api/v1/users?id=1", NULL, NULL},
		{"GET", "/api/v1/account-requests?status=pending'%20UNION%20SELECT%201--", NULL,
		 NULL},
		{"GET", "/api/v1/certifications?lapsing_within_days=1%20OR%201=1", NULL, NULL},
		{"GET", "/api/v1/certifications?lapsing_within_days=99999999999999", NULL, NULL},
		/* ids */
		{"GET", "/api/v1/users/abc", NULL, NULL},
		{"GET", "/api/v1/users/-1", NULL, NULL},
		{"GET", "/api/v1/users/0", NULL, NULL},
		{"GET", "/api/v1/users/1e5", NULL, NULL},
		{"GET", "/api/v1/users/99999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users/999999999999999999", NULL, NULL},
		{"GET", "/api/v1/users/%31%00", NULL, NULL},
		{"GET", "/api/v1/users/1'%20OR%20'1'='1", NULL, NULL},
		{"GET", "/api/v1/users/%2e%2e%2f%2e%2e%2fetc%2fpasswd", NULL, NULL},
		{"GET", "/api/v1/training-records/%FF", NULL, NULL},
		{"PATCH", "/api/v1/training-records/999999999999999999", "application/json",
		 "{\"reason\":\"x\",\"score\":50}"},
	};
	struct http_response r;

	(void)state;
	assert_non_null(office_token);
	snprintf(records_path, sizeof(records_path), "/api/v1/users/%s/training-records", office);
	for (size_t i = 0; i < 4096; i++) {
		nested[i] = '[';
		nested[8191 - i] = ']';
	}
	nested[8192] = '\0';
	snprintf(sql_user, sizeof(sql_user),
		 "{\"username\":\"x'); DROP TABLE cansd.users; --\",%s}", user_fields);
	snprintf(sql_role, sizeof(sql_role),
		 "{\"username\":\"%s\",%s,\"roles\":[\"worker' OR 1=1 --\"]}", test_unique("leak"),
		 user_fields);
	snprintf(sql_supervisor, sizeof(sql_supervisor),
		 "{\"username\":\"%s\",\"supervisor_id\":\"1 OR 1=1\",%s}", test_unique("leak"),
		 user_fields);
	snprintf(big_supervisor, sizeof(big_supervisor),
		 "{\"username\":\"%s\",\"supervisor_id\":\"999999999999999999\",%s}",
		 test_unique("leak"), user_fields);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const struct probe *p = &probes[i];
		char type[128], what[256];
		const char *headers[] = {type, NULL};

		snprintf(type, sizeof(type), "Content-Type: %s",
			 p->content_type ? p->content_type : "");
		snprintf(what, sizeof(what), "%s %.200s", p->method, p->path);
		http_call(&r, p->method, p->path, admin_token, p->body ? headers : NULL, p->body,
			  p->body ? strlen(p->body) : 0);
		assert_no_leak(&r, what);
		http_free(&r);
	}

	/* As the certification office: training records and the CSV import. */
	{
		static const char *const bodies[] = {
			"{\"training_code\":\"X' OR 1=1 --\",\"completed_on\":\"2024-01-01\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-02-"
			"30\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"99999-01-"
			"01\"}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-01-"
			"01\","
			"\"score\":1e308}",
			"{\"training_code\":\"CANS_2_0_CERTIFICATION\",\"completed_on\":\"2024-01-"
			"01\","
			"\"score\":\"NaN\"}",
		};

		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			http_json(&r, "POST", records_path, office_token, bodies[i]);
			assert_no_leak(&r, bodies[i]);
			assert_true(r.status >= 400);
			http_free(&r);
		}
	}
	{
		static const char *const csvs[] = {
			"username,training_code,completed_on,score\n"
			"x'); DROP TABLE cansd.users; --,CANS_2_0_CERTIFICATION,2024-01-01,90\n",
			"username,training_code,completed_on,score\n\"unterminated,x,y,z\n",
			"username,training_code,completed_on,score\nadmin,CANS_2_0_CERTIFICATION,"
			"2024-01-01,99999999999999999999999\n",
			"username,training_code,completed_on,score\nadmin,CANS_2_0_CERTIFICATION,"
			"\xff\xfe,1\n",
			"not,the,header\n",
			"",
		};
		const char *headers[] = {"Content-Type: text/csv", NULL};

		for (size_t i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
			http_call(&r, "POST", "/api/v1/training-records/import", office_token,
				  headers, csvs[i], strlen(csvs[i]));
			assert_no_leak(&r, "CSV import");
			assert_true(r.status >= 400);
			http_free(&r);
		}
	}
	/* What libcurl would not send: a NUL in the query, bytes that are not UTF-8, long URLs. */
	{
		static const char nul_query[] = "GET /api/v1/users?limit=1\0 HTTP/1.1\r\nHost: "
						"x\r\nConnection: close\r\n\r\n";
		static const char not_utf8[] = "GET /api/v1/users/\xff\xfe HTTP/1.1\r\nHost: "
					       "x\r\nConnection: close\r\n\r\n";
		const size_t lengths[] = {8000, 15000, 20000};

		raw_call(&r, nul_query, sizeof(nul_query) - 1);
		assert_no_leak(&r, "NUL in the query");
		assert_int_equal(r.status, 400);
		http_free(&r);
		raw_call(&r, not_utf8, sizeof(not_utf8) - 1);
		assert_no_leak(&r, "path not UTF-8");
		assert_true(r.status >= 400);
		http_free(&r);
		for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			char *request = malloc(lengths[i] + 256);
			size_t n;

			n = (size_t)sprintf(request, "GET /api/v1/users/");
			memset(request + n, '9', lengths[i]);
			sprintf(request + n + lengths[i],
				" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
				"Connection: close\r\n\r\n",
				"x");
			raw_call(&r, request, strlen(request));
			assert_no_leak(&r, "very long URL");
			assert_true(r.status == 400 || r.status == 404 || r.status == 414);
			http_free(&r);
			free(request);
		}
	}
	/* Attack tokens (tests/integration/test_jwt_attacks.c has them all). */
	{
		static const char *const tokens[] = {
			"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
			"eyJhbGciOiJSUzI1NiIsImtpZCI6IicgT1IgJzEnPScxIn0.eyJzdWIiOiIxIn0.AAAA",
			"{\"payload\":\"eyJzdWIiOiIxIn0\",\"signature\":\"AAAA\"}",
			"' OR 1=1 --",
		};

		for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
			http_call(&r, "GET", "/api/v1/me", tokens[i], NULL, NULL, 0);
			assert_no_leak(&r, tokens[i]);
			assert_int_equal(r.status, 401);
			http_free(&r);
		}
	}
	free(office);
	free(office_token);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_bodies_never_leak_internals),
	};

	return cmocka_run_group_tests_name("error_bodies", tests, admin_setup, admin_teardown);
}
