#include "os_user.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "../fcgi/privilege.h"

int os_user_become(const char *user, const char *command)
{
	char err[512];

	if (geteuid() != 0)
		return 0;
	/* privilege_drop's own messages name the pool's setting: say what was asked. */
	if (!getpwnam(user)) {
		fprintf(stderr, "cansd %s: --os-user %s: no such OS user\n", command, user);
		return -1;
	}
	if (privilege_drop(user, err, sizeof(err))) {
		fprintf(stderr, "cansd %s: --os-user %s: %s\n", command, user, err);
		return -1;
	}
	return 0;
}
