#include "raw_http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmocka.h>

static int nginx_port(void)
{
	const char *url = test_env("CANSD_TEST_BASE_URL");
	const char *colon = strrchr(url, ':');

	assert_non_null(colon);
	return atoi(colon + 1);
}

char *raw_exchange(const char *request, size_t len)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)nginx_port())};
	struct timeval timeout = {.tv_sec = 10};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t cap = 65536, n = 0;
	char *out = malloc(cap + 1);
	ssize_t got;

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_true(write(fd, request, len) == (ssize_t)len);
	while (n < cap && (got = read(fd, out + n, cap - n)) > 0)
		n += (size_t)got;
	close(fd);
	out[n] = '\0';
	return out;
}

void raw_call(struct http_response *out, const char *request, size_t len)
{
	char *answer = raw_exchange(request, len);
	char *blank = strstr(answer, "\r\n\r\n");

	memset(out, 0, sizeof(*out));
	assert_int_equal(strncmp(answer, "HTTP/1.1 ", 9), 0);
	out->status = atol(answer + 9);
	assert_non_null(blank);
	out->headers = strndup(answer, (size_t)(blank - answer) + 2);
	out->body = strdup(blank + 4);
	out->body_len = strlen(out->body);
	out->json = json_loads(out->body, 0, NULL);
	free(answer);
}
