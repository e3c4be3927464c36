/*
 * A codec for report bodies (docs/REPORTS.md): the period a text names
 * (YYYY-MM, YYYY-Qn) and the CSV form of a report's figures. Pure: no I/O,
 * no database, no request.
 */
#ifndef CANSD_REPORT_FORMAT_H
#define CANSD_REPORT_FORMAT_H

#include <stdbool.h>

#include <jansson.h>

#include "arena.h"

struct report_period {
	const char *kind; /* "month" or "quarter" */
	char label[8];    /* "2026-11" or "2026-Q4" */
	char from[32];    /* first day, YYYY-MM-DD (room for any int: -Wformat-truncation) */
	char to[32];      /* last day */
};

/* "YYYY-MM" (years 1900-9999, months 01-12); false for anything else. */
bool report_month_parse(const char *text, struct report_period *out);

/* "YYYY-Qn" (n 1-4; a lower-case q is refused like any other form). */
bool report_quarter_parse(const char *text, struct report_period *out);

/* true when an Accept header asks for text/csv (any parameters, any case). */
bool report_accepts_csv(const char *accept);

/*
 * Appends the CSV of report->figures to out: "figure,value" then one row per
 * number (or null) named by its JSON path below figures; an element of an
 * array of objects with an "item" member is named by that member
 * (items.SEXUAL_ABUSE.share); strings (an item's "scale") are names, not
 * figures, and give no row. Null is an empty value. false when report has
 * no figures object.
 */
bool report_csv(const json_t *report, struct buf *out);

/* cansd-report-<label>-<program or all>[-team].csv, for Content-Disposition. */
const char *report_csv_filename(struct arena *arena, const json_t *report);

#endif
