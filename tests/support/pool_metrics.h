/*
 * The pool's per-worker request counts as /metrics shows them
 * (cansd_pool_worker_requests_total{worker,pid}), for tests that must prove
 * every worker served: a scrape is not counted, so reading never changes them.
 */
#ifndef CANSD_TEST_POOL_METRICS_H
#define CANSD_TEST_POOL_METRICS_H

#define POOL_METRICS_MAX 64

struct pool_counts {
	int n;
	long long pid[POOL_METRICS_MAX];
	unsigned long long requests[POOL_METRICS_MAX];
};

/* Reads /metrics into out; returns the number of workers (0 on failure). */
int pool_counts_read(struct pool_counts *out);

/*
 * Whether every worker of now has served at least one request since before,
 * the same process (pid) in each slot. Prints the slots that have not.
 */
int pool_counts_every_worker_served(const struct pool_counts *before,
				    const struct pool_counts *now);

/*
 * Calls request(arg) until every worker has served one of them since the
 * call began (at most max_calls); returns 1 when every worker did. request
 * must make exactly one HTTP request through nginx.
 */
int pool_until_every_worker_served(void (*request)(void *), void *arg, int max_calls);

#endif
