#!/usr/bin/env bash
# tests/sql/run.sh PSQL_BIN SOCKET_DIR PORT [FILE...]: runs the pgTAP tests
# (tests/sql/*_test.sql unless FILEs are named) with pg_prove, one file at a
# time, as superuser postgres on database cansd of the server at SOCKET_DIR
# and PORT (a test stack: scripts/test.sh, or `make run`'s own).
#
# pgTAP lives in the test database only while this runs: schema tap is
# created with the extension in it before the first file and dropped after
# the last, so the product never depends on it. The files are copied to a
# directory OS user postgres can read (a 0700 clone is not).
#
# Prints each file's TAP (pg_prove --verbose) between "== FILE" and
# "== end FILE rc=N"; scripts/test.sh counts the assertions from that.
# Exits non-zero when any file failed.
set -euo pipefail

psql_bin=$1 socket=$2 port=$3
shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$#" -eq 0 ]; then
	set -- "$here"/*_test.sql
fi

as_postgres=()
[ "$(id -u)" != 0 ] || as_postgres=(runuser -u postgres --)
super() {
	PGOPTIONS='-c client_min_messages=warning' \
	"${as_postgres[@]}" "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$port" \
		-U postgres -d cansd "$@"
}

copy=$(mktemp -d /tmp/cansd-sql-tests.XXXXXX)
uninstall() {
	super -c 'DROP SCHEMA IF EXISTS tap CASCADE' >/dev/null 2>&1 || true
	rm -rf "$copy"
}
trap uninstall EXIT
cp "$here"/helpers.psql "$@" "$copy"/
chmod 755 "$copy"
chmod 644 "$copy"/*

super -c 'DROP SCHEMA IF EXISTS tap CASCADE' -c 'CREATE SCHEMA tap' \
	-c 'CREATE EXTENSION pgtap SCHEMA tap' -c 'GRANT USAGE ON SCHEMA tap TO PUBLIC' >/dev/null

status=0
for f in "$@"; do
	name=$(basename "$f")
	echo "== $name"
	rc=0
	(cd "$copy" && "${as_postgres[@]}" pg_prove --verbose --psql-bin "$psql_bin" \
		-h "$socket" -p "$port" -U postgres -d cansd "$name") 2>&1 || rc=$?
	echo "== end $name rc=$rc"
	[ "$rc" = 0 ] || status=1
done
exit "$status"
