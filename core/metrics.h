/*
 * Counters shared by the master and every worker: a MAP_SHARED region made
 * before the fork, updated with relaxed atomics, so /metrics served by any
 * one worker reports the whole pool.
 */
#ifndef CANSD_METRICS_H
#define CANSD_METRICS_H

#include <stddef.h>

struct buf;

/*
 * Called once in the master, before forking. route_label[i] names route i
 * ("GET /api/v1/me"), refusal_label[r] the token refusal reason r (index 0,
 * "no refusal", is never counted); both arrays must outlive the pool.
 */
int metrics_init(const char *const *route_label, size_t n_routes, const char *const *refusal_label,
		 size_t n_refusals);

/* route_index n_routes means "no route matched". */
void metrics_request(size_t route_index, int status, double seconds);
void metrics_jwt_refused(int reason);
void metrics_db_reconnect(void);
void metrics_db_error(void);
/* A login's password was checked (PBKDF2 run): throttled attempts never count. */
void metrics_password_check(void);
void metrics_worker_started(void);
/*
 * In a worker just forked into pool slot (0-based): its requests are then
 * counted per worker, as cansd_pool_worker_requests_total{worker,pid}. A
 * scrape of /metrics is not counted there, so reading the counts never
 * changes them.
 */
void metrics_worker_slot(int slot);
void metrics_worker_restarted(void);
void metrics_set_pool_size(int workers);
void metrics_busy(int delta);

/* Prometheus text exposition of everything above. */
void metrics_render(struct buf *out);

#endif
