#!/bin/bash
# Runs once, when the postgres:15 image initialises an empty data volume
# (mounted into /docker-entrypoint-initdb.d/): the roles and the database
# that scripts/lib.sh (_pg_provision) creates for `make run`. cansd_owner owns
# the schema (the migrate job uses it through SET ROLE); the service logs in
# as cansd_app, which owns nothing, so row-level security applies to it.
set -euo pipefail

CANSD_PG_APP_PASSWORD=$(cat "${CANSD_PG_APP_PASSWORD_FILE:-/run/secrets/pg_app_password}")
export CANSD_PG_APP_PASSWORD

psql -X -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
\getenv app_password CANSD_PG_APP_PASSWORD
SET password_encryption = 'scram-sha-256';
CREATE ROLE cansd_owner NOLOGIN;
CREATE ROLE cansd_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
CREATE DATABASE cansd OWNER cansd_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE cansd FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE cansd TO cansd_app;
SQL
