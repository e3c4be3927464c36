/*
 * What the master does as root, and then stops being root: a unix socket only
 * nginx's workers may use, and the switch to an unprivileged user before any
 * worker exists (a worker runs request code and must never hold root).
 */
#ifndef CANSD_PRIVILEGE_H
#define CANSD_PRIVILEGE_H

/*
 * Makes the unix socket at path mode 0660, owned by user (when root and user
 * is not NULL) and by group (when not NULL). -1 with a message in err.
 */
int privilege_secure_socket(const char *path, const char *user, const char *group, char *err,
			    unsigned errlen);

/*
 * When running as root: becomes user (its uid, gid and supplementary groups)
 * for good; a later setuid(0) must fail. Does nothing when not root. -1 with a
 * message in err.
 */
int privilege_drop(const char *user, char *err, unsigned errlen);

#endif
