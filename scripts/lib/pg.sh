# shellcheck shell=bash disable=SC2153 # CANSD_* paths: set by _cansd_paths (stack.sh)
# Part of scripts/lib.sh (which sources it; source that, not this): the project's
# PostgreSQL cluster (initdb, start, stop, roles and database), psql as its
# superuser, and the two one-shot commands run against it: `cansd migrate`
# and `cansd audit-verify`.

# psql_super ARGS...: psql as superuser postgres, ON_ERROR_STOP, no psqlrc.
# By default over the project's unix socket as OS user postgres (peer auth).
# With CANSD_PG_EXTERNAL=1 (the Docker migrate job) it runs psql as the
# current user against the server the PG* environment variables name.
psql_super() {
	if [ "${CANSD_PG_EXTERNAL:-0}" = 1 ]; then
		psql -X -q -v ON_ERROR_STOP=1 "$@"
		return
	fi
	_cansd_paths
	local pgbin
	pgbin=$(_cansd_pg_bin)
	_as_postgres "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$CANSD_PG_SOCKET" \
		-p "$CANSD_PG_PORT" -U postgres "$@"
}

_pg_running() {
	local pgbin
	pgbin=$(_cansd_pg_bin)
	[ -f "$CANSD_PG_DATA/PG_VERSION" ] || return 1
	_as_postgres "$pgbin/pg_ctl" -D "$CANSD_PG_DATA" status >/dev/null 2>&1
}

_pg_initdb() {
	local pgbin=$1
	cansd_log "initialising PostgreSQL cluster in $CANSD_PG_DATA"
	mkdir -p "$CANSD_PG_DATA"
	! _cansd_is_root || chown postgres:postgres "$CANSD_PG_DATA"
	chmod 700 "$CANSD_PG_DATA"
	_traversable_by "$CANSD_PG_DATA" postgres || _explain_untraversable "$CANSD_PG_DATA" postgres
	if ! _as_postgres "$pgbin/initdb" -D "$CANSD_PG_DATA" -U postgres -E UTF8 \
		--locale=C.UTF-8 --auth-local=peer --auth-host=reject \
		>"$CANSD_LOG_DIR/initdb.log" 2>&1; then
		cat "$CANSD_LOG_DIR/initdb.log" >&2
		cansd_die "initdb failed"
	fi
	# Only the superuser (peer: OS user postgres, or the invoking user when
	# not root) and the service role on the service database; nothing over
	# TCP (listen_addresses is empty anyway).
	cat >"$CANSD_PG_DATA/pg_hba.conf" <<-'EOF'
		# TYPE  DATABASE  USER       METHOD
		local   all       postgres   peer map=cansd
		local   cansd     cansd_app  scram-sha-256
	EOF
	{
		echo "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME"
		echo "cansd      postgres         postgres"
		_cansd_is_root || echo "cansd      $(id -un)  postgres"
	} >"$CANSD_PG_DATA/pg_ident.conf"
	printf "\n# cansd: settings written by scripts/lib.sh at every start\ninclude_if_exists = 'cansd.conf'\n" \
		>>"$CANSD_PG_DATA/postgresql.conf"
	if _cansd_is_root; then
		chown postgres:postgres "$CANSD_PG_DATA/pg_hba.conf" "$CANSD_PG_DATA/pg_ident.conf" \
			"$CANSD_PG_DATA/postgresql.conf"
	fi
	chmod 600 "$CANSD_PG_DATA/pg_hba.conf" "$CANSD_PG_DATA/pg_ident.conf"
}

# Rewritten at every start so that a moved VAR directory still works.
_pg_write_conf() {
	local conf=$CANSD_PG_DATA/cansd.conf
	{
		echo "# written by scripts/lib.sh (pg_start); edits are overwritten"
		echo "listen_addresses = ''"
		echo "port = $CANSD_PG_PORT"
		echo "unix_socket_directories = '$CANSD_PG_SOCKET'"
		echo "unix_socket_permissions = 0777"
		echo "password_encryption = 'scram-sha-256'"
		echo "timezone = 'UTC'"
		echo "log_timezone = 'UTC'"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		echo "log_min_duration_statement = ${CANSD_PG_LOG_MIN_DURATION_MS:-1000}"
		echo "max_connections = ${CANSD_PG_MAX_CONNECTIONS:-100}"
		if [ "${CANSD_PG_FAST:-0}" = 1 ]; then
			# throw-away clusters (tests): durability is not needed
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$conf.tmp"
	! _cansd_is_root || chown postgres:postgres "$conf.tmp"
	chmod 600 "$conf.tmp"
	mv -f "$conf.tmp" "$conf"
}

# A postmaster.pid whose pid now belongs to some other process would make
# postgres refuse to start; one whose process is gone postgres removes itself.
_pg_clear_stale_pid() {
	local f=$CANSD_PG_DATA/postmaster.pid pid
	pid=$(head -n 1 "$f" 2>/dev/null) || return 0
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	if _cansd_alive "$pid" && ! _cansd_cmdline_has "$pid" "$CANSD_PG_DATA"; then
		cansd_log "removing stale $f (pid $pid is another process)"
		rm -f "$f"
	fi
}

# Roles, database and the service password (and its pgpass file). Cheap and
# idempotent: runs at every pg_start. (docker/postgres-init.sh does the same
# for the Docker deployment.)
_pg_provision() {
	CANSD_PG_APP_PASSWORD=$(cat "$CANSD_SECRETS_DIR/pg-app.pass") \
		psql_super -d postgres -f - >/dev/null <<-'SQL'
			\getenv app_password CANSD_PG_APP_PASSWORD
			SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cansd_owner') AS need_owner,
			       NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cansd_app') AS need_app,
			       NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'cansd') AS need_db
			\gset
			\if :need_owner
			CREATE ROLE cansd_owner NOLOGIN;
			\endif
			\if :need_app
			CREATE ROLE cansd_app LOGIN;
			\endif
			SET password_encryption = 'scram-sha-256';
			ALTER ROLE cansd_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
				PASSWORD :'app_password';
			\if :need_db
			CREATE DATABASE cansd OWNER cansd_owner ENCODING 'UTF8' TEMPLATE template0;
			REVOKE ALL ON DATABASE cansd FROM PUBLIC;
			GRANT CONNECT, TEMPORARY ON DATABASE cansd TO cansd_app;
			\endif
		SQL
	# libpq password file for the pool (the hex password needs no escaping)
	local pgpass=$CANSD_SECRETS_DIR/pgpass
	(
		umask 077
		printf '*:*:cansd:cansd_app:%s\n' "$(cat "$CANSD_SECRETS_DIR/pg-app.pass")" >"$pgpass.tmp"
	)
	# libpq reads it as the pool's workers' user (and ignores it unless 0600).
	! _cansd_is_root || chown "$CANSD_POOL_USER:$CANSD_POOL_USER" "$pgpass.tmp"
	mv -f "$pgpass.tmp" "$pgpass"
}

