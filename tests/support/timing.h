/*
 * Timing for the tests that compare what two paths cost: medians of
 * interleaved runs, so one slow run on a loaded machine moves nothing.
 */
#ifndef CANSD_TEST_TIMING_H
#define CANSD_TEST_TIMING_H

#include <stddef.h>
#include <time.h>

/* Milliseconds on the given clock (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID). */
double timing_ms(clockid_t clock);

/* The median of v[0..n) (sorts v in place); n > 0. */
double timing_median(double *v, size_t n);

#endif
