#include "roles.h"

#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	{"worker", ROLE_WORKER},
	{"supervisor", ROLE_SUPERVISOR},
	{"certification_office", ROLE_CERTIFICATION_OFFICE},
	{"qa_analyst", ROLE_QA_ANALYST},
	{"program_admin", ROLE_PROGRAM_ADMIN},
	{"certified_cans_user", ROLE_CERTIFIED_CANS_USER},
};

unsigned role_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strlen(role_names[i].name) == len &&
		    strncmp(role_names[i].name, name, len) == 0)
			return role_names[i].bit;
	return 0;
}

const char *role_name(unsigned role_bit)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (role_names[i].bit == role_bit)
			return role_names[i].name;
	return NULL;
}
