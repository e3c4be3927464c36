# shellcheck shell=bash disable=SC2153 # CANSD_* paths: set by _cansd_paths (stack.sh)
# Part of scripts/lib.sh (which sources it; source that, not this): nginx in front of
# the pool, and the address it may listen on.

_nginx_pid() {
	local pid
	pid=$(_cansd_read_pid "$CANSD_RUN_DIR/nginx.pid") || return 1
	_cansd_alive "$pid" && _cansd_cmdline_has "$pid" "$CANSD_NGINX_DIR/nginx.conf" || return 1
	printf '%s\n' "$pid"
}

nginx_running() {
	_cansd_paths
	_nginx_pid >/dev/null
}

# The directory nginx serves openapi.yaml, docs/ and swagger-ui-dist from: the
# project tree when nginx's workers (nobody) can read it, else a copy in VAR.
_nginx_static_dir() {
	local ui=node_modules/swagger-ui-dist
	[ -f "$CANSD_ROOT/$ui/swagger-ui-bundle.js" ] ||
		cansd_log "warning: $CANSD_ROOT/$ui is missing (scripts/install-deps.sh): /docs/ will not render"
	if ! _cansd_is_root; then
		printf '%s\n' "$CANSD_ROOT" # nginx's workers run as the invoking user
		return
	fi
	if runuser -u nobody -- test -r "$CANSD_ROOT/openapi.yaml" 2>/dev/null &&
		runuser -u nobody -- test -r "$CANSD_ROOT/docs/index.html" 2>/dev/null &&
		{ [ ! -d "$CANSD_ROOT/$ui" ] || runuser -u nobody -- test -x "$CANSD_ROOT/$ui" 2>/dev/null; }; then
		printf '%s\n' "$CANSD_ROOT"
		return
	fi
	local s=$CANSD_NGINX_DIR/static
	rm -rf "$s"
	mkdir -p "$s/docs" "$s/$ui"
	cp -f "$CANSD_ROOT/openapi.yaml" "$s/"
	cp -f "$CANSD_ROOT/docs/index.html" "$s/docs/"
	if [ -d "$CANSD_ROOT/$ui" ]; then
		cp -f "$CANSD_ROOT/$ui/"*.js "$CANSD_ROOT/$ui/"*.css "$CANSD_ROOT/$ui/"*.png "$s/$ui/" 2>/dev/null || true
	fi
	chmod -R a+rX "$s"
	printf '%s\n' "$s"
}

# openapi.yaml rendered as JSON for /api/v1/openapi.json (needs node + yaml).
_nginx_openapi_json() {
	local out=$CANSD_NGINX_DIR/openapi.json
	if [ -f "$CANSD_ROOT/node_modules/yaml/package.json" ] && command -v node >/dev/null 2>&1; then
		if (cd "$CANSD_ROOT" && node -e '
			const fs = require("fs"), YAML = require("yaml");
			const doc = YAML.parse(fs.readFileSync(process.argv[1], "utf8"));
			fs.writeFileSync(process.argv[2], JSON.stringify(doc, null, 2) + "\n");
		' "$CANSD_ROOT/openapi.yaml" "$out.tmp"); then
			chmod 644 "$out.tmp"
			mv -f "$out.tmp" "$out"
			return 0
		fi
		rm -f "$out.tmp"
	fi
	cansd_log "warning: could not render openapi.json (node_modules/yaml missing?); /api/v1/openapi.json will be 404"
	rm -f "$out"
}

CANSD_DEMO_WELL_KNOWN_PASSWORD=demo-password

# Prints the address nginx listens on: CANSD_HTTP_LISTEN (default 127.0.0.1;
# an IPv4 address, 0.0.0.0, localhost, or [IPv6]). Refuses (exits) anything
# but loopback while the demo users may carry the well-known password:
# CANSD_DEMO=1 with CANSD_DEMO_PASSWORD unset or equal to it.
cansd_http_listen_addr() {
	local addr=${CANSD_HTTP_LISTEN:-127.0.0.1}
	[[ $addr =~ ^([0-9.]+|localhost|\[[0-9A-Fa-f:.]+\])$ ]] ||
		cansd_die "CANSD_HTTP_LISTEN must be an IPv4 address, localhost or [IPv6 address]: $addr"
	case $addr in
	127.* | localhost | '[::1]') ;;
	*)
		if [ "${CANSD_DEMO:-0}" = 1 ] &&
			[ "${CANSD_DEMO_PASSWORD:-$CANSD_DEMO_WELL_KNOWN_PASSWORD}" = "$CANSD_DEMO_WELL_KNOWN_PASSWORD" ]; then
			cansd_die "refusing to listen on $addr with demo data whose password is the well-known '$CANSD_DEMO_WELL_KNOWN_PASSWORD': set CANSD_DEMO=0, or CANSD_DEMO_PASSWORD to a secret one before the first start, or listen on loopback (CANSD_HTTP_LISTEN=127.0.0.1)"
		fi
		;;
	esac
	printf '%s\n' "$addr"
}

