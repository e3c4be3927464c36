#!/usr/bin/env bash
# `make run`: PostgreSQL in $CANSD_VAR_DIR (initialised the first time), the
# migrations, user admin, demo data (CANSD_DEMO=1, empty database only), the
# worker pool and nginx on ${CANSD_HTTP_LISTEN:-127.0.0.1}:$CANSD_HTTP_PORT, in the
# foreground (a non-loopback CANSD_HTTP_LISTEN is refused with demo data that
# has the well-known password).
# SIGINT/SIGTERM (or any component dying) stops all of it in order. Data in
# $CANSD_VAR_DIR survives; a second run neither re-initialises nor re-seeds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CANSD_HTTP_PORT=${CANSD_HTTP_PORT:-8080}
export CANSD_DEMO=${CANSD_DEMO:-1}
export CANSD_VAR_DIR=${CANSD_VAR_DIR:-./var}
export CANSD_TIMEZONE=${CANSD_TIMEZONE:-America/Chicago}
export CANSD_BIN=${CANSD_BIN:-build/rel/cansd}

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

stopping=0
sleeper=""
# shellcheck disable=SC2317 # invoked by the traps
shutdown() {
	[ "$stopping" = 1 ] && return 0
	stopping=1
	trap '' INT TERM
	[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
	cansd_log "stopping (nginx, worker pool, PostgreSQL)"
	stack_stop || true
	rm -f "$CANSD_RUN_DIR/run.pid"
	cansd_log "stopped"
}
trap 'shutdown' EXIT
trap 'shutdown; exit 0' INT TERM

# A public address with the well-known demo password starts nothing.
listen_addr=$(cansd_http_listen_addr) || exit 1
stack_init "$CANSD_VAR_DIR"
# `make stop` (run_stop) finds us here.
printf '%s\n' "$$" >"$CANSD_RUN_DIR/run.pid"
# Leftovers of a run that was killed (pid files, processes) go first.
nginx_stop
pool_stop
pg_start
migrate
seed_demo
pool_start
nginx_start

base="http://$listen_addr:$CANSD_HTTP_PORT"
where="data in $CANSD_VAR_DIR; logs in $CANSD_VAR_DIR/log"
if [ -L var ] && [ "$(readlink -f var)" = "$CANSD_VAR_DIR" ]; then
	# stack_init moved it where postgres and nobody can enter (scripts/lib.sh)
	where="data in $CANSD_VAR_DIR, NOT in ./var, which links there; logs in $CANSD_VAR_DIR/log"
fi
# The "Try it" lines must work pasted as they are: with demo data, a demo
# user and its password; without, admin, whose password was printed when it
# was created (or came from CANSD_ADMIN_PASSWORD then) and is asked for.
demo_users=$(psql_super -d cansd -At -c "SELECT count(*) FROM cansd.users WHERE username = 'program.admin'")
if [ "$demo_users" = 1 ]; then
	demo_body=$(jq -nc --arg p "${CANSD_DEMO_PASSWORD:-demo-password}" '{username: "program.admin", password: $p}')
	try_as="the demo users share the password \"${CANSD_DEMO_PASSWORD:-demo-password}\""
	try_login="-d '${demo_body//\'/\'\\\'\'}'"
	try_ask=""
else
	try_as="as admin: the password printed when admin was created, or CANSD_ADMIN_PASSWORD then"
	# shellcheck disable=SC2016 # printed for the reader's shell to expand
	try_login='-d "$(jq -n --arg p "$PW" '"'"'{username: "admin", password: $p}'"'"')"'
	try_ask="  read -rsp 'password of admin: ' PW; echo
"
fi
cat <<EOF

cansd is running ($where).
  In a browser:  $base/docs/  (every route; "Authorize" with a token, then "Try it out")
  OpenAPI:       $base/api/v1/openapi.yaml
  Health:        $base/healthz   $base/readyz
Try it with curl ($try_as):
  B=$base/api/v1
$try_ask  TOKEN=\$(curl -s \$B/auth/login -H 'Content-Type: application/json' \\
    $try_login | jq -r .access_token)
  curl -s \$B/me -H "Authorization: Bearer \$TOKEN" | jq .
More: README.md, "Walk-through". Ctrl-C stops everything; \`make purge\` then deletes its data.
EOF
# True when whoever started us is gone, or is make handling a fatal signal:
# `kill -INT <make's pid>` (not its process group) makes make wait for its
# children without passing the signal on, and it blocks SIGHUP/SIGINT/SIGTERM
# while it waits. Then we stop, and make can finish.
parent=$PPID
parent_interrupted() {
	local ppid blk comm=""
	read -r _ _ _ ppid _ <"/proc/$$/stat" || return 1
	[ "$ppid" = "$parent" ] || return 0
	read -r comm <"/proc/$parent/comm" 2>/dev/null || return 0
	case $comm in make | gmake) ;; *) return 1 ;; esac
	blk=$(awk '/^SigBlk:/ { print $2 }' "/proc/$parent/status" 2>/dev/null) || return 1
	[ -n "$blk" ] && (((16#$blk & 0x4003) != 0))
}

# Stay in the foreground. `sleep & wait` keeps the shell responsive to
# signals (a trap runs as soon as wait is interrupted).
while pool_running && nginx_running && pg_running; do
	if parent_interrupted; then
		cansd_log "the parent process was interrupted or is gone"
		shutdown
		exit 0
	fi
	sleep 1 &
	sleeper=$!
	wait "$sleeper" || true
done
cansd_log "a component stopped unexpectedly (see $CANSD_VAR_DIR/log/); shutting down"
exit 1
