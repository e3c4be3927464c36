# shellcheck shell=bash
# Functions that install nothing but start, stop and provision the cansd stack
# (PostgreSQL in $CANSD_VAR_DIR/pg, the FastCGI worker pool, nginx). Sourced by
# scripts/run.sh, scripts/test.sh, bench/ and by integration tests, e.g.
#     bash -c '. "$CANSD_TEST_LIB"; pg_stop; pg_start'
# with nothing but CANSD_VAR_DIR set. Sourcing it turns on `set -euo pipefail`.
#
# Public functions (all idempotent unless noted):
#   stack_init [VAR]  make VAR (default $CANSD_VAR_DIR or ./var) absolute,
#                     export it as CANSD_VAR_DIR, create the layout, the JWT
#                     signing key and the cansd_app password (first time only)
#   pg_start          initdb (first time), start PostgreSQL, ensure roles
#                     cansd_owner/cansd_app and database cansd exist
#   pg_stop           pg_ctl -m fast stop (no-op when not running)
#   pg_running        true while the postmaster is alive
#   pool_running, nginx_running   likewise
#   migrate           apply sql/migrations/NNN_*.sql not yet applied (creates
#                     public.schema_migrations when missing), then apply_sql_source
#   apply_sql_source  re-apply sql/functions/*.sql (functions, views, policies)
#   load_instrument   load sql/data/cans-2.0-items.csv (CANSD_INSTRUMENT_FILE)
#                     into cansd.instrument_items (called by migrate)
#   bootstrap_admin   create user admin when missing (prints a generated password once)
#   seed_demo         when CANSD_DEMO=1 and no user but admin exists: sql/seed/demo.sql
#   pool_start        `$CANSD_BIN serve` in the background; waits for its socket
#   pool_stop         TERM, wait up to 15 s, then KILL the pool's process group
#   nginx_start       render nginx/cansd.conf.template, start nginx, wait for the port
#   cansd_http_listen_addr  print CANSD_HTTP_LISTEN (default 127.0.0.1); exit
#                     when it is not loopback and demo data has the
#                     well-known password
#   nginx_stop        QUIT, wait, then TERM/KILL
#   stack_stop        nginx_stop, pool_stop, pg_stop
#   psql_super ARGS   psql as superuser postgres on the project's cluster
#   audit_verify      `$CANSD_BIN audit-verify` as superuser postgres over the
#                     project's socket: walks the audit hash chain (exit 0
#                     intact, 1 tampered, 2 could not check)
#
# Who runs what:
#   as root      PostgreSQL as OS user postgres (runuser), the pool's master
#                and workers drop to system user cansd (created here), nginx's
#                workers run as nobody:cansd-web. The FastCGI socket is
#                cansd:cansd-web 0660. When postgres, nobody or cansd cannot
#                enter the var directory (a clone under /root, a 0700 home or
#                mktemp -d), the var directory is moved to
#                $CANSD_SHARED_VAR_ROOT/<hash of its absolute path> (default
#                /var/lib/cansd) and left behind as a symlink to it.
#   not root     everything runs as the invoking user (no runuser, no drop);
#                the socket is 0660 in the user's own group.
#
# Layout of $CANSD_VAR_DIR:
#   pg/data  pg/socket (.s.PGSQL.5432; no TCP)  run/ (cansd.sock, cansd.pid,
#   nginx.pid)  log/ (postgres.log cansd.log nginx-error.log nginx-access.log)
#   keys/jwt-signing.pem  secrets/ (pg-app.pass, pgpass)  nginx/ (nginx.conf,
#   openapi.json, temp dirs, static/ when the project tree is not readable by
#   nginx's workers)
set -euo pipefail

CANSD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# The socket file is $CANSD_VAR_DIR/pg/socket/.s.PGSQL.5432. listen_addresses
# is empty, so this never collides with a Debian cluster on TCP 5432 (whose
# socket lives in /var/run/postgresql).
CANSD_PG_PORT=5432

cansd_log() { printf '[cansd] %s\n' "$*" >&2; }
cansd_die() {
	printf '[cansd] error: %s\n' "$*" >&2
	exit 1
}

# --- paths --------------------------------------------------------------------

