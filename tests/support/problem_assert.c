#include "problem_assert.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void assert_problem(const struct http_response *r, long status, const char *name)
{
	char *ct = http_header(r, "Content-Type");

	if (r->status != status || strcmp(http_problem(r), name) != 0)
		fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, name, r->status, r->body);
	assert_int_equal(r->status, status);
	assert_non_null(ct);
	assert_string_equal(ct, "application/problem+json");
	assert_string_equal(http_problem(r), name);
	assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(json_string_value(json_object_get(r->json, "title")));
	assert_non_null(json_string_value(json_object_get(r->json, "detail")));
	free(ct);
}
