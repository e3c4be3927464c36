#include "metric.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

long long metric_value(const char *series)
{
	struct http_response r;
	char needle[256];
	const char *line;
	long long value = -1;

	http_call(&r, "GET", "/metrics", NULL, NULL, NULL, 0);
	assert_int_equal(r.status, 200);
	/* a whole line: the series at a line start, then one space and the value */
	snprintf(needle, sizeof(needle), "\n%s ", series);
	if (strncmp(r.body, needle + 1, strlen(needle + 1)) == 0)
		value = atoll(r.body + strlen(needle + 1));
	else if ((line = strstr(r.body, needle)))
		value = atoll(line + strlen(needle));
	http_free(&r);
	return value;
}
