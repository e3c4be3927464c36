/*
 * Ports below the kernel's ephemeral range (32768-60999): no outgoing
 * connection of this or any other test is ever given one, so a port a test
 * chose stays its own. bind() is the check that it is free; a taken one
 * means another try, never a failed test.
 */
#include "loopback.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define PORT_FIRST 20000
#define PORT_COUNT 12768 /* through 32767 */
#define TRIES 200

int loopback_listen(int backlog, int *port)
{
	static unsigned seed;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	int fd, i;

	if (!seed)
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < TRIES; i++) {
		int candidate = PORT_FIRST + rand_r(&seed) % PORT_COUNT;

		addr.sin_port = htons((uint16_t)candidate);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
		    listen(fd, backlog) == 0) {
			*port = candidate;
			return fd;
		}
		close(fd);
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}
