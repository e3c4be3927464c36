#!/usr/bin/env bash
# `make purge`: deletes everything `make run` keeps between runs for this
# checkout: the database, the JWT signing key, the generated passwords and
# the logs, in $CANSD_VAR_DIR (default ./var). As root, from a folder that
# postgres or nobody cannot enter, that data lives in
# $CANSD_SHARED_VAR_ROOT/<hash of ./var's absolute path> (default
# /var/lib/cansd/...) and ./var only links there: both go, and so does such a
# directory left by an earlier checkout at the same path whose ./var link is
# gone. The stack must be stopped first (`make stop`, or Ctrl-C on `make run`).
# The next `make run` starts from nothing: a new cluster, a new key, a new
# admin password printed once, fresh demo data.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

var=${CANSD_VAR_DIR:-./var}
case $var in
/*) ;;
*) var=$PWD/${var#./} ;;
esac
# The relocated place, as scripts/lib.sh names it: from the path of the var
# directory itself (a symlink is not followed), its parents resolved.
abs=$(cd "$(dirname "$var")" 2>/dev/null && pwd -P)/$(basename "$var") || abs=$var
shared=${CANSD_SHARED_VAR_ROOT:-/var/lib/cansd}
relocated=$shared/$(printf '%s' "$abs" | sha256sum | cut -c1-16)

targets=()
[ ! -L "$var" ] || targets+=("$(readlink -f -- "$var")")
[ ! -e "$relocated" ] || targets+=("$relocated")
[ ! -e "$var" ] && [ ! -L "$var" ] || targets+=("$var")

if [ ${#targets[@]} = 0 ]; then
	echo "purge: nothing to delete ($var does not exist)"
	exit 0
fi

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
export CANSD_VAR_DIR=$var
if pg_running || pool_running || nginx_running; then
	cansd_die "the stack of $var is running: stop it first (make stop, or Ctrl-C on make run), then make purge"
fi

for t in $(printf '%s\n' "${targets[@]}" | sort -u); do
	echo "purge: deleting $t"
	rm -rf -- "$t"
done
echo "purge: done; the next make run starts from nothing (a new admin password is printed then)"
