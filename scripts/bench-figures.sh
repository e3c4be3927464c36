#!/usr/bin/env bash
# Copies the benchmark figures from bench/RESULTS.md into docs/PERFORMANCE.md,
# between the lines "<!-- figures from bench/RESULTS.md -->" and
# "<!-- end of figures -->", so that no document carries a figure typed by
# hand. bench/run.sh calls it after writing RESULTS.md; run it by hand after
# editing either file. Fails, changing nothing, when RESULTS.md lacks a
# figure it needs.
#
#     scripts/bench-figures.sh [--check] [RESULTS.md [DOCUMENT]]
#
# --check changes nothing and fails when the document's block is not what
# the script would write (make test runs it: a figure typed by hand fails).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
results=${1:-bench/RESULTS.md}
doc=${2:-docs/PERFORMANCE.md}
begin='<!-- figures from bench/RESULTS.md -->'
end='<!-- end of figures -->'

die() {
	printf 'bench-figures: %s\n' "$*" >&2
	exit 1
}

[ -f "$results" ] || die "$results is missing: run make bench"
if ! grep -qxF "$begin" "$doc" || ! grep -qxF "$end" "$doc"; then
	die "$doc has no block between '$begin' and '$end'"
fi

# Field $2 (1-based, between the pipes) of the table row whose first cell is $1.
cell() {
	awk -F' *[|] *' -v what="$1" -v col="$2" '$2 == what { print $(col + 1); exit }' "$results"
}
# The same for the first row whose first cell begins with $1 (rows that
# carry figures of their own, or a note after the route's name).
cell_prefix() {
	awk -F' *[|] *' -v what="$1" -v col="$2" 'index($2, what) == 1 { print $(col + 1); exit }' "$results"
}
# A number with thousands separators: 23178 -> 23,178.
thousands() {
	printf '%s' "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'
}

# shellcheck disable=SC2016 # backquotes are Markdown here, not expansions
row_pool='nginx -> pool, cheapest route'
row_me='authenticated (JWT + caller from the identity cache)'
# shellcheck disable=SC2016
row_db='authenticated, caller read from PostgreSQL every time (`CANSD_IDENTITY_CACHE_TTL=0`)'
row_case='a case with six members (JWT, identity cache, case + members query, one audit INSERT)'
case_rps=$(cell_prefix "$row_case" 3) case_p99=$(cell_prefix "$row_case" 5)
row_cans='a full CANS: '
cans_rps=$(cell_prefix "$row_cans" 3) cans_p99=$(cell_prefix "$row_cans" 5) cans_ratio=$(cell_prefix "$row_cans" 7)
cans_what=$(awk -F' *[|] *' -v what="$row_cans" 'index($2, what) == 1 { sub(/ \(.*/, "", $2); sub(/^a full CANS: /, "", $2); print $2; exit }' "$results")
pool_rps=$(cell "$row_pool" 3) pool_p99=$(cell "$row_pool" 5)
me_rps=$(cell "$row_me" 3) me_p99=$(cell "$row_me" 5) me_ratio=$(cell "$row_me" 7)
db_rps=$(cell "$row_db" 3) db_p99=$(cell "$row_db" 5) db_ratio=$(cell "$row_db" 7)
# shellcheck disable=SC2016
stamp=$(sed -n 's/^Written by `make bench` (bench\/run.sh) on \([0-9-]*\) at \(.*\)\.$/\1 at \2/p' "$results")
workers=$(sed -n 's/.*a pool of \([0-9]*\) workers.*/\1/p' "$results" | head -n 1)
cores=$(sed -n 's/^Machine: \([0-9]*\) cores.*/\1/p' "$results")
load=$(sed -n 's/.*Load$//; s/^average (1, 5, 15 min) before the runs: \(.*\); after: \(.*\)$/\1 before, \2 after/p' "$results" | head -n 1)
durability=$(sed -n 's/^PostgreSQL durability, read back from the running cluster: //p' "$results")
import_s=$(sed -n 's/.*PASS: \([0-9]*\) rows in \([0-9.]*\) s.*/\2/p' "$results" | head -n 1)
import_rows=$(sed -n 's/.*PASS: \([0-9]*\) rows in \([0-9.]*\) s.*/\1/p' "$results" | head -n 1)

for v in pool_rps pool_p99 me_rps me_p99 me_ratio db_rps db_p99 db_ratio stamp workers cores; do
	[ -n "${!v}" ] || die "no $v in $results"
done
if [ -n "$import_s" ]; then
	import_text="a $(thousands "$import_rows")-row training-record import in $(printf '%.1f' "$import_s") s (target 10 s)."
else
	import_text="the training-record import did not pass (see $results)."
fi

case_text=""
if [ -n "$case_rps" ]; then
	case_text="a case with six members, \`GET /api/v1/cases/{id}\` (one audit INSERT a read), $(thousands "$case_rps") req/s (p99 $case_p99 ms);"
fi
cans_text=""
if [ -n "$cans_rps" ]; then
	cans_text="a full CANS ($cans_what), \`GET /api/v1/assessments/{id}\`, $(thousands "$cans_rps") req/s (p99 $cans_p99 ms, $cans_ratio of the ceiling measured beside it; target 40%);"
fi

block=$(
	cat <<-MD
		$begin
		Last run ($stamp; $cores cores, everything on one machine, $workers
		workers; load average ${load:-not recorded}; PostgreSQL ${durability:-durability not recorded}):
		nginx -> pool \`GET /healthz\` $(thousands "$pool_rps") req/s (p99 $pool_p99 ms);
		authenticated \`GET /api/v1/me\` $(thousands "$me_rps") req/s (p99 $me_p99 ms, $me_ratio
		of that ceiling) with the caller from the worker's identity cache, and
		$(thousands "$db_rps") req/s (p99 $db_p99 ms, $db_ratio) with the cache off
		(\`CANSD_IDENTITY_CACHE_TTL=0\`, one identity query per request);${case_text:+
		$case_text}${cans_text:+
		$cans_text}
		$import_text
		$end
	MD
)

tmp=$(mktemp "$doc.XXXXXX")
BLOCK=$block awk -v begin="$begin" -v end="$end" '
	$0 == begin { print ENVIRON["BLOCK"]; skip = 1; next }
	$0 == end { skip = 0; next }
	!skip { print }' "$doc" >"$tmp"
if [ "$check" = 1 ]; then
	if ! diff -u "$doc" "$tmp"; then
		rm -f "$tmp"
		die "$doc's figures differ from $results: run scripts/bench-figures.sh"
	fi
	rm -f "$tmp"
	exit 0
fi
chmod --reference="$doc" "$tmp"
mv -f "$tmp" "$doc"
echo "bench-figures: $doc updated from $results"
