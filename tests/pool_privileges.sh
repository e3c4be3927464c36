#!/usr/bin/env bash
# Against the running test stack (scripts/test.sh, as root): who may talk to
# the pool and what the pool may do.
#   1. the FastCGI socket is 0660, owner cansd, group cansd-web (not 0666);
#   2. the master and every worker run as cansd (real, effective, saved and
#      file-system uid and gid), none as root;
#   3. nginx's workers run as nobody in group cansd-web;
#   4. a process of user nobody outside group cansd-web cannot connect to the
#      socket; in the group it gets /healthz (tests/fcgi_client.py);
#   5. the pool's user cannot read the JWT signing key (it was read before the
#      drop) but the stack is ready: /readyz 200 (pgpass read as cansd).
# Needs CANSD_TEST_VAR_DIR and CANSD_TEST_BASE_URL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
var=${CANSD_TEST_VAR_DIR:?}
base=${CANSD_TEST_BASE_URL:?}
sock=$var/run/cansd.sock
fail() {
	printf '[pool_privileges] FAIL: %s\n' "$*" >&2
	exit 1
}

got=$(stat -c '%a %U %G' "$sock") || fail "no socket $sock"
[ "$got" = "660 cansd cansd-web" ] || fail "socket is '$got', want '660 cansd cansd-web'"

uid=$(id -u cansd)
gid=$(id -g cansd)
master=$(cat "$var/run/cansd.pid")
pids="$master $(pgrep -P "$master" | tr '\n' ' ')"
[ "$(wc -w <<<"$pids")" -ge 2 ] || fail "no workers under master $master"
for pid in $pids; do
	read -r _ u1 u2 u3 u4 < <(grep '^Uid:' "/proc/$pid/status")
	read -r _ g1 g2 g3 g4 < <(grep '^Gid:' "/proc/$pid/status")
	[ "$u1 $u2 $u3 $u4" = "$uid $uid $uid $uid" ] || fail "pool process $pid has uids $u1 $u2 $u3 $u4, want $uid"
	[ "$g1 $g2 $g3 $g4" = "$gid $gid $gid $gid" ] || fail "pool process $pid has gids $g1 $g2 $g3 $g4, want $gid"
done

nginx_master=$(cat "$var/run/nginx.pid")
workers=$(ps -o user=,group= --ppid "$nginx_master" | sort -u)
[ "$workers" = "nobody   cansd-web" ] || [ "$(tr -s ' ' <<<"$workers")" = "nobody cansd-web" ] ||
	fail "nginx workers run as '$workers', want 'nobody cansd-web'"

# as_nobody GROUP: tests/fcgi_client.py as user nobody in GROUP. The script
# arrives on stdin and the command runs from /: nobody may not be able to
# enter the clone (a 0700 home), and must still get as far as the socket.
# Prints the answer on stdout; what the client said on stderr goes to
# $errors, for the failure message.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
as_nobody() {
	(cd / && runuser -u nobody -g "$1" -- python3 - "$sock" \
		REQUEST_METHOD=GET REQUEST_URI=/healthz REMOTE_ADDR=127.0.0.1) <tests/fcgi_client.py 2>"$errors" || true
}
got=$(as_nobody nogroup)
[ "$got" = refused ] || fail "nobody outside cansd-web reached the socket: '$got' ($(cat "$errors"))"
got=$(as_nobody cansd-web)
[ "$got" = 200 ] || fail "nobody in cansd-web: /healthz got '$got', want 200 ($(cat "$errors"))"

if runuser -u cansd -- test -r "$var/keys/jwt-signing.pem"; then
	fail "user cansd can read the JWT signing key"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
[ "$code" = 200 ] || fail "/readyz is $code"
echo "[pool_privileges] passed"
