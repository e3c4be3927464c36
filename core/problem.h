/*
 * Every refusal is an RFC 9457 problem+json. The problem names are fixed by
 * the REST contract (openapi.yaml, schema Problem); handlers pick one of
 * these constants, never a free-form type.
 */
#ifndef CANSD_PROBLEM_H
#define CANSD_PROBLEM_H

#include <jansson.h>

#include "request.h"

#define PROBLEM_MALFORMED "malformed-request"
#define PROBLEM_VALIDATION "validation-failed"
#define PROBLEM_UNAUTHENTICATED "unauthenticated"
#define PROBLEM_FORBIDDEN "forbidden"
#define PROBLEM_CERTIFICATION "certification-required"
#define PROBLEM_NOT_FOUND "not-found"
#define PROBLEM_METHOD "method-not-allowed"
#define PROBLEM_CONFLICT "conflict"
#define PROBLEM_PRECONDITION "precondition-failed"
#define PROBLEM_TOO_LARGE "payload-too-large"
#define PROBLEM_MEDIA_TYPE "unsupported-media-type"
#define PROBLEM_INCOMPLETE "incomplete-assessment"
#define PROBLEM_RATE_LIMITED "rate-limited"
#define PROBLEM_UNAVAILABLE "service-unavailable"
#define PROBLEM_INTERNAL "internal-error"

#define PROBLEM_TYPE_BASE "https://cansd.example.org/problems/"

struct field_error {
	const char *field;
	const char *code;
	const char *message;
};

/* Writes the problem body into req->response and returns status. */
int problem(struct request *req, int status, const char *name, const char *detail_fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same, with the members of extra (an object, or NULL) joining the problem object. */
int problem_with_object(struct request *req, int status, const char *name, const char *detail,
			const json_t *extra);

/*
 * The same, with extra_json a JSON object's members without braces
 * ("\"errors\":[...]"), or NULL.
 */
int problem_with(struct request *req, int status, const char *name, const char *detail,
		 const char *extra_json);

/* 400 validation-failed (or another status/name) with errors[]. */
int problem_errors(struct request *req, int status, const char *name, const char *detail,
		   const struct field_error *errors, size_t n_errors);

const char *problem_title(int status, const char *name);

#endif
