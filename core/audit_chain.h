/*
 * The audit trail's hash chain, checked link by link.
 * cansd.audit_seal() (sql/functions/audit.sql) writes the links; this is the
 * independent reading of them: the same canonical encoding, recomputed with
 * OpenSSL, so that a verifier does not trust a function stored in the very
 * database it checks. Pure: rows in, a finding out (core/audit_verify.c
 * fetches the rows).
 *
 * link(seq) = SHA-256(link(seq - 1) || canonical(seq, event)), link(0) = 32
 * zero bytes; canonical = each of seq, id, at (UTC, microseconds), actor_id,
 * action, entity_type, entity_id, request_id, client_addr, detail (jsonb
 * text) as "-," when NULL or "<octets>:<text>,".
 */
#ifndef CANSD_AUDIT_CHAIN_H
#define CANSD_AUDIT_CHAIN_H

#include <stdbool.h>

#define AUDIT_HASH_LEN 32
#define AUDIT_EVENT_FIELDS                                                                         \
	9 /* id, at, actor_id, action, entity_type, entity_id, request_id, client_addr, detail */

/* One link as stored, with its event's columns rendered as text (NULL = SQL NULL). */
struct audit_row {
	long long seq;
	long long event_id;
	bool event_present; /* false: the link names an event that is gone */
	const char *fields[AUDIT_EVENT_FIELDS];
	unsigned char hash[AUDIT_HASH_LEN];
};

enum audit_finding_kind {
	AUDIT_FINDING_NONE,
	AUDIT_FINDING_CHANGED,  /* an event no longer matches its link */
	AUDIT_FINDING_REMOVED,  /* an event, or links, gone */
	AUDIT_FINDING_INSERTED, /* a link the sealer did not make, or an event with none */
};

struct audit_finding {
	enum audit_finding_kind kind;
	long long seq;
	long long event_id; /* 0 when unknown (links removed with their events) */
	char message[320];
};

struct audit_chain {
	long long next_seq;
	long long links; /* verified so far */
	long long last_event_id;
	unsigned char prev[AUDIT_HASH_LEN];
	bool pending; /* the previous row did not match; the next one tells how */
	struct audit_row pending_row;
};

void audit_chain_init(struct audit_chain *c);

/* link = SHA-256(prev || canonical(seq, fields)); -1 when OpenSSL fails. */
int audit_chain_link(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
		     const char *const fields[AUDIT_EVENT_FIELDS],
		     unsigned char out[AUDIT_HASH_LEN]);

/*
 * Feeds the next link in seq order. 0: consistent so far; 1: f names the
 * first event that was changed, removed or inserted (stop there); -1: OpenSSL
 * failed. row's strings need not outlive the call.
 */
int audit_chain_feed(struct audit_chain *c, const struct audit_row *row, struct audit_finding *f);

/* After the last row: 1 when the last link did not match (f says so), else 0. */
int audit_chain_finish(struct audit_chain *c, struct audit_finding *f);

/* "changed", "removed", "inserted" or "none". */
const char *audit_finding_name(enum audit_finding_kind kind);

#endif
