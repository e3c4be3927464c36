#!/usr/bin/env bash
# tests/migrate_race.sh [CANSD_BIN]: two `cansd migrate` runs started at once
# on one fresh database (beside the test stack's, in its cluster) both
# succeed, and every migration is applied once. A third session holds the
# advisory lock until both runs wait for it, so they really do meet; then:
#   - both exit 0, and both said they waited;
#   - each sql/migrations file is "applied" in exactly one run's output, and
#     public.schema_migrations holds each version once;
#   - both re-applied the SQL source and the instrument;
#   - user admin exists once, with one bootstrap audit event, and the
#     generated password was printed by one run only.
# Needs the stack's CANSD_VAR_DIR (scripts/test.sh runs it on the stack).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
_cansd_paths
bin=${1:-$CANSD_BIN}
db=cansd_migrate_race
key=7161132912489326951
tmp=$(mktemp -d /tmp/cansd-migrate-race.XXXXXX)
holder=""

die() {
	echo "migrate_race: $*" >&2
	for f in "$tmp"/run*.out; do
		[ -s "$f" ] && sed "s|^|  $(basename "$f"): |" "$f" >&2
	done
	exit 1
}
cleanup() {
	exec 3>&- 2>/dev/null || true
	[ -z "$holder" ] || kill "$holder" 2>/dev/null || true
	psql_super -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

waiting() {
	psql_super -d postgres -At -c "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE d.datname = '$db' AND l.locktype = 'advisory' AND NOT l.granted"
}

psql_super -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER cansd_owner ENCODING 'UTF8' TEMPLATE template0" >/dev/null

# The holder: a psql session fed through a fifo, so the test says when it lets go.
mkfifo "$tmp/holder"
psql_super -d "$db" -At <"$tmp/holder" >"$tmp/holder.out" 2>&1 &
holder=$!
exec 3>"$tmp/holder"
echo "SELECT pg_advisory_lock($key);" >&3
for ((i = 0; i < 100; i++)); do
	[ "$(psql_super -d postgres -At -c "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE d.datname = '$db' AND l.locktype = 'advisory' AND l.granted")" = 1 ] && break
	sleep 0.1
done
[ "$i" -lt 100 ] || die "the holder did not get the lock"

conninfo="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=$db user=postgres"
args=(--sql sql)
! _cansd_is_root || args+=(--os-user postgres)
pids=()
for n in 1 2; do
	env -u CANSD_ADMIN_PASSWORD "$bin" migrate "${args[@]}" "$conninfo" >"$tmp/run$n.out" 2>&1 &
	pids+=($!)
done
for ((i = 0; i < 300; i++)); do
	[ "$(waiting)" = 2 ] && break
	sleep 0.1
done
[ "$i" -lt 300 ] || die "the two runs did not both wait for the lock (waiting: $(waiting))"
echo "SELECT pg_advisory_unlock_all();" >&3
exec 3>&-
wait "$holder" || true
holder=""


for n in 1 2; do
	wait "${pids[$((n - 1))]}" || die "run $n exited $?"
	grep -q 'waiting for another cansd migrate' "$tmp/run$n.out" || die "run $n did not wait"
	grep -q '^migrate: SQL source applied' "$tmp/run$n.out" || die "run $n did not apply the SQL source"
	grep -q '^migrate: instrument loaded' "$tmp/run$n.out" || die "run $n did not load the instrument"
	grep -q '^migrate: database .* is up to date' "$tmp/run$n.out" || die "run $n did not finish"
done

files=$(find sql/migrations -maxdepth 1 -name '*.sql' -printf '%f\n' | LC_ALL=C sort)
count=$(printf '%s\n' "$files" | grep -c .)
for f in $files; do
	n=$(cat "$tmp"/run*.out | grep -cxF "migrate: applied $f" || true)
	[ "$n" = 1 ] || die "$f was applied $n times"
done
versions=$(psql_super -d "$db" -At -c "SELECT version || '.sql' FROM public.schema_migrations ORDER BY 1")
[ "$versions" = "$(printf '%s\n' "$files" | LC_ALL=C sort)" ] ||
	die "public.schema_migrations holds: $(echo "$versions" | tr '\n' ' ')"
[ "$(psql_super -d "$db" -At -c "SELECT count(*) FROM cansd.users WHERE username = 'admin'")" = 1 ] ||
	die "user admin is not there exactly once"
[ "$(psql_super -d "$db" -At -c "SELECT count(*) FROM cansd.audit_events WHERE action = 'bootstrap'")" = 1 ] ||
	die "not exactly one bootstrap audit event"
boxes=$(cat "$tmp"/run*.out | grep -c "^| password: " || true)
[ "$boxes" = 1 ] || die "the generated admin password was printed $boxes times"
echo "migrate_race: two runs at once: both waited, both succeeded; $count migrations applied once each, one admin"
