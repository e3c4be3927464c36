/*
 * The two races of the CANS workflow, each run 200 times with parallel
 * clients (forked processes, each its own libcurl connection through nginx):
 *   - concurrent rating writes that send the same If-Match: exactly one is
 *     200, every other 412 (the row lock, then the version check);
 *   - concurrent approvals of one CANS by the supervisor it is routed to:
 *     exactly one is 200, every other 409.
 * The clients are released together from a pipe, so they reach the pool at
 * once rather than one after another as they were forked.
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

#include "tests/support/cans_fixture.h"
#include "tests/support/http.h"

#define API "/api/v1"
#define ROUNDS 200
#define CLIENTS 4

static struct cans_person sup, w;

static int setup(void **state)
{
	(void)state;
	if (!cans_fixture_init())
		return -1;
	cans_person_new(&sup, "r-sup", "[\"supervisor\"]", NULL, 30);
	cans_person_new(&w, "r-w", "[\"worker\"]", sup.id, 30);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cans_person_free(&sup);
	cans_person_free(&w);
	cans_fixture_done();
	return 0;
}

struct call {
	const char *method;
	char path[160];
	const char *token;
	char body[256];
	char if_match[64];
};

/*
 * Runs the calls in CLIENTS processes released together; fills statuses.
 * A child reports its HTTP status as its exit code modulo 256, which keeps
 * 200, 409 and 412 apart (200, 153, 156).
 */
static void race(const struct call *calls, long statuses[CLIENTS])
{
	pid_t pids[CLIENTS];
	int gate[2], i;

	assert_int_equal(pipe(gate), 0);
	for (i = 0; i < CLIENTS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct http_response r;
			const char *headers[] = {"Content-Type: application/json",
						 calls[i].if_match[0] ? calls[i].if_match : NULL,
						 NULL};
			char byte;

			close(gate[1]);
			/* blocks until the parent closes the write end: everyone starts */
			if (read(gate[0], &byte, 1) < 0)
				_exit(1);
			http_call(&r, calls[i].method, calls[i].path, calls[i].token, headers,
				  calls[i].body[0] ? calls[i].body : NULL, strlen(calls[i].body));
			_exit((int)(r.status % 256));
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < CLIENTS; i++) {
		int st = 0;

		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		switch (WEXITSTATUS(st)) {
		case 200:
			statuses[i] = 200;
			break;
		case 409 % 256:
			statuses[i] = 409;
			break;
		case 412 % 256:
			statuses[i] = 412;
			break;
		default:
			statuses[i] = WEXITSTATUS(st);
		}
	}
}

static void assert_one_winner(const long statuses[CLIENTS], long losers, int round)
{
	int i, won = 0, lost = 0;

	for (i = 0; i < CLIENTS; i++) {
		won += statuses[i] == 200;
		lost += statuses[i] == losers;
	}
	if (won != 1 || lost != CLIENTS - 1)
		fail_msg("round %d: %d won, %d got %ld (statuses %ld %ld %ld %ld)", round, won,
			 lost, losers, statuses[0], statuses[1], statuses[2], statuses[3]);
}

static void test_concurrent_rating_writes_with_one_if_match_have_exactly_one_winner(void **state)
{
	struct cans_scene s;
	struct call calls[CLIENTS];
	long statuses[CLIENTS];
	char *item;
	int round, i;

	(void)state;
	cans_scene_new(&s, &sup, &w, true);
	item = test_psql("SELECT code FROM cansd.instrument_items WHERE active AND "
			 "subject = 'caregiver' ORDER BY sort_order LIMIT 1");
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < CLIENTS; i++) {
			calls[i].method = "PUT";
			snprintf(calls[i].path, sizeof(calls[i].path),
				 API "/assessments/%s/ratings", s.assessment);
			calls[i].token = w.token;
			snprintf(calls[i].body, sizeof(calls[i].body),
				 "{\"caregivers\":{\"%s\":{\"%s\":%d}}}", s.mum, item, i);
			/* every client read version round + 1 */
			snprintf(calls[i].if_match, sizeof(calls[i].if_match), "If-Match: \"%d\"",
				 round + 1);
		}
		race(calls, statuses);
		assert_one_winner(statuses, 412, round);
	}
	{
		char sql[256], *n;

		snprintf(sql, sizeof(sql),
			 "SELECT version || '|' || (SELECT count(*) FROM cansd.assessment_events "
			 "WHERE assessment_id = %s AND event = 'ratings_changed') "
			 "FROM cansd.assessments WHERE id = %s",
			 s.assessment, s.assessment);
		n = test_psql(sql);
		/* one version and one event per round: no lost or doubled write */
		snprintf(sql, sizeof(sql), "%d|%d", ROUNDS + 1, ROUNDS);
		assert_string_equal(n, sql);
		free(n);
	}
	free(item);
	cans_scene_free(&s);
}

static void test_concurrent_approvals_have_exactly_one_200_and_the_rest_409(void **state)
{
	struct cans_scene s;
	struct call calls[CLIENTS];
	long statuses[CLIENTS];
	char sql[1024], *first;
	long base;
	int round, i;

	(void)state;
	/* ROUNDS submitted CANS routed to sup, made in one statement: the race,
	   not their rating, is what this test is about */
	cans_scene_new(&s, &sup, &w, false);
	snprintf(sql, sizeof(sql),
		 "WITH made AS (INSERT INTO cansd.assessments (case_id, child_id, reason, "
		 "assessment_date, author_id, status, routed_to, routed_at, submitted_at, "
		 "first_submitted_at) SELECT %s, %s, 'initial', current_date - 1, %s, 'submitted', "
		 "%s, now(), now(), now() FROM generate_series(1, %d) RETURNING id) "
		 "SELECT min(id) FROM made",
		 s.case_id, s.child, w.id, sup.id, ROUNDS);
	first = test_psql(sql);
	base = strtol(first, NULL, 10);
	assert_true(base > 0);
	free(first);
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < CLIENTS; i++) {
			calls[i].method = "POST";
			snprintf(calls[i].path, sizeof(calls[i].path),
				 API "/assessments/%ld/approve", base + round);
			calls[i].token = sup.token;
			calls[i].body[0] = '\0';
			calls[i].if_match[0] = '\0';
		}
		race(calls, statuses);
		assert_one_winner(statuses, 409, round);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.assessment_events WHERE event = 'approved' "
		 "AND assessment_id BETWEEN %ld AND %ld",
		 base, base + ROUNDS - 1);
	first = test_psql(sql);
	assert_int_equal(strtol(first, NULL, 10), ROUNDS); /* one approval event each */
	free(first);
	cans_scene_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_concurrent_rating_writes_with_one_if_match_have_exactly_one_winner),
		cmocka_unit_test(test_concurrent_approvals_have_exactly_one_200_and_the_rest_409),
	};

	return cmocka_run_group_tests_name("assessment races", tests, setup, teardown);
}
