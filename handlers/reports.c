/*
 * GET /reports/monthly and /reports/quarterly: the figures of the report body
 * (openapi.yaml, schema Report), defined in docs/REPORTS.md and computed by
 * one SQL call (sql/functions/reports.sql) on the reports connection (a
 * replica when CANSD_REPORTS_DATABASE_URL is set). Scope (all or team) is the
 * database's decision from the caller's roles; the route table already
 * refused workers and the certification office. JSON, or CSV with Accept:
 * text/csv.
 */
#include <string.h>

#include "../core/db.h"
#include "../core/problem.h"
#include "../core/report_format.h"
#include "../core/roles.h"
#include "common.h"
#include "handlers.h"

static void report_free_json(void *value)
{
	json_decref(value);
}

/* The JSON body as CSV; the JSON is ours, so a parse failure is a 500. */
static int report_respond_csv(struct request *req, const char *json, size_t len)
{
	json_t *report = json_loadb(json, len, 0, NULL);
	struct buf csv;

	if (!report)
		return problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
	arena_defer(req->arena, report_free_json, report);
	buf_init(&csv, req->arena);
	if (!report_csv(report, &csv))
		return problem(req, 500, PROBLEM_INTERNAL, "An internal error occurred.");
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"%s\"",
				     report_csv_filename(req->arena, report)));
	return response_text(req, 200, "text/csv; charset=utf-8", csv.data ? csv.data : "",
			     csv.len);
}

/*
 * The query of both routes into the statement's parameters: kind, label,
 * first day, last day, program (NULL: every program). Returns 0 or the 400
 * written.
 */
static int report_params(struct request *req, const char *period_param,
			 bool (*parse)(const char *, struct report_period *), const char **params)
{
	const char *allowed[] = {period_param, "program", NULL};
	const char *unknown = NULL, *text;
	struct report_period period;
	int status;

	if (request_query_has_unknown(req, allowed, &unknown))
		return problem(req, 400, PROBLEM_MALFORMED, "Unknown query parameter '%s'.",
			       unknown);
	text = request_query_param(req, period_param);
	if (!text || !parse(text, &period))
		return problem(req, 400, PROBLEM_MALFORMED, "%s is required, as %s.", period_param,
			       strcmp(period_param, "month") == 0 ? "YYYY-MM" : "YYYY-Qn (n 1-4)");
	params[0] = period.kind;
	params[1] = arena_strdup(req->arena, period.label);
	params[2] = arena_strdup(req->arena, period.from);
	params[3] = arena_strdup(req->arena, period.to);
	params[4] = query_enum(req, "program", program_names, NULL, &status);
	return status;
}

static int report_respond(struct request *req, PGresult *res)
{
	if (!res || PQntuples(res) < 1 || PQgetisnull(res, 0, 0) ||
	    !report_accepts_csv(req->accept))
		return db_respond(req, res, 200);
	return report_respond_csv(req, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

int reports_monthly(struct request *req)
{
	const char *params[5];
	int status;

	if ((status = report_params(req, "month", report_month_parse, params)))
		return status;
	return report_respond(req, db_call_reports_as(req, "reports_monthly", 5, params));
}

int reports_quarterly(struct request *req)
{
	const char *params[5];
	int status;

	if ((status = report_params(req, "quarter", report_quarter_parse, params)))
		return status;
	return report_respond(req, db_call_reports_as(req, "reports_quarterly", 5, params));
}
