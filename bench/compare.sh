#!/usr/bin/env bash
# `make bench-compare BASE=<commit>`: `make bench` of an earlier commit and
# of this tree, one after the other on the same machine (the earlier first;
# BENCH_COMPARE_THIS_FIRST=1 for the other order), and a table of both
# (req/s and p99 of every row) in bench/COMPARE.md. The earlier commit is
# checked out in a temporary git worktree and built there (release build);
# its own bench/run.sh measures it, so each side runs the benchmark it
# shipped with. This tree's run also rewrites bench/RESULTS.md as
# `make bench` does. Both runs read their figures in the same minutes, so
# drift of the machine touches both; the load averages are in each run's
# RESULTS.md and repeated here.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
base=${1:?usage: bench/compare.sh COMMIT}
base_sha=$(git rev-parse --short=7 "$base^{commit}")
tmp=$(mktemp -d /tmp/cansd-bench-compare.XXXXXX)
cleanup() {
	git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true
	rm -rf -- "$tmp"
}
trap cleanup EXIT

git worktree add --detach -q "$tmp/base" "$base_sha"
# The earlier tree renders openapi.json with the same npm tooling.
[ ! -d node_modules ] || ln -s "$root/node_modules" "$tmp/base/node_modules"
echo "bench-compare: building $base_sha and this tree" >&2
make -C "$tmp/base" -s -j"$(nproc)" build >/dev/null
make -s -j"$(nproc)" build >/dev/null
run_base() {
	echo "bench-compare: make bench at $base_sha" >&2
	(cd "$tmp/base" && bench/run.sh) >"$tmp/base.log" 2>&1 || {
		tail -n 30 "$tmp/base.log" >&2
		exit 1
	}
}
run_this() {
	echo "bench-compare: make bench of this tree" >&2
	bench/run.sh >"$tmp/this.log" 2>&1 || {
		tail -n 30 "$tmp/this.log" >&2
		exit 1
	}
}
# BENCH_COMPARE_THIS_FIRST=1 swaps the order, to see what the order does
# (the first run leaves the machine warm and its load average high).
if [ "${BENCH_COMPARE_THIS_FIRST:-0}" = 1 ]; then
	order="this tree, then $base_sha"
	run_this
	run_base
else
	order="$base_sha, then this tree"
	run_base
	run_this
fi

# what<TAB>req/s<TAB>p99 of each row of a RESULTS.md table
rows() {
	awk -F' [|] ' '/^\| / && $3 ~ /^[0-9]+$/ { sub(/^\| /, "", $1); print $1 "\t" $3 "\t" $5 }' "$1"
}
stamp_of() { sed -n 's/^Written by .* on \(.*\)\.$/\1/p' "$1" | head -n 1; }
load_of() { sed -n 's/^average (1, 5, 15 min) before the runs: //p' "$1" | head -n 1; }
{
	cat <<MD
# This tree beside an earlier commit

Written by \`bench/compare.sh $base_sha\` (\`make bench-compare BASE=$base_sha\`)
on $(date -u +%Y-%m-%d): \`make bench\` of $order, on the same
machine one after the other, each with the defaults of bench/run.sh
(durability on: fsync, synchronous_commit, full_page_writes; see
bench/RESULTS.md for the command, the machine and every round).

- earlier: $(stamp_of "$tmp/base/bench/RESULTS.md"); load average before: $(load_of "$tmp/base/bench/RESULTS.md")
- this tree: $(stamp_of bench/RESULTS.md); load average before: $(load_of bench/RESULTS.md)

| what | req/s earlier | req/s now | change | p99 ms earlier | p99 ms now |
| --- | ---: | ---: | ---: | ---: | ---: |
MD
	join -t $'\t' -j 1 <(rows "$tmp/base/bench/RESULTS.md" | sort -t $'\t' -k1,1) \
		<(rows bench/RESULTS.md | sort -t $'\t' -k1,1) |
		awk -F'\t' '{ printf "| %s | %s | %s | %+.0f%% | %s | %s |\n", $1, $2, $4, ($4 - $2) * 100 / $2, $3, $5 }'
	import_of() { grep -o 'PASS: [0-9]* rows in [0-9.]* s' "$1" | head -n 1 | sed 's/^PASS: //'; }
	printf '\nThe CSV import through nginx: %s earlier, %s now.\n' \
		"$(import_of "$tmp/base/bench/RESULTS.md")" "$(import_of bench/RESULTS.md)"
	rounds_of() { sed -n "/all rounds' req\/s:\$/,/^\$/p" "$1" | sed '1d;/^\$/d'; }
	printf '\nEvery round'"'"'s req/s, earlier:\n\n%s\n\nnow:\n\n%s\n' \
		"$(rounds_of "$tmp/base/bench/RESULTS.md")" "$(rounds_of bench/RESULTS.md)"
} >bench/COMPARE.md
cat bench/COMPARE.md
