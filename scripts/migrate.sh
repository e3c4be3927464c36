#!/usr/bin/env bash
# One-shot schema job against an existing PostgreSQL server (the Docker
# `migrate` service, or any deployment whose database is not the one
# scripts/run.sh manages): waits for the server, applies the migrations,
# creates user admin when missing, seeds demo data when CANSD_DEMO=1.
# Connects as the superuser named by the libpq PG* variables (PGHOST, PGPORT,
# PGUSER, PGPASSWORD or PGPASSFILE); PGDATABASE is ignored (always cansd).
#   CANSD_PG_SUPERUSER_PASSWORD_FILE  read into PGPASSWORD when set
#   CANSD_ADMIN_PASSWORD_FILE         read into CANSD_ADMIN_PASSWORD when set
#   CANSD_BIN                         for hash-password (default build/rel/cansd)
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export CANSD_PG_EXTERNAL=1
if [ -n "${CANSD_PG_SUPERUSER_PASSWORD_FILE:-}" ]; then
	PGPASSWORD=$(cat "$CANSD_PG_SUPERUSER_PASSWORD_FILE")
	export PGPASSWORD
fi
if [ -n "${CANSD_ADMIN_PASSWORD_FILE:-}" ]; then
	CANSD_ADMIN_PASSWORD=$(cat "$CANSD_ADMIN_PASSWORD_FILE")
	export CANSD_ADMIN_PASSWORD
fi

for ((i = 0; i < 60; i++)); do
	psql_super -d cansd -At -c 'SELECT 1' >/dev/null 2>&1 && break
	sleep 1
done
psql_super -d cansd -At -c 'SELECT 1' >/dev/null ||
	cansd_die "cannot reach database cansd on ${PGHOST:-the default server} as ${PGUSER:-the current user}"

migrate
bootstrap_admin
seed_demo
cansd_log "database cansd is up to date"
