#include "report_format.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool report_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int report_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* from the first day of first_month to the last day of last_month */
static void report_span(struct report_period *out, int year, int first_month, int last_month)
{
	snprintf(out->from, sizeof(out->from), "%04d-%02d-01", year, first_month);
	snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", year, last_month,
		 report_days_in_month(year, last_month));
}

static int report_year(const char *text)
{
	int year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
		   (text[3] - '0');

	return year >= 1900 ? year : -1;
}

bool report_month_parse(const char *text, struct report_period *out)
{
	int year, month;

	if (!text || strlen(text) != 7 || text[4] != '-' || !report_digits(text, 4) ||
	    !report_digits(text + 5, 2))
		return false;
	year = report_year(text);
	month = (text[5] - '0') * 10 + (text[6] - '0');
	if (year < 0 || month < 1 || month > 12)
		return false;
	out->kind = "month";
	memcpy(out->label, text, 8);
	report_span(out, year, month, month);
	return true;
}

bool report_quarter_parse(const char *text, struct report_period *out)
{
	int year, quarter;

	if (!text || strlen(text) != 7 || text[4] != '-' || text[5] != 'Q' ||
	    !report_digits(text, 4) || text[6] < '1' || text[6] > '4')
		return false;
	year = report_year(text);
	if (year < 0)
		return false;
	quarter = text[6] - '0';
	out->kind = "quarter";
	memcpy(out->label, text, 8);
	report_span(out, year, quarter * 3 - 2, quarter * 3);
	return true;
}

bool report_accepts_csv(const char *accept)
{
	const char *p = accept;

	/* A media range is "type/subtype" up to ';', ',' or a space. */
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "text/csv", 8) == 0 &&
		    (p[8] == '\0' || p[8] == ';' || p[8] == ',' || p[8] == ' '))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

/* A figure name needs quotes only if an item code ever held a comma or quote. */
static void report_csv_name(struct buf *out, const char *name)
{
	if (strpbrk(name, ",\"\r\n") == NULL) {
		buf_puts(out, name);
		return;
	}
	buf_puts(out, "\"");
	for (const char *p = name; *p; p++) {
		buf_append(out, p, 1);
		if (*p == '"')
			buf_append(out, p, 1);
	}
	buf_puts(out, "\"");
}

static void report_csv_row(struct buf *out, const char *path, const json_t *value)
{
	report_csv_name(out, path);
	buf_puts(out, ",");
	if (json_is_integer(value))
		buf_printf(out, "%lld", (long long)json_integer_value(value));
	else if (json_is_real(value))
		/* 15 digits: what the database sent (rounded), not binary noise */
		buf_printf(out, "%.15g", json_real_value(value));
	buf_puts(out, "\r\n");
}

static void report_csv_walk(struct buf *out, const char *path, const json_t *value)
{
	char child[256];
	const char *key;
	const json_t *member;
	size_t index;

	if (json_is_number(value) || json_is_null(value)) {
		report_csv_row(out, path, value);
	} else if (json_is_object(value)) {
		json_object_foreach ((json_t *)value, key, member) {
			snprintf(child, sizeof(child), "%s%s%s", path, *path ? "." : "", key);
			report_csv_walk(out, child, member);
		}
	} else if (json_is_array(value)) {
		json_array_foreach (value, index, member) {
			const json_t *name = json_object_get(member, "item");

			if (json_is_string(name))
				snprintf(child, sizeof(child), "%s.%s", path,
					 json_string_value(name));
			else
				snprintf(child, sizeof(child), "%s.%zu", path, index);
			report_csv_walk(out, child, member);
		}
	}
	/* strings and booleans are names or flags, not figures */
}

bool report_csv(const json_t *report, struct buf *out)
{
	const json_t *figures = json_object_get(report, "figures");

	if (!json_is_object(figures))
		return false;
	buf_puts(out, "figure,value\r\n");
	report_csv_walk(out, "", figures);
	return true;
}

const char *report_csv_filename(struct arena *arena, const json_t *report)
{
	const char *label =
		json_string_value(json_object_get(json_object_get(report, "period"), "label"));
	const char *program = json_string_value(json_object_get(report, "program"));
	const char *scope = json_string_value(json_object_get(report, "scope"));

	return arena_printf(arena, "cansd-report-%s-%s%s.csv", label ? label : "period",
			    program ? program : "all",
			    scope && strcmp(scope, "team") == 0 ? "-team" : "");
}
