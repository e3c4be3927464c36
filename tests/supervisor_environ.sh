#!/usr/bin/env bash
# The supervisor of `make run` (scripts/run.sh) must not stop the stack by
# itself when its environment is large: its liveness checks read
# /proc/PID/environ and /proc/PID/cmdline, which arrive a page at a time.
#   1. the checks themselves (scripts/lib.sh) against a process with a 64 KB
#      environment and a 64 KB command line: 500 of each answer "running";
#   2. scripts/run.sh with a 64 KB environment (fresh var directory, no demo
#      data, the pool build in $CANSD_BIN) for $1 seconds (default 60):
#      every second it is still running and /healthz answers 200; then
#      SIGTERM stops it and everything it started.
# Needs root or not, either works; cleans up after itself.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
seconds=${1:-60}
# shellcheck source=tests/lib/free_port.sh
. tests/lib/free_port.sh
# The checks under test, and _cansd_wait_gone.
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

say() { printf '[supervisor_environ] %s\n' "$*" >&2; }
tmp=$(mktemp -d /tmp/cansd-supervisor.XXXXXX)
chmod 755 "$tmp"
run_pid=""
dummy=""
die() {
	say "FAIL: $*"
	[ -f "$tmp/run.log" ] && tail -n 30 "$tmp/run.log" >&2
	exit 1
}
cleanup() {
	[ -z "$dummy" ] || kill "$dummy" 2>/dev/null || true
	if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
		kill -TERM "$run_pid" 2>/dev/null || true
		sleep 5
	fi
	for pid in $(pgrep -f -- "$tmp/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
	case $(readlink -f "$tmp/var" 2>/dev/null) in /var/lib/cansd/?*) rm -rf -- "$(readlink -f "$tmp/var")" ;; esac
	rm -rf -- "$tmp"
}
trap cleanup EXIT

# 64 KB in eight variables, named to sort before and after the ones the
# checks look for.
pad=$(printf '%8192s' '' | tr ' ' x)
export_big() {
	local i
	for i in 1 2 3 4; do export "A_PAD_$i=$pad" "Z_PAD_$i=$pad"; done
}

# --- 1. the checks ---------------------------------------------------------------
(
	export_big
	export CANSD_FCGI_LISTEN=/some/where/cansd.sock
	exec -a "sleep $pad $tmp/marker.conf" sleep 300
) &
dummy=$!
sleep 0.5
env_bytes=$(wc -c <"/proc/$dummy/environ")
cmd_bytes=$(wc -c <"/proc/$dummy/cmdline")
[ "$env_bytes" -ge 65536 ] || die "the test process's environment is only $env_bytes bytes"
misses=$(
	n=0
	for ((i = 0; i < 500; i++)); do
		_cansd_environ_has "$dummy" CANSD_FCGI_LISTEN=/some/where/cansd.sock || n=$((n + 1))
		_cansd_cmdline_has "$dummy" "$tmp/marker.conf" || n=$((n + 1))
	done
	_cansd_environ_has "$dummy" CANSD_FCGI_LISTEN=/else/where && n=$((n + 1000))
	_cansd_cmdline_has "$dummy" "$tmp/other.conf" && n=$((n + 1000))
	echo "$n"
)
[ "$misses" = 0 ] || die "liveness checks wrong $misses times in 1,000 (environment $env_bytes bytes, command line $cmd_bytes bytes)"
kill "$dummy" 2>/dev/null || true
dummy=""
say "liveness checks: 1,000 of 1,000 right with a $env_bytes-byte environment and a $cmd_bytes-byte command line"

# --- 2. the supervisor -------------------------------------------------------------
port=$(free_port) || die "no free port"
base=http://127.0.0.1:$port
# Nothing of the caller's configuration (make test exports CANSD_* for its
# own stack) may leak in, but the binary to run.
bin=${CANSD_BIN:-$root/build/asan/cansd}
for v in $(compgen -e); do
	case $v in CANSD_*) unset "$v" ;; esac
done
(
	export_big
	export CANSD_BIN=$bin CANSD_VAR_DIR=$tmp/var CANSD_HTTP_PORT=$port CANSD_DEMO=0 \
		CANSD_ADMIN_PASSWORD=supervisor-$RANDOM$RANDOM CANSD_PG_FAST=1
	exec setsid scripts/run.sh >"$tmp/run.log" 2>&1 </dev/null
) &
run_pid=$!
for ((i = 0; i < 180; i++)); do
	kill -0 "$run_pid" 2>/dev/null || die "scripts/run.sh ended before /readyz answered"
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true)" = 200 ] && break
	sleep 1
done
[ "$i" -lt 180 ] || die "/readyz did not answer within 180 s"
pool=$(cat "$tmp/var/run/cansd.pid" 2>/dev/null || cat "$(readlink -f "$tmp/var")/run/cansd.pid")
have=$(wc -c <"/proc/$pool/environ")
[ "$have" -ge 65536 ] || die "the pool's environment is only $have bytes"
for ((i = 0; i < seconds; i++)); do
	kill -0 "$run_pid" 2>/dev/null || die "the supervisor stopped the stack by itself after $i s"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/healthz" || true)
	[ "$code" = 200 ] || die "/healthz answered '$code' after $i s"
	sleep 1
done
grep -q 'stopped unexpectedly' "$tmp/run.log" && die "run.sh said a component stopped"
kill -TERM "$run_pid"
_cansd_wait_gone "$run_pid" 30 || die "scripts/run.sh did not end within 30 s of SIGTERM"
wait "$run_pid" 2>/dev/null || true
run_pid=""
sleep 1
left=$(pgrep -f -- "$tmp/" || true)
[ -z "$left" ] || die "left running after SIGTERM: $left"
say "passed: the stack ran $seconds s with a $have-byte environment and stopped cleanly"
