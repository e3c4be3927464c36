#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct config *config;

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static int env_long(const char *name, long fallback, long min, long max, long *out, char *err,
		    unsigned errlen)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v) {
		*out = fallback;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(err, errlen, "%s must be an integer between %ld and %ld", name, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* Splits CANSD_CORS_ORIGINS once; the strings stay for the life of the process. */
static int parse_origins(struct config *cfg, char *err, unsigned errlen)
{
	const char *v = getenv("CANSD_CORS_ORIGINS");
	char *copy, *save = NULL, *tok;

	cfg->n_cors_origins = 0;
	if (!v || !*v)
		return 0;
	copy = strdup(v);
	if (!copy)
		abort();
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (cfg->n_cors_origins == CONFIG_MAX_ORIGINS) {
			snprintf(err, errlen, "CANSD_CORS_ORIGINS lists more than %d origins",
				 CONFIG_MAX_ORIGINS);
			return -1;
		}
		if (strcmp(tok, "*") == 0 ||
		    (strncmp(tok, "http://", 7) && strncmp(tok, "https://", 8))) {
			snprintf(err, errlen, "CANSD_CORS_ORIGINS: '%s' is not an http(s) origin",
				 tok);
			return -1;
		}
		cfg->cors_origins[cfg->n_cors_origins++] = tok;
	}
	return 0;
}

int config_load(struct config *cfg, char *err, unsigned errlen)
{
	static char default_socket[4096], default_key[4096];
	long workers, access_ttl, refresh_ttl, family_max_age, timeout, cache_ttl, seal_ms;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	cfg->var_dir = env_or("CANSD_VAR_DIR", "./var");
	snprintf(default_socket, sizeof(default_socket), "%s/run/cansd.sock", cfg->var_dir);
	snprintf(default_key, sizeof(default_key), "%s/keys/jwt-signing.pem", cfg->var_dir);
	cfg->fcgi_listen = env_or("CANSD_FCGI_LISTEN", default_socket);
	cfg->fcgi_socket_group = env_or("CANSD_FCGI_SOCKET_GROUP", NULL);
	cfg->run_as_user = env_or("CANSD_RUN_AS_USER", "nobody");
	cfg->database_url = env_or("CANSD_DATABASE_URL", "dbname=cansd user=cansd_app");
	cfg->reports_database_url = env_or("CANSD_REPORTS_DATABASE_URL", NULL);
	if (cfg->reports_database_url && !*cfg->reports_database_url)
		cfg->reports_database_url = NULL;
	cfg->timezone = env_or("CANSD_TIMEZONE", "America/Chicago");
	cfg->jwt_key_path = env_or("CANSD_JWT_KEY", default_key);
	cfg->jwt_issuer = env_or("CANSD_JWT_ISSUER", "cansd");
	cfg->jwt_audience = env_or("CANSD_JWT_AUDIENCE", "cansd-api");
	cfg->external_issuer = env_or("CANSD_JWT_EXTERNAL_ISSUER", NULL);
	cfg->external_audience = env_or("CANSD_JWT_EXTERNAL_AUDIENCE", NULL);
	cfg->external_jwks = env_or("CANSD_JWT_EXTERNAL_JWKS", NULL);
	if ((cfg->external_issuer || cfg->external_audience || cfg->external_jwks) &&
	    !(cfg->external_issuer && cfg->external_audience && cfg->external_jwks)) {
		snprintf(err, errlen, "CANSD_JWT_EXTERNAL_ISSUER, _AUDIENCE and _JWKS go together");
		return -1;
	}
	if (env_long("CANSD_WORKERS", cores > 0 ? cores : 2, 1, 256, &workers, err, errlen) ||
	    env_long("CANSD_ACCESS_TTL", 900, 30, 86400, &access_ttl, err, errlen) ||
	    env_long("CANSD_REFRESH_TTL", 30L * 86400, 300, 365L * 86400, &refresh_ttl, err,
		     errlen) ||
	    env_long("CANSD_REFRESH_FAMILY_MAX_AGE", 30L * 86400, 300, 365L * 86400,
		     &family_max_age, err, errlen) ||
	    env_long("CANSD_STATEMENT_TIMEOUT_MS", 15000, 100, 600000, &timeout, err, errlen) ||
	    env_long("CANSD_IDENTITY_CACHE_TTL", 5, 0, 5, &cache_ttl, err, errlen) ||
	    env_long("CANSD_AUDIT_SEAL_INTERVAL_MS", 1000, 0, 60000, &seal_ms, err, errlen))
		return -1;
	cfg->workers = (int)workers;
	cfg->access_ttl = access_ttl;
	cfg->refresh_ttl = refresh_ttl;
	cfg->refresh_family_max_age = family_max_age;
	cfg->statement_timeout_ms = (int)timeout;
	cfg->identity_cache_ttl = (int)cache_ttl;
	cfg->audit_seal_interval_ms = (int)seal_ms;
	return parse_origins(cfg, err, errlen);
}
