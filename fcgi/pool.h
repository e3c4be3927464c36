/*
 * The master: preforks the workers, restarts one that dies, and on SIGTERM
 * or SIGINT drains them (each finishes its request) and returns.
 */
#ifndef CANSD_POOL_H
#define CANSD_POOL_H

/*
 * A process to run beside the workers (the audit sealer), forked, restarted
 * and drained like one; called before pool_run. NULL: none.
 */
void pool_set_sidecar(int (*fn)(int listen_fd));

int pool_run(int listen_fd, int n_workers, int (*worker)(int listen_fd));

#endif
