#!/usr/bin/env bash
# Lints openapi.yaml as OpenAPI 3.1 with @redocly/cli (node_modules, installed
# by scripts/install-deps.sh), offline: telemetry and update checks off, and
# inside an empty network namespace when the system allows one. Rules:
# redocly.yaml. Exits non-zero on any error.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

doc=${1:-openapi.yaml}
redocly=node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
	echo "lint-openapi: $redocly is missing: run scripts/install-deps.sh" >&2
	exit 1
fi

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
offline=()
if unshare -n true 2>/dev/null; then
	offline=(unshare -n)
fi
"${offline[@]}" "$redocly" lint --format=codeframe "$doc"
