/*
 * Configuration, read once from the environment at start and read-only
 * afterwards (nginx's habit: nothing is parsed on the hot path).
 */
#ifndef CANSD_CONFIG_H
#define CANSD_CONFIG_H

#include <stdbool.h>

#define CONFIG_MAX_ORIGINS 16

struct config {
	const char *var_dir;
	const char *fcgi_listen;       /* a unix socket path, or ":port" / "host:port" */
	const char *fcgi_socket_group; /* group of the unix socket (nginx's workers'); NULL: ours */
	const char *run_as_user;       /* started as root: who the pool becomes after binding */
	const char *database_url;      /* libpq conninfo */
	const char *reports_database_url; /* reports only (a replica); NULL: database_url */
	const char *timezone;
	const char *jwt_key_path;
	const char *jwt_issuer;
	const char *jwt_audience;
	const char *external_issuer;
	const char *external_audience;
	const char *external_jwks;
	const char *cors_origins[CONFIG_MAX_ORIGINS];
	int n_cors_origins;
	int workers;
	long access_ttl;  /* seconds */
	long refresh_ttl; /* seconds */
	/* seconds from a login after which its refresh-token family ends, however often rotated */
	long refresh_family_max_age;
	int statement_timeout_ms;
	int identity_cache_ttl;     /* seconds; 0 reads the caller from the database every time */
	int audit_seal_interval_ms; /* the audit sealer's period; 0: no sealer */
};

/* Fills cfg from the environment; -1 with a message in err on a bad value. */
int config_load(struct config *cfg, char *err, unsigned errlen);

/* The configuration every module reads; set once by main before the fork. */
extern const struct config *config;

#endif
