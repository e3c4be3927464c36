#!/usr/bin/env bash
# `make test`: scripts/test.sh UNIT_BIN... -- INTEG_BIN...
#
# 1. Runs every unit test binary (cmocka).
# 2. When integration binaries are given: starts a complete throw-away stack
#    (PostgreSQL, the ASan/UBSan worker pool build/asan/cansd, nginx on a free
#    port) in a fresh temporary directory, runs the pgTAP tests of tests/sql
#    on its database (tests/sql/run.sh, pg_prove) and each integration binary
#    against it (timeout 300 s each), stops the stack (a trap makes sure), and
#    fails when the sanitizers left any report in $VAR/log/asan.* / ubsan.*.
# 3. With integration binaries: tests/pool_privileges.sh,
#    tests/fcgi_allowlist.sh (OS-level checks) and tests/migrate_race.sh
#    (two `cansd migrate` at once) on the stack, and
#    tests/run_from_clone.sh (`make run` from a fresh clone of HEAD in 0700
#    directories, to /readyz and a login, stopped, started again).
# 4. tests/demo_loopback.sh, then the static checks and the OpenAPI lint.
# Ends with one line "N passed, N failed, N skipped" that counts what was
# checked, and exits non-zero on any failure. It counts every cmocka test
# case (one of a binary that died or timed out is failed, and so is each
# case it never reached), every pgTAP assertion (one a planned assertion
# never ran counts as failed), and every other check (a shell test, a
# static check) as one; the line before it says how many of each. A skip is
# never a pass: each skipped case is counted as skipped and listed by name.
#
# A worker that dies during the run fails it: the pool logs "worker died:
# pid N ..." (fcgi/pool.c) for every worker that ends while it is not
# stopping, and every such line fails the run unless a test killed that
# worker on purpose and wrote its pid, one a line, to
# $CANSD_TEST_VAR_DIR/killed-workers before killing it.
#
# Integration binaries get:
#   CANSD_TEST_BASE_URL        http://127.0.0.1:PORT
#   CANSD_TEST_ADMIN_PASSWORD  the password of user admin (program_admin)
#   CANSD_TEST_VAR_DIR         the stack's var directory
#   CANSD_TEST_PG_SOCKET       PostgreSQL's unix socket directory
#   CANSD_TEST_LIB             scripts/lib.sh, e.g. bash -c '. "$CANSD_TEST_LIB"; pg_stop'
#   CANSD_TEST_PSQL            a command prefix running psql as superuser on the
#                              test database (unaligned, tuples only), e.g.
#                              $CANSD_TEST_PSQL -c 'SELECT 1'
#   CANSD_TEST_TIMEZONE        the programs' time zone the pool runs with
#   CANSD_VAR_DIR, CANSD_BIN, CANSD_WORKERS, ...: what lib.sh needs to restart
#                              PostgreSQL or the pool the same way
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

unit=()
integ=()
seen_sep=0
for a in "$@"; do
	if [ "$a" = -- ] && [ "$seen_sep" = 0 ]; then
		seen_sep=1
	elif [ "$seen_sep" = 0 ]; then
		unit+=("$a")
	else
		integ+=("$a")
	fi
done

passed=0
failed=0
skipped=0
failures=()
skips=()
# what the closing line counted, by kind
unit_cases=0
integ_cases=0
sql_assertions=0
sql_files=0
checks=0
pass() {
	passed=$((passed + 1))
	checks=$((checks + 1))
	printf 'PASS %s\n' "$1"
}
fail() {
	failed=$((failed + 1))
	checks=$((checks + 1))
	failures+=("$1")
	printf 'FAIL %s\n' "$1"
}
# check NAME CMD...: one passed or failed check, named NAME, by CMD's status.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Adds the outcome of one binary or file, $2 passed, $3 failed, $4 skipped
# of its cases, to the totals, and prints its line.
count() {
	local name=$1 ok=$2 bad=$3 skip=$4
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped=$((skipped + skip))
	if [ "$bad" -gt 0 ]; then
		failures+=("$name")
		printf 'FAIL %s (%s passed, %s failed, %s skipped)\n' "$name" "$ok" "$bad" "$skip"
	elif [ "$skip" -gt 0 ]; then
		printf 'SKIP %s (%s passed, %s skipped: counted as skipped)\n' "$name" "$ok" "$skip"
	else
		printf 'PASS %s (%s passed)\n' "$name" "$ok"
	fi
}

