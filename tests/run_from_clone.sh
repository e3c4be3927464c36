#!/usr/bin/env bash
# `make run` from a fresh clone where PostgreSQL's and nginx's users cannot
# enter, as a new user would try it:
#   1. `git clone --no-hardlinks` of this repository's HEAD into
#      $TMP/home/cansd, where $TMP (mktemp -d) and $TMP/home are both 0700;
#   2. `make -j2 run` there in the background, with no CANSD_* variable but
#      CANSD_HTTP_PORT (a free port) and CANSD_ADMIN_PASSWORD;
#   3. waits for /readyz 200 and a successful login of admin and of a demo
#      user; checks that ./var links to where the data lives and that the run
#      said so; the FastCGI socket is 0660 cansd:cansd-web and no pool process
#      runs as root; the clone's tests/pool_privileges.sh, run from inside
#      the clone, passes against its stack;
#   4. SIGTERM to make's process group; nothing of the clone's stack may be
#      left running;
#   5. a second `make run` with another CANSD_ADMIN_PASSWORD: no new cluster,
#      admin's first password still works (the data survived); stopped by
#      `make stop` from another shell this time: make run ends with status
#      0 and nothing is left running;
#   6. ./var removed, as a new checkout at the same path has none: starting
#      says it reuses the earlier data; `make purge` deletes it and ./var.
# Between 3 and 4 it runs the "Try it" lines make run printed and the
# documentation's walk-throughs (tests/readme_walkthrough.sh) on that stack.
# Exits 0 when all of it holds. Cleans up after itself (the clone, the
# relocated var directory, any process it started). Root only: as another
# user the clone's var directory needs no relocation.
# Usage: tests/run_from_clone.sh [TIMEOUT_SECONDS_PER_START (default 240)]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
limit=${1:-240}

tmp=""
target=""
make_pid=""
say() { printf '[run_from_clone] %s\n' "$*" >&2; }
die() {
	say "FAIL: $*"
	if [ -n "$tmp" ] && [ -f "$tmp/run.log" ]; then
		say "---- last lines of $tmp/run.log"
		tail -n 40 "$tmp/run.log" >&2
	fi
	exit 1
}

# The processes of the clone's stack: their command lines name the clone or
# the relocated var directory.
leftovers() {
	{
		pgrep -f -- "$tmp/" || true
		[ -z "$target" ] || pgrep -f -- "$target/" || true
	} | sort -u
}

cleanup() {
	local pid
	if [ -n "$make_pid" ] && kill -0 "$make_pid" 2>/dev/null; then
		kill -TERM -- "-$make_pid" 2>/dev/null || true
		sleep 5
	fi
	for pid in $(leftovers); do kill -KILL "$pid" 2>/dev/null || true; done
	[ -z "$tmp" ] || rm -rf -- "$tmp"
	case $target in /var/lib/cansd/?*) rm -rf -- "$target" ;; esac
}
trap cleanup EXIT

# shellcheck source=tests/lib/free_port.sh
. tests/lib/free_port.sh

# Nothing of the caller's configuration (make test exports CANSD_*) or of
# its make (MAKEFLAGS) may leak in: a new user has none of it.
unset_args=()
for v in $(compgen -e); do
	case $v in CANSD_* | MAKEFLAGS | MFLAGS | MAKELEVEL | MAKEOVERRIDES) unset_args+=(-u "$v") ;; esac
done

# start ADMIN_PASSWORD: `make -j2 run` in its own process group; sets make_pid.
start() {
	env "${unset_args[@]}" CANSD_HTTP_PORT="$port" CANSD_ADMIN_PASSWORD="$1" \
		setsid make -C "$clone" -j2 run >>"$tmp/run.log" 2>&1 </dev/null &
	make_pid=$!
}

# wait_ready: /readyz answers 200 within $limit seconds.
wait_ready() {
	local i code
	for ((i = 0; i < limit; i++)); do
		kill -0 "$make_pid" 2>/dev/null || die "make run exited before /readyz answered 200"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true)
		[ "$code" = 200 ] && return 0
		sleep 1
	done
	die "/readyz did not answer 200 within $limit s"
}

# login USER PASSWORD: POST /api/v1/auth/login answers 200 with a token.
login() {
	local body code
	body=$(jq -n --arg u "$1" --arg p "$2" '{username: $u, password: $p}')
	code=$(curl -s -o "$tmp/login.json" -w '%{http_code}' --max-time 10 \
		-H 'Content-Type: application/json' -d "$body" "$base/api/v1/auth/login" || true)
	if [ "$code" != 200 ] || ! jq -e '.access_token | type == "string"' "$tmp/login.json" >/dev/null; then
		die "login of $1: HTTP $code $(head -c 300 "$tmp/login.json" 2>/dev/null)"
	fi
}

