/* GET /me: the caller as the identity lookup already loaded it (no second query). */
#include <string.h>

#include "../auth/identity.h"
#include "handlers.h"

int me_get(struct request *req)
{
	const char *body = identity_me_json(req, req->identity);

	return response_json(req, 200, body, strlen(body));
}