# Runs cmocka binary $2 (name $1) with a timeout of $3 s and counts its test
# cases into the totals and into the variable named $4. cmocka announces
# "[==========] Running N test(s)." per group and prints each case's
# "[ RUN      ] name" followed by "[       OK ] name", "[  FAILED  ] name"
# or "[  SKIPPED ] name" (the summary repeats the failed and skipped names,
# with no RUN before them). A case that was announced but never ended (the
# binary died or timed out, or a group setup failed) counts as failed; so
# does a non-zero exit with no failed case.
run_cmocka() {
	local name=$1 bin=$2 limit=$3 kind=$4 out rc=0 planned ok bad skip lost case
	out=$(mktemp)
	timeout "$limit" "$bin" 2>&1 | tee "$out" || rc=$?
	read -r planned ok bad skip < <(awk '
		/^\[==========\] Running [0-9]+ test\(s\)\./ { planned += $3 }
		/^\[ RUN      \] / { running = 1; next }
		running && /^\[       OK \] / { ok++; running = 0 }
		running && /^\[  FAILED  \] / { bad++; running = 0 }
		running && /^\[  SKIPPED \] / { skip++; running = 0 }
		END { print planned + 0, ok + 0, bad + 0, skip + 0 }' "$out")
	while IFS= read -r case; do
		skips+=("$name: $case")
	done < <(awk '/^\[ RUN      \] / { running = 1; next }
		running && /^\[  SKIPPED \] / { running = 0; sub(/^\[  SKIPPED \] /, ""); print; next }
		running && /^\[ *(OK|FAILED) *\] / { running = 0 }' "$out")
	rm -f "$out"
	lost=$((planned - ok - bad - skip))
	[ "$lost" -ge 0 ] || lost=0
	bad=$((bad + lost))
	[ "$rc" = 0 ] || [ "$bad" -gt 0 ] || bad=1
	if [ "$rc" != 0 ]; then
		[ "$rc" = 124 ] && rc="timed out after $limit s"
		name="$name (exit $rc)"
	fi
	count "$name" "$ok" "$bad" "$skip"
	printf -v "$kind" '%d' $((${!kind} + ok + bad + skip))
}

# Runs the pgTAP files through tests/sql/run.sh (arguments: psql, socket
# directory, port) and counts each file's assertions: "ok N" passed (but
# "ok N # SKIP" skipped), "not ok N" failed, and every assertion of the
# plan ("1..N") that never ran failed (the file died half-way).
run_pgtap() {
	local out rc=0 file frc planned ok bad skip lost seen=0
	out=$(mktemp)
	tests/sql/run.sh "$@" 2>&1 | tee "$out" || rc=$?
	while read -r file frc planned ok bad skip; do
		seen=$((seen + 1))
		lost=$((planned - ok - bad - skip))
		[ "$lost" -ge 0 ] || lost=0
		bad=$((bad + lost))
		[ "$frc" = 0 ] || [ "$bad" -gt 0 ] || bad=1
		count "tests/sql/$file" "$ok" "$bad" "$skip"
		sql_files=$((sql_files + 1))
		sql_assertions=$((sql_assertions + ok + bad + skip))
	done < <(awk '
		/^== end / { rc = $4; sub(/^rc=/, "", rc); print name, rc, planned + 0, ok + 0, bad + 0, skip + 0; next }
		/^== / { name = $2; planned = ok = bad = skip = 0; next }
		/^1\.\.[0-9]+/ { planned = $1; sub(/^1\.\./, "", planned) }
		/^ok [0-9]+/ { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) skip++; else ok++ }
		/^not ok [0-9]+/ { bad++ }' "$out")
	rm -f "$out"
	if [ "$seen" = 0 ]; then
		fail "tests/sql (no file ran: exit $rc)"
	fi
}

# --- unit tests ----------------------------------------------------------------
if [ "${#unit[@]}" -gt 0 ]; then
	echo "== unit tests (${#unit[@]} binaries)"
fi
for t in "${unit[@]}"; do
	name=${t#build/asan/}
	echo "-- $name"
	if [ ! -x "$t" ]; then
		fail "$name (not built)"
		continue
	fi
	run_cmocka "$name" "$t" 120 unit_cases
done

# --- integration tests against a real stack --------------------------------------
stack_var=""
stack_up=0
cleanup() {
	if [ "$stack_up" = 1 ]; then
		stack_up=0
		(stack_stop) || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

print_logs() {
	local f
	for f in "$stack_var/log/cansd.log" "$stack_var/log/nginx-error.log" "$stack_var/log/postgres.log"; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 40 "$f"
	done
}

# shellcheck source=tests/lib/free_port.sh
. tests/lib/free_port.sh

if [ "${#integ[@]}" -gt 0 ]; then
	echo "== integration tests (${#integ[@]} binaries)"
	stack_var=$(mktemp -d /tmp/cansd-test.XXXXXX)
	chmod 755 "$stack_var"
	export CANSD_VAR_DIR=$stack_var
	export CANSD_BIN=${CANSD_TEST_BIN:-$root/build/asan/cansd}
	export CANSD_DEMO=0
	export CANSD_ADMIN_PASSWORD
	CANSD_ADMIN_PASSWORD=test-$(openssl rand -hex 12)
	export CANSD_RATE_LIMIT_RPS=2000
	export CANSD_WORKERS=${CANSD_TEST_WORKERS:-2}
	export CANSD_TIMEZONE=${CANSD_TIMEZONE:-America/Chicago}
	export CANSD_PG_FAST=1
	export CANSD_CORS_ORIGINS=https://app.example.test
	# One external identity provider, whose private key only the tests hold.
	mkdir -p "$stack_var/idp"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$stack_var/idp/idp-signing.pem" 2>/dev/null
	"$CANSD_BIN" jwks "$stack_var/idp/idp-signing.pem" >"$stack_var/idp/jwks.json"
	export CANSD_JWT_EXTERNAL_ISSUER=https://idp.example.test
	export CANSD_JWT_EXTERNAL_AUDIENCE=cansd-external
	export CANSD_JWT_EXTERNAL_JWKS=$stack_var/idp/jwks.json
	export CANSD_TEST_IDP_KEY=$stack_var/idp/idp-signing.pem
	export CANSD_POOL_ASAN_OPTIONS="detect_leaks=1:log_path=$stack_var/log/asan:abort_on_error=0"
	export CANSD_POOL_UBSAN_OPTIONS="print_stacktrace=1:log_path=$stack_var/log/ubsan"
	# shellcheck source=scripts/lib.sh
	. scripts/lib.sh

	started=0
	for attempt in 1 2 3; do
		CANSD_HTTP_PORT=$(free_port) || break
		export CANSD_HTTP_PORT
		# A child bash, so that `set -e` holds inside (it would not in a
		# subshell tested by `if`).
		if bash -c 'set -euo pipefail; . "$1"; stack_init "$2"; pg_start; migrate
			pool_start; nginx_start' start-stack "$root/scripts/lib.sh" "$stack_var"; then
			started=1
			break
		fi
		echo "stack start failed (attempt $attempt)" >&2
		(stack_stop) || true
		# only a port clash is worth another try
		grep -q 'already in use\|Address already in use' "$stack_var/log/nginx-error.log" 2>/dev/null || break
	done
	stack_up=1

	if [ "$started" = 1 ]; then
		echo "stack up: http://127.0.0.1:$CANSD_HTTP_PORT (var $stack_var)"
		export CANSD_TEST_BASE_URL=http://127.0.0.1:$CANSD_HTTP_PORT
		export CANSD_TEST_ADMIN_PASSWORD=$CANSD_ADMIN_PASSWORD
		export CANSD_TEST_VAR_DIR=$stack_var
		export CANSD_TEST_PG_SOCKET=$stack_var/pg/socket
		export CANSD_TEST_LIB=$root/scripts/lib.sh
		pgbin=$(_cansd_pg_bin)
		export CANSD_TEST_PSQL="runuser -u postgres -- $pgbin/psql -X -q -h $stack_var/pg/socket -p $CANSD_PG_PORT -U postgres -d cansd -At -v ON_ERROR_STOP=1"
		# shellcheck disable=SC2031 # (lib.sh only changes it in a subshell)
		export CANSD_TEST_TIMEZONE=$CANSD_TIMEZONE
		# SQL-level tests: pgTAP files, each in BEGIN ... ROLLBACK
		echo "-- tests/sql (pgTAP, pg_prove)"
		run_pgtap "$pgbin/psql" "$stack_var/pg/socket" "$CANSD_PG_PORT"
		echo "-- tests/statements/check.sh"
		check "statements match C and SQL" tests/statements/check.sh "$CANSD_TEST_PSQL"
		for t in "${integ[@]}"; do
			name=${t#build/asan/}
			echo "-- $name"
			if [ ! -x "$t" ]; then
				fail "$name (not built)"
				continue
			fi
			run_cmocka "$name" "$t" 300 integ_cases
			# a test that restarts a component must leave it running
			if ! pool_running || ! nginx_running || ! pg_running; then
				fail "stack still up after $name"
				(pg_start && pool_start && nginx_start) >/dev/null 2>&1 || true
			fi
		done
		# OS-level checks of the running stack, of the pool's TCP listener,
		# and two `cansd migrate` runs at once on a database beside the stack's
		for t in tests/pool_privileges.sh tests/fcgi_allowlist.sh tests/migrate_race.sh; do
			echo "-- $t"
			check "$t" timeout 120 "$t" "$CANSD_BIN"
		done
	else
		fail "stack start"
		for t in "${integ[@]}"; do fail "${t#build/asan/} (not run: no stack)"; done
	fi

	[ "$failed" = 0 ] || print_logs
	stack_up=0
	if ! (stack_stop); then
		fail "stack stop"
	fi
	if pgrep -f -- "$stack_var" >/dev/null 2>&1; then
		fail "stack stop (processes left: $(pgrep -f -- "$stack_var" | tr '\n' ' '))"
	fi
	# Every worker death the pool logged, but those a test caused on purpose.
	deaths=$(grep -o 'worker died: pid [0-9]*.*' "$stack_var/log/cansd.log" 2>/dev/null || true)
	unexpected=$(printf '%s\n' "$deaths" | awk -v killed="$stack_var/killed-workers" '
		BEGIN { while ((getline p < killed) > 0) excused[p] = 1 }
		/^worker died: pid / { pid = $4; sub(/,$/, "", pid); if (!(pid in excused)) print }')
	expected=$( (grep -c . "$stack_var/killed-workers" 2>/dev/null || true) | head -n 1)
	if [ -n "$unexpected" ]; then
		printf '%s\n' "$unexpected"
		fail "no worker died unexpectedly ($(printf '%s\n' "$unexpected" | grep -c .) died; see $stack_var/log/cansd.log)"
	else
		pass "no worker died unexpectedly (${expected:-0} killed on purpose by tests)"
	fi
	shopt -s nullglob
	reports=("$stack_var"/log/asan.* "$stack_var"/log/ubsan.*)
	shopt -u nullglob
	if [ "${#reports[@]}" -gt 0 ]; then
		for r in "${reports[@]}"; do
			echo "---- sanitizer report $r"
			cat "$r"
		done
		fail "sanitizers (${#reports[@]} report files from the worker pool)"
	fi
	if [ "$failed" = 0 ]; then
		rm -rf "$stack_var"
	else
		echo "kept $stack_var for inspection"
	fi
elif [ "$seen_sep" = 1 ]; then
	echo "== no integration test binaries: skipping the stack"
fi

# --- make run as a new user would: a large environment, a fresh clone in 0700 ------
# directories. Only with the integration tests (the full `make test`).
if [ "${#integ[@]}" -gt 0 ]; then
	echo "== make run's supervisor with a 64 KB environment for 60 s (tests/supervisor_environ.sh)"
	check tests/supervisor_environ.sh env CANSD_BIN="${CANSD_TEST_BIN:-$root/build/asan/cansd}" \
		timeout 400 tests/supervisor_environ.sh 60
	echo "== make run from a clone in 0700 directories (tests/run_from_clone.sh)"
	check tests/run_from_clone.sh timeout 600 tests/run_from_clone.sh
fi
echo "== demo data listens on loopback only (tests/demo_loopback.sh)"
check tests/demo_loopback.sh tests/demo_loopback.sh

# --- static checks: layers, formatting and cppcheck ---------------------------------
echo "== layers, clang-format and cppcheck"
if tests/layers/check.sh; then pass "layers point one way"; else fail "layers point one way (an #include runs back up)"; fi
mapfile -t c_files < <(git ls-files '*.c' '*.h' 2>/dev/null || find core fcgi auth handlers tests -name '*.[ch]')
if clang-format --dry-run --Werror "${c_files[@]}"; then pass "clang-format"; else fail "clang-format (run make format)"; fi
check cppcheck make -s cppcheck
if scripts/bench-figures.sh --check; then
	pass "docs/PERFORMANCE.md's figures are bench/RESULTS.md's"
else
	fail "docs/PERFORMANCE.md's figures are bench/RESULTS.md's (run scripts/bench-figures.sh)"
fi

# --- OpenAPI lint ----------------------------------------------------------------
echo "== openapi lint"
check "openapi lint" scripts/lint-openapi.sh

if [ "$skipped" -gt 0 ]; then
	echo "skipped (not passed):"
	printf '  %s\n' "${skips[@]}"
fi
if [ "$failed" -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "counted: $unit_cases cmocka test cases of ${#unit[@]} unit binaries, $integ_cases of ${#integ[@]} integration binaries, $sql_assertions pgTAP assertions of $sql_files SQL files, $checks checks"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
