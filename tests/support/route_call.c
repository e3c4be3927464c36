#include "route_call.h"

#include <string.h>

#include "core/roles.h"

char *route_concrete_path(const struct route *route, const char *id, char *out, size_t size)
{
	const char *p = route->path;
	size_t len = 0, id_len = strlen(id);

	while (*p) {
		const char *close;

		if (*p == '{' && (close = strchr(p, '}'))) {
			if (len + id_len >= size)
				return NULL;
			memcpy(out + len, id, id_len);
			len += id_len;
			p = close + 1;
			continue;
		}
		if (len + 1 >= size)
			return NULL;
		out[len++] = *p++;
	}
	out[len] = '\0';
	return out;
}

void route_call(struct http_response *out, const struct route *route, const char *path,
		const char *token)
{
	static const char *const csv_type[] = {"Content-Type: text/csv", NULL};
	static const char csv[] = "username,training_code,completed_on,score\r\n";

	switch (route->body) {
	case BODY_JSON:
		http_json(out, route->method, path, token, "{}");
		break;
	case BODY_CSV:
		http_call(out, route->method, path, token, csv_type, csv, sizeof(csv) - 1);
		break;
	case BODY_NONE:
		http_call(out, route->method, path, token, NULL, NULL, 0);
		break;
	}
}

const char *route_first_role(unsigned mask)
{
	unsigned bit;

	for (bit = 1; bit && bit <= mask; bit <<= 1)
		if (mask & bit)
			return role_name(bit);
	return NULL;
}