# Sets the derived path variables from CANSD_VAR_DIR; creates nothing.
_cansd_paths() {
	local v=${CANSD_VAR_DIR:-./var}
	case $v in
	/*) ;;
	*) v=$(realpath -m -- "$v") ;;
	esac
	# A var directory relocated by stack_init is a symlink: use its target,
	# which every process can enter.
	[ ! -L "$v" ] || v=$(readlink -f -- "$v")
	CANSD_VAR_DIR=$v
	export CANSD_VAR_DIR
	CANSD_PG_DIR=$v/pg
	CANSD_PG_DATA=$v/pg/data
	CANSD_PG_SOCKET=$v/pg/socket
	CANSD_RUN_DIR=$v/run
	CANSD_LOG_DIR=$v/log
	CANSD_KEY_FILE=$v/keys/jwt-signing.pem
	CANSD_SECRETS_DIR=$v/secrets
	CANSD_NGINX_DIR=$v/nginx
	CANSD_FCGI_SOCKET=$v/run/cansd.sock
	: "${CANSD_BIN:=$CANSD_ROOT/build/rel/cansd}"
	case $CANSD_BIN in
	/*) ;;
	*) CANSD_BIN=$CANSD_ROOT/$CANSD_BIN ;;
	esac
	export CANSD_BIN
}

_cansd_pg_bin() {
	if [ -n "${CANSD_PG_BIN:-}" ]; then
		printf '%s\n' "$CANSD_PG_BIN"
	elif [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
		printf '%s\n' /usr/lib/postgresql/15/bin
	elif command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
		pg_config --bindir
	else
		cansd_die "PostgreSQL 15 server binaries not found (install the postgresql package: scripts/install-deps.sh)"
	fi
}

# The pool's unprivileged user and the group of nginx's workers (root only).
CANSD_POOL_USER=cansd
CANSD_WEB_GROUP=cansd-web

# True when the scripts run as root (and so start other users' processes).
_cansd_is_root() { [ "$EUID" = 0 ]; }

# Runs a command as the postgres OS user from /, so that a cwd postgres cannot
# enter (e.g. /root) does not matter. The environment is kept. Not root: as
# the invoking user, who owns the cluster.
_as_postgres() {
	if _cansd_is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# True when every directory from / down to $1 can be entered by OS user $2
# (always, when not root: then every process runs as the invoking user).
_traversable_by() {
	local path=$1 user=$2
	_cansd_is_root || return 0
	runuser -u "$user" -- test -x "$path" 2>/dev/null
}

# Creates system user cansd (the pool drops to it) and group cansd-web
# (nginx's workers run in it; the FastCGI socket belongs to it). Tolerates a
# concurrent creation by another stack.
_cansd_ensure_users() {
	getent group "$CANSD_WEB_GROUP" >/dev/null ||
		groupadd --system "$CANSD_WEB_GROUP" 2>/dev/null ||
		getent group "$CANSD_WEB_GROUP" >/dev/null ||
		cansd_die "cannot create group $CANSD_WEB_GROUP"
	id -u "$CANSD_POOL_USER" >/dev/null 2>&1 ||
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$CANSD_POOL_USER" 2>/dev/null ||
		id -u "$CANSD_POOL_USER" >/dev/null 2>&1 ||
		cansd_die "cannot create user $CANSD_POOL_USER"
}

# True when postgres, nobody and cansd can all enter directory $1.
_cansd_var_reachable() {
	_traversable_by "$1" postgres && _traversable_by "$1" nobody &&
		_traversable_by "$1" "$CANSD_POOL_USER"
}

# Root only: when the var directory lies where postgres, nobody or cansd
# cannot enter (under /root, a 0700 home, mktemp -d), moves it (with whatever
# it holds) to $CANSD_SHARED_VAR_ROOT/<hash of its absolute path> and leaves
# a symlink in its place. The hash makes the place stable: a second run, or a
# run after the symlink was deleted, finds the same data.
_cansd_relocate_var() {
	local v=$CANSD_VAR_DIR shared=${CANSD_SHARED_VAR_ROOT:-/var/lib/cansd} hash target
	_cansd_is_root || return 0
	mkdir -p "$v"
	_cansd_var_reachable "$v" && return 0
	hash=$(printf '%s' "$v" | sha256sum | cut -c1-16)
	target=$shared/$hash
	mkdir -p "$shared"
	chmod 755 "$shared"
	_cansd_var_reachable "$shared" ||
		cansd_die "cannot relocate $v: $shared is not reachable by postgres, nobody and $CANSD_POOL_USER either (set CANSD_SHARED_VAR_ROOT or CANSD_VAR_DIR)"
	if [ -n "$(ls -A -- "$v")" ]; then
		[ ! -e "$target" ] || [ -z "$(ls -A -- "$target")" ] ||
			cansd_die "both $v and $target hold data; keep one (move the other away) and start again"
		if [ -f "$v/pg/data/postmaster.pid" ] && _cansd_alive "$(head -n 1 "$v/pg/data/postmaster.pid")"; then
			cansd_die "PostgreSQL is still running in $v; stop it first (make stop or kill it)"
		fi
		cansd_log "moving $v to $target (postgres and nobody cannot enter $v)"
		mkdir -p "$target"
		(shopt -s dotglob && mv -- "$v"/* "$target"/)
	elif [ -n "$(ls -A -- "$target" 2>/dev/null)" ]; then
		cansd_log "reusing the data of an earlier checkout at this path, kept in $target (database, signing key, users; admin keeps its first password); to start fresh: make purge"
	fi
	rmdir -- "$v"
	mkdir -p "$target"
	ln -s -- "$target" "$v"
	CANSD_VAR_DIR=$target
	_cansd_paths
	cansd_log "postgres and nobody cannot enter $(dirname "$v"): the data lives in $target ($v links there)"
}

# Explains which parent directory blocks OS user $2 from reaching $1.
_explain_untraversable() {
	local path=$1 user=$2 d=""
	local IFS=/
	for part in $path; do
		[ -n "$part" ] || continue
		d="$d/$part"
		if ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
			cansd_die "user '$user' cannot enter $d (needed to reach $path). Make the parent directories traversable (chmod o+x) or set CANSD_VAR_DIR to a directory under one that is, e.g. /tmp/cansd-var"
		fi
	done
}

# stack_init [VAR]: creates the layout and the per-installation secrets.
stack_init() {
	if [ $# -gt 0 ] && [ -n "$1" ]; then
		CANSD_VAR_DIR=$1
	fi
	_cansd_paths
	if _cansd_is_root; then
		id postgres >/dev/null 2>&1 || cansd_die "OS user postgres is missing (install the postgresql package: scripts/install-deps.sh)"
		_cansd_ensure_users
		_cansd_relocate_var
	fi
	# Unix socket paths are limited to 107 bytes.
	if [ ${#CANSD_PG_SOCKET} -gt 80 ] || [ ${#CANSD_FCGI_SOCKET} -gt 100 ]; then
		cansd_die "CANSD_VAR_DIR is too long for unix socket paths ($CANSD_VAR_DIR); use a shorter path"
	fi
	case $CANSD_VAR_DIR in
	*[,\'\"\\\ ]*) cansd_die "CANSD_VAR_DIR must not contain spaces, quotes, commas or backslashes: $CANSD_VAR_DIR" ;;
	esac

	local old_umask
	old_umask=$(umask)
	umask 022
	mkdir -p "$CANSD_VAR_DIR" "$CANSD_RUN_DIR" "$CANSD_LOG_DIR" "$CANSD_NGINX_DIR" \
		"$CANSD_PG_DIR" "$CANSD_PG_SOCKET"
	chmod 755 "$CANSD_VAR_DIR" "$CANSD_RUN_DIR" "$CANSD_NGINX_DIR"
	# PostgreSQL (user postgres) and nginx's workers (user nobody) must reach
	# their directories under VAR.
	_traversable_by "$CANSD_VAR_DIR" postgres || _explain_untraversable "$CANSD_VAR_DIR" postgres
	_traversable_by "$CANSD_VAR_DIR" nobody || _explain_untraversable "$CANSD_VAR_DIR" nobody
	umask 077
	mkdir -p "$CANSD_VAR_DIR/keys" "$CANSD_SECRETS_DIR"
	chmod 700 "$CANSD_VAR_DIR/keys" "$CANSD_SECRETS_DIR"
	if _cansd_is_root; then
		# The pool reads the key as root before it drops privileges, but
		# libpq reads the pgpass file at every (re)connect, as user cansd.
		chgrp "$CANSD_POOL_USER" "$CANSD_SECRETS_DIR"
		chmod 710 "$CANSD_SECRETS_DIR"
		# Sanitizer reports (tests) are written by the workers, as cansd.
		chgrp "$CANSD_POOL_USER" "$CANSD_LOG_DIR"
		chmod 775 "$CANSD_LOG_DIR"
	fi

	if [ ! -s "$CANSD_KEY_FILE" ]; then
		cansd_log "generating the JWT signing key $CANSD_KEY_FILE (RSA 2048)"
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$CANSD_KEY_FILE.tmp" 2>/dev/null
		chmod 600 "$CANSD_KEY_FILE.tmp"
		mv -f "$CANSD_KEY_FILE.tmp" "$CANSD_KEY_FILE"
	fi
	if [ ! -s "$CANSD_SECRETS_DIR/pg-app.pass" ]; then
		# hex: no character needs escaping in a pgpass file or a conninfo string
		openssl rand -hex 24 >"$CANSD_SECRETS_DIR/pg-app.pass"
		chmod 600 "$CANSD_SECRETS_DIR/pg-app.pass"
	fi
	umask "$old_umask"

	touch "$CANSD_LOG_DIR/postgres.log"
	chmod 755 "$CANSD_PG_DIR" "$CANSD_PG_SOCKET"
	chmod 640 "$CANSD_LOG_DIR/postgres.log"
	if _cansd_is_root; then
		chown postgres:postgres "$CANSD_PG_DIR" "$CANSD_PG_SOCKET" "$CANSD_LOG_DIR/postgres.log"
	fi
}

# --- process helpers ----------------------------------------------------------

# True when process $1 exists and is not a zombie.
_cansd_alive() {
	local pid=$1 state
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ]
}

# True when process $1's command line contains the string $2 (guards against
# a stale pid file naming a recycled pid). The file is read whole into a
# variable: `tr <file | grep -q` under pipefail fails at random once the file
# passes a page, because grep -q exits at the first match and tr's next write
# dies of SIGPIPE.
_cansd_cmdline_has() {
	local pid=$1 needle=$2 args=()
	mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || return 1
	[[ "${args[*]}" == *"$needle"* ]]
}

# True when process $1's environment contains the line $2 exactly (read
# whole, no pipe: see _cansd_cmdline_has).
_cansd_environ_has() {
	local pid=$1 line=$2 entry entries=()
	mapfile -d '' -t entries <"/proc/$pid/environ" 2>/dev/null || return 1
	for entry in "${entries[@]}"; do
		[ "$entry" = "$line" ] && return 0
	done
	return 1
}

# Waits up to $2 seconds (tenths allowed) for process $1 to end.
_cansd_wait_gone() {
	local pid=$1 tenths
	tenths=$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')
	while [ "$tenths" -gt 0 ]; do
		_cansd_alive "$pid" || return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	! _cansd_alive "$pid"
}

_cansd_read_pid() {
	local f=$1 pid=""
	if [ -f "$f" ]; then
		{ read -r pid <"$f"; } 2>/dev/null || true
	fi
	case $pid in
	'' | *[!0-9]*) return 1 ;;
	esac
	printf '%s\n' "$pid"
}

# --- PostgreSQL ---------------------------------------------------------------

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

# --- schema and data ----------------------------------------------------------

# Applies sql/migrations/NNN_name.sql in numeric order, each once and each in
# one transaction, as cansd_owner (SET ROLE from superuser postgres), and
# records version NNN_name in public.schema_migrations in the same transaction.
migrate() {
	_cansd_paths
	local dir=${CANSD_MIGRATIONS_DIR:-$CANSD_ROOT/sql/migrations}
	local applied files f base version n=0
	psql_super -d cansd -f - >/dev/null <<-'SQL'
		SET client_min_messages = warning;
		CREATE TABLE IF NOT EXISTS public.schema_migrations (
			version    text PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		);
		REVOKE ALL ON public.schema_migrations FROM PUBLIC;
	SQL
	applied=$(psql_super -d cansd -At -c 'SELECT version FROM public.schema_migrations')
	files=$(cd "$dir" && find . -maxdepth 1 -name '*.sql' -printf '%f\n' | sort -t_ -k1,1n -k1,1)
	local seen=" "
	for base in $files; do
		if ! [[ $base =~ ^([0-9]+)_[A-Za-z0-9_.-]+\.sql$ ]]; then
			cansd_die "migration file name must be NNN_name.sql: $dir/$base"
		fi
		n=$((10#${BASH_REMATCH[1]}))
		case $seen in *" $n "*) cansd_die "two migrations share number $n in $dir" ;; esac
		seen="$seen$n "
		version=${base%.sql}
		if grep -qxF -- "$version" <<<"$applied"; then
			continue
		fi
		cansd_log "migrate: applying $base"
		f=$dir/$base
		# Fed on stdin: user postgres may not be able to read the project tree.
		if ! {
			printf 'SET ROLE cansd_owner;\n'
			cat -- "$f"
			printf "\n;\nRESET ROLE;\nINSERT INTO public.schema_migrations (version) VALUES (:'version');\n"
		} | psql_super -d cansd --single-transaction -v version="$version" -f - >/dev/null; then
			cansd_die "migration $base failed; nothing of it was applied"
		fi
	done
	apply_sql_source
	load_instrument
}

# Loads the CANS item catalogue, the instrument's only source, at every start:
# the CSV (header domain_code,domain_name,item_code,item_name,subject,scale,
# min_age_months,max_age_months,rated_when; cans-2.0-items.md) is copied into
# cansd.instrument_staging and cansd.instrument_load() (sql/functions/
# instruments.sql) upserts domains and items in file order, in one
# transaction. A state's licensed catalogue replaces the file: no code changes.
load_instrument() {
	_cansd_paths
	local file=${CANSD_INSTRUMENT_FILE:-$CANSD_ROOT/sql/data/cans-2.0-items.csv} n
	[ -s "$file" ] || cansd_die "the instrument file $file is missing"
	# Fed on stdin (user postgres may not read the project tree); COPY reads
	# its rows from the same stream up to the \. line.
	if ! n=$({
		printf 'SET ROLE cansd_owner;\nDELETE FROM cansd.instrument_staging;\n'
		printf 'COPY cansd.instrument_staging (domain_code, domain_name, item_code, item_name, subject, scale, min_age_months, max_age_months, rated_when) FROM STDIN WITH (FORMAT csv, HEADER true);\n'
		awk '{ sub(/\r$/, "") } /[^[:space:]]/ { print }' "$file"
		printf '\\.\nSELECT cansd.instrument_load();\nRESET ROLE;\n'
	} | psql_super -d cansd --single-transaction -At -f -); then
		cansd_die "loading the instrument $file failed; nothing of it was applied"
	fi
	cansd_log "instrument loaded: $n items from ${file#"$CANSD_ROOT"/}"
}

# Applies the SQL source files (functions, views, policies, triggers and
# function grants) after the migrations, at every start, in one transaction
# as cansd_owner: sql/functions/base.sql first (what the others build on),
# then the rest in name order. Every file is idempotent (CREATE OR REPLACE,
# DROP ... IF EXISTS before CREATE POLICY/TRIGGER). Schema api, the entry
# points C calls, is dropped and re-created first: nothing depends on it, so
# a changed signature needs no hand-written DROP. check_function_bodies
# is off so that files need not be ordered by the functions they call;
# plpgsql bodies are checked on first call anyway, and make test calls them.
apply_sql_source() {
	_cansd_paths
	local dir=${CANSD_SQL_SOURCE_DIR:-$CANSD_ROOT/sql/functions} f
	[ -f "$dir/base.sql" ] || cansd_die "$dir/base.sql is missing"
	local files=("$dir/base.sql")
	for f in "$dir"/*.sql; do
		[ "$f" = "$dir/base.sql" ] || files+=("$f")
	done
	if ! {
		printf 'SET ROLE cansd_owner;
SET check_function_bodies = off;
SET client_min_messages = warning;
'
		# The entry points C calls live in schema api alone, re-created whole:
		# nothing depends on them, so a removed or re-signed function needs no
		# hand-written DROP.
		printf 'DROP SCHEMA IF EXISTS api CASCADE;
CREATE SCHEMA api;
GRANT USAGE ON SCHEMA api TO cansd_app;
'
		for f in "${files[@]}"; do
			printf '
-- %s
' "${f#"$CANSD_ROOT"/}"
			cat -- "$f"
			printf '
;
'
		done
		printf 'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cansd TO cansd_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api TO cansd_app;
RESET ROLE;
'
	} | psql_super -d cansd --single-transaction -f - >/dev/null; then
		cansd_die "applying the SQL source files ($dir) failed; nothing of it was applied"
	fi
}

# Runs `$CANSD_BIN audit-verify` as the cluster's superuser over the unix
# socket, the way psql_super does (it reads the whole trail past row-level
# security). As root, when OS user postgres cannot reach the binary (a clone
# under /root), a copy in a private temporary directory is run instead.
audit_verify() {
	_cansd_paths
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	local conninfo="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=postgres"
	if ! _cansd_is_root || runuser -u postgres -- test -x "$CANSD_BIN" 2>/dev/null; then
		_as_postgres "$CANSD_BIN" audit-verify "$conninfo"
		return
	fi
	local tmp rc=0
	tmp=$(mktemp -d /tmp/cansd-audit-verify.XXXXXX)
	install -m 0755 "$CANSD_BIN" "$tmp/cansd"
	chmod 0755 "$tmp"
	_as_postgres "$tmp/cansd" audit-verify "$conninfo" || rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# Prints a box around its arguments (one line each) on stdout.
_cansd_box() {
	local width=0 line
	for line in "$@"; do [ ${#line} -gt "$width" ] && width=${#line}; done
	local bar
	bar=$(printf '%*s' $((width + 2)) '' | tr ' ' '=')
	printf '+%s+\n' "$bar"
	for line in "$@"; do printf '| %-*s |\n' "$width" "$line"; done
	printf '+%s+\n' "$bar"
}

# Prints the encoded hash of password $1 made by `$CANSD_BIN hash-password`.
_cansd_hash_password() {
	local hash
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	hash=$(printf '%s\n' "$1" | "$CANSD_BIN" hash-password) ||
		cansd_die "$CANSD_BIN hash-password failed"
	[ -n "$hash" ] || cansd_die "$CANSD_BIN hash-password printed nothing"
	printf '%s\n' "$hash"
}

# Creates user admin (program_admin) when there is none. The password is
# CANSD_ADMIN_PASSWORD or a generated one, printed once. Inserted as the
# superuser, which bypasses row-level security, with an audit event.
bootstrap_admin() {
	_cansd_paths
	local exists password generated=0 hash
	exists=$(psql_super -d cansd -At -c "SELECT count(*) FROM cansd.users WHERE username = 'admin'")
	[ "$exists" = 0 ] || return 0
	if [ -n "${CANSD_ADMIN_PASSWORD:-}" ]; then
		password=$CANSD_ADMIN_PASSWORD
	else
		password=$(openssl rand -base64 18 | tr '+/' '-_')
		generated=1
	fi
	hash=$(_cansd_hash_password "$password")
	CANSD_ADMIN_HASH=$hash psql_super -d cansd -f - >/dev/null <<-'SQL'
		\getenv hash CANSD_ADMIN_HASH
		BEGIN;
		WITH admin AS (
			INSERT INTO cansd.users (username, full_name, email, roles, supervisor_id, program, password_hash)
			VALUES ('admin', 'Program Administrator', 'admin@localhost.invalid',
			        ARRAY['program_admin'], NULL, NULL, :'hash')
			RETURNING id)
		INSERT INTO cansd.audit_events (actor_id, action, entity_type, entity_id, detail)
		SELECT NULL, 'bootstrap', 'user', id::text,
		       jsonb_build_object('username', 'admin', 'by', 'scripts/lib.sh bootstrap_admin')
		FROM admin;
		COMMIT;
	SQL
	if [ "$generated" = 1 ]; then
		_cansd_box "cansd: created user 'admin' (program_admin)" \
			"password: $password" \
			"It is shown only this once. Set CANSD_ADMIN_PASSWORD before the" \
			"first start to choose it instead."
	else
		cansd_log "created user 'admin' with the password from CANSD_ADMIN_PASSWORD"
	fi
}

# Demo users, training records and cases (sql/seed/demo.sql), then CANS in
# every state (sql/seed/demo_cans.sql), then last month's report and QC data
# (sql/seed/demo_reports.sql), when CANSD_DEMO=1 and the database has no
# user other than admin.
seed_demo() {
	_cansd_paths
	[ "${CANSD_DEMO:-0}" = 1 ] || return 0
	local others password hash tz=${CANSD_TIMEZONE:-America/Chicago}
	others=$(psql_super -d cansd -At -c "SELECT count(*) FROM cansd.users WHERE username <> 'admin'")
	[ "$others" = 0 ] || return 0
	password=${CANSD_DEMO_PASSWORD:-demo-password}
	hash=$(_cansd_hash_password "$password")
	CANSD_DEMO_HASH=$hash psql_super -d cansd -v tz="$tz" -f - >/dev/null \
		< <(printf '\\getenv hash CANSD_DEMO_HASH\n'; cat "$CANSD_ROOT/sql/seed/demo.sql" \
			"$CANSD_ROOT/sql/seed/demo_cans.sql" "$CANSD_ROOT/sql/seed/demo_reports.sql") ||
		cansd_die "seeding demo data failed"
	_cansd_box "cansd: demo data seeded (CANSD_DEMO=1); every demo user's password: $password" \
		"supervisor.rivera  supervisor, IPS, certified" \
		"worker.current     worker, IPS, certified" \
		"worker.lapsing     worker, IPS, certification lapses in 19 days" \
		"worker.lapsed      worker, IPS, certification lapsed" \
		"worker.ifps        worker, IFPS, certified" \
		"worker.renewal     worker, IPS, lapsed ten days after last month" \
		"supervisor.chen    supervisor, IFPS, certified (second team)" \
		"worker.ifps.full   worker, IFPS, certified, at the cap of 4 IFPS families" \
		"worker.ips2        worker, IPS, certified (supervisor.chen's team)" \
		"cert.office        certification_office" \
		"qa.analyst         qa_analyst, certified" \
		"program.admin      program_admin" \
		"demo CANS          draft, submitted, returned, rerouted, approved (GET /assessments)"
}

# --- worker pool --------------------------------------------------------------

_pool_pid() {
	local pid
	pid=$(_cansd_read_pid "$CANSD_RUN_DIR/cansd.pid") || return 1
	_cansd_alive "$pid" && _cansd_environ_has "$pid" "CANSD_FCGI_LISTEN=$CANSD_FCGI_SOCKET" || return 1
	printf '%s\n' "$pid"
}

pool_running() {
	_cansd_paths
	_pool_pid >/dev/null
}

# Starts `$CANSD_BIN serve` (the master: it binds the socket, forks
# CANSD_WORKERS workers, drains and exits on SIGTERM/SIGINT) in its own
# session; output to log/cansd.log. Sets CANSD_POOL_PID.
pool_start() {
	_cansd_paths
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	if [ ! -d "$CANSD_LOG_DIR" ] || [ ! -d "$CANSD_RUN_DIR" ]; then
		stack_init "$CANSD_VAR_DIR"
	fi
	if CANSD_POOL_PID=$(_pool_pid); then
		cansd_log "worker pool already running (pid $CANSD_POOL_PID)"
		return 0
	fi
	[ -s "$CANSD_SECRETS_DIR/pgpass" ] || cansd_die "no $CANSD_SECRETS_DIR/pgpass: run pg_start first"
	rm -f "$CANSD_FCGI_SOCKET" "$CANSD_RUN_DIR/cansd.pid"
	local workers=${CANSD_WORKERS:-$(nproc)}
	(
		export CANSD_VAR_DIR
		export CANSD_FCGI_LISTEN=$CANSD_FCGI_SOCKET
		export CANSD_DATABASE_URL="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=cansd_app passfile=$CANSD_SECRETS_DIR/pgpass"
		export CANSD_JWT_KEY=$CANSD_KEY_FILE
		export CANSD_WORKERS=$workers
		export CANSD_TIMEZONE=${CANSD_TIMEZONE:-America/Chicago}
		if _cansd_is_root; then
			# The master binds the socket as root, gives it to nginx's
			# workers' group (0660), reads the keys, then drops to cansd.
			export CANSD_RUN_AS_USER=$CANSD_POOL_USER
			export CANSD_FCGI_SOCKET_GROUP=$CANSD_WEB_GROUP
		fi
		# CANSD_JWT_EXTERNAL_*, CANSD_CORS_ORIGINS, CANSD_ACCESS_TTL and any
		# other CANSD_* the caller exported pass through unchanged.
		if [ -n "${CANSD_POOL_ASAN_OPTIONS:-}" ]; then export ASAN_OPTIONS=$CANSD_POOL_ASAN_OPTIONS; fi
		if [ -n "${CANSD_POOL_UBSAN_OPTIONS:-}" ]; then export UBSAN_OPTIONS=$CANSD_POOL_UBSAN_OPTIONS; fi
		cd "$CANSD_VAR_DIR"
		printf '%s\n' "$BASHPID" >"$CANSD_RUN_DIR/cansd.pid"
		# Not a process-group leader (no job control), so setsid execs in place
		# and the pid written above stays the master's.
		exec setsid "$CANSD_BIN" serve </dev/null >>"$CANSD_LOG_DIR/cansd.log" 2>&1
	) &
	CANSD_POOL_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$CANSD_FCGI_SOCKET" ] && break
		if ! _cansd_alive "$CANSD_POOL_PID"; then
			tail -n 30 "$CANSD_LOG_DIR/cansd.log" >&2 || true
			cansd_die "the worker pool exited during start (log: $CANSD_LOG_DIR/cansd.log)"
		fi
		sleep 0.1
	done
	if [ ! -S "$CANSD_FCGI_SOCKET" ]; then
		tail -n 30 "$CANSD_LOG_DIR/cansd.log" >&2 || true
		cansd_die "the worker pool did not create $CANSD_FCGI_SOCKET within 10 s"
	fi
	# nginx's workers (group cansd-web when root) must be able to connect, and
	# nobody else: cansd makes the socket 0660 in that group itself.
	local want_group=$CANSD_WEB_GROUP
	_cansd_is_root || want_group=$(id -gn)
	if [ "$(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null)" != "660 $want_group" ]; then
		sleep 0.2
		[ "$(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null)" = "660 $want_group" ] ||
			cansd_log "warning: $CANSD_FCGI_SOCKET is not mode 0660 group $want_group ($(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null))"
	fi
	cansd_log "worker pool started (pid $CANSD_POOL_PID, $workers workers, socket $CANSD_FCGI_SOCKET)"
}

pool_stop() {
	_cansd_paths
	local pid
	if pid=$(_pool_pid); then
		kill -TERM "$pid" 2>/dev/null || true
		if ! _cansd_wait_gone "$pid" 15; then
			cansd_log "worker pool did not stop within 15 s; killing it"
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
			_cansd_wait_gone "$pid" 5 || true
		fi
		# Workers left behind by a master that died: same process group.
		if pgrep -g "$pid" >/dev/null 2>&1; then
			sleep 1
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$CANSD_RUN_DIR/cansd.pid" "$CANSD_FCGI_SOCKET"
}

# --- nginx --------------------------------------------------------------------

_nginx_pid() {
	local pid
	pid=$(_cansd_read_pid "$CANSD_RUN_DIR/nginx.pid") || return 1
	_cansd_alive "$pid" && _cansd_cmdline_has "$pid" "$CANSD_NGINX_DIR/nginx.conf" || return 1
	printf '%s\n' "$pid"
}

nginx_running() {
	_cansd_paths
	_nginx_pid >/dev/null
}

# The directory nginx serves openapi.yaml, docs/ and swagger-ui-dist from: the
# project tree when nginx's workers (nobody) can read it, else a copy in VAR.
_nginx_static_dir() {
	local ui=node_modules/swagger-ui-dist
	[ -f "$CANSD_ROOT/$ui/swagger-ui-bundle.js" ] ||
		cansd_log "warning: $CANSD_ROOT/$ui is missing (scripts/install-deps.sh): /docs/ will not render"
	if ! _cansd_is_root; then
		printf '%s\n' "$CANSD_ROOT" # nginx's workers run as the invoking user
		return
	fi
	if runuser -u nobody -- test -r "$CANSD_ROOT/openapi.yaml" 2>/dev/null &&
		runuser -u nobody -- test -r "$CANSD_ROOT/docs/index.html" 2>/dev/null &&
		{ [ ! -d "$CANSD_ROOT/$ui" ] || runuser -u nobody -- test -x "$CANSD_ROOT/$ui" 2>/dev/null; }; then
		printf '%s\n' "$CANSD_ROOT"
		return
	fi
	local s=$CANSD_NGINX_DIR/static
	rm -rf "$s"
	mkdir -p "$s/docs" "$s/$ui"
	cp -f "$CANSD_ROOT/openapi.yaml" "$s/"
	cp -f "$CANSD_ROOT/docs/index.html" "$s/docs/"
	if [ -d "$CANSD_ROOT/$ui" ]; then
		cp -f "$CANSD_ROOT/$ui/"*.js "$CANSD_ROOT/$ui/"*.css "$CANSD_ROOT/$ui/"*.png "$s/$ui/" 2>/dev/null || true
	fi
	chmod -R a+rX "$s"
	printf '%s\n' "$s"
}

# openapi.yaml rendered as JSON for /api/v1/openapi.json (needs node + yaml).
_nginx_openapi_json() {
	local out=$CANSD_NGINX_DIR/openapi.json
	if [ -f "$CANSD_ROOT/node_modules/yaml/package.json" ] && command -v node >/dev/null 2>&1; then
		if (cd "$CANSD_ROOT" && node -e '
			const fs = require("fs"), YAML = require("yaml");
			const doc = YAML.parse(fs.readFileSync(process.argv[1], "utf8"));
			fs.writeFileSync(process.argv[2], JSON.stringify(doc, null, 2) + "\n");
		' "$CANSD_ROOT/openapi.yaml" "$out.tmp"); then
			chmod 644 "$out.tmp"
			mv -f "$out.tmp" "$out"
			return 0
		fi
		rm -f "$out.tmp"
	fi
	cansd_log "warning: could not render openapi.json (node_modules/yaml missing?); /api/v1/openapi.json will be 404"
	rm -f "$out"
}

CANSD_DEMO_WELL_KNOWN_PASSWORD=demo-password

# Prints the address nginx listens on: CANSD_HTTP_LISTEN (default 127.0.0.1;
# an IPv4 address, 0.0.0.0, localhost, or [IPv6]). Refuses (exits) anything
# but loopback while the demo users may carry the well-known password:
# CANSD_DEMO=1 with CANSD_DEMO_PASSWORD unset or equal to it.
cansd_http_listen_addr() {
	local addr=${CANSD_HTTP_LISTEN:-127.0.0.1}
	[[ $addr =~ ^([0-9.]+|localhost|\[[0-9A-Fa-f:.]+\])$ ]] ||
		cansd_die "CANSD_HTTP_LISTEN must be an IPv4 address, localhost or [IPv6 address]: $addr"
	case $addr in
	127.* | localhost | '[::1]') ;;
	*)
		if [ "${CANSD_DEMO:-0}" = 1 ] &&
			[ "${CANSD_DEMO_PASSWORD:-$CANSD_DEMO_WELL_KNOWN_PASSWORD}" = "$CANSD_DEMO_WELL_KNOWN_PASSWORD" ]; then
			cansd_die "refusing to listen on $addr with demo data whose password is the well-known '$CANSD_DEMO_WELL_KNOWN_PASSWORD': set CANSD_DEMO=0, or CANSD_DEMO_PASSWORD to a secret one before the first start, or listen on loopback (CANSD_HTTP_LISTEN=127.0.0.1)"
		fi
		;;
	esac
	printf '%s\n' "$addr"
}

# Where to probe a listener on address $1: loopback for the wildcards.
_cansd_probe_host() {
	case $1 in
	0.0.0.0 | '[::]' | localhost) echo 127.0.0.1 ;;
	\[*) echo "${1:1:${#1}-2}" ;;
	*) echo "$1" ;;
	esac
}

# Renders nginx/cansd.conf.template and starts nginx (daemon off) in its own
# session. Sets CANSD_NGINX_PID.
nginx_start() {
	_cansd_paths
	if [ ! -d "$CANSD_LOG_DIR" ] || [ ! -d "$CANSD_NGINX_DIR" ]; then
		stack_init "$CANSD_VAR_DIR"
	fi
	if CANSD_NGINX_PID=$(_nginx_pid); then
		cansd_log "nginx already running (pid $CANSD_NGINX_PID)"
		return 0
	fi
	local port=${CANSD_HTTP_PORT:-8080} rps=${CANSD_RATE_LIMIT_RPS:-50} static addr probe
	addr=$(cansd_http_listen_addr) || exit 1
	probe=$(_cansd_probe_host "$addr")
	if ! [[ $port =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		cansd_die "CANSD_HTTP_PORT must be a port number: $port"
	fi
	if ! [[ $rps =~ ^[0-9]{1,7}$ ]] || [ "$rps" -lt 1 ]; then
		cansd_die "CANSD_RATE_LIMIT_RPS must be a positive integer: $rps"
	fi
	if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then
		cansd_die "$addr:$port is already in use: set CANSD_HTTP_PORT to a free port"
	fi
	mkdir -p "$CANSD_NGINX_DIR/tmp"
	static=$(_nginx_static_dir)
	_nginx_openapi_json
	cp -f "$CANSD_ROOT/nginx/cansd-fastcgi.conf" "$CANSD_NGINX_DIR/cansd-fastcgi.conf"
	# shellcheck disable=SC2016 # envsubst gets the names, not their values
	CANSD_NGINX_LISTEN=$addr:$port CANSD_RATE_LIMIT_RPS=$rps CANSD_STATIC_DIR=$static \
		CANSD_FCGI_UPSTREAM=unix:$CANSD_FCGI_SOCKET CANSD_NGINX_DIR=$CANSD_NGINX_DIR \
		envsubst '${CANSD_NGINX_LISTEN} ${CANSD_RATE_LIMIT_RPS} ${CANSD_VAR_DIR} ${CANSD_STATIC_DIR} ${CANSD_FCGI_UPSTREAM} ${CANSD_NGINX_DIR}' \
		<"$CANSD_ROOT/nginx/cansd.conf.template" >"$CANSD_NGINX_DIR/nginx.conf"
	rm -f "$CANSD_RUN_DIR/nginx.pid"
	local nginx_args=(-p "$CANSD_NGINX_DIR/" -c "$CANSD_NGINX_DIR/nginx.conf" -e "$CANSD_LOG_DIR/nginx-error.log")
	# As root, the workers run as nobody in the group that may use the pool's
	# socket; otherwise as the invoking user (nginx ignores `user` then).
	! _cansd_is_root || nginx_args+=(-g "user nobody $CANSD_WEB_GROUP;")
	if ! nginx -t -q "${nginx_args[@]}" 2>"$CANSD_LOG_DIR/nginx-test.log"; then
		cat "$CANSD_LOG_DIR/nginx-test.log" >&2
		cansd_die "the rendered nginx configuration is invalid: $CANSD_NGINX_DIR/nginx.conf"
	fi
	setsid nginx "${nginx_args[@]}" </dev/null >>"$CANSD_LOG_DIR/nginx.out" 2>&1 &
	CANSD_NGINX_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null && [ -s "$CANSD_RUN_DIR/nginx.pid" ]; then
			cansd_log "nginx started (pid $CANSD_NGINX_PID) on http://$addr:$port/"
			return 0
		fi
		if ! _cansd_alive "$CANSD_NGINX_PID"; then
			tail -n 20 "$CANSD_LOG_DIR/nginx-error.log" "$CANSD_LOG_DIR/nginx.out" >&2 2>/dev/null || true
			cansd_die "nginx exited during start (log: $CANSD_LOG_DIR/nginx-error.log)"
		fi
		sleep 0.1
	done
	cansd_die "nginx did not listen on $addr:$port within 10 s"
}

nginx_stop() {
	_cansd_paths
	local pid
	if pid=$(_nginx_pid); then
		kill -QUIT "$pid" 2>/dev/null || true
		if ! _cansd_wait_gone "$pid" 10; then
			kill -TERM "$pid" 2>/dev/null || true
			if ! _cansd_wait_gone "$pid" 5; then
				kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
				_cansd_wait_gone "$pid" 5 || true
			fi
		fi
	fi
	rm -f "$CANSD_RUN_DIR/nginx.pid"
}

# --- everything ---------------------------------------------------------------

# Stops nginx, then the pool (it drains), then PostgreSQL. Leaves nothing
# running; safe to call any number of times, also after a crash.
stack_stop() {
	_cansd_paths
	nginx_stop || true
	pool_stop || true
	pg_stop
}
