/*
 * What the unit tests of the route table share: an arena per test, a
 * request matched against a table, the real table's paths made concrete,
 * and the standard methods.
 */
#ifndef CANSD_TEST_ROUTE_FIXTURE_H
#define CANSD_TEST_ROUTE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/request.h"
#include "core/route.h"

extern const char *const route_standard_methods[]; /* NULL-ended */

/* cmocka setup and teardown: *state is a fresh arena. */
int route_fixture_setup(void **state);
int route_fixture_teardown(void **state);

/* req initialised for method and path, then route_match against table. */
enum route_result route_fixture_match(struct arena *arena, struct request *req, const char *method,
				      const char *path, const struct route *table, size_t count,
				      const char **allow);

/* The same against the real table (handlers/routes.c). */
enum route_result route_fixture_match_real(struct arena *arena, struct request *req,
					   const char *method, const char *path,
					   const char **allow);

/* The row's template with every "{name}" replaced by value, in the arena. */
const char *route_fixture_path(struct arena *arena, const struct route *route, const char *value);

bool route_fixture_in_list(const char *s, const char *const *list);

#endif
