#include "pool_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int pool_counts_read(struct pool_counts *out)
{
	static const char name[] = "\ncansd_pool_worker_requests_total{worker=\"";
	struct http_response r;
	const char *p;

	memset(out, 0, sizeof(*out));
	http_call(&r, "GET", "/metrics", NULL, NULL, NULL, 0);
	if (r.status != 200 || !r.body) {
		fprintf(stderr, "GET /metrics: %ld\n", r.status);
		http_free(&r);
		return 0;
	}
	for (p = r.body; (p = strstr(p, name)) && out->n < POOL_METRICS_MAX;) {
		int slot;
		long long pid;
		unsigned long long n;

		p += strlen(name);
		if (sscanf(p, "%d\",pid=\"%lld\"} %llu", &slot, &pid, &n) != 3)
			continue;
		out->pid[out->n] = pid;
		out->requests[out->n] = n;
		out->n++;
	}
	http_free(&r);
	return out->n;
}

int pool_counts_every_worker_served(const struct pool_counts *before, const struct pool_counts *now)
{
	int i, every = now->n > 0 && now->n == before->n;

	for (i = 0; i < now->n && i < before->n; i++)
		if (now->pid[i] != before->pid[i] || now->requests[i] <= before->requests[i])
			every = 0;
	return every;
}

int pool_until_every_worker_served(void (*request)(void *), void *arg, int max_calls)
{
	struct pool_counts before, now;
	int calls = 0, burst;

	if (!pool_counts_read(&before))
		return 0;
	/*
	 * Bursts of as many requests as workers, then one more, in turn: the
	 * kernel hands accepts round robin, and a fixed rhythm with a scrape in
	 * between could land on the same worker every time.
	 */
	for (burst = 0; calls < max_calls; burst++) {
		int i, n = before.n + (burst & 1);

		for (i = 0; i < n && calls < max_calls; i++, calls++)
			request(arg);
		if (!pool_counts_read(&now))
			return 0;
		if (pool_counts_every_worker_served(&before, &now))
			return 1;
	}
	for (int i = 0; i < now.n; i++)
		fprintf(stderr, "worker %d (pid %lld): %llu requests before, %llu now\n", i,
			now.pid[i], i < before.n ? before.requests[i] : 0ULL, now.requests[i]);
	return 0;
}
