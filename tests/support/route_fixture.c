#include "route_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/routes.h"
#include "route_call.h"

const char *const route_standard_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

int route_fixture_setup(void **state)
{
	*state = arena_new(0);
	return *state ? 0 : -1;
}

int route_fixture_teardown(void **state)
{
	arena_free(*state);
	return 0;
}

enum route_result route_fixture_match(struct arena *arena, struct request *req, const char *method,
				      const char *path, const struct route *table, size_t count,
				      const char **allow)
{
	request_init(req, arena);
	req->method = method;
	req->path = path;
	*allow = NULL;
	return route_match(req, table, count, allow);
}

enum route_result route_fixture_match_real(struct arena *arena, struct request *req,
					   const char *method, const char *path, const char **allow)
{
	return route_fixture_match(arena, req, method, path, routes, routes_count, allow);
}

const char *route_fixture_path(struct arena *arena, const struct route *route, const char *value)
{
	char *out = arena_alloc(arena, 1024);

	assert_non_null(route_concrete_path(route, value, out, 1024));
	return out;
}

bool route_fixture_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}
