#include "audit_chain.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void audit_chain_init(struct audit_chain *c)
{
	memset(c, 0, sizeof(*c));
	c->next_seq = 1;
}

/* One field as cansd.audit_field encodes it: "-," or "<octets>:<text>,". */
static int digest_field(EVP_MD_CTX *md, const char *v)
{
	char len[32];
	int n;

	if (!v)
		return EVP_DigestUpdate(md, "-,", 2) == 1 ? 0 : -1;
	n = snprintf(len, sizeof(len), "%zu:", strlen(v));
	if (EVP_DigestUpdate(md, len, (size_t)n) != 1 || EVP_DigestUpdate(md, v, strlen(v)) != 1 ||
	    EVP_DigestUpdate(md, ",", 1) != 1)
		return -1;
	return 0;
}

int audit_chain_link(const unsigned char prev[AUDIT_HASH_LEN], long long seq,
		     const char *const fields[AUDIT_EVENT_FIELDS],
		     unsigned char out[AUDIT_HASH_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char seq_text[32];
	unsigned int out_len = 0;
	int rc = -1, i;

	if (!md)
		return -1;
	snprintf(seq_text, sizeof(seq_text), "%lld", seq);
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, prev, AUDIT_HASH_LEN) != 1 || digest_field(md, seq_text))
		goto out;
	for (i = 0; i < AUDIT_EVENT_FIELDS; i++)
		if (digest_field(md, fields[i]))
			goto out;
	if (EVP_DigestFinal_ex(md, out, &out_len) != 1 || out_len != AUDIT_HASH_LEN)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static int found(struct audit_finding *f, enum audit_finding_kind kind, long long seq,
		 long long event_id, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int found(struct audit_finding *f, enum audit_finding_kind kind, long long seq,
		 long long event_id, const char *fmt, ...)
{
	va_list ap;

	f->kind = kind;
	f->seq = seq;
	f->event_id = event_id;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return 1;
}

/*
 * The previous row's content did not match its link. If this row's link was
 * made from the previous one's stored hash, the sealer made that link and
 * the event changed afterwards; if not, the link itself is not the sealer's.
 */
static int resolve_pending(struct audit_chain *c, const struct audit_row *row,
			   struct audit_finding *f)
{
	const struct audit_row *p = &c->pending_row;
	unsigned char link[AUDIT_HASH_LEN];

	if (row && row->seq == p->seq + 1 && row->event_present) {
		if (audit_chain_link(p->hash, row->seq, row->fields, link))
			return -1;
		if (memcmp(link, row->hash, AUDIT_HASH_LEN) == 0)
			return found(f, AUDIT_FINDING_CHANGED, p->seq, p->event_id,
				     "event %lld (seq %lld) was changed after it was sealed: its "
				     "content no longer matches its link",
				     p->event_id, p->seq);
		return found(f, AUDIT_FINDING_INSERTED, p->seq, p->event_id,
			     "event %lld (seq %lld) has a link the sealer did not make: inserted "
			     "or re-linked by hand",
			     p->event_id, p->seq);
	}
	return found(f, AUDIT_FINDING_CHANGED, p->seq, p->event_id,
		     "event %lld (seq %lld) does not match its link: changed after it was sealed, "
		     "or inserted with a forged link",
		     p->event_id, p->seq);
}

int audit_chain_feed(struct audit_chain *c, const struct audit_row *row, struct audit_finding *f)
{
	unsigned char link[AUDIT_HASH_LEN];

	memset(f, 0, sizeof(*f));
	if (c->pending)
		return resolve_pending(c, row, f);
	if (row->seq < c->next_seq)
		return found(f, AUDIT_FINDING_INSERTED, row->seq, row->event_id,
			     "event %lld has seq %lld where seq %lld was expected: a link was "
			     "inserted by hand",
			     row->event_id, row->seq, c->next_seq);
	if (row->seq > c->next_seq) {
		if (c->next_seq == 1)
			return found(f, AUDIT_FINDING_REMOVED, c->next_seq, 0,
				     "links seq 1 to %lld are gone (before event %lld): events "
				     "removed with their links",
				     row->seq - 1, row->event_id);
		return found(f, AUDIT_FINDING_REMOVED, c->next_seq, 0,
			     "links seq %lld to %lld are gone (between events %lld and %lld): "
			     "events removed with their links",
			     c->next_seq, row->seq - 1, c->last_event_id, row->event_id);
	}
	if (!row->event_present)
		return found(f, AUDIT_FINDING_REMOVED, row->seq, row->event_id,
			     "event %lld (seq %lld) was removed: its link is still there",
			     row->event_id, row->seq);
	if (audit_chain_link(c->prev, row->seq, row->fields, link))
		return -1;
	if (memcmp(link, row->hash, AUDIT_HASH_LEN) != 0) {
		/* Only the numbers and the stored hash are needed to resolve it. */
		c->pending = true;
		c->pending_row.seq = row->seq;
		c->pending_row.event_id = row->event_id;
		memcpy(c->pending_row.hash, row->hash, AUDIT_HASH_LEN);
		return 0;
	}
	memcpy(c->prev, row->hash, AUDIT_HASH_LEN);
	c->last_event_id = row->event_id;
	c->next_seq++;
	c->links++;
	return 0;
}

int audit_chain_finish(struct audit_chain *c, struct audit_finding *f)
{
	memset(f, 0, sizeof(*f));
	if (!c->pending)
		return 0;
	return resolve_pending(c, NULL, f);
}

const char *audit_finding_name(enum audit_finding_kind kind)
{
	switch (kind) {
	case AUDIT_FINDING_CHANGED:
		return "changed";
	case AUDIT_FINDING_REMOVED:
		return "removed";
	case AUDIT_FINDING_INSERTED:
		return "inserted";
	case AUDIT_FINDING_NONE:
		break;
	}
	return "none";
}
