/*
 * core/audit_chain.c: the verifier's reading of the audit hash chain. A
 * vector computed by PostgreSQL's cansd.audit_seal() pins the encoding to
 * the SQL one; chains built here are then broken each way someone with
 * direct database access could break them, and the verifier must name the
 * first event touched and say how.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/audit_chain.h"

#define N_EVENTS 5

struct event_text {
	char id[16];
	const char *fields[AUDIT_EVENT_FIELDS];
};

static struct event_text events[N_EVENTS];
static struct audit_row rows[N_EVENTS];

static void hex_to(const char *hex, unsigned char *out)
{
	for (size_t i = 0; i < AUDIT_HASH_LEN; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
}

/* Five sealed events: ids 10, 11, 13 (12 rolled back), 14, 15 at seq 1..5. */
static int build_chain(void **state)
{
	static const long long ids[N_EVENTS] = {10, 11, 13, 14, 15};
	unsigned char prev[AUDIT_HASH_LEN] = {0};

	(void)state;
	for (int i = 0; i < N_EVENTS; i++) {
		struct event_text *e = &events[i];

		snprintf(e->id, sizeof(e->id), "%lld", ids[i]);
		e->fields[0] = e->id;
		e->fields[1] = "2026-11-02T10:00:00.000001Z";
		e->fields[2] = i % 2 ? "3" : NULL;
		e->fields[3] = i == 2 ? "user.deactivated" : "login";
		e->fields[4] = "user";
		e->fields[5] = "3";
		e->fields[6] = "0123456789abcdef0123456789abcdef";
		e->fields[7] = "127.0.0.1";
		e->fields[8] = i == 2 ? "{\"active\": false}" : NULL;
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].seq = i + 1;
		rows[i].event_id = ids[i];
		rows[i].event_present = true;
		memcpy(rows[i].fields, e->fields, sizeof(e->fields));
		assert_int_equal(audit_chain_link(prev, rows[i].seq, e->fields, rows[i].hash), 0);
		memcpy(prev, rows[i].hash, AUDIT_HASH_LEN);
	}
	return 0;
}

/* Feeds rows[0..n) (skipping one index when skip >= 0); returns the finding's kind. */
static enum audit_finding_kind walk(const struct audit_row *r, int n, int skip,
				    struct audit_finding *f)
{
	struct audit_chain c;
	int rc = 0;

	audit_chain_init(&c);
	for (int i = 0; i < n && rc == 0; i++)
		if (i != skip)
			rc = audit_chain_feed(&c, &r[i], f);
	if (rc == 0)
		rc = audit_chain_finish(&c, f);
	assert_true(rc == 0 || rc == 1);
	return rc ? f->kind : AUDIT_FINDING_NONE;
}

static void test_link_matches_what_postgresql_sealed(void **state)
{
	/* SELECT * FROM cansd.audit_seal() over this one event, on a fresh database. */
	const char *fields[AUDIT_EVENT_FIELDS] = {
		"1",  "2026-12-02T01:03:54.721004Z",    NULL, "x", "user", "1", NULL,
		NULL, "{\"a\": \"\xc3\xa9\", \"b\": 1}"};
	unsigned char zero[AUDIT_HASH_LEN] = {0}, want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];

	(void)state;
	hex_to("bdf7c5d4b1bff5bc8e15acb7fe23b9c6398b2a4425c44faf4118727cf10685b4", want);
	assert_int_equal(audit_chain_link(zero, 1, fields, got), 0);
	assert_memory_equal(got, want, AUDIT_HASH_LEN);
}

static void test_null_and_empty_are_different_content(void **state)
{
	const char *with_null[AUDIT_EVENT_FIELDS] = {"1",  "t",  NULL, "a", "b",
						     NULL, NULL, NULL, NULL};
	const char *with_empty[AUDIT_EVENT_FIELDS] = {"1",  "t",  "",   "a", "b",
						      NULL, NULL, NULL, NULL};
	/* "a","b" against "a,b" and "": the length prefix keeps fields apart. */
	const char *joined[AUDIT_EVENT_FIELDS] = {"1",  "t",  NULL, "a,b", "",
						  NULL, NULL, NULL, NULL};
	unsigned char zero[AUDIT_HASH_LEN] = {0}, a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN],
		      c[AUDIT_HASH_LEN];

	(void)state;
	assert_int_equal(audit_chain_link(zero, 1, with_null, a), 0);
	assert_int_equal(audit_chain_link(zero, 1, with_empty, b), 0);
	assert_int_equal(audit_chain_link(zero, 1, joined, c), 0);
	assert_memory_not_equal(a, b, AUDIT_HASH_LEN);
	assert_memory_not_equal(a, c, AUDIT_HASH_LEN);
}

static void test_intact_chain_passes_with_id_gaps(void **state)
{
	struct audit_finding f;
	struct audit_chain c;

	(void)state;
	assert_int_equal(walk(rows, N_EVENTS, -1, &f), AUDIT_FINDING_NONE);
	audit_chain_init(&c);
	for (int i = 0; i < N_EVENTS; i++)
		assert_int_equal(audit_chain_feed(&c, &rows[i], &f), 0);
	assert_int_equal(c.links, N_EVENTS);
	assert_memory_equal(c.prev, rows[N_EVENTS - 1].hash, AUDIT_HASH_LEN);
}

static void test_empty_chain_passes(void **state)
{
	struct audit_finding f;

	(void)state;
	assert_int_equal(walk(rows, 0, -1, &f), AUDIT_FINDING_NONE);
}

