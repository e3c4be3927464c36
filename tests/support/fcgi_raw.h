/*
 * A minimal FastCGI client for tests that must talk to the pool as a peer
 * other than nginx would (e.g. a forged REMOTE_ADDR), straight to its unix
 * socket: one request, one connection.
 */
#ifndef CANSD_TEST_FCGI_RAW_H
#define CANSD_TEST_FCGI_RAW_H

#include <stddef.h>

struct fcgi_raw_response {
	int status;   /* from the Status: header, 0 when none */
	char *output; /* everything the worker wrote on stdout, NUL-ended, malloc'd */
	size_t len;
};

/*
 * Sends GET/POST... method uri with the given REMOTE_ADDR (and no body) to
 * the unix socket at socket_path. Returns 0, or -1 when the socket cannot
 * be reached or the answer is cut short.
 */
int fcgi_raw_request(const char *socket_path, const char *method, const char *uri,
		     const char *remote_addr, struct fcgi_raw_response *out);

void fcgi_raw_free(struct fcgi_raw_response *r);

#endif
