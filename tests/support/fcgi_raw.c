#include "fcgi_raw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6
};

/* Appends one record of type with content to buf at *len (content < 65536). */
static void put_record(unsigned char *buf, size_t *len, int type, const void *content, size_t n)
{
	unsigned char *h = buf + *len;

	h[0] = 1; /* version */
	h[1] = (unsigned char)type;
	h[2] = 0; /* request id 1 */
	h[3] = 1;
	h[4] = (unsigned char)(n >> 8);
	h[5] = (unsigned char)n;
	h[6] = 0; /* no padding */
	h[7] = 0;
	memcpy(h + 8, content, n);
	*len += 8 + n;
}

/* One name-value pair, both shorter than 128 bytes. */
static void put_param(unsigned char *buf, size_t *len, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);

	buf[(*len)++] = (unsigned char)n;
	buf[(*len)++] = (unsigned char)v;
	memcpy(buf + *len, name, n);
	*len += n;
	memcpy(buf + *len, value, v);
	*len += v;
}

static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t got = read(fd, p, n);

		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int fcgi_raw_request(const char *socket_path, const char *method, const char *uri,
		     const char *remote_addr, struct fcgi_raw_response *out)
{
	static const unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0}; /* responder, no keep */
	unsigned char params[1024], msg[2048], head[8], body[65536 + 256];
	size_t plen = 0, mlen = 0;
	struct sockaddr_un addr;
	FILE *mem;
	int fd, done = 0;
	const char *status;

	memset(out, 0, sizeof(*out));
	put_param(params, &plen, "REQUEST_METHOD", method);
	put_param(params, &plen, "REQUEST_URI", uri);
	put_param(params, &plen, "QUERY_STRING", "");
	put_param(params, &plen, "SERVER_PROTOCOL", "HTTP/1.1");
	put_param(params, &plen, "REMOTE_ADDR", remote_addr);
	put_param(params, &plen, "REQUEST_ID", "0123456789abcdef0123456789abcdef");
	put_record(msg, &mlen, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	put_record(msg, &mlen, FCGI_PARAMS, params, plen);
	put_record(msg, &mlen, FCGI_PARAMS, "", 0);
	put_record(msg, &mlen, FCGI_STDIN, "", 0);

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    write(fd, msg, mlen) != (ssize_t)mlen) {
		close(fd);
		return -1;
	}
	mem = open_memstream(&out->output, &out->len);
	while (!done && read_full(fd, head, 8) == 0) {
		size_t n = ((size_t)head[4] << 8) | head[5], pad = head[6];

		if (read_full(fd, body, n + pad))
			break;
		if (head[1] == FCGI_STDOUT)
			fwrite(body, 1, n, mem);
		done = head[1] == FCGI_END_REQUEST;
	}
	close(fd);
	fclose(mem);
	if (!done)
		return -1;
	status = strstr(out->output, "Status: ");
	if (status)
		out->status = atoi(status + strlen("Status: "));
	return 0;
}

void fcgi_raw_free(struct fcgi_raw_response *r)
{
	free(r->output);
	memset(r, 0, sizeof(*r));
}
