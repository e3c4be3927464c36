#include "sealer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/config.h"
#include "../core/db.h"
#include "../core/log.h"

/* Without new events the head is logged this often: an anchor outside the database. */
#define SEALER_ANCHOR_SECONDS 60
#define SEALER_BACKOFF_MAX_MS 5000
/* Events per transaction: a backlog (after an outage) is sealed in rounds of this. */
#define SEALER_BATCH "10000"

static volatile sig_atomic_t sealer_stop;

static void sealer_on_stop(int sig)
{
	(void)sig;
	sealer_stop = 1;
}

/* Sleeps ms milliseconds unless a stop comes first (the signal ends nanosleep). */
static void sealer_sleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (!sealer_stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A hung server must not hold the sealer past the master's drain. */
#define SEALER_STATEMENT_TIMEOUT_MS 10000

/* The head this process last saw: the chain only ever grows. */
struct sealer_head {
	long long seq;
	char hash[65];
};

/*
 * A head that went back, or changed at the same seq, means links were
 * removed or rewritten by hand: said at once in the log, without waiting for
 * someone to run audit-verify.
 */
static void sealer_watch(struct sealer_head *last, const char *seq_text, const char *hash)
{
	long long seq = strtoll(seq_text, NULL, 10);

	if (last->seq > 0 &&
	    (seq < last->seq || (seq == last->seq && strcmp(hash, last->hash) != 0)))
		log_error("audit sealer: the chain head went from seq %lld %s to seq %lld %s: "
			  "links were removed or rewritten; run cansd audit-verify",
			  last->seq, last->hash, seq, hash);
	last->seq = seq;
	snprintf(last->hash, sizeof(last->hash), "%s", hash);
}

/*
 * One round. Returns -1 when the connection is gone (the caller
 * reconnects), 1 when a full batch was sealed (more may wait: no pause), else
 * 0; a SQL error on a live connection is logged and retried next round.
 */
static int sealer_round(struct sealer_head *head, time_t *last_anchor)
{
	PGresult *res = db_exec(
		"SELECT sealed, head_seq, head_hash FROM cansd.audit_seal(" SEALER_BATCH ")");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		if (db_connected())
			log_error("audit sealer: %s", db_error());
		else
			rc = -1;
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), SEALER_BATCH) == 0)
		rc = 1;
	if (PQgetisnull(res, 0, 1)) /* another sealer holds the chain this round */
		goto out;
	sealer_watch(head, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	/*
	 * The head in the log is a copy outside the database: someone who
	 * rewrites the whole chain with direct access cannot rewrite this too.
	 */
	if (strcmp(PQgetvalue(res, 0, 0), "0") != 0 &&
	    time(NULL) - *last_anchor >= SEALER_ANCHOR_SECONDS) {
		log_info("audit sealer: chain head seq %s %s", PQgetvalue(res, 0, 1),
			 PQgetvalue(res, 0, 2));
		*last_anchor = time(NULL);
	}
out:
	PQclear(res);
	return rc;
}

int sealer_main(int listen_fd)
{
	struct sigaction sa;
	struct sealer_head head = {0, ""};
	time_t last_anchor = 0;
	long backoff = 0;
	bool was_down = false;

	close(listen_fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sealer_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A failed first connect is retried below like any outage. */
	db_open_service(config->database_url, "cansd-sealer", SEALER_STATEMENT_TIMEOUT_MS);
	while (!sealer_stop) {
		if (!db_connected()) {
			if (!db_ensure()) {
				/* Logged once per outage, not once per attempt. */
				if (!was_down)
					log_error("audit sealer: database: %s; retrying",
						  db_error());
				was_down = true;
				backoff = backoff ? backoff * 2 : 250;
				if (backoff > SEALER_BACKOFF_MAX_MS)
					backoff = SEALER_BACKOFF_MAX_MS;
				sealer_sleep(backoff);
				continue;
			}
			if (was_down)
				log_info("audit sealer: database back");
			was_down = false;
			backoff = 0;
		}
		switch (sealer_round(&head, &last_anchor)) {
		case -1:
			continue; /* reconnect at once */
		case 1:
			continue; /* a backlog: seal the next batch at once */
		default:
			sealer_sleep(config->audit_seal_interval_ms);
		}
	}
	db_close();
	return 0;
}
