#!/usr/bin/env bash
# Demo data with the well-known password listens on loopback only.
#   1. scripts/run.sh with CANSD_DEMO=1 (its default) and CANSD_HTTP_LISTEN
#      0.0.0.0, [::] or 192.0.2.1 exits non-zero, says why, and starts
#      nothing: no var directory is created and the port stays closed; the
#      same with CANSD_DEMO_PASSWORD=demo-password spelled out;
#   2. cansd_http_listen_addr (what nginx_start renders) accepts loopback with
#      demo data, any address without demo data or with another demo
#      password, and refuses what is not an address.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d /tmp/cansd-demo-listen.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT
fail() {
	printf '[demo_loopback] FAIL: %s\n' "$*" >&2
	exit 1
}
# shellcheck source=tests/lib/free_port.sh
. tests/lib/free_port.sh
port=$(free_port) || fail "no free port"
clean_env=()
for v in $(compgen -e); do
	case $v in CANSD_*) clean_env+=(-u "$v") ;; esac
done

# run_refused ENV...: scripts/run.sh must refuse within 20 s, start nothing.
run_refused() {
	local rc=0
	env "${clean_env[@]}" CANSD_VAR_DIR="$tmp/var" CANSD_HTTP_PORT="$port" "$@" \
		timeout 20 scripts/run.sh >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then fail "run.sh with $* did not refuse (exit $rc): $(tail -n 3 "$tmp/out")"; fi
	grep -q "refusing to listen on .* well-known" "$tmp/out" || fail "run.sh with $* did not say why: $(cat "$tmp/out")"
	[ ! -e "$tmp/var" ] || fail "run.sh with $* created $tmp/var before refusing"
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is open"; fi
}
run_refused CANSD_HTTP_LISTEN=0.0.0.0
run_refused CANSD_HTTP_LISTEN='[::]'
run_refused CANSD_HTTP_LISTEN=192.0.2.1 CANSD_DEMO=1
run_refused CANSD_HTTP_LISTEN=0.0.0.0 CANSD_DEMO_PASSWORD=demo-password

# addr ENV...: what cansd_http_listen_addr prints, or "refused"
addr() {
	env "${clean_env[@]}" "$@" bash -c '. scripts/lib.sh; cansd_http_listen_addr' 2>/dev/null || echo refused
}
check() {
	local want=$1 got
	shift
	got=$(addr "$@")
	[ "$got" = "$want" ] || fail "with $*: got '$got', want '$want'"
}
check 127.0.0.1 CANSD_DEMO=1
check 127.0.0.2 CANSD_DEMO=1 CANSD_HTTP_LISTEN=127.0.0.2
check '[::1]' CANSD_DEMO=1 CANSD_HTTP_LISTEN='[::1]'
check refused CANSD_DEMO=1 CANSD_HTTP_LISTEN=10.1.2.3
check 0.0.0.0 CANSD_DEMO=0 CANSD_HTTP_LISTEN=0.0.0.0
check 0.0.0.0 CANSD_HTTP_LISTEN=0.0.0.0
check 0.0.0.0 CANSD_DEMO=1 CANSD_DEMO_PASSWORD=a-secret-of-our-own CANSD_HTTP_LISTEN=0.0.0.0
check refused CANSD_HTTP_LISTEN='0.0.0.0; evil'
echo "[demo_loopback] passed"
