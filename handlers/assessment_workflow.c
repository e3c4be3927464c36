/*
 * The bodies of the approval chain: the author submits a complete CANS to a
 * supervisor (their own, or one they name); the supervisor it is routed to
 * approves it or returns it with a comment; the author or that supervisor
 * reroutes it to another. Submit and approve may come without a body (the
 * rows say CALL_BODY_OPTIONAL). The state checks, the lock that lets one of
 * concurrent approvals win, QC on submit and the history events are in
 * sql/functions/assessments.sql.
 */
#include "schemas.h"

const struct json_field assessment_submit_body[] = {
	{"supervisor_id", JF_ID, JF_NULLABLE, 0, 0, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field assessment_approve_body[] = {
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field assessment_return_body[] = {
	{"comment", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};

const struct json_field assessment_reroute_body[] = {
	{"supervisor_id", JF_ID, JF_REQUIRED, 0, 0, NULL},
	{"reason", JF_STRING, JF_REQUIRED, 1, 4000, NULL},
	{NULL, JF_STRING, 0, 0, 0, NULL},
};
