#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void log_msg(const char *level, const char *request_id, const char *fmt, ...)
{
	char stamp[32], line[2048];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s pid=%d%s%s ", stamp, level, (int)getpid(),
		     request_id ? " request_id=" : "", request_id ? request_id : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line so lines from several workers never interleave. */
	fprintf(stderr, "%s\n", line);
}
