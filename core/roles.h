/*
 * The roles of PRODUCT.md as bits, and their API names: the one list in C
 * (SQL has its own in sql/migrations/001_identity.sql, the users.roles check).
 */
#ifndef CANSD_ROLES_H
#define CANSD_ROLES_H

#include <stddef.h>

enum role {
	ROLE_WORKER = 1u << 0,
	ROLE_SUPERVISOR = 1u << 1,
	ROLE_CERTIFICATION_OFFICE = 1u << 2,
	ROLE_QA_ANALYST = 1u << 3,
	ROLE_PROGRAM_ADMIN = 1u << 4,
	ROLE_CERTIFIED_CANS_USER = 1u << 5, /* computed, never granted */
};

/* The role bit of an API role name; 0 for an unknown name. */
unsigned role_from_name(const char *name, size_t len);
const char *role_name(unsigned role_bit);

#endif
