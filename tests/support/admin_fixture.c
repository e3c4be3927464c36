#include "admin_fixture.h"

#include <stdlib.h>

#include "http.h"

char *admin_token;

int admin_setup(void **state)
{
	(void)state;
	admin_token = http_admin_token();
	return admin_token ? 0 : -1;
}

int admin_teardown(void **state)
{
	(void)state;
	free(admin_token);
	admin_token = NULL;
	return 0;
}
