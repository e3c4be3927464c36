#include "calendar.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

long days_from_civil(struct ymd c)
{
	long y = c.y - (c.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (c.m + (c.m > 2 ? -3 : 9)) + 2) / 5 + c.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct ymd civil_from_days(long z)
{
	struct ymd c;
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.y = (int)(yoe + era * 400 + (c.m <= 2));
	return c;
}

struct ymd add_days(struct ymd c, long n)
{
	return civil_from_days(days_from_civil(c) + n);
}

int month_length(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

struct ymd add_years(struct ymd c, int n)
{
	c.y += n;
	if (c.d > month_length(c.y, c.m))
		c.d = month_length(c.y, c.m);
	return c;
}

struct ymd certified_until(struct ymd c)
{
	return add_days(add_years(c, 1), -1);
}

struct ymd completion_for_until(struct ymd target)
{
	struct ymd guess = add_years(target, -1);
	long k;

	for (k = -3; k <= 3; k++) {
		struct ymd c = add_days(guess, k);

		if (days_from_civil(certified_until(c)) == days_from_civil(target))
			return c;
	}
	fail_msg("no completion day gives certified_until %04d-%02d-%02d", target.y, target.m,
		 target.d);
	return guess;
}

struct ymd_text fmt(struct ymd c)
{
	struct ymd_text t;

	snprintf(t.s, sizeof(t.s), "%04d-%02d-%02d", c.y, c.m, c.d);
	return t;
}

const char *program_zone(void)
{
	const char *tz = getenv("CANSD_TEST_TIMEZONE");

	if (!tz || !*tz)
		tz = getenv("CANSD_TIMEZONE");
	return tz && *tz ? tz : "America/Chicago";
}

struct ymd today(void)
{
	time_t now = time(NULL);
	struct tm tm;
	struct ymd c;

	/* the programs' day, whatever TZ this process had */
	setenv("TZ", program_zone(), 1);
	tzset();
	localtime_r(&now, &tm);
	c.y = tm.tm_year + 1900;
	c.m = tm.tm_mon + 1;
	c.d = tm.tm_mday;
	return c;
}
