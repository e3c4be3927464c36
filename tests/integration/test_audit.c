/*
 * The audit trail cannot be changed quietly: the pool's sealer links every
 * event into the hash chain within seconds, and `cansd audit-verify`
 * (scripts/lib.sh audit_verify, as the superuser) names the first event that
 * someone with direct database access changed, removed or inserted. Each
 * tampering test puts the row back and ends on an intact chain, so that the
 * next test (and the next binary) starts clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/admin_fixture.h"
#include "tests/support/http.h"

#define PASSWORD "audit test password"

/* Runs the verifier; returns its exit status and its output (malloc'd) in *out. */
static int verify(char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *p = popen("bash -c '. \"$CANSD_TEST_LIB\"; audit_verify' 2>&1", "r");
	FILE *mem = open_memstream(&buf, &len);
	int c, rc;

	assert_non_null(p);
	assert_non_null(mem);
	while ((c = fgetc(p)) != EOF)
		fputc(c, mem);
	rc = pclose(p);
	fclose(mem);
	*out = buf;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void assert_intact(void)
{
	char *out;
	int rc = verify(&out);

	if (rc != 0)
		fprintf(stderr, "audit-verify said: %s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "intact"));
	free(out);
}

/* Fails unless the verifier exits 1 and its report contains every given string. */
static void assert_tampered(const char *a, const char *b)
{
	char *out;
	int rc = verify(&out);

	fprintf(stderr, "audit-verify said: %s", out);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, a));
	if (b)
		assert_non_null(strstr(out, b));
	free(out);
}

/* Waits (up to 15 s) until the sealer has linked every event. */
static void wait_sealed(void)
{
	for (int i = 0; i < 150; i++) {
		char *n = test_psql("SELECT count(*) FROM cansd.audit_unsealed");
		int done = strcmp(n, "0") == 0;

		free(n);
		if (done)
			return;
		usleep(100 * 1000);
	}
	fail_msg("events still unsealed after 15 s: is the sealer running?");
}

/* A new sealed event (a user's creation) that is not the chain's last: its id. */
static char *sealed_event_in_the_middle(void)
{
	char *uid = http_create_user(admin_token, test_unique("aud"), "[\"worker\"]", NULL,
				     PASSWORD),
	     sql[256], *id;

	assert_non_null(uid);
	free(http_create_user(admin_token, test_unique("aud"), "[\"worker\"]", NULL, PASSWORD));
	wait_sealed();
	snprintf(sql, sizeof(sql),
		 "SELECT id FROM cansd.audit_events WHERE entity_type = 'user' AND entity_id = "
		 "'%s' AND action = 'user.created'",
		 uid);
	id = test_psql(sql);
	assert_true(strlen(id) > 0);
	free(uid);
	return id;
}

static void test_events_are_sealed_within_seconds_and_listed_with_seq(void **state)
{
	char *uid = http_create_user(admin_token, test_unique("aud"), "[\"worker\"]", NULL,
				     PASSWORD),
	     path[256];
	struct http_response r;
	const char *seq = NULL;
	int i;

	(void)state;
	assert_non_null(uid);
	snprintf(path, sizeof(path), "/api/v1/audit?entity_type=user&entity_id=%s", uid);
	for (i = 0; i < 50 && !seq; i++) {
		http_call(&r, "GET", path, admin_token, NULL, NULL, 0);
		assert_int_equal(r.status, 200);
		seq = json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "items"), 0), "seq"));
		if (seq)
			assert_true(strtoll(seq, NULL, 10) > 0);
		http_free(&r);
		if (!seq)
			usleep(100 * 1000);
	}
	assert_true(i < 50);
	free(uid);
}

static void test_reading_the_trail_is_itself_audited(void **state)
{
	struct http_response r;
	char sql[256], *id, *count;

	(void)state;
	http_call(&r, "GET", "/api/v1/audit?entity_type=user&limit=1", admin_token, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	id = http_header(&r, "X-Request-Id");
	assert_non_null(id);
	http_free(&r);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM cansd.audit_events WHERE action = 'audit.read' AND "
		 "entity_type = 'audit' AND request_id = '%s' AND detail->>'entity_type' = 'user' "
		 "AND actor_id IS NOT NULL AND client_addr = '127.0.0.1'",
		 id);
	count = test_psql(sql);
	assert_string_equal(count, "1");
	free(count);
	free(id);
}

static void test_intact_chain_verifies(void **state)
{
	(void)state;
	wait_sealed();
	assert_intact();
}

static void test_verifier_names_a_changed_event(void **state)
{
	char *id = sealed_event_in_the_middle(), sql[512], want[64];

	(void)state;
	/* The database owner gets past the append-only trigger only with triggers off. */
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 "UPDATE cansd.audit_events SET action = 'user.updated' WHERE id = %s",
		 id);
	free(test_psql(sql));
	snprintf(want, sizeof(want), "event %s ", id);
	assert_tampered(want, "changed");
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 "UPDATE cansd.audit_events SET action = 'user.created' WHERE id = %s",
		 id);
	free(test_psql(sql));
	assert_intact();
	free(id);
}

