#include "metrics.h"

#include <stdint.h>
#include <string.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

/* The statuses the service gives; anything else is counted as "other". */
static const int tracked_status[] = {200, 201, 204, 400, 401, 403, 404, 405,
				     409, 412, 413, 415, 422, 429, 500, 503};
#define N_STATUS (sizeof(tracked_status) / sizeof(tracked_status[0]) + 1)

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define N_BUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct route_counters {
	uint64_t by_status[N_STATUS];
	uint64_t latency_buckets[N_BUCKETS];
	uint64_t latency_count;
	uint64_t latency_micros;
};

/* As many as the pool forks at most (fcgi/pool.c POOL_MAX_WORKERS). */
#define MAX_WORKER_SLOTS 256

struct worker_counters {
	int64_t pid; /* 0: the slot was never used */
	uint64_t requests;
};

/* Refusal reasons the caller may name at start; more are counted as the last. */
#define MAX_REFUSAL_LABELS 32

struct shared_metrics {
	uint64_t jwt_refused[MAX_REFUSAL_LABELS];
	uint64_t db_reconnects;
	uint64_t db_errors;
	uint64_t password_checks;
	uint64_t workers_started;
	uint64_t workers_restarted;
	int64_t busy;
	int64_t pool_size;
	struct worker_counters workers[MAX_WORKER_SLOTS];
	struct route_counters routes[]; /* n_routes + 1 */
};

static struct shared_metrics *shared;
static size_t n_route_slots;
/* Labels given at start (they outlive the pool: the caller keeps them). */
static const char *const *route_labels;
static const char *const *refusal_labels;
static size_t n_refusal_labels;
/* This process's pool slot (-1 in the master), and whether it is serving a scrape. */
static int worker_slot = -1;
static bool scraping;

int metrics_init(const char *const *route_label, size_t n_routes, const char *const *refusal_label,
		 size_t n_refusals)
{
	size_t size = sizeof(*shared) + (n_routes + 1) * sizeof(struct route_counters);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, size);
	shared = p;
	n_route_slots = n_routes + 1;
	route_labels = route_label;
	refusal_labels = refusal_label;
	n_refusal_labels = n_refusals < MAX_REFUSAL_LABELS ? n_refusals : MAX_REFUSAL_LABELS;
	return 0;
}

#define ADD(field, n)                                                                              \
	do {                                                                                       \
		if (shared)                                                                        \
			__atomic_fetch_add(&(field), (n), __ATOMIC_RELAXED);                       \
	} while (0)

static size_t status_slot(int status)
{
	size_t i;

	for (i = 0; i + 1 < N_STATUS; i++)
		if (tracked_status[i] == status)
			return i;
	return N_STATUS - 1;
}

void metrics_request(size_t route_index, int status, double seconds)
{
	struct route_counters *rc;
	size_t i;

	if (!shared)
		return;
	if (route_index >= n_route_slots)
		route_index = n_route_slots - 1;
	rc = &shared->routes[route_index];
	ADD(rc->by_status[status_slot(status)], 1);
	for (i = 0; i < N_BUCKETS; i++)
		if (seconds <= bucket_le[i])
			ADD(rc->latency_buckets[i], 1);
	ADD(rc->latency_count, 1);
	ADD(rc->latency_micros, (uint64_t)(seconds * 1e6));
	if (worker_slot >= 0 && !scraping)
		ADD(shared->workers[worker_slot].requests, 1);
	scraping = false;
}

void metrics_worker_slot(int slot)
{
	if (!shared || slot < 0 || slot >= MAX_WORKER_SLOTS)
		return;
	worker_slot = slot;
	__atomic_store_n(&shared->workers[slot].requests, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&shared->workers[slot].pid, (int64_t)getpid(), __ATOMIC_RELAXED);
}

void metrics_jwt_refused(int reason)
{
	size_t slot = (size_t)reason;

	if (shared && reason > 0 && slot < n_refusal_labels && slot < MAX_REFUSAL_LABELS)
		ADD(shared->jwt_refused[slot], 1);
}

void metrics_db_reconnect(void)
{
	ADD(shared->db_reconnects, 1);
}
void metrics_db_error(void)
{
	ADD(shared->db_errors, 1);
}
void metrics_password_check(void)
{
	ADD(shared->password_checks, 1);
}
void metrics_worker_started(void)
{
	ADD(shared->workers_started, 1);
}
void metrics_worker_restarted(void)
{
	ADD(shared->workers_restarted, 1);
}
void metrics_busy(int delta)
{
	ADD(shared->busy, delta);
}

