#include "roles.h"

#include <string.h>

#define ROLE_NAME(bit, name) name,
#define ROLE_ROW(bit, name) {name, bit},

const char *const role_granted_names[] = {ROLES_GRANTED(ROLE_NAME) NULL};
const char *const program_names[] = {"IPS", "IFPS", NULL};

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	ROLES_GRANTED(ROLE_ROW){"certified_cans_user", ROLE_CERTIFIED_CANS_USER},
};

#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))

unsigned role_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_ROLES; i++)
		if (strlen(role_names[i].name) == len &&
		    strncmp(role_names[i].name, name, len) == 0)
			return role_names[i].bit;
	return 0;
}

unsigned role_granted_from_name(const char *name, size_t len)
{
	unsigned bit = role_from_name(name, len);

	return bit == ROLE_CERTIFIED_CANS_USER ? 0 : bit;
}

const char *role_name(unsigned role_bit)
{
	size_t i;

	for (i = 0; i < N_ROLES; i++)
		if (role_names[i].bit == role_bit)
			return role_names[i].name;
	return NULL;
}
