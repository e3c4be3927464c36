/*
 * What integration tests use to drive the real stack over HTTP (libcurl,
 * through nginx) and to reach the test database as its superuser.
 */
#ifndef CANSD_TEST_HTTP_H
#define CANSD_TEST_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct http_response {
	long status;
	char *body;
	size_t body_len;
	char *headers; /* raw header block, "Name: value\r\n" lines */
	json_t *json;  /* parsed body when it is JSON, else NULL */
};

/*
 * Sends method path (relative to CANSD_TEST_BASE_URL) with extra header lines
 * (NULL-ended, may be NULL) and an optional body. token, when not NULL, goes
 * in Authorization: Bearer. Aborts the test binary if the server is unreachable.
 */
void http_call(struct http_response *out, const char *method, const char *path, const char *token,
	       const char *const *headers, const char *body, size_t body_len);

/* http_call with a JSON body (Content-Type: application/json). */
void http_json(struct http_response *out, const char *method, const char *path, const char *token,
	       const char *json);

void http_free(struct http_response *r);

/* The value of a response header (case-insensitive name), malloc'd, or NULL. */
char *http_header(const struct http_response *r, const char *name);

/* The problem name at the end of a problem body's type, or "". */
const char *http_problem(const struct http_response *r);

/* Logs in and returns the access token (malloc'd); refresh token too when wanted. */
char *http_login(const char *username, const char *password, char **refresh_token);

/*
 * The bootstrap admin's access token (malloc'd), after clearing failed
 * logins from 127.0.0.1: earlier test binaries may have used its budget.
 */
char *http_admin_token(void);

/* Creates a user as the given admin token and returns its id (malloc'd). */
char *http_create_user(const char *admin_token, const char *username, const char *roles_json,
		       const char *supervisor_id, const char *password);

/* Runs SQL as the test database's superuser; returns trimmed output, malloc'd. */
char *test_psql(const char *sql);

/* Runs a shell command with the test environment; returns its exit status. */
int test_shell(const char *command);

const char *test_env(const char *name);

/* A name unique to this test run, e.g. for usernames: prefix + pid + counter. */
const char *test_unique(const char *prefix);

#endif
