#!/usr/bin/env bash
# Installs what building, running and testing cansd needs, and nothing twice:
# Debian packages only when dpkg says one is missing (then one apt-get update
# and one install), the npm tooling only when node_modules is missing or older
# than package.json / package-lock.json. Runs in well under 2 s when all is
# there. Called by `make deps`, `make run`, `make test` and .ci/run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# One entry per need; "a|b" is satisfied by either package (the first is the
# one installed when neither is).
packages=(
	build-essential pkg-config
	libfcgi-dev libjwt-dev libssl-dev libjansson-dev libpq-dev
	libcmocka-dev libcurl4-openssl-dev
	postgresql "postgresql-client|postgresql-client-15"
	postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl # tests/sql: pgTAP and pg_prove
	"nginx-light|nginx|nginx-core|nginx-full|nginx-extras"
	wrk curl jq openssl ca-certificates
	clang-format cppcheck
	gettext-base # envsubst renders the nginx configuration
	procps       # pgrep/ps for stack_stop
	util-linux   # runuser, setsid, unshare
	coreutils    # timeout, realpath, mktemp
	python3-minimal # tests/fcgi_client.py, the raw FastCGI client of the allow-list test
)

# Every package name dpkg knows as installed, in one call (fast).
installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 2>/dev/null |
	awk '$1 == "installed" { sub(/:.*/, "", $2); print $2 }')
is_installed() { grep -qxF -- "$1" <<<"$installed"; }

missing=()
for need in "${packages[@]}"; do
	IFS='|' read -r -a alternatives <<<"$need"
	ok=0
	for p in "${alternatives[@]}"; do
		if is_installed "$p"; then
			ok=1
			break
		fi
	done
	[ "$ok" = 1 ] || missing+=("${alternatives[0]}")
done
# Node.js and npm may come from outside Debian (e.g. NodeSource, whose npm is
# not a dpkg package): whatever is on PATH counts; never install Debian's npm
# over another one.
command -v node >/dev/null 2>&1 || is_installed nodejs || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || is_installed npm || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing Debian packages: ${missing[*]}" >&2
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
			exit 1
		}
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm tooling: swagger-ui-dist (/docs/), @redocly/cli (lint), yaml (openapi.json).
# node_modules/.package-lock.json is the record npm keeps of what it installed.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] ||
	{ [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
	echo "install-deps: installing npm tooling into node_modules/" >&2
	export SCARF_ANALYTICS=false npm_config_update_notifier=false npm_config_fund=false \
		npm_config_audit=false
	# No package needs an install script: --ignore-scripts keeps the install
	# offline-clean (no analytics postinstall) and fast.
	if [ -f package-lock.json ]; then
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	else
		npm install --ignore-scripts --no-audit --no-fund --loglevel=error
	fi
	# npm ci rewrites the stamp; make sure it is newer than the inputs even on
	# coarse-grained file systems.
	touch "$stamp"
fi
