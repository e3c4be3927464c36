#include "privilege.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int privilege_secure_socket(const char *path, const char *user, const char *group, char *err,
			    unsigned errlen)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (user && geteuid() == 0) {
		const struct passwd *pw = getpwnam(user);

		if (!pw) {
			snprintf(err, errlen, "CANSD_RUN_AS_USER: no user %s", user);
			return -1;
		}
		uid = pw->pw_uid;
	}
	if (group) {
		const struct group *gr = getgrnam(group);

		if (!gr) {
			snprintf(err, errlen, "CANSD_FCGI_SOCKET_GROUP: no group %s", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	/* Not as root, chown to one of our own groups still works. */
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid)) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, 0660)) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int privilege_drop(const char *user, char *err, unsigned errlen)
{
	const struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = user ? getpwnam(user) : NULL;
	if (!pw) {
		snprintf(err, errlen, "CANSD_RUN_AS_USER: no user %s", user ? user : "(none)");
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "CANSD_RUN_AS_USER must not be root");
		return -1;
	}
	/* Groups first: once the uid is gone, so is the right to change them. */
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		snprintf(err, errlen, "still root after switching to %s", user);
		return -1;
	}
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * LeakSanitizer inspects the process at exit, which a process that
	 * changed its uid may not do unless it is dumpable again. Only in the
	 * sanitizer build the tests run: in production it stays undumpable.
	 */
	prctl(PR_SET_DUMPABLE, 1);
#endif
	return 0;
}
