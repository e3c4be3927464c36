/*
 * The product's roles as bits, their API names and the programs: the one
 * list of each in C. SQL has its one list of each in the cansd.roles and
 * cansd.programs tables (sql/migrations/009_roles_programs.sql), which the
 * columns that hold a role or a program reference; tests/statements/check.sh
 * fails when the C and SQL lists differ.
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

/* The roles a user can be granted (stored in users.roles): X(bit, API name). */
#define ROLES_GRANTED(X)                                                                           \
	X(ROLE_WORKER, "worker")                                                                   \
	X(ROLE_SUPERVISOR, "supervisor")                                                           \
	X(ROLE_CERTIFICATION_OFFICE, "certification_office")                                       \
	X(ROLE_QA_ANALYST, "qa_analyst")                                                           \
	X(ROLE_PROGRAM_ADMIN, "program_admin")

/* The names of ROLES_GRANTED, NULL-ended (a JSON schema's allowed values). */
extern const char *const role_granted_names[];
/* The programs a user or an account request belongs to, NULL-ended. */
extern const char *const program_names[];

/* The role bit of an API role name, granted or computed; 0 for an unknown name. */
unsigned role_from_name(const char *name, size_t len);
/* The role bit of a name a user can be granted; 0 for any other, computed ones included. */
unsigned role_granted_from_name(const char *name, size_t len);
const char *role_name(unsigned role_bit);

#endif
