/*
 * `cansd migrate [--sql DIR] [--os-user USER] [--wait SECONDS] [CONNINFO]`:
 * brings a database up to date (core/migrate.h says what, in which
 * transactions, under which lock). The files are read first, then, when
 * started as root with --os-user, the process becomes that OS user for good
 * (the cluster's superuser authenticates by peer over the unix socket), then
 * it connects: CONNINFO (database cansd when it names none; the PG*
 * variables fill in the rest, e.g. a password over TCP).
 * Exit status: 0 up to date; 1 a step failed (that step left nothing behind,
 * the ones before it are committed); 2 nothing was tried (usage, a file, the
 * user switch, the connection).
 */
#ifndef CANSD_CMD_MIGRATE_H
#define CANSD_CMD_MIGRATE_H

/* argv[0] is the first argument after "migrate". */
int migrate_command(int argc, char **argv);

#endif