# stop: SIGTERM to make's process group (what a terminal's Ctrl-C amounts
# to); make must end within 40 s and nothing may be left running 30 s later.
stop() {
	local i left
	kill -TERM -- "-$make_pid" 2>/dev/null || die "make run is not running"
	for ((i = 0; i < 400; i++)); do
		kill -0 "$make_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$make_pid" 2>/dev/null && die "make run did not end within 40 s of SIGTERM"
	wait "$make_pid" 2>/dev/null || true
	make_pid=""
	# make may end before run.sh's trap has stopped the stack (seen once under
	# load: make gone, PostgreSQL still up, the trap's "stopping" not yet
	# written): what counts is that it stops, so allow it 30 s.
	for ((i = 0; i < 300; i++)); do
		left=$(leftovers)
		[ -n "$left" ] || break
		sleep 0.1
	done
	[ -z "$left" ] || die "left running 30 s after SIGTERM: $(ps -o pid=,user=,args= -p "${left//$'\n'/,}" 2>/dev/null)"
}

# make_stop: `make stop` in the clone, as from another terminal: make run
# ends with status 0, and nothing is left running once make stop returns.
make_stop() {
	local i rc=0 left
	env "${unset_args[@]}" make -C "$clone" stop >>"$tmp/run.log" 2>&1 </dev/null || die "make stop failed"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$make_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$make_pid" 2>/dev/null && die "make run still runs 10 s after make stop returned"
	wait "$make_pid" 2>/dev/null || rc=$?
	make_pid=""
	[ "$rc" = 0 ] || die "make run ended with status $rc after make stop"
	left=$(leftovers)
	[ -z "$left" ] || die "left running after make stop: $(ps -o pid=,user=,args= -p "${left//$'\n'/,}" 2>/dev/null)"
}

# The documentation as a new user pastes it, against the clone's stack (demo
# data, nothing of make test's environment): the "Try it" lines make run
# printed, then the walk-throughs (tests/readme_walkthrough.sh).
docs_walkthrough() {
	sed -n '/^Try it with curl/,/^More:/p' "$tmp/run.log" | sed '1d;$d;s/^  //' >"$tmp/try-it.sh"
	(cd "$clone" && env "${unset_args[@]}" bash "$tmp/try-it.sh") >"$tmp/try-it.out" 2>&1 </dev/null || true
	jq -e '.username == "program.admin"' "$tmp/try-it.out" >/dev/null ||
		die "the \"Try it\" lines make run printed did not sign in: $(cat "$tmp/try-it.sh" "$tmp/try-it.out")"
	(cd "$clone" && env "${unset_args[@]}" CANSD_HTTP_PORT="$port" timeout 300 tests/readme_walkthrough.sh) >"$tmp/walkthrough.out" 2>&1 ||
		die "the walk-through does not do what it says: $(cat "$tmp/walkthrough.out")"
	say "make run's \"Try it\" lines and the walk-throughs did what they say: $(tr '\n' ' ' <"$tmp/walkthrough.out")"
}

[ "$(id -u)" = 0 ] || die "runs as root (the case that relocates the var directory)"
head=$(git rev-parse HEAD)
tmp=$(mktemp -d /tmp/cansd-clone.XXXXXX)
chmod 700 "$tmp"
mkdir -m 700 "$tmp/home"
clone=$tmp/home/cansd
git clone -q --no-hardlinks --no-checkout "$root" "$clone"
git -C "$clone" checkout -q --detach "$head"
port=$(free_port) || die "no free port"
base=http://127.0.0.1:$port
pw1=clone-$(openssl rand -hex 8)

say "first make run in $clone (0700 parents), port $port"
t0=$SECONDS
start "$pw1"
wait_ready
login admin "$pw1"
login worker.current demo-password
[ -L "$clone/var" ] || die "$clone/var is not a symlink to the relocated data"
target=$(readlink -f "$clone/var")
case $target in /var/lib/cansd/?*) ;; *) die "var links to $target, not under /var/lib/cansd" ;; esac
grep -qF "data in $target, NOT in ./var" "$tmp/run.log" || die "make run did not say where the data lives"
sock=$(stat -c '%a %U %G' "$target/run/cansd.sock") || die "no FastCGI socket"
[ "$sock" = "660 cansd cansd-web" ] || die "FastCGI socket is '$sock', not '660 cansd cansd-web'"
pool_root=$(pgrep -u root -f -- "$clone/build/rel/cansd serve" || true)
[ -z "$pool_root" ] || die "pool processes run as root: $pool_root"
# The clone's own OS-level checks, run from inside the 0700 clone as
# `make test` there would run them: nobody must reach the socket and be
# refused, not fail to enter the clone.
(cd "$clone" && CANSD_TEST_VAR_DIR=$target CANSD_TEST_BASE_URL=$base \
	timeout 120 tests/pool_privileges.sh "$clone/build/rel/cansd") >>"$tmp/run.log" 2>&1 ||
	die "tests/pool_privileges.sh from the 0700 clone failed"
say "up, logged in after $((SECONDS - t0)) s; the clone's pool_privileges.sh passed"
docs_walkthrough
stop

say "second make run (data must survive)"
start "another-$pw1"
wait_ready
login admin "$pw1"
[ "$(grep -c 'initialising PostgreSQL cluster' "$tmp/run.log")" = 1 ] || die "the second run initialised a new cluster"
make_stop
say "a new checkout at the same path says it reuses the data; make purge deletes it"
rm -f -- "$clone/var"
(cd "$clone" && env "${unset_args[@]}" bash -c '. scripts/lib.sh; stack_init') >"$tmp/reuse.log" 2>&1 ||
	die "stack_init after ./var was removed: $(cat "$tmp/reuse.log")"
grep -qF "reusing the data of an earlier checkout at this path, kept in $target" "$tmp/reuse.log" ||
	die "reusing $target was not said: $(cat "$tmp/reuse.log")"
(cd "$clone" && env "${unset_args[@]}" make -s purge) >"$tmp/purge.log" 2>&1 || die "make purge: $(cat "$tmp/purge.log")"
if [ -e "$target" ] || [ -L "$clone/var" ]; then
	die "make purge left $target or $clone/var: $(cat "$tmp/purge.log")"
fi
say "passed in $((SECONDS - t0)) s"
