#!/usr/bin/env bash
# Route rows that name their SQL function need nothing here: their
# statements are made from the row, and `cansd serve` refuses to start when
# a row's function is missing or takes other arguments (checked at the end).
# For the handlers that are C code of their own, this holds three things
# together that nothing else ties: the C calls (db_call / db_call_as in
# handlers/ and auth/), the prepared statements of sql/queries.sql, and the
# SQL functions they call. For every statement:
#   - some C call uses it, and every C call names a statement that exists;
#   - the C call passes as many parameters as the statement has ($1..$N;
#     db_call_as adds the actor, request id and client address as $1..$3);
#   - the statement's parameters are exactly the called function's arguments.
# The checks ask the database (after migrate) and start $CANSD_BIN serve
# against the stack of $CANSD_VAR_DIR: run by scripts/test.sh as
#   tests/statements/check.sh "<psql command prefix as superuser on cansd>"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
psql_cmd=${1:?usage: check.sh PSQL-COMMAND}

# name<TAB>params-passed by C (db_call_as counts +3), from every call site
c_calls=$(cat handlers/*.c auth/*.c | perl -0777 -ne '
	while (/\bdb_call(_as|_reports_as)?\s*\(\s*req\s*,\s*"([a-z0-9_]+)"\s*,\s*(\d+)\s*,/g) {
		print "$2\t", $3 + ($1 ? 3 : 0), "\n";
	}' | sort -u)
# name<TAB>highest $k<TAB>called function, from sql/queries.sql
statements=$(perl -ne '
	if (/^-- name: ([a-z0-9_]+)/) { flush(); $n = $1; $max = 0; $fn = ""; next }
	next unless defined $n;
	while (/\$(\d+)/g) { $max = $1 if $1 > $max }
	$fn = "$1.$2" if !$fn && !/^--/ && /\b(cansd|api)\.([a-z0-9_]+)\s*\(/;
	sub flush { print "$n\t$max\t$fn\n" if defined $n }
	END { flush() }' sql/queries.sql)

bad=0
complain() {
	printf 'statements: %s\n' "$*" >&2
	bad=1
}

while IFS=$'\t' read -r name passed; do
	[ -n "$name" ] || continue
	line=$(awk -F'\t' -v n="$name" '$1 == n' <<<"$statements")
	if [ -z "$line" ]; then
		complain "C calls \"$name\", which sql/queries.sql does not define"
		continue
	fi
	want=$(cut -f2 <<<"$line")
	[ "$passed" = "$want" ] ||
		complain "\"$name\": C passes $passed parameters (db_call_as counts 3), the statement takes $want"
	[ "$(awk -F'\t' -v n="$name" '$1 == n' <<<"$c_calls" | wc -l)" = 1 ] ||
		complain "\"$name\" is called with different parameter counts"
done <<<"$c_calls"

while IFS=$'\t' read -r name max fn; do
	[ -n "$name" ] || continue
	grep -q "^$name"$'\t' <<<"$c_calls" || complain "\"$name\" in sql/queries.sql is called by no C code"
	[ -n "$fn" ] || {
		complain "\"$name\" calls no api.* or cansd.* function"
		continue
	}
	nargs=$($psql_cmd -c "SELECT string_agg(pronargs::text, ',') FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = '${fn%%.*}' AND p.proname = '${fn#*.}'")
	case $nargs in
	'') complain "\"$name\" calls $fn, which the database does not have" ;;
	*,*) complain "$fn is overloaded ($nargs arguments): a statement must name one function" ;;
	"$max") ;;
	*) complain "\"$name\" passes $max parameters to $fn, which takes $nargs (counting OUT parameters out)" ;;
	esac
done <<<"$statements"

# The roles and programs: core/roles.h and core/roles.c against the tables
# of sql/migrations/009_roles_programs.sql, in the same order.
c_roles=$(perl -ne 'print "$1\n" if /^\s*X\(ROLE_[A-Z_]+, "([a-z_]+)"\)/' core/roles.h)
c_programs=$(perl -ne 'print join("\n", /"([A-Z0-9_]+)"/g), "\n" if /program_names\[\]\s*=/' core/roles.c)
sql_roles=$($psql_cmd -c "SELECT name FROM cansd.roles ORDER BY name COLLATE \"C\"")
sql_programs=$($psql_cmd -c "SELECT code FROM cansd.programs ORDER BY code COLLATE \"C\"")
[ -n "$c_roles" ] && [ "$(LC_ALL=C sort <<<"$c_roles")" = "$sql_roles" ] ||
	complain "core/roles.h ROLES_GRANTED ($(echo $c_roles)) and cansd.roles ($(echo $sql_roles)) differ"
[ -n "$c_programs" ] && [ "$(LC_ALL=C sort <<<"$c_programs")" = "$sql_programs" ] ||
	complain "core/roles.c program_names ($(echo $c_programs)) and cansd.programs ($(echo $sql_programs)) differ"

# The statuses, reasons and kinds: each list of core/vocabulary.c against
# the CHECK constraint of the column its declaration in core/vocabulary.h
# names ("/* cansd.cases.status */"), as sets.
n_vocabulary=0
while IFS=$'\t' read -r column list; do
	[ -n "$column" ] || continue
	n_vocabulary=$((n_vocabulary + 1))
	table=${column%.*} col=${column##*.}
	c_values=$(perl -ne 'print join("\n", /"([a-z0-9_]+)"/g), "\n" if /\b'"$list"'\[\]\s*=/' core/vocabulary.c | LC_ALL=C sort)
	sql_values=$($psql_cmd -c "SELECT string_agg(v, E'\\n' ORDER BY v COLLATE \"C\") FROM (
		SELECT DISTINCT (regexp_matches(pg_get_constraintdef(c.oid), '''([^'']*)''', 'g'))[1] AS v
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
		WHERE c.conrelid = '$table'::regclass AND c.contype = 'c' AND a.attname = '$col'
		  AND cardinality(c.conkey) = 1) s")
	[ -n "$c_values" ] && [ "$c_values" = "$sql_values" ] ||
		complain "core/vocabulary.c $list ($(echo $c_values)) and the CHECK of $column ($(echo $sql_values)) differ"
done < <(perl -ne '$c = $1 if m{^/\* (cansd\.[a-z_]+\.[a-z_]+)\b}; if (/^extern const char \*const ([a-z_]+)\[\]/ && $c) { print "$c\t$1\n"; $c = "" }' core/vocabulary.h)
[ "$n_vocabulary" -gt 0 ] || complain "core/vocabulary.h names no column for any list"

# A route row whose function is missing, or takes other arguments, stops
# `cansd serve` before it listens or forks, with a message naming the row.
# The function is renamed away (and a stand-in with three arguments put in
# its place) for the length of one start, and always put back.
: "${CANSD_BIN:?CANSD_BIN: the cansd binary}" "${CANSD_VAR_DIR:?CANSD_VAR_DIR: the stack}"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
_cansd_paths
scratch=$(mktemp -d)
restore() {
	$psql_cmd -c "DROP FUNCTION IF EXISTS api.qc_flags_list(bigint, text, text)" >/dev/null 2>&1 || true
	$psql_cmd -c "DO \$\$ BEGIN IF to_regproc('api.qc_flags_list_away') IS NOT NULL THEN
		ALTER FUNCTION api.qc_flags_list_away RENAME TO qc_flags_list; END IF; END \$\$" >/dev/null 2>&1 || true
	rm -rf "$scratch"
}
trap restore EXIT
serve_refuses() { # $1: what the row is missing; $2: the message expected
	local out rc=0
	out=$(cd / && CANSD_FCGI_LISTEN=$scratch/cansd.sock CANSD_WORKERS=1 CANSD_AUDIT_SEAL_INTERVAL_MS=0 \
		CANSD_DATABASE_URL="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=cansd_app passfile=$CANSD_SECRETS_DIR/pgpass" \
		CANSD_JWT_KEY=$CANSD_KEY_FILE ASAN_OPTIONS=detect_leaks=0 timeout 20 "$CANSD_BIN" serve 2>&1) || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then
		complain "cansd serve started (exit $rc) with a row whose function $1"
	elif ! grep -qF -- "$2" <<<"$out"; then
		complain "cansd serve refused a row whose function $1, but without \"$2\": $out"
	elif [ -e "$scratch/cansd.sock" ]; then
		complain "cansd serve listened before refusing a row whose function $1"
	fi
}
$psql_cmd -c "ALTER FUNCTION api.qc_flags_list RENAME TO qc_flags_list_away" >/dev/null
serve_refuses "does not exist" "cansd: route GET /api/v1/qc/flags names api.qc_flags_list, which the database does not have"
$psql_cmd -c "CREATE FUNCTION api.qc_flags_list(actor bigint, request_id text, addr text)
	RETURNS text LANGUAGE sql AS 'SELECT NULL::text'" >/dev/null
serve_refuses "takes other arguments" "cansd: route GET /api/v1/qc/flags names api.qc_flags_list, which takes 3 arguments; the row passes 6"
restore
trap - EXIT

n=$(grep -c . <<<"$statements")
[ "$bad" = 0 ] && printf 'statements: %s statements, their C calls and SQL functions agree; so do the roles and programs and %s status lists; a row naming a missing function or other arguments stops cansd serve\n' "$n" "$n_vocabulary"
exit "$bad"
