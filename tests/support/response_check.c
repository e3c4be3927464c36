#include "response_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

void assert_status(const struct http_response *r, long status)
{
	if (r->status != status)
		fprintf(stderr, "expected %ld, got %ld: %s\n", status, r->status, r->body);
	assert_int_equal(r->status, status);
}

bool has_string(const json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (array, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

bool error_names(const struct http_response *r, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach (json_object_get(r->json, "errors"), i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));

		if (f && strcmp(f, field) == 0)
			return true;
	}
	return false;
}

const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

json_t *item_with(const json_t *items, const char *key, const char *value)
{
	size_t i;
	json_t *it;

	json_array_foreach (items, i, it) {
		const char *v = str(it, key);

		if (v && strcmp(v, value) == 0)
			return it;
	}
	return NULL;
}

bool next_cursor(const struct http_response *r, char *cursor, size_t cap)
{
	const json_t *next = r->json ? json_object_get(r->json, "next_cursor") : NULL;

	cursor[0] = '\0';
	if (!json_is_string(next))
		return false;
	assert_true(strlen(json_string_value(next)) < cap);
	snprintf(cursor, cap, "%s", json_string_value(next));
	return true;
}

json_t *list_walk(const char *token, const char *path, const char *key, const char *value,
		  int max_pages, struct list_seen *seen)
{
	struct http_response r;
	struct list_seen count = {0, 0};
	char page[1024], cursor[512] = "";
	json_t *found = NULL;
	bool more = true;

	while (more && !found && count.pages < max_pages) {
		const json_t *items;

		snprintf(page, sizeof(page), "%s%s%s", path, *cursor ? "&cursor=" : "", cursor);
		http_call(&r, "GET", page, token, NULL, NULL, 0);
		assert_status(&r, 200);
		items = json_object_get(r.json, "items");
		count.pages++;
		count.items += json_array_size(items);
		if (key && (found = item_with(items, key, value)))
			json_incref(found);
		more = next_cursor(&r, cursor, sizeof(cursor));
		http_free(&r);
	}
	if (seen)
		*seen = count;
	return found;
}
