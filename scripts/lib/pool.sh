# shellcheck shell=bash disable=SC2153 # CANSD_* paths: set by _cansd_paths (stack.sh)
# Part of scripts/lib.sh (which sources it; source that, not this): the FastCGI
# worker pool (`cansd serve`).

_pool_pid() {
	local pid
	pid=$(_cansd_read_pid "$CANSD_RUN_DIR/cansd.pid") || return 1
	_cansd_alive "$pid" && _cansd_environ_has "$pid" "CANSD_FCGI_LISTEN=$CANSD_FCGI_SOCKET" || return 1
	printf '%s\n' "$pid"
}

pool_running() {
	_cansd_paths
	_pool_pid >/dev/null
}

# Starts `$CANSD_BIN serve` (the master: it binds the socket, forks
# CANSD_WORKERS workers, drains and exits on SIGTERM/SIGINT) in its own
# session; output to log/cansd.log. Sets CANSD_POOL_PID.
pool_start() {
	_cansd_paths
	[ -x "$CANSD_BIN" ] || cansd_die "$CANSD_BIN is missing: build it first (make build)"
	if [ ! -d "$CANSD_LOG_DIR" ] || [ ! -d "$CANSD_RUN_DIR" ]; then
		stack_init "$CANSD_VAR_DIR"
	fi
	if CANSD_POOL_PID=$(_pool_pid); then
		cansd_log "worker pool already running (pid $CANSD_POOL_PID)"
		return 0
	fi
	[ -s "$CANSD_SECRETS_DIR/pgpass" ] || cansd_die "no $CANSD_SECRETS_DIR/pgpass: run pg_start first"
	rm -f "$CANSD_FCGI_SOCKET" "$CANSD_RUN_DIR/cansd.pid"
	local workers=${CANSD_WORKERS:-$(nproc)}
	(
		export CANSD_VAR_DIR
		export CANSD_FCGI_LISTEN=$CANSD_FCGI_SOCKET
		export CANSD_DATABASE_URL="host=$CANSD_PG_SOCKET port=$CANSD_PG_PORT dbname=cansd user=cansd_app passfile=$CANSD_SECRETS_DIR/pgpass"
		export CANSD_JWT_KEY=$CANSD_KEY_FILE
		export CANSD_WORKERS=$workers
		export CANSD_TIMEZONE=${CANSD_TIMEZONE:-America/Chicago}
		if _cansd_is_root; then
			# The master binds the socket as root, gives it to nginx's
			# workers' group (0660), reads the keys, then drops to cansd.
			export CANSD_RUN_AS_USER=$CANSD_POOL_USER
			export CANSD_FCGI_SOCKET_GROUP=$CANSD_WEB_GROUP
		fi
		# CANSD_JWT_EXTERNAL_*, CANSD_CORS_ORIGINS, CANSD_ACCESS_TTL and any
		# other CANSD_* the caller exported pass through unchanged.
		if [ -n "${CANSD_POOL_ASAN_OPTIONS:-}" ]; then export ASAN_OPTIONS=$CANSD_POOL_ASAN_OPTIONS; fi
		if [ -n "${CANSD_POOL_UBSAN_OPTIONS:-}" ]; then export UBSAN_OPTIONS=$CANSD_POOL_UBSAN_OPTIONS; fi
		cd "$CANSD_VAR_DIR" || exit 1
		printf '%s\n' "$BASHPID" >"$CANSD_RUN_DIR/cansd.pid"
		# Not a process-group leader (no job control), so setsid execs in place
		# and the pid written above stays the master's.
		exec setsid "$CANSD_BIN" serve </dev/null >>"$CANSD_LOG_DIR/cansd.log" 2>&1
	) &
	CANSD_POOL_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$CANSD_FCGI_SOCKET" ] && break
		if ! _cansd_alive "$CANSD_POOL_PID"; then
			tail -n 30 "$CANSD_LOG_DIR/cansd.log" >&2 || true
			cansd_die "the worker pool exited during start (log: $CANSD_LOG_DIR/cansd.log)"
		fi
		sleep 0.1
	done
	if [ ! -S "$CANSD_FCGI_SOCKET" ]; then
		tail -n 30 "$CANSD_LOG_DIR/cansd.log" >&2 || true
		cansd_die "the worker pool did not create $CANSD_FCGI_SOCKET within 10 s"
	fi
	# nginx's workers (group cansd-web when root) must be able to connect, and
	# nobody else: cansd makes the socket 0660 in that group itself.
	local want_group=$CANSD_WEB_GROUP
	_cansd_is_root || want_group=$(id -gn)
	if [ "$(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null)" != "660 $want_group" ]; then
		sleep 0.2
		[ "$(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null)" = "660 $want_group" ] ||
			cansd_log "warning: $CANSD_FCGI_SOCKET is not mode 0660 group $want_group ($(stat -c '%a %G' "$CANSD_FCGI_SOCKET" 2>/dev/null))"
	fi
	cansd_log "worker pool started (pid $CANSD_POOL_PID, $workers workers, socket $CANSD_FCGI_SOCKET)"
}

pool_stop() {
	_cansd_paths
	local pid
	if pid=$(_pool_pid); then
		kill -TERM "$pid" 2>/dev/null || true
		if ! _cansd_wait_gone "$pid" 15; then
			cansd_log "worker pool did not stop within 15 s; killing it"
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
			_cansd_wait_gone "$pid" 5 || true
		fi
		# Workers left behind by a master that died: same process group.
		if pgrep -g "$pid" >/dev/null 2>&1; then
			sleep 1
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$CANSD_RUN_DIR/cansd.pid" "$CANSD_FCGI_SOCKET"
}
