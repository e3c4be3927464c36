#!/usr/bin/env bash
# Times POST /api/v1/training-records/import with a generated CSV through
# nginx, the way the certification office uploads a training-centre export.
# The target: 100,000 rows in under 10 seconds on a 2-core machine.
#
# Needs a running stack (make run, CANSD_DEMO=1 for the default login) and
# curl + jq (scripts/install-deps.sh). Settings, all optional:
#   CANSD_HTTP_PORT   nginx port (8080)
#   BENCH_USER        a certification_office user (cert.office, from the demo data)
#   BENCH_PASSWORD    its password (demo-password)
#   BENCH_ROWS        data rows (100000)
#   BENCH_CSV         keep the generated file at this path (default: a temp file, removed)
#
# The rows are spread over every existing user and dated 2 to 5 years ago
# with trainings that never make anyone current from that far back (no
# SACWIS rows), so the benchmark adds records but changes nobody's
# certification. Each run adds BENCH_ROWS records: use a throw-away database.
set -euo pipefail

port=${CANSD_HTTP_PORT:-8080}
base=http://127.0.0.1:$port/api/v1
user=${BENCH_USER:-cert.office}
password=${BENCH_PASSWORD:-demo-password}
rows=${BENCH_ROWS:-100000}
target_seconds=10

die() {
	printf 'bench/import.sh: %s\n' "$*" >&2
	exit 1
}

command -v curl >/dev/null || die "curl is missing (scripts/install-deps.sh)"
command -v jq >/dev/null || die "jq is missing (scripts/install-deps.sh)"
[[ $rows =~ ^[0-9]+$ ]] && [ "$rows" -ge 1 ] || die "BENCH_ROWS must be a positive integer"

csv=${BENCH_CSV:-}
if [ -z "$csv" ]; then
	csv=$(mktemp /tmp/cansd-import-XXXXXX.csv)
	trap 'rm -f "$csv" "$csv.users" "$csv.response"' EXIT
fi

login=$(jq -cn --arg u "$user" --arg p "$password" '{username: $u, password: $p}')
token=$(curl -sS -X POST "$base/auth/login" -H 'Content-Type: application/json' -d "$login" |
	jq -r '.access_token // empty') || true
[ -n "$token" ] || die "cannot log in as $user on $base (is the stack running? CANSD_DEMO=1?)"

# Every username the office can see, page by page.
: >"$csv.users"
cursor=""
while :; do
	page=$(curl -sS "$base/users?limit=500${cursor:+&cursor=$cursor}" -H "Authorization: Bearer $token")
	jq -r '.items[].username' <<<"$page" >>"$csv.users" || die "GET /users failed: $page"
	cursor=$(jq -r '.next_cursor // empty' <<<"$page")
	[ -n "$cursor" ] || break
done
n_users=$(wc -l <"$csv.users")
[ "$n_users" -ge 1 ] || die "no users to import records for"

# 120 completion dates 2 to 5 years back (computed here: awk has no dates).
dates=""
for i in $(seq 0 119); do
	dates="$dates $(date -d "-$((730 + i * 9)) days" +%F)"
done

awk -v rows="$rows" -v dates="$dates" '
	BEGIN { n_dates = split(dates, day, " ") }
	NR == FNR { users[n_users++] = $0; next }
	END {
		split("CANS_2_0_CERTIFICATION CANS_2_0_RECERTIFICATION CANS_1_0_CERTIFICATION", code, " ")
		printf "username,training_code,completed_on,score\r\n"
		for (i = 0; i < rows; i++) {
			score = (i % 4 == 0) ? "" : sprintf("%d.%d", 60 + i % 40, i % 10)
			printf "%s,%s,%s,%s\r\n", users[i % n_users], code[1 + i % 3], day[1 + i % n_dates], score
		}
	}' "$csv.users" /dev/null >"$csv"
bytes=$(wc -c <"$csv")
printf 'bench/import.sh: %d rows for %d users, %d bytes (%.1f MiB)\n' "$rows" "$n_users" "$bytes" \
	"$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')"

status_time=$(curl -sS -o "$csv.response" -w '%{http_code} %{time_total}' -X POST \
	"$base/training-records/import" -H "Authorization: Bearer $token" \
	-H 'Content-Type: text/csv' --data-binary "@$csv")
status=${status_time% *}
seconds=${status_time#* }
printf 'bench/import.sh: HTTP %s in %s s: %s\n' "$status" "$seconds" "$(head -c 300 "$csv.response")"

case $status in
200) ;;
413) die "the body was refused as too large: the import route needs a body limit of 16 MiB (nginx client_max_body_size and REQUEST_MAX_BODY)" ;;
*) die "the import failed" ;;
esac
imported=$(jq -r '.imported' "$csv.response")
[ "$imported" = "$rows" ] || die "imported $imported rows, expected $rows"
if awk -v s="$seconds" -v t="$target_seconds" 'BEGIN { exit !(s < t) }'; then
	printf 'bench/import.sh: PASS: %s rows in %s s (target < %s s)\n' "$rows" "$seconds" "$target_seconds"
else
	printf 'bench/import.sh: FAIL: %s rows in %s s (target < %s s)\n' "$rows" "$seconds" "$target_seconds"
	exit 1
fi
