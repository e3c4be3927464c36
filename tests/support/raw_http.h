/*
 * Bytes sent to nginx as they are (what libcurl would refuse or fix): a
 * NUL in the query, a path not UTF-8, a URL too long, a malformed request.
 */
#ifndef CANSD_TEST_RAW_HTTP_H
#define CANSD_TEST_RAW_HTTP_H

#include <stddef.h>

#include "http.h"

/*
 * Sends request to nginx (CANSD_TEST_BASE_URL's port) and reads the whole
 * answer until nginx closes (malloc'd), so requests should say
 * "Connection: close".
 */
char *raw_exchange(const char *request, size_t len);

/* A raw exchange as an http_response: status, header block, body (http_free it). */
void raw_call(struct http_response *out, const char *request, size_t len);

#endif
