/*
 * The one request path: match the route, refuse what the table refuses
 * (413, 404, 405, 415, 401, 403), then run the handler. Nothing jumps back.
 */
#ifndef CANSD_DISPATCH_H
#define CANSD_DISPATCH_H

#include "../core/request.h"
#include "../core/route.h"

/* Leaves the complete response in req->response. */
void dispatch(struct request *req, const struct route *table, size_t count);

/* true when content_type is one of the media types a body kind takes. */
bool dispatch_content_type_ok(enum body_kind kind, const char *content_type);

#endif
