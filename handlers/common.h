/* Small pieces several handlers share: paging, If-Match, JSON text. */
#ifndef CANSD_HANDLERS_COMMON_H
#define CANSD_HANDLERS_COMMON_H

#include <jansson.h>

#include "../core/request.h"

#define PAGE_DEFAULT_LIMIT "50"
#define PAGE_MAX_LIMIT 500

/*
 * Reads ?limit= and ?cursor= and refuses any query parameter not in
 * allowed (which must list "limit" and "cursor" too). Returns 0, or the
 * status of the 400 written.
 */
int page_params(struct request *req, const char *const *allowed, const char **limit,
		const char **cursor);

/*
 * The version an If-Match names: NULL when absent or "*", the digits of
 * "N" or W/"N" otherwise. A header naming no version of ours gets the 412
 * here. Returns 0 or the status written.
 */
int if_match_version(struct request *req, const char **version);

/* The object as compact JSON text in the arena. */
const char *json_text(struct request *req, const json_t *value);

/* ?name= as a decimal id: NULL when absent; 400 written (status in *status) when bad. */
const char *query_id(struct request *req, const char *name, int *status);

/*
 * ?name= as one of allowed (NULL-ended): NULL when absent; 400 written when
 * not, with refusal as its detail (NULL: "name is not one of its allowed values.").
 */
const char *query_enum(struct request *req, const char *name, const char *const *allowed,
		       const char *refusal, int *status);

#endif
