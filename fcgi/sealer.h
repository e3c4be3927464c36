/*
 * The audit sealer: a process the master forks beside the workers (and
 * restarts like one) that calls cansd.audit_seal() every
 * CANSD_AUDIT_SEAL_INTERVAL_MS over its own connection (core/db.c), so that
 * every audit event is covered by the hash chain within about a second
 * without any request waiting for it (sql/functions/audit.sql).
 */
#ifndef CANSD_SEALER_H
#define CANSD_SEALER_H

/* The process body; listen_fd is closed (the sealer serves no request). */
int sealer_main(int listen_fd);

#endif