pg_start() {
	_cansd_paths
	local pgbin
	pgbin=$(_cansd_pg_bin)
	if [ ! -d "$CANSD_PG_SOCKET" ] || [ ! -s "$CANSD_SECRETS_DIR/pg-app.pass" ]; then
		stack_init "$CANSD_VAR_DIR"
	fi
	[ -f "$CANSD_PG_DATA/PG_VERSION" ] || _pg_initdb "$pgbin"
	if ! _pg_running; then
		_pg_write_conf
		_pg_clear_stale_pid
		# setsid: the postmaster gets its own session, so a Ctrl-C on the
		# terminal reaches run.sh only, which stops everything in order.
		if ! _as_postgres setsid "$pgbin/pg_ctl" -D "$CANSD_PG_DATA" \
			-l "$CANSD_LOG_DIR/postgres.log" -w -t 60 start >/dev/null; then
			tail -n 30 "$CANSD_LOG_DIR/postgres.log" >&2 || true
			cansd_die "PostgreSQL did not start (log: $CANSD_LOG_DIR/postgres.log)"
		fi
	fi
	_pg_provision
}

# True while the postmaster named in postmaster.pid is alive (cheap: no fork).
pg_running() {
	_cansd_paths
	local pid=""
	{ read -r pid <"$CANSD_PG_DATA/postmaster.pid"; } 2>/dev/null || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	_cansd_alive "$pid"
}

pg_stop() {
	_cansd_paths
	local pgbin
	pgbin=$(_cansd_pg_bin)
	if _pg_running; then
		_as_postgres "$pgbin/pg_ctl" -D "$CANSD_PG_DATA" -m fast -w -t 60 stop >/dev/null ||
			cansd_die "pg_ctl stop failed (log: $CANSD_LOG_DIR/postgres.log)"
	fi
}

# --- one-shot commands --------------------------------------------------------

# `$CANSD_BIN migrate` (cmd/migrate.h): the migrations, the SQL source, the
# instrument catalogue and user admin, each step in one transaction, under an
# advisory lock. As root it reads the files, then becomes OS user postgres to
# connect by peer over the project's socket (postgres need not enter the
# tree); with CANSD_PG_EXTERNAL=1 it connects where the PG* variables say.
# CANSD_MIGRATIONS_DIR, CANSD_SQL_SOURCE_DIR, CANSD_INSTRUMENT_FILE and
# CANSD_ADMIN_PASSWORD pass through; CANSD_MIGRATE_WAIT is how many seconds
# to wait for a server that is still starting (default 0).
migrate() {
	_cansd_paths
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	local conninfo="" args=(--sql sql --wait "${CANSD_MIGRATE_WAIT:-0}") v
	if [ "${CANSD_PG_EXTERNAL:-0}" != 1 ]; then
		conninfo="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=postgres"
		! _cansd_is_root || args+=(--os-user postgres)
	fi
	(
		# It runs from the tree (paths in its output are relative to it):
		# a relative path the caller gave is made absolute first.
		for v in CANSD_MIGRATIONS_DIR CANSD_SQL_SOURCE_DIR CANSD_INSTRUMENT_FILE; do
			[ -z "${!v:-}" ] || export "$v=$(realpath -m -- "${!v}")"
		done
		cd "$CANSD_ROOT"
		exec "$CANSD_BIN" migrate "${args[@]}" ${conninfo:+"$conninfo"}
	) || cansd_die "cansd migrate failed (exit $?)"
}

# Runs `$CANSD_BIN audit-verify` as the cluster's superuser over the unix
# socket, the way psql_super does (it reads the whole trail past row-level
# security). As root it becomes OS user postgres itself (--os-user), so the
# binary may lie where postgres cannot enter (a clone under /root).
audit_verify() {
	_cansd_paths
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	local args=()
	! _cansd_is_root || args+=(--os-user postgres)
	"$CANSD_BIN" audit-verify "${args[@]}" \
		"host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=postgres"
}