static void test_verifier_names_a_removed_event(void **state)
{
	char *id = sealed_event_in_the_middle(), sql[1024], want[64];

	(void)state;
	/* The event alone: its link is left behind. */
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE public.audit_test_event AS SELECT * FROM cansd.audit_events "
		 "WHERE id = %s;"
		 "CREATE TABLE public.audit_test_seal AS SELECT * FROM cansd.audit_seals "
		 "WHERE event_id = %s;"
		 "SET session_replication_role = replica;"
		 "DELETE FROM cansd.audit_events WHERE id = %s",
		 id, id, id);
	free(test_psql(sql));
	snprintf(want, sizeof(want), "event %s ", id);
	assert_tampered(want, "removed");
	/* The event and its link: a gap in seq. */
	free(test_psql("SET session_replication_role = replica;"
		       "DELETE FROM cansd.audit_seals WHERE event_id IN "
		       "(SELECT event_id FROM public.audit_test_seal)"));
	assert_tampered("removed", "are gone");
	free(test_psql("SET session_replication_role = replica;"
		       "INSERT INTO cansd.audit_events OVERRIDING SYSTEM VALUE "
		       "SELECT * FROM public.audit_test_event;"
		       "INSERT INTO cansd.audit_seals SELECT * FROM public.audit_test_seal;"
		       "DROP TABLE public.audit_test_event, public.audit_test_seal"));
	assert_intact();
	free(id);
}

static void test_verifier_names_an_inserted_event(void **state)
{
	char *id, want[64], sql[256];
	int i;

	(void)state;
	wait_sealed();
	/* Written with the triggers off: no link, and not waiting for one. */
	id = test_psql("SET session_replication_role = replica;"
		       "INSERT INTO cansd.audit_events (action, entity_type, entity_id) "
		       "VALUES ('user.created', 'user', '1') RETURNING id");
	snprintf(want, sizeof(want), "event %s ", id);
	assert_tampered(want, "inserted");
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 "DELETE FROM cansd.audit_events WHERE id = %s",
		 id);
	free(test_psql(sql));
	free(id);
	assert_intact();

	/* With a made-up link at the end of the chain (the sealer held off meanwhile). */
	id = test_psql(
		"BEGIN; SELECT pg_advisory_xact_lock(hashtext('cansd.audit_seal')) \\g /dev/null\n"
		"SET LOCAL session_replication_role = replica;"
		"WITH e AS (INSERT INTO cansd.audit_events (action, entity_type, entity_id) "
		"VALUES ('user.created', 'user', '1') RETURNING id) "
		"INSERT INTO cansd.audit_seals (seq, event_id, hash) "
		"SELECT (SELECT max(seq) + 1 FROM cansd.audit_seals), e.id, "
		"sha256('forged'::bytea) FROM e RETURNING event_id;"
		"COMMIT;");
	snprintf(want, sizeof(want), "event %s ", id);
	assert_tampered(want, NULL);
	/* Let the sealer see the forged head, then take it away: its head goes back. */
	usleep(1500 * 1000);
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 "DELETE FROM cansd.audit_seals WHERE event_id = %s;"
		 "DELETE FROM cansd.audit_events WHERE id = %s",
		 id, id);
	free(test_psql(sql));
	free(id);
	assert_intact();
	/* The sealer says so in the log at its next round, without anyone asking. */
	for (i = 0; i < 100; i++) {
		if (test_shell("grep -q 'audit sealer: the chain head went from seq' "
			       "\"$CANSD_TEST_VAR_DIR/log/cansd.log\"") == 0)
			break;
		usleep(100 * 1000);
	}
	assert_true(i < 100);
}

/* The sealer reconnects after PostgreSQL restarts, and the master lives on. */
static void test_sealer_survives_a_database_restart(void **state)
{
	struct http_response r;
	char *uid = NULL;
	int i;

	(void)state;
	assert_int_equal(
		test_shell(
			"bash -c '. \"$CANSD_TEST_LIB\" && pg_stop && pg_start' >/dev/null 2>&1"),
		0);
	/* Each worker answers 503 once while it reconnects. */
	for (i = 0; i < 10; i++) {
		http_call(&r, "GET", "/api/v1/users?limit=1", admin_token, NULL, NULL, 0);
		http_free(&r);
	}
	uid = http_create_user(admin_token, test_unique("aud"), "[\"worker\"]", NULL, PASSWORD);
	assert_non_null(uid);
	wait_sealed();
	assert_intact();
	assert_int_equal(test_shell("bash -c '. \"$CANSD_TEST_LIB\" && pool_running'"), 0);
	free(uid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_are_sealed_within_seconds_and_listed_with_seq),
		cmocka_unit_test(test_reading_the_trail_is_itself_audited),
		cmocka_unit_test(test_intact_chain_verifies),
		cmocka_unit_test(test_verifier_names_a_changed_event),
		cmocka_unit_test(test_verifier_names_a_removed_event),
		cmocka_unit_test(test_verifier_names_an_inserted_event),
		cmocka_unit_test(test_sealer_survives_a_database_restart),
	};

	return cmocka_run_group_tests(tests, admin_setup, admin_teardown);
}
