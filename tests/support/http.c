#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

const char *test_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "integration tests need %s (run them through make test)\n", name);
		exit(2);
	}
	return v;
}

struct growing {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct growing *g = userdata;
	size_t n = size * nmemb;
	char *p = realloc(g->data, g->len + n + 1);

	if (!p)
		abort();
	memcpy(p + g->len, ptr, n);
	g->data = p;
	g->len += n;
	g->data[g->len] = '\0';
	return n;
}

void http_call(struct http_response *out, const char *method, const char *path, const char *token,
	       const char *const *headers, const char *body, size_t body_len)
{
	struct growing b = {NULL, 0}, h = {NULL, 0};
	struct curl_slist *list = NULL;
	char url[8192], auth[16384];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (!curl)
		abort();
	snprintf(url, sizeof(url), "%s%s", test_env("CANSD_TEST_BASE_URL"), path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		list = curl_slist_append(list, auth);
	}
	for (; headers && *headers; headers++)
		list = curl_slist_append(list, *headers);
	/* curl adds Expect: 100-continue to big bodies; nginx handles it, but it slows tests. */
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "%s %s: %s\n", method, url, curl_easy_strerror(rc));
		exit(3);
	}
	memset(out, 0, sizeof(*out));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = b.data ? b.data : strdup("");
	out->body_len = b.len;
	out->headers = h.data ? h.data : strdup("");
	out->json = json_loadb(out->body, out->body_len, 0, NULL);
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
}

void http_json(struct http_response *out, const char *method, const char *path, const char *token,
	       const char *json)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};

	http_call(out, method, path, token, headers, json, json ? strlen(json) : 0);
}

void http_free(struct http_response *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *http_header(const struct http_response *r, const char *name)
{
	size_t n = strlen(name);
	const char *line = r->headers;

	while (line && *line) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			return strndup(v, len - (size_t)(v - line));
		}
		line = end ? end + 2 : NULL;
	}
	return NULL;
}

const char *http_problem(const struct http_response *r)
{
	const char *type = json_string_value(json_object_get(r->json, "type"));
	const char *slash = type ? strrchr(type, '/') : NULL;

	return slash ? slash + 1 : "";
}

char *http_login(const char *username, const char *password, char **refresh_token)
{
	struct http_response r;
	char *body, *token = NULL;
	json_t *req = json_pack("{s:s, s:s}", "username", username, "password", password);

	body = json_dumps(req, JSON_COMPACT);
	http_json(&r, "POST", "/api/v1/auth/login", NULL, body);
	if (r.status == 200) {
		token = strdup(json_string_value(json_object_get(r.json, "access_token")));
		if (refresh_token)
			*refresh_token =
				strdup(json_string_value(json_object_get(r.json, "refresh_token")));
	} else {
		fprintf(stderr, "login %s: %ld %s\n", username, r.status, r.body);
	}
	http_free(&r);
	free(body);
	json_decref(req);
	return token;
}

char *http_admin_token(void)
{
	free(test_psql("DELETE FROM cansd.login_failures WHERE client_addr = '127.0.0.1'"));
	return http_login("admin", test_env("CANSD_TEST_ADMIN_PASSWORD"), NULL);
}

char *http_create_user(const char *admin_token, const char *username, const char *roles_json,
		       const char *supervisor_id, const char *password)
{
	struct http_response r;
	char body[4096], *id = NULL;

	snprintf(body, sizeof(body),
		 "{\"username\":\"%s\",\"full_name\":\"Test %s\",\"email\":\"%s@example.org\","
		 "\"roles\":%s,\"supervisor_id\":%s%s%s,\"program\":\"IPS\",\"password\":\"%s\"}",
		 username, username, username, roles_json, supervisor_id ? "\"" : "",
		 supervisor_id ? supervisor_id : "null", supervisor_id ? "\"" : "", password);
	http_json(&r, "POST", "/api/v1/users", admin_token, body);
	if (r.status == 201)
		id = strdup(json_string_value(json_object_get(r.json, "id")));
	else
		fprintf(stderr, "create user %s: %ld %s\n", username, r.status, r.body);
	http_free(&r);
	return id;
}

char *test_psql(const char *sql)
{
	char cmd[512], *out = NULL;
	size_t len = 0;
	FILE *p, *mem;
	int c;

	/* The SQL goes through a file, never through the shell. */
	char path[] = "/tmp/cansd-test-sql-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, sql, strlen(sql)) != (ssize_t)strlen(sql))
		abort();
	close(fd);
	/* psql runs as postgres and must read it. */
	if (chmod(path, 0644))
		abort();
	snprintf(cmd, sizeof(cmd), "%s -v ON_ERROR_STOP=1 -f %s", test_env("CANSD_TEST_PSQL"),
		 path);
	p = popen(cmd, "r");
	mem = open_memstream(&out, &len);
	if (!p || !mem)
		abort();
	while ((c = fgetc(p)) != EOF)
		fputc(c, mem);
	pclose(p);
	fclose(mem);
	unlink(path);
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	return out;
}

int test_shell(const char *command)
{
	int rc = system(command);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

const char *test_unique(const char *prefix)
{
	static char names[64][64];
	static int n;
	char *name = names[n++ % 64];

	snprintf(name, 64, "%s%d.%d", prefix, (int)getpid(), n);
	return name;
}
