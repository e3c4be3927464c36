/* GET /me: the caller as the identity lookup already loaded it (no second query). */
#include <string.h>

#include "../auth/identity.h"
#include "handlers.h"

int me_get(struct request *req)
{
	return response_json(req, 200, req->identity->me_json, strlen(req->identity->me_json));
}
