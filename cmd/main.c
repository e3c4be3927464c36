/*
 * cansd serve          the FastCGI worker pool (master + workers), configured
 *                      from the environment (see README.md)
 * cansd hash-password  reads a password line on stdin, prints its stored hash
 * cansd jwks KEY.pem    prints the public JWKS of a private key
 * cansd audit-verify [--os-user USER] [CONNINFO]
 *                      walks the audit trail's hash chain (CONNINFO, else
 *                      CANSD_DATABASE_URL: a role that reads the whole trail;
 *                      started as root, it becomes USER first: peer
 *                      authentication as the cluster's superuser);
 *                      exit 0 intact, 1 tampered (names the first event), 2 error
 * cansd migrate [--sql DIR] [--os-user USER] [--wait SECONDS] [CONNINFO]
 *                      brings a database up to date: migrations, SQL source,
 *                      instrument, user admin (cmd/migrate.h)
 */
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../auth/identity.h"
#include "../auth/identity_cache.h"
#include "../auth/jwt.h"
#include "../auth/password.h"
#include "../core/audit_verify.h"
#include "../core/config.h"
#include "../core/db.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "../fcgi/pool.h"
#include "../fcgi/privilege.h"
#include "../fcgi/sealer.h"
#include "../fcgi/worker.h"
#include "../handlers/routes.h"
#include "migrate.h"
#include "os_user.h"

/*
 * A unix socket is 0660 from the start (umask before bind), then given to
 * nginx's workers' group: only they may send requests that carry a forged
 * REMOTE_ADDR. A TCP listener is guarded by libfcgi's FCGI_WEB_SERVER_ADDRS.
 */
static int open_listener(const struct config *cfg, char *err, unsigned errlen)
{
	const char *where = cfg->fcgi_listen;
	mode_t old;
	int fd;

	if (where[0] != '/' && where[0] != '.')
		return FCGX_OpenSocket(where, 1024);
	unlink(where); /* a socket left by a previous run */
	old = umask(0117);
	fd = FCGX_OpenSocket(where, 1024);
	umask(old);
	if (fd >= 0 &&
	    privilege_secure_socket(where, cfg->run_as_user, cfg->fcgi_socket_group, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The metrics' labels, made once: "METHOD /path" per route, and the token refusal reasons. */
static int metrics_start(void)
{
	static const char *refusals[JWT_REFUSAL_COUNT];
	const char **labels = calloc(routes_count, sizeof(*labels));
	size_t i;

	if (!labels)
		return -1;
	for (i = 0; i < routes_count; i++) {
		size_t n = strlen(routes[i].method) + strlen(routes[i].path) + 2;
		char *label = malloc(n);

		if (!label)
			return -1;
		snprintf(label, n, "%s %s", routes[i].method, routes[i].path);
		labels[i] = label;
	}
	for (i = 0; i < JWT_REFUSAL_COUNT; i++)
		refusals[i] = jwt_refusal_name((enum jwt_refusal)i);
	/* The labels live as long as the process: metrics render them until exit. */
	return metrics_init(labels, routes_count, refusals, JWT_REFUSAL_COUNT);
}

/*
 * Every route row that names a SQL function gets its statement from it; a
 * row naming a function the database lacks, or one taking other arguments,
 * would fail each of its requests, so the master refuses to start (before
 * forking: no worker restart loop). A database that is down is not a
 * refusal: the workers check again at every connect.
 */
static int route_functions_start(const struct config *cfg)
{
	char err[512];
	int rc = route_declare_functions(routes, routes_count, err, sizeof(err));

	if (rc == 0)
		rc = db_check_functions(cfg->database_url, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "cansd: %s\n", err);
		return -1;
	}
	if (rc > 0)
		log_error("route functions not checked at start (database: %s); workers check "
			  "them at every connect",
			  err);
	return 0;
}

static int serve(void)
{
	static struct config cfg;
	char err[512];
	int fd, rc;

	if (FCGX_Init()) {
		fprintf(stderr, "cansd: FCGX_Init failed\n");
		return 1;
	}
	if (config_load(&cfg, err, sizeof(err))) {
		fprintf(stderr, "cansd: %s\n", err);
		return 1;
	}
	config = &cfg;
	/* "Today" for dates checked in C is the programs' day, as in SQL. */
	setenv("TZ", cfg.timezone, 1);
	tzset();
	if (auth_init(err, sizeof(err))) {
		fprintf(stderr, "cansd: %s\n", err);
		return 1;
	}
	if (identity_cache_init(cfg.identity_cache_ttl)) {
		fprintf(stderr, "cansd: cannot map the shared identity counter\n");
		return 1;
	}
	if (metrics_start()) {
		fprintf(stderr, "cansd: cannot map the shared metrics\n");
		return 1;
	}
	if (route_functions_start(&cfg))
		return 1;
	err[0] = '\0';
	fd = open_listener(&cfg, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "cansd: cannot listen on %s%s%s\n", cfg.fcgi_listen,
			err[0] ? ": " : "", err);
		return 1;
	}
	/* Everything that needs root (keys, socket) is done: no worker ever has it. */
	if (privilege_drop(cfg.run_as_user, err, sizeof(err))) {
		fprintf(stderr, "cansd: %s\n", err);
		return 1;
	}
	worker_set_routes(routes, routes_count);
	if (cfg.audit_seal_interval_ms > 0)
		pool_set_sidecar(sealer_main);
	else
		log_info("audit sealer off (CANSD_AUDIT_SEAL_INTERVAL_MS=0): events stay unsealed");
	log_info("listening on %s with %d workers", cfg.fcgi_listen, cfg.workers);
	rc = pool_run(fd, cfg.workers, worker_main);
	close(fd);
	if (cfg.fcgi_listen[0] == '/' || cfg.fcgi_listen[0] == '.')
		unlink(cfg.fcgi_listen);
	auth_free();
	log_info("stopped");
	return rc;
}

static int hash_password(void)
{
	char line[1024], hash[PASSWORD_HASH_MAX];
	size_t n;

	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "cansd: no password on stdin\n");
		return 1;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n < 8) {
		fprintf(stderr, "cansd: a password has at least 8 characters\n");
		return 1;
	}
	if (password_hash(line, PASSWORD_ITERATIONS, hash, sizeof(hash))) {
		fprintf(stderr, "cansd: hashing failed\n");
		return 1;
	}
	puts(hash);
	return 0;
}

