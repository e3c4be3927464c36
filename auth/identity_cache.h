/*
 * A worker's short memory of callers, so an authenticated request need not
 * spend a database round trip on who is asking before doing its own work.
 *
 * An entry is used only while all of these hold:
 *  - no write has succeeded anywhere in the pool since it was loaded: every
 *    successful non-GET request bumps a counter shared by all workers before
 *    its response leaves, so a deactivation, a new or corrected training
 *    record or a role change shows on the very next request;
 *  - it is the same calendar day in CANSD_TIMEZONE, so a certification lapses
 *    at midnight, not later;
 *  - it is at most IDENTITY_CACHE_TTL seconds old, which bounds what the pool
 *    cannot see (changes made in the database by hand, or by another pool).
 */
#ifndef CANSD_IDENTITY_CACHE_H
#define CANSD_IDENTITY_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "identity.h"

#define IDENTITY_CACHE_SLOTS 64
#define IDENTITY_CACHE_TTL 5

/*
 * In the master, before forking: maps the shared write counter. ttl is
 * 0 (no caching) to IDENTITY_CACHE_TTL seconds.
 */
int identity_cache_init(int ttl);

/* The pool-wide write counter. */
uint64_t identity_cache_epoch(void);

/* After a successful change, before its response is written. */
void identity_cache_invalidate(void);

/*
 * The cached identity for key (as loaded at epoch), copied into arena, or
 * NULL. now and day (YYYYMMDD in the programs' zone) are the caller's clock.
 */
const struct identity *identity_cache_get(struct arena *arena, const char *key, time_t now,
					  int day);

/* Remembers id under key, loaded when the counter read epoch. */
void identity_cache_put(const char *key, const struct identity *id, uint64_t epoch, time_t now,
			int day);

/* Frees every entry (worker exit). */
void identity_cache_clear(void);

#endif
