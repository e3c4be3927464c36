/* One worker process: its own PostgreSQL connection, one request at a time. */
#ifndef CANSD_WORKER_H
#define CANSD_WORKER_H

/* Serves listen_fd until SIGTERM; returns the process exit status. */
int worker_main(int listen_fd);

#endif
