#!/bin/sh
# Entry point of the cansd image (Dockerfile, target runtime). Started as root:
# copies the secrets it needs into a directory only user cansd can read (file
# secrets keep the host's owner and mode), then drops to user cansd.
#   serve    the FastCGI worker pool (CANSD_FCGI_LISTEN, default :9000)
#   migrate  scripts/migrate.sh: `cansd migrate` over TCP with the superuser's
#            password (schema, SQL source, instrument, user admin), then demo data
#   other    run as given (e.g. `cansd hash-password`, `psql`)
# Secrets (paths overridable): CANSD_PG_APP_PASSWORD_FILE
# (/run/secrets/pg_app_password), CANSD_JWT_KEY_FILE (/run/secrets/jwt_signing_key).
set -eu

as_cansd() {
	if [ "$(id -u)" = 0 ]; then
		exec setpriv --reuid=cansd --regid=cansd --init-groups --inh-caps=-all -- "$@"
	fi
	exec "$@"
}

case "${1:-serve}" in
serve)
	private=/run/cansd
	mkdir -p "$private"
	pw_file=${CANSD_PG_APP_PASSWORD_FILE:-/run/secrets/pg_app_password}
	key_file=${CANSD_JWT_KEY_FILE:-/run/secrets/jwt_signing_key}
	(
		umask 077
		# pgpass: ':' and '\' in the password are escaped with '\'
		printf '*:*:*:cansd_app:%s\n' "$(sed 's/[\\:]/\\&/g' "$pw_file")" >"$private/pgpass"
		cp "$key_file" "$private/jwt-signing.pem"
	)
	if [ "$(id -u)" = 0 ]; then
		chown -R cansd:cansd "$private"
	fi
	chmod 700 "$private"
	export CANSD_DATABASE_URL="${CANSD_DATABASE_URL:-host=postgres dbname=cansd user=cansd_app} passfile=$private/pgpass"
	export CANSD_JWT_KEY="$private/jwt-signing.pem"
	export CANSD_FCGI_LISTEN="${CANSD_FCGI_LISTEN:-:9000}"
	as_cansd /usr/local/bin/cansd serve
	;;
migrate)
	as_cansd /opt/cansd/scripts/migrate.sh
	;;
*)
	as_cansd "$@"
	;;
esac
