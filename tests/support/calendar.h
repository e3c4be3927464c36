/*
 * Calendar days for the integration tests: civil dates and day arithmetic
 * (H. Hinnant's algorithms), the product's certification rule
 * (completion + 1 year, Feb 29 + 1 year is Feb 28, - 1 day), and the
 * programs' today, computed in CANSD_TEST_TIMEZONE (what the pool runs
 * with), else CANSD_TIMEZONE, else America/Chicago.
 */
#ifndef CANSD_TEST_CALENDAR_H
#define CANSD_TEST_CALENDAR_H

struct ymd {
	int y, m, d;
};

/* A date as "YYYY-MM-DD", by value so it can be used inline. */
struct ymd_text {
	char s[16];
};

/* Days since 1970-01-01 of a civil date, and back. */
long days_from_civil(struct ymd c);
struct ymd civil_from_days(long z);

struct ymd add_days(struct ymd c, long n);
int month_length(int y, int m);

/* Calendar years, the day clamped to the month: 2024-02-29 + 1 year = 2025-02-28. */
struct ymd add_years(struct ymd c, int n);

/* The last day a completion on c keeps its holder current: c + 1 year - 1 day. */
struct ymd certified_until(struct ymd c);

/* A completion day whose certified_until is target (searched, since the rule clamps). */
struct ymd completion_for_until(struct ymd target);

struct ymd_text fmt(struct ymd c);

/* The programs' time zone. */
const char *program_zone(void);

/* Today in the programs' time zone (sets TZ to it). */
struct ymd today(void);

#endif
