# registry-lib.sh: a throwaway OCI registry for the engine's tests.
#
# Source it, then:
#     registry_start          # Debian's docker-registry on 127.0.0.1, a free port
#     trap registry_stop EXIT
#     ... "$REGISTRY" is 127.0.0.1:PORT ...
#
# registry_start exports REGISTRY (127.0.0.1:PORT), REGISTRY_PID and
# REGISTRY_DIR (a temp dir with the config, the storage and the log). The
# port is chosen by the kernel (the registry listens on 127.0.0.1:0 and
# logs the address), so parallel tests do not race for one. A watchdog
# stops the registry if the owner (REGISTRY_OWNER, or this shell) dies
# without calling registry_stop. registry_stop is idempotent and safe in an
# EXIT trap: it kills the registry and the watchdog and removes the dir.

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

# The docker-registry's log, for a failing test to show.
registry_log() {
	if [ -n "${REGISTRY_DIR:-}" ] && [ -f "$REGISTRY_DIR/registry.log" ]; then
		cat "$REGISTRY_DIR/registry.log"
	fi
}

# Alive and not a zombie (an orphan's parent may reap it late).
_registry_alive() {
	local stat

	stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $stat != Z* ]]
}

# The watchdog's script: $1 owner, $2 registry, $3 dir.
_registry_watchdog='
	trap "" HUP INT
	trap "kill \"\$s\" 2>/dev/null; exit 0" TERM
	alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $st != Z* ]]; }
	s=
	while alive "$1" && alive "$2"; do
		sleep 1 &
		s=$!
		wait "$s" || true
	done
	kill "$2" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		alive "$2" || break
		sleep 0.2
	done
	kill -9 "$2" 2>/dev/null || true
	rm -rf -- "$3"
'

registry_start() {
	local dir pid port="" owner="${REGISTRY_OWNER:-$$}" i name unset_env=()

	if [ -n "${REGISTRY_DIR:-}" ] && [ -d "$REGISTRY_DIR" ]; then
		echo "registry_start: one is running already ($REGISTRY_DIR); registry_stop first" >&2
		return 1
	fi
	if [ ! -x "$REGISTRY_BIN" ]; then
		echo "registry_start: $REGISTRY_BIN not installed (apt-get install docker-registry)" >&2
		return 1
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/isolab-registry.XXXXXX") || return 1
	cat >"$dir/config.yml" <<-EOF
	version: 0.1
	log:
	  level: info
	  accesslog:
	    disabled: true
	storage:
	  filesystem:
	    rootdirectory: $dir/storage
	  delete:
	    enabled: true
	  maintenance:
	    uploadpurging:
	      enabled: false
	http:
	  addr: 127.0.0.1:0
	  secret: isolab-test-registry
	EOF
	# docker-registry reads REGISTRY_* variables as configuration
	# (REGISTRY_DIR would be "dir"): it gets none of them.
	while IFS='=' read -r name _; do
		case $name in REGISTRY_*) unset_env+=(-u "$name") ;; esac
	done < <(env)
	env "${unset_env[@]}" "$REGISTRY_BIN" serve "$dir/config.yml" \
		</dev/null >"$dir/registry.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/registry.pid"
	# The watchdog: gone owner, gone registry. A process of its own (not a
	# subshell), so it holds none of the caller's descriptors (a $(...)
	# around registry_start would otherwise wait for it).
	"${BASH:-bash}" -c "$_registry_watchdog" registry-watchdog "$owner" "$pid" "$dir" \
		</dev/null >/dev/null 2>&1 &
	echo "$!" >"$dir/watchdog.pid"
	export REGISTRY_PID=$pid REGISTRY_DIR=$dir

	# At most ~10 s: the address in the log, then GET /v2/ answering.
	for ((i = 0; i < 100; i++)); do
		if [ -z "$port" ]; then
			port=$(sed -n 's/.*msg="listening on 127\.0\.0\.1:\([0-9]*\)".*/\1/p' \
				"$dir/registry.log" | head -n 1)
		fi
		if [ -n "$port" ] && curl -sf -o /dev/null --max-time 1 --noproxy '*' \
			"http://127.0.0.1:$port/v2/"; then
			export REGISTRY=127.0.0.1:$port
			return 0
		fi
		if ! _registry_alive "$pid"; then
			echo "registry_start: docker-registry exited:" >&2
			cat "$dir/registry.log" >&2
			registry_stop
			return 1
		fi
		sleep 0.1
	done
	echo "registry_start: docker-registry did not answer within 10 s:" >&2
	cat "$dir/registry.log" >&2
	registry_stop
	return 1
}

# Stops what registry_start started (found through REGISTRY_DIR's pid
# files); nothing to do is fine.
registry_stop() {
	local dir=${REGISTRY_DIR:-} pid wd i

	case $dir in
	"${TMPDIR:-/tmp}"/isolab-registry.*) ;;
	*) unset REGISTRY REGISTRY_PID REGISTRY_DIR; return 0 ;;
	esac
	wd=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
	pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
	pid=${pid:-${REGISTRY_PID:-}}
	if [ -n "$wd" ]; then
		kill "$wd" 2>/dev/null || true
		wait "$wd" 2>/dev/null || true
	fi
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			_registry_alive "$pid" || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
		# Reaped here when it is our child; another's (a test binary's
		# registry) is its parent's to reap.
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf -- "$dir"
	unset REGISTRY REGISTRY_PID REGISTRY_DIR
	return 0
}
