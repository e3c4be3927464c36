/*
 * The route table (handlers/routes.c): the one place that knows every
 * handler. The program's entry point hands it to the transport at start.
 */
#ifndef CANSD_HANDLERS_ROUTES_H
#define CANSD_HANDLERS_ROUTES_H

#include <stddef.h>

#include "../core/route.h"

extern const struct route routes[];
extern const size_t routes_count;

#endif
