#!/usr/bin/env bash
# Report benchmark at state scale: a throwaway PostgreSQL cluster
# in a temporary directory (scripts/lib.sh; never the test or run stack),
# bench/gen-state.sql loads five years of synthetic data, then each report
# runs as the service runs it (role cansd_app, the programs' time zone, the
# api_* function a worker calls), and the timings are printed as the
# bench/RESULTS.md lines, also kept in bench/RESULTS-reports.md (which
# `make bench` appends to the RESULTS.md it rewrites). The cluster is
# removed at the end unless BENCH_KEEP=1.
#
#   bench/gen-state.sh              # 2000 staff, 20000 cases, 250000 CANS, 5 years
#   BENCH_CANS=20000 bench/gen-state.sh   # a quick smaller run
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
staff=${BENCH_STAFF:-2000}
cases=${BENCH_CASES:-20000}
cans=${BENCH_CANS:-250000}
years=${BENCH_YEARS:-5}
tz=${CANSD_TIMEZONE:-America/Chicago}
runs=${BENCH_RUNS:-5}

var=$(mktemp -d /tmp/cansd-gen.XXXXXX)
chmod 755 "$var"
export CANSD_VAR_DIR=$var CANSD_DEMO=0 CANSD_PG_FAST=1
export CANSD_ADMIN_PASSWORD=bench-$(openssl rand -hex 8)
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
cleanup() {
	(pg_stop) >/dev/null 2>&1 || true
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$var"
}
trap cleanup EXIT

stack_init "$var" >/dev/null
pg_start
migrate >/dev/null
started=$(date +%s)
psql_super -d cansd -v staff="$staff" -v cases="$cases" -v cans="$cans" -v years="$years" \
	-v tz="$tz" -f - <bench/gen-state.sql
generated=$(($(date +%s) - started))

# The report as a worker runs it: role cansd_app, the session's zone, the
# QA analyst as the caller; the best of $runs runs after one warm-up.
time_report() {
	local fn=$1 kind=$2 label=$3 from=$4 to=$5 program=$6
	psql_super -d cansd -At -f - <<-SQL | awk '/^Time:/ { print $2 }' | sort -n | head -n 1
		SET TimeZone = '$tz';
		SELECT id AS qa FROM cansd.users WHERE username = 'bench.qa' \\gset
		SET ROLE cansd_app;
		\\o /dev/null
		SELECT cansd.$fn(:qa, 'bench', '127.0.0.1',
		                 '$kind', '$label', '$from', '$to', $program);
		\\timing on
		$(for _ in $(seq "$runs"); do
		printf "SELECT cansd.%s(:qa, 'bench', '127.0.0.1', '%s', '%s', '%s', '%s', %s);\n" \
			"$fn" "$kind" "$label" "$from" "$to" "$program"
	done)
	SQL
}

last_month_from=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)
last_month_to=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)
month_label=${last_month_from:0:7}
q_start_month=$((($(date +%-m) - 1) / 3 * 3 + 1))
q_from=$(date -d "$(date +%Y)-$(printf %02d $q_start_month)-01 -3 months" +%Y-%m-%d)
q_to=$(date -d "$(date +%Y)-$(printf %02d $q_start_month)-01 -1 day" +%Y-%m-%d)
q_label="${q_from:0:4}-Q$(((10#${q_from:5:2} - 1) / 3 + 1))"

monthly=$(time_report api_reports_monthly month "$month_label" "$last_month_from" "$last_month_to" NULL)
monthly_ips=$(time_report api_reports_monthly month "$month_label" "$last_month_from" "$last_month_to" "'IPS'")
quarterly=$(time_report api_reports_quarterly quarter "$q_label" "$q_from" "$q_to" NULL)
quarterly_ips=$(time_report api_reports_quarterly quarter "$q_label" "$q_from" "$q_to" "'IPS'")
counts=$(psql_super -d cansd -At -c "SELECT (SELECT count(*) FROM cansd.assessments WHERE status = 'approved') || ' approved CANS, ' || (SELECT count(*) FROM cansd.assessment_ratings) || ' ratings, ' || (SELECT count(*) FROM cansd.cases) || ' cases, ' || (SELECT count(*) FROM cansd.users WHERE username LIKE 'bench.%') || ' staff'")
load=$(cut -d' ' -f1-3 /proc/loadavg)

cat <<EOF2 | tee bench/RESULTS-reports.md

## Reports at state scale ($(date -u +%Y-%m-%d), $(nproc) cores, load average $load)

\`BENCH_STAFF=$staff BENCH_CASES=$cases BENCH_CANS=$cans BENCH_YEARS=$years bench/gen-state.sh\`:
$counts generated in ${generated} s. Best of $runs runs, as role cansd_app through the api_* function a worker calls:

| report | all programs | IPS only |
| --- | --- | --- |
| monthly $month_label | $monthly ms | $monthly_ips ms |
| quarterly $q_label | $quarterly ms | $quarterly_ips ms |

Targets: monthly < 1 s, quarterly < 3 s. Each figure is the SQL call a worker
makes (\`api.reports_*\` as \`cansd_app\`, the QA analyst as caller:
scope "all"), best of $runs after one warm-up, on a throwaway cluster in a
temporary directory (\`BENCH_KEEP=1\` keeps it).
EOF2
