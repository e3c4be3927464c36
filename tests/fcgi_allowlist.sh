#!/usr/bin/env bash
# The pool's FastCGI TCP port (docker-compose.yml: CANSD_FCGI_LISTEN=:9000)
# answers nginx only. FastCGI carries REMOTE_ADDR as a parameter, so a peer
# that reaches the port can forge a loopback caller; libfcgi's
# FCGI_WEB_SERVER_ADDRS closes connections from unlisted peers. There is no
# Docker engine here, so the mechanism is tested directly:
#   1. `$CANSD_BIN serve` on TCP with FCGI_WEB_SERVER_ADDRS=127.0.0.2 (the
#      "nginx" address), one worker, no database needed for /metrics;
#   2. a raw FastCGI request (tests/fcgi_client.py) from 127.0.0.2 with
#      REMOTE_ADDR=127.0.0.1 gets /metrics (200): what a forger would get;
#   3. the same from 127.0.0.2 with a non-loopback REMOTE_ADDR is 403;
#   4. the same forged request from 127.0.0.1 (not listed) gets no answer,
#      and neither does a forged login;
#   5. docker-compose.yml: FCGI_WEB_SERVER_ADDRS of service cansd is nginx's
#      fixed address on network fcgi, which postgres and migrate are not on
#      (parsed with node's yaml; `docker-compose config` when it exists).
# Usage: tests/fcgi_allowlist.sh [CANSD_BIN (default build/asan/cansd)]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${1:-build/asan/cansd}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

tmp=$(mktemp -d /tmp/cansd-fcgi-allow.XXXXXX)
pool=""
fail() {
	printf '[fcgi_allowlist] FAIL: %s\n' "$*" >&2
	[ ! -f "$tmp/pool.log" ] || tail -n 20 "$tmp/pool.log" >&2
	exit 1
}
cleanup() {
	if [ -n "$pool" ]; then
		kill -TERM "$pool" 2>/dev/null || true
		wait "$pool" 2>/dev/null || true
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT

[ -x "$bin" ] || fail "$bin is not built"
chmod 755 "$tmp"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/key.pem" 2>/dev/null
# shellcheck source=tests/lib/free_port.sh
. tests/lib/free_port.sh
port=$(free_port) || fail "no free port"
CANSD_FCGI_LISTEN=:$port FCGI_WEB_SERVER_ADDRS=127.0.0.2 CANSD_WORKERS=1 \
	CANSD_VAR_DIR=$tmp CANSD_JWT_KEY=$tmp/key.pem CANSD_RUN_AS_USER=nobody \
	CANSD_DATABASE_URL="host=$tmp/no-postgres dbname=cansd user=cansd_app connect_timeout=1" \
	ASAN_OPTIONS=detect_leaks=0 "$bin" serve >"$tmp/pool.log" 2>&1 &
pool=$!
for ((i = 0; i < 100; i++)); do
	(exec 3<>"/dev/tcp/127.0.0.2/$port") 2>/dev/null && break
	kill -0 "$pool" 2>/dev/null || fail "the pool exited at start"
	sleep 0.1
done

# request SOURCE REMOTE_ADDR METHOD URI: prints the status or "refused"
request() {
	python3 tests/fcgi_client.py --source "$1" "127.0.0.1:$port" REQUEST_METHOD="$3" \
		REQUEST_URI="$4" REMOTE_ADDR="$2" REQUEST_ID=fcgi-allowlist-test 2>/dev/null || true
}

got=$(request 127.0.0.2 127.0.0.1 GET /metrics)
[ "$got" = 200 ] || fail "listed peer, REMOTE_ADDR 127.0.0.1, /metrics: got '$got', want 200"
got=$(request 127.0.0.2 192.0.2.7 GET /metrics)
[ "$got" = 403 ] || fail "listed peer, REMOTE_ADDR 192.0.2.7, /metrics: got '$got', want 403"
got=$(request 127.0.0.1 127.0.0.1 GET /metrics)
[ "$got" = refused ] || fail "unlisted peer forging REMOTE_ADDR 127.0.0.1 reached /metrics: '$got'"
got=$(request 127.0.0.1 198.51.100.9 POST /api/v1/auth/login)
[ "$got" = refused ] || fail "unlisted peer reached /api/v1/auth/login: '$got'"
# the pool is still serving its listed peer after refusing the others
got=$(request 127.0.0.2 127.0.0.1 GET /metrics)
[ "$got" = 200 ] || fail "listed peer after the refusals: got '$got', want 200"

# docker-compose.yml wires the same mechanism to nginx's fixed address.
# shellcheck disable=SC2016 # JavaScript template literals, not shell
node -e '
	const YAML = require("yaml"), fs = require("fs");
	const c = YAML.parse(fs.readFileSync("docker-compose.yml", "utf8")).services;
	const allowed = c.cansd.environment.FCGI_WEB_SERVER_ADDRS;
	const nginxAddr = c.nginx.networks.fcgi.ipv4_address;
	const nets = (s) => Array.isArray(s.networks) ? s.networks : Object.keys(s.networks || {});
	const problems = [];
	if (c.cansd.environment.CANSD_FCGI_LISTEN !== ":9000") problems.push("cansd does not listen on :9000");
	if (!allowed || allowed !== nginxAddr) problems.push(`FCGI_WEB_SERVER_ADDRS ${allowed} is not nginx address ${nginxAddr}`);
	if (!nets(c.cansd).includes("fcgi")) problems.push("cansd is not on network fcgi");
	for (const s of ["postgres", "migrate"])
		if (nets(c[s]).includes("fcgi") || nets(c[s]).length === 0) problems.push(`${s} is on network fcgi (or the default)`);
	if (c.cansd.ports) problems.push("cansd publishes ports");
	if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
' || fail "docker-compose.yml does not confine the FastCGI port to nginx"
if command -v docker-compose >/dev/null 2>&1; then
	mkdir -p "$tmp/secrets"
	docker-compose -f docker-compose.yml config -q >/dev/null 2>"$tmp/compose.err" ||
		grep -q 'secret' "$tmp/compose.err" || fail "docker-compose config: $(cat "$tmp/compose.err")"
fi
echo "[fcgi_allowlist] passed"
