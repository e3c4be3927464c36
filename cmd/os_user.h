/*
 * --os-user for the one-shot commands (migrate, audit-verify): started as
 * root, they read what they need, then become the OS user that the database
 * authenticates by peer (the cluster's superuser, postgres) before they
 * connect. Not root, nothing changes: the invoking user connects.
 */
#ifndef CANSD_CMD_OS_USER_H
#define CANSD_CMD_OS_USER_H

/* 0, or -1 with the reason on stderr under command's name. */
int os_user_become(const char *user, const char *command);

#endif
