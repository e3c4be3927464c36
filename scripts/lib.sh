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
#   migrate           `$CANSD_BIN migrate` (cmd/migrate.h): the migrations not
#                     yet applied, the SQL source, the instrument catalogue
#                     and user admin (a generated password printed once)
#   seed_demo         when CANSD_DEMO=1 and no user but admin exists: sql/seed/demo.sql
#   pool_start        `$CANSD_BIN serve` in the background; waits for its socket
#   pool_stop         TERM, wait up to 15 s, then KILL the pool's process group
#   nginx_start       render nginx/cansd.conf.template, start nginx, wait for the port
#   cansd_http_listen_addr  print CANSD_HTTP_LISTEN (default 127.0.0.1); exit
#                     when it is not loopback and demo data has the
#                     well-known password
#   nginx_stop        QUIT, wait, then TERM/KILL
#   stack_stop        nginx_stop, pool_stop, pg_stop
#   run_stop          `make stop`: TERM to this var directory's scripts/run.sh
#                     (it stops everything in order and ends), then stack_stop
#                     for whatever a killed run left behind
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
#   nginx.pid, run.pid)  log/ (postgres.log cansd.log nginx-error.log nginx-access.log)
#   keys/jwt-signing.pem  secrets/ (pg-app.pass, pgpass)  nginx/ (nginx.conf,
#   openapi.json, temp dirs, static/ when the project tree is not readable by
#   nginx's workers)
#
# The functions live in scripts/lib/, one file per job: stack.sh (paths,
# users, layout, process helpers), pg.sh (PostgreSQL, migrate, audit_verify),
# demo.sh (seed_demo), pool.sh (the worker pool), nginx.sh; this file holds
# what they share and what spans them (stack_stop, run_stop).
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

# shellcheck source=scripts/lib/stack.sh
. "$CANSD_ROOT/scripts/lib/stack.sh"
# shellcheck source=scripts/lib/pg.sh
. "$CANSD_ROOT/scripts/lib/pg.sh"
# shellcheck source=scripts/lib/demo.sh
. "$CANSD_ROOT/scripts/lib/demo.sh"
# shellcheck source=scripts/lib/pool.sh
. "$CANSD_ROOT/scripts/lib/pool.sh"
# shellcheck source=scripts/lib/nginx.sh
. "$CANSD_ROOT/scripts/lib/nginx.sh"

# --- everything ---------------------------------------------------------------

# Stops nginx, then the pool (it drains), then PostgreSQL. Leaves nothing
# running; safe to call any number of times, also after a crash.
stack_stop() {
	_cansd_paths
	nginx_stop || true
	pool_stop || true
	pg_stop
}

# Stops the `make run` whose var directory this is: scripts/run.sh writes its
# pid to run/run.pid; TERM makes it stop nginx, the pool and PostgreSQL in
# order and end with status 0, as Ctrl-C does. Then stack_stop, for what a
# run killed without its trap (SIGKILL) left running.
run_stop() {
	_cansd_paths
	local pid
	if ! pg_running && ! pool_running && ! nginx_running; then
		cansd_log "nothing of $CANSD_VAR_DIR is running"
		return 0
	fi
	if pid=$(_cansd_read_pid "$CANSD_RUN_DIR/run.pid") && _cansd_alive "$pid" &&
		_cansd_cmdline_has "$pid" scripts/run.sh; then
		cansd_log "stopping make run (scripts/run.sh, pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		_cansd_wait_gone "$pid" 60 ||
			cansd_log "warning: scripts/run.sh (pid $pid) did not end within 60 s; stopping its components"
	fi
	stack_stop
	rm -f "$CANSD_RUN_DIR/run.pid"
	cansd_log "stopped (data kept in $CANSD_VAR_DIR)"
}
