/*
 * The accept loop. SIGTERM is blocked while a request is being handled and
 * open only around the accept, so a drain never cuts a request in half: the
 * signal interrupts an idle accept, or waits until the response is out. The
 * master repeats SIGTERM while draining, which closes the window between
 * unblocking and entering accept.
 */
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "../auth/identity_cache.h"
#include "../core/config.h"
#include "../core/db.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "dispatch.h"
#include "../core/problem.h"
#include "../core/route.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void read_body(struct request *req, size_t limit)
{
	FCGX_Request *fr = req->transport;
	size_t cap, len = 0;
	char *body;

	if (req->content_length > (long)limit) {
		req->body_too_large = true;
		return;
	}
	/* CONTENT_LENGTH only sizes the buffer; the stream decides the length. */
	cap = req->content_length > 0 ? (size_t)req->content_length : 0;
	body = arena_alloc(req->arena, cap + 2);
	while (len < cap) {
		int n = FCGX_GetStr(body + len, (int)(cap - len), fr->in);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* One byte more than announced means the length lied: refuse it. */
	if (len == cap && FCGX_GetStr(body + len, 1, fr->in) == 1)
		req->body_too_large = true;
	body[len] = '\0';
	req->body = body;
	req->body_len = len;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/* A client that went away is not an error worth more than a log line. */
static void write_response(FCGX_Request *fr, struct request *req)
{
	const struct response *r = &req->response;
	struct buf head;
	int i;

	buf_init(&head, req->arena);
	buf_printf(&head, "Status: %d %s\r\n", r->status, reason_phrase(r->status));
	if (r->content_type)
		buf_printf(&head, "Content-Type: %s\r\n", r->content_type);
	buf_puts(&head, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n");
	for (i = 0; i < r->n_headers; i++)
		buf_printf(&head, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	/* For HEAD too: the length GET's body has (RFC 9110 8.6), though none follows. */
	buf_printf(&head, "Content-Length: %zu\r\n\r\n", r->body.len);
	if (FCGX_PutStr(head.data, (int)head.len, fr->out) < 0 ||
	    (r->body.len && !req->head && FCGX_PutStr(r->body.data, (int)r->body.len, fr->out) < 0))
		log_msg("info", req->request_id, "client went away: %s",
			strerror(FCGX_GetError(fr->out)));
}

/* The route table, handed over by the entry point: the transport knows no handler. */
static const struct route *route_table;
static size_t route_count;

void worker_set_routes(const struct route *table, size_t count)
{
	route_table = table;
	route_count = count;
}

/* Returns whether the request's body is still unread (refused before reading it). */
static bool handle(FCGX_Request *fr, struct arena *arena)
{
	struct request req;

	request_init(&req, arena);
	if (request_from_params(&req, fr->envp)) {
		req.method = req.method ? req.method : "GET";
		problem(&req, 400, PROBLEM_MALFORMED, "The request line is unusable.");
	} else {
		req.read_body = read_body;
		req.transport = fr;
		dispatch(&req, route_table, route_count);
	}
	write_response(fr, &req);
	return req.content_length > 0 && !req.body;
}

/*
 * libfcgi closes a connection by shutting down its side and waiting (up to
 * 2 s) for nginx to close first, so no unread input turns the close into a
 * reset. Reading the input to its end first makes that wait pointless, and
 * skipping it frees the worker for the next request at once. A body refused
 * unread (an unauthenticated upload, nginx streaming it) is not drained:
 * that would wait for the whole upload. libfcgi's close sends the end of
 * the response, and nginx, which then has its answer, closes at once.
 */
static void finish(FCGX_Request *fr, bool body_unread)
{
	char discard[4096];

	if (body_unread) {
		FCGX_Finish_r(fr);
		return;
	}
	while (FCGX_GetStr(discard, sizeof(discard), fr->in) > 0)
		;
	if (FCGX_GetError(fr->in) == 0)
		fr->detached = 1; /* tells FCGX_Free to close without the lingering wait */
	FCGX_Finish_r(fr);
	fr->detached = 0;
}

int worker_main(int listen_fd)
{
	struct sigaction sa;
	sigset_t term, none;
	FCGX_Request fr;
	struct arena *arena;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: an idle accept must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &term, NULL);

	if (db_open(config->database_url, config->timezone, config->statement_timeout_ms))
		log_error("worker starts without a database; it will retry per request");
	if (config->reports_database_url &&
	    db_open_reports(config->reports_database_url, config->timezone,
			    config->statement_timeout_ms))
		log_error("worker starts without its reports database; it will retry per report");
	metrics_worker_started();
	FCGX_Init();
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR)) {
		log_error("FCGX_InitRequest failed");
		return 1;
	}
	arena = arena_new(64 * 1024);
	while (!stopping) {
		int rc;

		sigprocmask(SIG_UNBLOCK, &term, NULL);
		rc = stopping ? -1 : FCGX_Accept_r(&fr);
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (rc < 0) {
			if (!stopping && errno != EINTR) {
				log_error("accept failed: %s", strerror(errno));
				usleep(100 * 1000); /* never spin on a broken socket */
			}
			continue;
		}
		metrics_busy(1);
		finish(&fr, handle(&fr, arena));
		arena_reset(arena);
		metrics_busy(-1);
	}
	FCGX_Free(&fr, 1);
	arena_free(arena);
	identity_cache_clear();
	db_close();
	return 0;
}