/* The public JWKS of a private key: how an identity provider's JWKS file is made in tests. */
static int print_jwks(const char *path)
{
	struct jwt_verifier v;
	struct jwt_signer s;
	char err[512], *jwks;

	memset(&v, 0, sizeof(v));
	memset(&s, 0, sizeof(s));
	if (jwt_load_signing_key(path, "jwks", "jwks", &s, &v, err, sizeof(err))) {
		fprintf(stderr, "cansd: %s\n", err);
		return 1;
	}
	jwks = jwt_jwks_json(&v);
	if (jwks)
		puts(jwks);
	free(jwks);
	jwt_signer_free(&s);
	jwt_verifier_free(&v);
	return jwks ? 0 : 1;
}

static int audit_verify_command(int argc, char **argv)
{
	const char *os_user = NULL, *conninfo;

	if (argc >= 2 && strcmp(argv[0], "--os-user") == 0) {
		os_user = argv[1];
		argc -= 2;
		argv += 2;
	}
	conninfo = argc == 1 ? argv[0] : getenv("CANSD_DATABASE_URL");
	if (argc > 1 || (argc == 1 && argv[0][0] == '-')) {
		fprintf(stderr, "usage: cansd audit-verify [--os-user USER] [CONNINFO]\n");
		return 2;
	}
	if (!conninfo || !*conninfo) {
		fprintf(stderr, "cansd: audit-verify needs CONNINFO or CANSD_DATABASE_URL\n");
		return 2;
	}
	if (os_user && os_user_become(os_user, "audit-verify"))
		return 2;
	return audit_verify(conninfo, stdout);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "serve") == 0)
		return serve();
	if (argc == 2 && strcmp(argv[1], "hash-password") == 0)
		return hash_password();
	if (argc == 3 && strcmp(argv[1], "jwks") == 0)
		return print_jwks(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "migrate") == 0)
		return migrate_command(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "audit-verify") == 0)
		return audit_verify_command(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: cansd serve | cansd hash-password < password | cansd jwks KEY.pem"
		" | cansd audit-verify [--os-user USER] [CONNINFO]"
		" | cansd migrate [--sql DIR] [--os-user USER] [--wait SECONDS] [CONNINFO]\n");
	return 2;
}
