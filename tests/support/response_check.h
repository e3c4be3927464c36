/* Small checks of API responses the integration tests share. */
#ifndef CANSD_TEST_RESPONSE_CHECK_H
#define CANSD_TEST_RESPONSE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "http.h"

/* r's status is status (the body printed when it is not). */
void assert_status(const struct http_response *r, long status);

/* Whether the JSON array holds the string s. */
bool has_string(const json_t *array, const char *s);

/* errors[] of a validation problem names field. */
bool error_names(const struct http_response *r, const char *field);

/* The string member key of obj, or NULL. */
const char *str(const json_t *obj, const char *key);

/* The item of items whose key is value, or NULL. */
json_t *item_with(const json_t *items, const char *key, const char *value);

/*
 * A list page's next_cursor copied into cursor ("" on the last page; the
 * test fails when it does not fit); returns whether there is a next page.
 */
bool next_cursor(const struct http_response *r, char *cursor, size_t cap);

/* What list_walk saw: pages fetched and items on them. */
struct list_seen {
	int pages;
	size_t items;
};

/*
 * GETs the list at path (its query already begun: "...?limit=500") as
 * token, page after page by next_cursor (each asserted 200, at most
 * max_pages), filling seen when not NULL. With key, it stops at the first
 * item whose key is value and returns it (json_decref it); NULL when no
 * page has one, or without key.
 */
json_t *list_walk(const char *token, const char *path, const char *key, const char *value,
		  int max_pages, struct list_seen *seen);

#endif