static void test_changed_event_is_named_as_changed(void **state)
{
	struct audit_row r[N_EVENTS];
	struct audit_finding f;

	(void)state;
	memcpy(r, rows, sizeof(r));
	r[2].fields[3] = "user.updated"; /* someone softened "deactivated" */
	assert_int_equal(walk(r, N_EVENTS, -1, &f), AUDIT_FINDING_CHANGED);
	assert_int_equal(f.seq, 3);
	assert_int_equal(f.event_id, 13);
	assert_non_null(strstr(f.message, "event 13"));
}

static void test_changed_time_or_null_is_found(void **state)
{
	struct audit_row r[N_EVENTS];
	struct audit_finding f;

	(void)state;
	memcpy(r, rows, sizeof(r));
	r[1].fields[1] = "2026-11-02T10:00:00.000002Z";
	assert_int_equal(walk(r, N_EVENTS, -1, &f), AUDIT_FINDING_CHANGED);
	assert_int_equal(f.event_id, 11);
	memcpy(r, rows, sizeof(r));
	r[0].fields[2] = ""; /* actor NULL -> "" */
	assert_int_equal(walk(r, N_EVENTS, -1, &f), AUDIT_FINDING_CHANGED);
	assert_int_equal(f.event_id, 10);
}

static void test_last_event_changed_is_found(void **state)
{
	struct audit_row r[N_EVENTS];
	struct audit_finding f;

	(void)state;
	memcpy(r, rows, sizeof(r));
	r[N_EVENTS - 1].fields[7] = "10.0.0.9";
	assert_int_equal(walk(r, N_EVENTS, -1, &f), AUDIT_FINDING_CHANGED);
	assert_int_equal(f.event_id, 15);
	assert_int_equal(f.seq, N_EVENTS);
}

static void test_removed_event_and_link_is_a_gap(void **state)
{
	struct audit_finding f;

	(void)state;
	assert_int_equal(walk(rows, N_EVENTS, 2, &f), AUDIT_FINDING_REMOVED);
	assert_int_equal(f.seq, 3);
	assert_non_null(strstr(f.message, "between events 11 and 14"));
	assert_int_equal(walk(rows, N_EVENTS, 0, &f), AUDIT_FINDING_REMOVED);
	assert_int_equal(f.seq, 1);
}

static void test_removed_event_with_link_left_is_named(void **state)
{
	struct audit_row r[N_EVENTS];
	struct audit_finding f;

	(void)state;
	memcpy(r, rows, sizeof(r));
	r[3].event_present = false;
	memset(r[3].fields, 0, sizeof(r[3].fields));
	assert_int_equal(walk(r, N_EVENTS, -1, &f), AUDIT_FINDING_REMOVED);
	assert_int_equal(f.event_id, 14);
	assert_int_equal(f.seq, 4);
}

static void test_inserted_link_is_named_as_inserted(void **state)
{
	struct audit_row r[N_EVENTS + 1];
	struct audit_finding f;

	(void)state;
	/* A forged event at seq 3 with a made-up link; the rest renumbered. */
	memcpy(r, rows, 2 * sizeof(*r));
	memset(&r[2], 0, sizeof(r[2]));
	r[2].seq = 3;
	r[2].event_id = 99;
	r[2].event_present = true;
	memcpy(r[2].fields, events[0].fields, sizeof(r[2].fields));
	memset(r[2].hash, 0x5a, AUDIT_HASH_LEN);
	for (int i = 2; i < N_EVENTS; i++) {
		r[i + 1] = rows[i];
		r[i + 1].seq = i + 2;
	}
	assert_int_equal(walk(r, N_EVENTS + 1, -1, &f), AUDIT_FINDING_INSERTED);
	assert_int_equal(f.event_id, 99);
	assert_int_equal(f.seq, 3);
}

static void test_duplicate_seq_is_inserted(void **state)
{
	struct audit_row r[3];
	struct audit_finding f;

	(void)state;
	r[0] = rows[0];
	r[1] = rows[1];
	r[2] = rows[1];
	r[2].event_id = 77;
	assert_int_equal(walk(r, 3, -1, &f), AUDIT_FINDING_INSERTED);
	assert_int_equal(f.event_id, 77);
}

static void test_finding_names(void **state)
{
	(void)state;
	assert_string_equal(audit_finding_name(AUDIT_FINDING_CHANGED), "changed");
	assert_string_equal(audit_finding_name(AUDIT_FINDING_REMOVED), "removed");
	assert_string_equal(audit_finding_name(AUDIT_FINDING_INSERTED), "inserted");
	assert_string_equal(audit_finding_name(AUDIT_FINDING_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_matches_what_postgresql_sealed),
		cmocka_unit_test(test_null_and_empty_are_different_content),
		cmocka_unit_test(test_intact_chain_passes_with_id_gaps),
		cmocka_unit_test(test_empty_chain_passes),
		cmocka_unit_test(test_changed_event_is_named_as_changed),
		cmocka_unit_test(test_changed_time_or_null_is_found),
		cmocka_unit_test(test_last_event_changed_is_found),
		cmocka_unit_test(test_removed_event_and_link_is_a_gap),
		cmocka_unit_test(test_removed_event_with_link_left_is_named),
		cmocka_unit_test(test_inserted_link_is_named_as_inserted),
		cmocka_unit_test(test_duplicate_seq_is_inserted),
		cmocka_unit_test(test_finding_names),
	};

	return cmocka_run_group_tests(tests, build_chain, NULL);
}
