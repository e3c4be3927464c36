#!/usr/bin/env bash
# One-shot schema job against an existing PostgreSQL server (the Docker
# `migrate` service, or any deployment whose database is not the one
# scripts/run.sh manages): `cansd migrate` (migrations, SQL source,
# instrument, user admin; it waits up to 60 s for the server), then demo data
# when CANSD_DEMO=1.
# Connects as the superuser named by the libpq PG* variables (PGHOST, PGPORT,
# PGUSER, PGPASSWORD or PGPASSFILE); PGDATABASE is ignored (always cansd).
#   CANSD_PG_SUPERUSER_PASSWORD_FILE  read into PGPASSWORD when set
#   CANSD_ADMIN_PASSWORD_FILE         read into CANSD_ADMIN_PASSWORD when set
#   CANSD_BIN                         the binary (default build/rel/cansd)
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

CANSD_MIGRATE_WAIT=60 migrate
seed_demo
