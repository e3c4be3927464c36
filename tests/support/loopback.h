/*
 * A listening TCP socket on 127.0.0.1 for the tests that play a server: an
 * attacker's key server, a port a library must never connect to.
 */
#ifndef CANSD_TEST_LOOPBACK_H
#define CANSD_TEST_LOOPBACK_H

/*
 * Listens on a free port of 20000-32767 (the range of tests/lib/free_port.sh)
 * with the given backlog; returns the socket and sets *port, or -1 when no
 * port of the range was free after many tries.
 */
int loopback_listen(int backlog, int *port);

#endif