void metrics_set_pool_size(int workers)
{
	if (shared)
		__atomic_store_n(&shared->pool_size, workers, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void render_route(struct buf *out, const char *label, const struct route_counters *rc)
{
	size_t i;

	for (i = 0; i < N_STATUS; i++) {
		uint64_t n = load(&rc->by_status[i]);

		if (!n)
			continue;
		if (i + 1 < N_STATUS)
			buf_printf(out,
				   "cansd_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				   label, tracked_status[i], (unsigned long long)n);
		else
			buf_printf(
				out,
				"cansd_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
				label, (unsigned long long)n);
	}
	if (!load(&rc->latency_count))
		return;
	for (i = 0; i < N_BUCKETS; i++)
		buf_printf(
			out,
			"cansd_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
			label, bucket_le[i], (unsigned long long)load(&rc->latency_buckets[i]));
	buf_printf(out,
		   "cansd_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
		   label, (unsigned long long)load(&rc->latency_count));
	buf_printf(out, "cansd_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
		   (double)load(&rc->latency_micros) / 1e6);
	buf_printf(out, "cansd_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
		   (unsigned long long)load(&rc->latency_count));
}

void metrics_render(struct buf *out)
{
	size_t i;

	if (!shared)
		return;
	buf_puts(out, "# HELP cansd_http_requests_total Requests by route template and status.\n"
		      "# TYPE cansd_http_requests_total counter\n"
		      "# HELP cansd_http_request_duration_seconds Time in the worker per request.\n"
		      "# TYPE cansd_http_request_duration_seconds histogram\n");
	for (i = 0; i < n_route_slots; i++) {
		const char *label = "unmatched";

		if (i < n_route_slots - 1 && route_labels)
			label = route_labels[i];
		render_route(out, label, &shared->routes[i]);
	}
	buf_puts(out, "# HELP cansd_jwt_refused_total Bearer tokens refused, by reason.\n"
		      "# TYPE cansd_jwt_refused_total counter\n");
	for (i = 1; i < n_refusal_labels; i++)
		buf_printf(out, "cansd_jwt_refused_total{reason=\"%s\"} %llu\n", refusal_labels[i],
			   (unsigned long long)load(&shared->jwt_refused[i]));
	buf_printf(out,
		   "# TYPE cansd_pool_workers gauge\ncansd_pool_workers %lld\n"
		   "# TYPE cansd_pool_busy_workers gauge\ncansd_pool_busy_workers %lld\n"
		   "# TYPE cansd_pool_worker_starts_total counter\ncansd_pool_worker_starts_total "
		   "%llu\n"
		   "# TYPE cansd_pool_worker_restarts_total counter\n"
		   "cansd_pool_worker_restarts_total %llu\n"
		   "# TYPE cansd_db_reconnects_total counter\ncansd_db_reconnects_total %llu\n"
		   "# TYPE cansd_db_errors_total counter\ncansd_db_errors_total %llu\n"
		   "# TYPE cansd_login_password_checks_total counter\n"
		   "cansd_login_password_checks_total %llu\n",
		   (long long)__atomic_load_n(&shared->pool_size, __ATOMIC_RELAXED),
		   (long long)__atomic_load_n(&shared->busy, __ATOMIC_RELAXED),
		   (unsigned long long)load(&shared->workers_started),
		   (unsigned long long)load(&shared->workers_restarted),
		   (unsigned long long)load(&shared->db_reconnects),
		   (unsigned long long)load(&shared->db_errors),
		   (unsigned long long)load(&shared->password_checks));
	buf_puts(out, "# HELP cansd_pool_worker_requests_total Requests served by each worker "
		      "of the pool (scrapes of /metrics not counted); pid is the process "
		      "in that slot now.\n"
		      "# TYPE cansd_pool_worker_requests_total counter\n");
	for (i = 0; i < MAX_WORKER_SLOTS; i++) {
		int64_t pid = __atomic_load_n(&shared->workers[i].pid, __ATOMIC_RELAXED);

		if (pid)
			buf_printf(out,
				   "cansd_pool_worker_requests_total{worker=\"%zu\",pid=\"%lld\"} "
				   "%llu\n",
				   i, (long long)pid,
				   (unsigned long long)load(&shared->workers[i].requests));
	}
	scraping = true; /* the request being served now is this scrape */
}
