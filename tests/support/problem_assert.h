/* The cmocka check every integration test makes of a refusal. */
#ifndef CANSD_TEST_PROBLEM_ASSERT_H
#define CANSD_TEST_PROBLEM_ASSERT_H

#include "http.h"

/*
 * r is an application/problem+json with this status and problem name, and
 * its body has type, title, status and detail.
 */
void assert_problem(const struct http_response *r, long status, const char *name);

#endif
