/*
 * Training records: the certification office records and corrects
 * completions (every correction kept with its reason) and imports them in
 * bulk as CSV; the user, their supervisor, the office and program admins
 * read them. Row-level security decides scope, so a user or record out of
 * the caller's reach is a 404 like one that does not exist.
 *
 * The import is all or nothing and names every bad row. It is built for
 * 100,000 rows: the file is parsed here, in place, into one JSON array of
 * rows sent as a parameter of one SQL call, which validates with
 * set-based joins and inserts with one INSERT ... SELECT. Checks that need
 * no data (CSV syntax, column count, dates, scores) happen here; those that
 * do (usernames, training codes, "not in the future" in the programs' time
 * zone) happen in SQL, which merges both lists into one 422.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv.h"
#include "../core/db.h"
#include "../core/json_schema.h"
#include "../core/problem.h"
#include "../core/utf8.h"
#include "common.h"
#include "handlers.h"
#include "schemas.h"

const struct json_field training_record_create_body[] = {
	{"training_code", JF_STRING, JF_REQUIRED, 1, 64, NULL},
	{"completed_on", JF_DATE, JF_REQUIRED | JF_NOT_FUTURE, 0, 0, NULL},
	{"score", JF_NUMBER, JF_NULLABLE, 0, 100, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

/* score null clears it; completed_on cannot be cleared. */
static const struct json_field update_fields[] = {
	{"completed_on", JF_DATE, JF_NOT_FUTURE, 0, 0, NULL},
	{"score", JF_NUMBER, JF_NULLABLE, 0, 100, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 1, 1000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

int training_records_update(struct request *req)
{
	static const struct field_error nothing = {"completed_on", "required",
						   "give completed_on, score or both to correct"};
	const char *params[3];
	json_t *body;
	int status;

	if ((status = json_body(req, update_fields, &body)))
		return status;
	if (!json_object_get(body, "completed_on") && !json_object_get(body, "score"))
		return problem_errors(req, 400, PROBLEM_VALIDATION,
				      "The request body breaks the rules of this endpoint.",
				      &nothing, 1);
	if ((status = if_match_version(req, &params[2])))
		return status;
	params[0] = req->path_params[0];
	params[1] = json_text(req, body);
	return db_respond(req, db_call_as(req, "training_records_update", 3, params), 200);
}

/* --- the CSV import ----------------------------------------------------- */

#define IMPORT_COLUMNS 4
/*
 * Every bad row is named up to this many problems (the size of the file the
 * service is built for); past it the 422 says errors_truncated.
 */
#define IMPORT_MAX_ERRORS 100000
#define IMPORT_STRINGIFY(x) #x
#define IMPORT_TEXT(x) IMPORT_STRINGIFY(x)
#define IMPORT_SCORE_MAX_LEN 16

static const char *const import_header[IMPORT_COLUMNS] = {"username", "training_code",
							  "completed_on", "score"};

/*
 * The SQL parameters being built, as JSON text: the rows it could read,
 * [[row, username, training_code, completed_on, score], ...] (a date or
 * score it refused is null), and its findings, [{"row","ord","code",
 * "message"}, ...]. Each element is made with jansson and appended as text
 * at once, so 100,000 rows never stand in memory as a tree.
 */
struct import {
	struct buf rows;
	struct buf errors;
	size_t n_errors;
};

static void import_init(struct import *im, struct arena *arena)
{
	buf_init(&im->rows, arena);
	buf_puts(&im->rows, "[");
	buf_init(&im->errors, arena);
	buf_puts(&im->errors, "[");
	im->n_errors = 0;
}

/* Appends value (taken over) to the JSON array being built in b. */
static void import_append(struct buf *b, json_t *value)
{
	char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;

	if (!text)
		abort(); /* out of memory: as arena_alloc does */
	if (b->len > 1)
		buf_append(b, ",", 1);
	buf_puts(b, text);
	free(text);
	json_decref(value);
}

/* f with ASCII letters lower-cased, copied into the request's arena. */
static struct csv_field import_lower(struct import *im, struct csv_field f)
{
	char *copy = arena_strndup(im->rows.arena, f.data, f.len);
	size_t i;

	for (i = 0; i < f.len; i++)
		if (copy[i] >= 'A' && copy[i] <= 'Z')
			copy[i] = (char)(copy[i] - 'A' + 'a');
	f.data = copy;
	return f;
}

/* ord orders a row's problems: 0 the row itself, 1..4 its columns. */
static void import_error(struct import *im, size_t row, int ord, const char *code,
			 const char *message)
{
	if (im->n_errors++ >= IMPORT_MAX_ERRORS)
		return;
	import_append(&im->errors, json_pack("{s:I, s:i, s:s, s:s}", "row", (json_int_t)row, "ord",
					     ord, "code", code, "message", message));
}

/* "95", "87.5", ".5": a plain decimal from 0 to 100, no sign, no exponent. */
static bool import_score_ok(struct csv_field f)
{
	char text[IMPORT_SCORE_MAX_LEN + 1];
	size_t i, digits = 0, dots = 0;

	if (f.len == 0 || f.len > IMPORT_SCORE_MAX_LEN)
		return false;
	for (i = 0; i < f.len; i++) {
		if (f.data[i] == '.')
			dots++;
		else if (f.data[i] >= '0' && f.data[i] <= '9')
			digits++;
		else
			return false;
	}
	if (digits == 0 || dots > 1)
		return false;
	memcpy(text, f.data, f.len);
	text[f.len] = '\0';
	return strtod(text, NULL) <= 100.0;
}

static bool import_date_ok(struct csv_field f)
{
	char text[11];

	if (f.len != 10)
		return false;
	memcpy(text, f.data, 10);
	text[10] = '\0';
	return json_is_date(text);
}

/*
 * Checks one data row's shape and the columns that need no data, and queues
 * it for SQL unless it cannot be sent at all (not UTF-8).
 */
static void import_row(struct import *im, size_t row, struct csv_field *fields)
{
	static const char *const bad_text[IMPORT_COLUMNS] = {
		"username is not UTF-8 text", "training_code is not UTF-8 text",
		"completed_on is not UTF-8 text", "score is not UTF-8 text"};
	struct csv_field username;
	int i;
	bool sendable = true, day_ok = true, score_ok = true;

	for (i = 0; i < IMPORT_COLUMNS; i++) {
		fields[i] = csv_trim(fields[i]);
		if (!utf8_valid(fields[i].data, fields[i].len)) {
			import_error(im, row, i + 1, "invalid_text", bad_text[i]);
			sendable = false;
		}
	}
	if (!sendable)
		return;
	/* Usernames are stored lower-case, and login folds case the same way. */
	username = import_lower(im, fields[0]);
	if (!import_date_ok(fields[2])) {
		import_error(im, row, 3, "invalid_date",
			     "completed_on must be a real calendar date YYYY-MM-DD");
		day_ok = false;
	}
	if (fields[3].len > 0 && !import_score_ok(fields[3])) {
		import_error(im, row, 4, "invalid_score",
			     "score must be empty or a number from 0 to 100");
		score_ok = false;
	}
	/* The score stays text: numeric reads it as written, with no binary rounding. */
	import_append(&im->rows,
		      json_pack("[I, s%, s%, o, o]", (json_int_t)row, username.data, username.len,
				fields[1].data, fields[1].len,
				day_ok ? json_stringn(fields[2].data, fields[2].len) : json_null(),
				score_ok && fields[3].len > 0
					? json_stringn(fields[3].data, fields[3].len)
					: json_null()));
}

static bool import_header_ok(enum csv_result res, const struct csv_field *fields, size_t n)
{
	size_t i;

	if (res != CSV_RECORD || n != IMPORT_COLUMNS)
		return false;
	for (i = 0; i < IMPORT_COLUMNS; i++)
		if (!csv_field_is(csv_trim(fields[i]), import_header[i]))
			return false;
	return true;
}

int training_records_import(struct request *req)
{
	static const struct field_error bad_header = {
		"header", "invalid_header",
		"the first line must be exactly username,training_code,completed_on,score"};
	struct csv_field fields[IMPORT_COLUMNS];
	struct csv_reader reader;
	char empty[1] = "";
	struct import im;
	enum csv_result res;
	const char *params[3];
	const char *why;
	size_t n, row = 0;

	csv_reader_init(&reader, req->body ? req->body : empty, req->body ? req->body_len : 0);
	res = csv_next(&reader, fields, IMPORT_COLUMNS, &n, &why);
	/* Without the header the columns mean nothing: report it alone. */
	if (!import_header_ok(res, fields, n))
		return problem_errors(req, 422, PROBLEM_VALIDATION,
				      "The CSV header is wrong; nothing was imported.", &bad_header,
				      1);
	import_init(&im, req->arena);
	/* Rows are numbered from 1 after the header; blank lines keep their number. */
	while ((res = csv_next(&reader, fields, IMPORT_COLUMNS, &n, &why)) != CSV_END) {
		row++;
		if (res == CSV_BLANK)
			continue;
		if (res == CSV_MALFORMED)
			import_error(&im, row, 0, "malformed_csv", why);
		else if (n != IMPORT_COLUMNS)
			import_error(&im, row, 0, "column_count",
				     arena_printf(req->arena,
						  "has %zu columns; expected 4: "
						  "username,training_code,completed_on,score",
						  n));
		else
			import_row(&im, row, fields);
	}
	buf_puts(&im.rows, "]");
	buf_puts(&im.errors, "]");
	params[0] = im.rows.data;
	params[1] = im.errors.data;
	params[2] = IMPORT_TEXT(IMPORT_MAX_ERRORS);
	return db_respond(req, db_call_as(req, "training_records_import", 3, params), 200);
}
