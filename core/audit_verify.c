#include "audit_verify.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "audit_chain.h"

#define AUDIT_VERIFY_BATCH "5000"

/*
 * The columns rendered inline, not through cansd.audit_canonical: the
 * verifier must not depend on a function stored in the database it checks.
 */
static const char chain_sql[] =
	"SELECT s.seq, s.event_id, e.id IS NOT NULL, e.id::text,"
	" to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
	" e.actor_id::text, e.action, e.entity_type, e.entity_id, e.request_id, e.client_addr,"
	" e.detail::text, encode(s.hash, 'hex')"
	" FROM cansd.audit_seals s LEFT JOIN cansd.audit_events e ON e.id = s.event_id"
	" WHERE s.seq > $1 ORDER BY s.seq LIMIT " AUDIT_VERIFY_BATCH;

/* An event with no link that is not waiting for one was written with the triggers off. */
static const char orphan_sql[] =
	"SELECT e.id FROM cansd.audit_events e"
	" WHERE NOT EXISTS (SELECT 1 FROM cansd.audit_seals s WHERE s.event_id = e.id)"
	" AND NOT EXISTS (SELECT 1 FROM cansd.audit_unsealed u WHERE u.event_id = e.id)"
	" ORDER BY e.id LIMIT 1";

static int hex_decode(const char *hex, unsigned char out[AUDIT_HASH_LEN])
{
	int i;

	if (!hex || strlen(hex) != 2 * AUDIT_HASH_LEN)
		return -1;
	for (i = 0; i < AUDIT_HASH_LEN; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return 0;
}

static void hex_encode(const unsigned char in[AUDIT_HASH_LEN], char out[2 * AUDIT_HASH_LEN + 1])
{
	int i;

	for (i = 0; i < AUDIT_HASH_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static PGresult *query(PGconn *conn, const char *sql, const char *param, FILE *out)
{
	PGresult *res =
		PQexecParams(conn, sql, param ? 1 : 0, NULL, param ? &param : NULL, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(out, "audit-verify: %s", PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Feeds one batch; sets *last to the last seq read. 0 go on, 1 finding, 2 error. */
static int feed_batch(struct audit_chain *chain, PGresult *res, long long *last,
		      struct audit_finding *f, FILE *out)
{
	int i, j, n = PQntuples(res);

	for (i = 0; i < n; i++) {
		struct audit_row row;
		int rc;

		memset(&row, 0, sizeof(row));
		row.seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		row.event_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		row.event_present = PQgetvalue(res, i, 2)[0] == 't';
		for (j = 0; j < AUDIT_EVENT_FIELDS; j++)
			row.fields[j] =
				PQgetisnull(res, i, 3 + j) ? NULL : PQgetvalue(res, i, 3 + j);
		if (hex_decode(PQgetvalue(res, i, 12), row.hash)) {
			fprintf(out, "audit-verify: seq %lld has a malformed hash\n", row.seq);
			return 2;
		}
		*last = row.seq;
		rc = audit_chain_feed(chain, &row, f);
		if (rc < 0) {
			fprintf(out, "audit-verify: SHA-256 failed\n");
			return 2;
		}
		if (rc)
			return 1;
	}
	return 0;
}

static int walk(PGconn *conn, FILE *out)
{
	struct audit_chain chain;
	struct audit_finding f;
	long long last = 0;
	char last_text[32], head[2 * AUDIT_HASH_LEN + 1];
	PGresult *res;
	int rc = 0, n;

	audit_chain_init(&chain);
	do {
		snprintf(last_text, sizeof(last_text), "%lld", last);
		if (!(res = query(conn, chain_sql, last_text, out)))
			return 2;
		n = PQntuples(res);
		rc = feed_batch(&chain, res, &last, &f, out);
		PQclear(res);
	} while (rc == 0 && n > 0);
	if (rc == 0)
		rc = audit_chain_finish(&chain, &f);
	if (rc == 0) {
		if (!(res = query(conn, orphan_sql, NULL, out)))
			return 2;
		if (PQntuples(res) == 1) {
			long long id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

			f.kind = AUDIT_FINDING_INSERTED;
			f.event_id = id;
			snprintf(f.message, sizeof(f.message),
				 "event %lld has no link and is not waiting for one: inserted with "
				 "the triggers switched off",
				 id);
			rc = 1;
		}
		PQclear(res);
	}
	if (rc == 2)
		return 2;
	if (rc == 1) {
		fprintf(out, "audit-verify: TAMPERED (%s): %s\n", audit_finding_name(f.kind),
			f.message);
		if (f.seq)
			fprintf(out, "audit-verify: the %lld links before it are intact\n",
				chain.links);
		else
			fprintf(out, "audit-verify: all %lld links are intact\n", chain.links);
		return 1;
	}
	if (!(res = query(conn, "SELECT count(*) FROM cansd.audit_unsealed", NULL, out)))
		return 2;
	hex_encode(chain.prev, head);
	fprintf(out,
		"audit-verify: intact: %lld links (head seq %lld, %s), %s events waiting for the "
		"sealer\n",
		chain.links, chain.next_seq - 1, head, PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int audit_verify(const char *conninfo, FILE *out)
{
	PGconn *conn = PQconnectdb(conninfo);
	PGresult *res = NULL;
	int rc = 2;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(out, "audit-verify: %s", PQerrorMessage(conn));
		goto out;
	}
	/* Row-level security would silently hide rows from any other role. */
	if (!(res = query(conn,
			  "SELECT rolsuper OR rolbypassrls OR pg_has_role(current_user, "
			  "'cansd_owner', 'USAGE') FROM pg_roles WHERE rolname = current_user",
			  NULL, out)))
		goto out;
	if (PQntuples(res) != 1 || PQgetvalue(res, 0, 0)[0] != 't') {
		fprintf(out,
			"audit-verify: connect as a role that reads the whole trail (the "
			"superuser or cansd_owner), not as %s\n",
			PQuser(conn));
		goto out;
	}
	PQclear(res);
	/* One snapshot for every batch: the sealer may go on meanwhile. */
	if (!(res = query(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, out)))
		goto out;
	rc = walk(conn, out);
out:
	PQclear(res);
	PQfinish(conn);
	return rc;
}
