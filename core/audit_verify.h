/*
 * `cansd audit-verify`: reads the whole audit trail over its own connection
 * (a role that bypasses row-level security: the superuser or cansd_owner)
 * and walks the hash chain with core/audit_chain.c.
 */
#ifndef CANSD_AUDIT_VERIFY_H
#define CANSD_AUDIT_VERIFY_H

#include <stdio.h>

/* 0: the chain is intact; 1: out names the first tampered event; 2: could not check. */
int audit_verify(const char *conninfo, FILE *out);

#endif
