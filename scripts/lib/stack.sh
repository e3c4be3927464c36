# shellcheck shell=bash
# Part of scripts/lib.sh (which sources it; source that, not this): the var
# directory's paths and layout, the OS users, the relocation of a var
# directory other users cannot enter, and the process helpers the other parts
# share.

# Sets the derived path variables from CANSD_VAR_DIR; creates nothing.
# shellcheck disable=SC2034 # the other parts use them
_cansd_paths() {
	local v=${CANSD_VAR_DIR:-./var}
	case $v in
	/*) ;;
	*) v=$(realpath -m -- "$v") ;;
	esac
	# A var directory relocated by stack_init is a symlink: use its target,
	# which every process can enter.
	[ ! -L "$v" ] || v=$(readlink -f -- "$v")
	CANSD_VAR_DIR=$v
	export CANSD_VAR_DIR
	CANSD_PG_DIR=$v/pg
	CANSD_PG_DATA=$v/pg/data
	CANSD_PG_SOCKET=$v/pg/socket
	CANSD_RUN_DIR=$v/run
	CANSD_LOG_DIR=$v/log
	CANSD_KEY_FILE=$v/keys/jwt-signing.pem
	CANSD_SECRETS_DIR=$v/secrets
	CANSD_NGINX_DIR=$v/nginx
	CANSD_FCGI_SOCKET=$v/run/cansd.sock
	: "${CANSD_BIN:=$CANSD_ROOT/build/rel/cansd}"
	case $CANSD_BIN in
	/*) ;;
	*) CANSD_BIN=$CANSD_ROOT/$CANSD_BIN ;;
	esac
	export CANSD_BIN
}

_cansd_pg_bin() {
	if [ -n "${CANSD_PG_BIN:-}" ]; then
		printf '%s\n' "$CANSD_PG_BIN"
	elif [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
		printf '%s\n' /usr/lib/postgresql/15/bin
	elif command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
		pg_config --bindir
	else
		cansd_die "PostgreSQL 15 server binaries not found (install the postgresql package: scripts/install-deps.sh)"
	fi
}

# The pool's unprivileged user and the group of nginx's workers (root only).
CANSD_POOL_USER=cansd
CANSD_WEB_GROUP=cansd-web

# True when the scripts run as root (and so start other users' processes).
_cansd_is_root() { [ "$EUID" = 0 ]; }

# Runs a command as the postgres OS user from /, so that a cwd postgres cannot
# enter (e.g. /root) does not matter. The environment is kept. Not root: as
# the invoking user, who owns the cluster.
_as_postgres() {
	if _cansd_is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# True when every directory from / down to $1 can be entered by OS user $2
# (always, when not root: then every process runs as the invoking user).
_traversable_by() {
	local path=$1 user=$2
	_cansd_is_root || return 0
	runuser -u "$user" -- test -x "$path" 2>/dev/null
}

# Creates system user cansd (the pool drops to it) and group cansd-web
# (nginx's workers run in it; the FastCGI socket belongs to it). Tolerates a
# concurrent creation by another stack.
_cansd_ensure_users() {
	getent group "$CANSD_WEB_GROUP" >/dev/null ||
		groupadd --system "$CANSD_WEB_GROUP" 2>/dev/null ||
		getent group "$CANSD_WEB_GROUP" >/dev/null ||
		cansd_die "cannot create group $CANSD_WEB_GROUP"
	id -u "$CANSD_POOL_USER" >/dev/null 2>&1 ||
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$CANSD_POOL_USER" 2>/dev/null ||
		id -u "$CANSD_POOL_USER" >/dev/null 2>&1 ||
		cansd_die "cannot create user $CANSD_POOL_USER"
}

# True when postgres, nobody and cansd can all enter directory $1.
_cansd_var_reachable() {
	_traversable_by "$1" postgres && _traversable_by "$1" nobody &&
		_traversable_by "$1" "$CANSD_POOL_USER"
}

# Root only: when the var directory lies where postgres, nobody or cansd
# cannot enter (under /root, a 0700 home, mktemp -d), moves it (with whatever
# it holds) to $CANSD_SHARED_VAR_ROOT/<hash of its absolute path> and leaves
# a symlink in its place. The hash makes the place stable: a second run, or a
# run after the symlink was deleted, finds the same data.
_cansd_relocate_var() {
	local v=$CANSD_VAR_DIR shared=${CANSD_SHARED_VAR_ROOT:-/var/lib/cansd} hash target
	_cansd_is_root || return 0
	mkdir -p "$v"
	_cansd_var_reachable "$v" && return 0
	hash=$(printf '%s' "$v" | sha256sum | cut -c1-16)
	target=$shared/$hash
	mkdir -p "$shared"
	chmod 755 "$shared"
	_cansd_var_reachable "$shared" ||
		cansd_die "cannot relocate $v: $shared is not reachable by postgres, nobody and $CANSD_POOL_USER either (set CANSD_SHARED_VAR_ROOT or CANSD_VAR_DIR)"
	if [ -n "$(ls -A -- "$v")" ]; then
		[ ! -e "$target" ] || [ -z "$(ls -A -- "$target")" ] ||
			cansd_die "both $v and $target hold data; keep one (move the other away) and start again"
		if [ -f "$v/pg/data/postmaster.pid" ] && _cansd_alive "$(head -n 1 "$v/pg/data/postmaster.pid")"; then
			cansd_die "PostgreSQL is still running in $v; stop it first (make stop or kill it)"
		fi
		cansd_log "moving $v to $target (postgres and nobody cannot enter $v)"
		mkdir -p "$target"
		(shopt -s dotglob && mv -- "$v"/* "$target"/)
	elif [ -n "$(ls -A -- "$target" 2>/dev/null)" ]; then
		cansd_log "reusing the data of an earlier checkout at this path, kept in $target (database, signing key, users; admin keeps its first password); to start fresh: make purge"
	fi
	rmdir -- "$v"
	mkdir -p "$target"
	ln -s -- "$target" "$v"
	CANSD_VAR_DIR=$target
	_cansd_paths
	cansd_log "postgres and nobody cannot enter $(dirname "$v"): the data lives in $target ($v links there)"
}

# Explains which parent directory blocks OS user $2 from reaching $1.
_explain_untraversable() {
	local path=$1 user=$2 d=""
	local IFS=/
	for part in $path; do
		[ -n "$part" ] || continue
		d="$d/$part"
		if ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
			cansd_die "user '$user' cannot enter $d (needed to reach $path). Make the parent directories traversable (chmod o+x) or set CANSD_VAR_DIR to a directory under one that is, e.g. /tmp/cansd-var"
		fi
	done
}

# stack_init [VAR]: creates the layout and the per-installation secrets.
stack_init() {
	if [ $# -gt 0 ] && [ -n "$1" ]; then
		CANSD_VAR_DIR=$1
	fi
	_cansd_paths
	if _cansd_is_root; then
		id postgres >/dev/null 2>&1 || cansd_die "OS user postgres is missing (install the postgresql package: scripts/install-deps.sh)"
		_cansd_ensure_users
		_cansd_relocate_var
	fi
	# Unix socket paths are limited to 107 bytes.
	if [ ${#CANSD_PG_SOCKET} -gt 80 ] || [ ${#CANSD_FCGI_SOCKET} -gt 100 ]; then
		cansd_die "CANSD_VAR_DIR is too long for unix socket paths ($CANSD_VAR_DIR); use a shorter path"
	fi
	case $CANSD_VAR_DIR in
	*[,\'\"\\\ ]*) cansd_die "CANSD_VAR_DIR must not contain spaces, quotes, commas or backslashes: $CANSD_VAR_DIR" ;;
	esac

	local old_umask
	old_umask=$(umask)
	umask 022
	mkdir -p "$CANSD_VAR_DIR" "$CANSD_RUN_DIR" "$CANSD_LOG_DIR" "$CANSD_NGINX_DIR" \
		"$CANSD_PG_DIR" "$CANSD_PG_SOCKET"
	chmod 755 "$CANSD_VAR_DIR" "$CANSD_RUN_DIR" "$CANSD_NGINX_DIR"
	# PostgreSQL (user postgres) and nginx's workers (user nobody) must reach
	# their directories under VAR.
	_traversable_by "$CANSD_VAR_DIR" postgres || _explain_untraversable "$CANSD_VAR_DIR" postgres
	_traversable_by "$CANSD_VAR_DIR" nobody || _explain_untraversable "$CANSD_VAR_DIR" nobody
	umask 077
	mkdir -p "$CANSD_VAR_DIR/keys" "$CANSD_SECRETS_DIR"
	chmod 700 "$CANSD_VAR_DIR/keys" "$CANSD_SECRETS_DIR"
	if _cansd_is_root; then
		# The pool reads the key as root before it drops privileges, but
		# libpq reads the pgpass file at every (re)connect, as user cansd.
		chgrp "$CANSD_POOL_USER" "$CANSD_SECRETS_DIR"
		chmod 710 "$CANSD_SECRETS_DIR"
		# Sanitizer reports (tests) are written by the workers, as cansd.
		chgrp "$CANSD_POOL_USER" "$CANSD_LOG_DIR"
		chmod 775 "$CANSD_LOG_DIR"
	fi

	if [ ! -s "$CANSD_KEY_FILE" ]; then
		cansd_log "generating the JWT signing key $CANSD_KEY_FILE (RSA 2048)"
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
			-out "$CANSD_KEY_FILE.tmp" 2>/dev/null
		chmod 600 "$CANSD_KEY_FILE.tmp"
		mv -f "$CANSD_KEY_FILE.tmp" "$CANSD_KEY_FILE"
	fi
	if [ ! -s "$CANSD_SECRETS_DIR/pg-app.pass" ]; then
		# hex: no character needs escaping in a pgpass file or a conninfo string
		openssl rand -hex 24 >"$CANSD_SECRETS_DIR/pg-app.pass"
		chmod 600 "$CANSD_SECRETS_DIR/pg-app.pass"
	fi
	umask "$old_umask"

	touch "$CANSD_LOG_DIR/postgres.log"
	chmod 755 "$CANSD_PG_DIR" "$CANSD_PG_SOCKET"
	chmod 640 "$CANSD_LOG_DIR/postgres.log"
	if _cansd_is_root; then
		chown postgres:postgres "$CANSD_PG_DIR" "$CANSD_PG_SOCKET" "$CANSD_LOG_DIR/postgres.log"
	fi
}

# --- process helpers ----------------------------------------------------------

# True when process $1 exists and is not a zombie.
_cansd_alive() {
	local pid=$1 state
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ]
}

# True when process $1's command line contains the string $2 (guards against
# a stale pid file naming a recycled pid). The file is read whole into a
# variable: `tr <file | grep -q` under pipefail fails at random once the file
# passes a page, because grep -q exits at the first match and tr's next write
# dies of SIGPIPE.
_cansd_cmdline_has() {
	local pid=$1 needle=$2 args=()
	mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || return 1
	[[ "${args[*]}" == *"$needle"* ]]
}

# True when process $1's environment contains the line $2 exactly (read
# whole, no pipe: see _cansd_cmdline_has).
_cansd_environ_has() {
	local pid=$1 line=$2 entry entries=()
	mapfile -d '' -t entries <"/proc/$pid/environ" 2>/dev/null || return 1
	for entry in "${entries[@]}"; do
		[ "$entry" = "$line" ] && return 0
	done
	return 1
}

# Waits up to $2 seconds (tenths allowed) for process $1 to end.
_cansd_wait_gone() {
	local pid=$1 tenths
	tenths=$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')
	while [ "$tenths" -gt 0 ]; do
		_cansd_alive "$pid" || return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	! _cansd_alive "$pid"
}

_cansd_read_pid() {
	local f=$1 pid=""
	if [ -f "$f" ]; then
		{ read -r pid <"$f"; } 2>/dev/null || true
	fi
	case $pid in
	'' | *[!0-9]*) return 1 ;;
	esac
	printf '%s\n' "$pid"
}
