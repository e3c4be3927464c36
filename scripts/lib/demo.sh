# shellcheck shell=bash disable=SC2153 # CANSD_* paths: set by _cansd_paths (stack.sh)
# Part of scripts/lib.sh (which sources it; source that, not this): demo data for
# `make run` (sql/seed/, through psql: the files use psql variables).

# Prints a box around its arguments (one line each) on stdout.
_cansd_box() {
	local width=0 line
	for line in "$@"; do [ ${#line} -gt "$width" ] && width=${#line}; done
	local bar
	bar=$(printf '%*s' $((width + 2)) '' | tr ' ' '=')
	printf '+%s+\n' "$bar"
	for line in "$@"; do printf '| %-*s |\n' "$width" "$line"; done
	printf '+%s+\n' "$bar"
}

# Prints the encoded hash of password $1 made by `$CANSD_BIN hash-password`.
_cansd_hash_password() {
	local hash
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	hash=$(printf '%s\n' "$1" | "$CANSD_BIN" hash-password) ||
		cansd_die "$CANSD_BIN hash-password failed"
	[ -n "$hash" ] || cansd_die "$CANSD_BIN hash-password printed nothing"
	printf '%s\n' "$hash"
}

# Demo users, training records and cases (sql/seed/demo.sql), then CANS in
# every state (sql/seed/demo_cans.sql), then last month's report and QC data
# (sql/seed/demo_reports.sql), when CANSD_DEMO=1 and the database has no
# user other than admin.
seed_demo() {
	_cansd_paths
	[ "${CANSD_DEMO:-0}" = 1 ] || return 0
	local others password hash tz=${CANSD_TIMEZONE:-America/Chicago}
	others=$(psql_super -d cansd -At -c "SELECT count(*) FROM cansd.users WHERE username <> 'admin'")
	[ "$others" = 0 ] || return 0
	password=${CANSD_DEMO_PASSWORD:-demo-password}
	hash=$(_cansd_hash_password "$password")
	CANSD_DEMO_HASH=$hash psql_super -d cansd -v tz="$tz" -f - >/dev/null \
		< <(printf '\\getenv hash CANSD_DEMO_HASH\n'; cat "$CANSD_ROOT/sql/seed/demo.sql" \
			"$CANSD_ROOT/sql/seed/demo_cans.sql" "$CANSD_ROOT/sql/seed/demo_reports.sql") ||
		cansd_die "seeding demo data failed"
	_cansd_box "cansd: demo data seeded (CANSD_DEMO=1); every demo user's password: $password" \
		"supervisor.rivera  supervisor, IPS, certified" \
		"worker.current     worker, IPS, certified" \
		"worker.lapsing     worker, IPS, certification lapses in 19 days" \
		"worker.lapsed      worker, IPS, certification lapsed" \
		"worker.ifps        worker, IFPS, certified" \
		"worker.renewal     worker, IPS, lapsed ten days after last month" \
		"supervisor.chen    supervisor, IFPS, certified (second team)" \
		"worker.ifps.full   worker, IFPS, certified, at the cap of 4 IFPS families" \
		"worker.ips2        worker, IPS, certified (supervisor.chen's team)" \
		"cert.office        certification_office" \
		"qa.analyst         qa_analyst, certified" \
		"program.admin      program_admin" \
		"demo CANS          draft, submitted, returned, rerouted, approved (GET /assessments)"
}
