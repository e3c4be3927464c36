#include "vocabulary.h"

#include <stddef.h>

const char *const case_statuses[] = {"open", "extension_requested", "closed", NULL};
const char *const member_kinds[] = {"child", "caregiver", "collateral", NULL};
const char *const assessment_statuses[] = {"draft", "submitted", "returned", "approved", NULL};
const char *const assessment_reasons[] = {"initial", "extension", "case_close", NULL};
const char *const account_request_statuses[] = {"pending", "approved", "rejected", NULL};
const char *const qc_review_outcomes[] = {"pass", "needs_follow_up", NULL};
const char *const qc_follow_up_statuses[] = {"open", "closed", NULL};
