/* One worker process: its own PostgreSQL connection, one request at a time. */
#ifndef CANSD_WORKER_H
#define CANSD_WORKER_H

/* Serves listen_fd until SIGTERM; returns the process exit status. */
#include <stddef.h>

struct route;

/* The table every worker dispatches on; set once before the pool starts. */
void worker_set_routes(const struct route *table, size_t count);
int worker_main(int listen_fd);

#endif