# Where to probe a listener on address $1: loopback for the wildcards.
_cansd_probe_host() {
	case $1 in
	0.0.0.0 | '[::]' | localhost) echo 127.0.0.1 ;;
	\[*) echo "${1:1:${#1}-2}" ;;
	*) echo "$1" ;;
	esac
}

# Renders nginx/cansd.conf.template and starts nginx (daemon off) in its own
# session. Sets CANSD_NGINX_PID.
nginx_start() {
	_cansd_paths
	if [ ! -d "$CANSD_LOG_DIR" ] || [ ! -d "$CANSD_NGINX_DIR" ]; then
		stack_init "$CANSD_VAR_DIR"
	fi
	if CANSD_NGINX_PID=$(_nginx_pid); then
		cansd_log "nginx already running (pid $CANSD_NGINX_PID)"
		return 0
	fi
	local port=${CANSD_HTTP_PORT:-8080} rps=${CANSD_RATE_LIMIT_RPS:-50} static addr probe
	addr=$(cansd_http_listen_addr) || exit 1
	probe=$(_cansd_probe_host "$addr")
	if ! [[ $port =~ ^[0-9]{1,5}$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		cansd_die "CANSD_HTTP_PORT must be a port number: $port"
	fi
	if ! [[ $rps =~ ^[0-9]{1,7}$ ]] || [ "$rps" -lt 1 ]; then
		cansd_die "CANSD_RATE_LIMIT_RPS must be a positive integer: $rps"
	fi
	if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then
		cansd_die "$addr:$port is already in use: set CANSD_HTTP_PORT to a free port"
	fi
	mkdir -p "$CANSD_NGINX_DIR/tmp"
	static=$(_nginx_static_dir)
	_nginx_openapi_json
	cp -f "$CANSD_ROOT/nginx/cansd-fastcgi.conf" "$CANSD_NGINX_DIR/cansd-fastcgi.conf"
	# shellcheck disable=SC2016 # envsubst gets the names, not their values
	CANSD_NGINX_LISTEN=$addr:$port CANSD_RATE_LIMIT_RPS=$rps CANSD_STATIC_DIR=$static \
		CANSD_FCGI_UPSTREAM=unix:$CANSD_FCGI_SOCKET CANSD_NGINX_DIR=$CANSD_NGINX_DIR \
		envsubst '${CANSD_NGINX_LISTEN} ${CANSD_RATE_LIMIT_RPS} ${CANSD_VAR_DIR} ${CANSD_STATIC_DIR} ${CANSD_FCGI_UPSTREAM} ${CANSD_NGINX_DIR}' \
		<"$CANSD_ROOT/nginx/cansd.conf.template" >"$CANSD_NGINX_DIR/nginx.conf"
	rm -f "$CANSD_RUN_DIR/nginx.pid"
	local nginx_args=(-p "$CANSD_NGINX_DIR/" -c "$CANSD_NGINX_DIR/nginx.conf" -e "$CANSD_LOG_DIR/nginx-error.log")
	# As root, the workers run as nobody in the group that may use the pool's
	# socket; otherwise as the invoking user (nginx ignores `user` then).
	! _cansd_is_root || nginx_args+=(-g "user nobody $CANSD_WEB_GROUP;")
	if ! nginx -t -q "${nginx_args[@]}" 2>"$CANSD_LOG_DIR/nginx-test.log"; then
		cat "$CANSD_LOG_DIR/nginx-test.log" >&2
		cansd_die "the rendered nginx configuration is invalid: $CANSD_NGINX_DIR/nginx.conf"
	fi
	setsid nginx "${nginx_args[@]}" </dev/null >>"$CANSD_LOG_DIR/nginx.out" 2>&1 &
	CANSD_NGINX_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null && [ -s "$CANSD_RUN_DIR/nginx.pid" ]; then
			cansd_log "nginx started (pid $CANSD_NGINX_PID) on http://$addr:$port/"
			return 0
		fi
		if ! _cansd_alive "$CANSD_NGINX_PID"; then
			tail -n 20 "$CANSD_LOG_DIR/nginx-error.log" "$CANSD_LOG_DIR/nginx.out" >&2 2>/dev/null || true
			cansd_die "nginx exited during start (log: $CANSD_LOG_DIR/nginx-error.log)"
		fi
		sleep 0.1
	done
	cansd_die "nginx did not listen on $addr:$port within 10 s"
}

nginx_stop() {
	_cansd_paths
	local pid
	if pid=$(_nginx_pid); then
		kill -QUIT "$pid" 2>/dev/null || true
		if ! _cansd_wait_gone "$pid" 10; then
			kill -TERM "$pid" 2>/dev/null || true
			if ! _cansd_wait_gone "$pid" 5; then
				kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
				_cansd_wait_gone "$pid" 5 || true
			fi
		fi
	fi
	rm -f "$CANSD_RUN_DIR/nginx.pid"
}
