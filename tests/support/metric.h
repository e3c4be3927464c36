/*
 * One counter of /metrics (nginx serves it to loopback), for the tests that
 * prove something was counted or was not.
 */
#ifndef CANSD_TEST_METRIC_H
#define CANSD_TEST_METRIC_H

/*
 * The value of series (a name with its labels, as /metrics writes it:
 * "cansd_jwt_refused_total{reason=\"expired\"}"), or -1 when /metrics has no
 * such line. Asserts that /metrics answers 200.
 */
long long metric_value(const char *series);

#endif
