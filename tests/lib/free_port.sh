# shellcheck shell=bash
# free_port: prints a TCP port on 127.0.0.1 that nothing listens on and no
# socket uses, in 20000-32767: below the kernel's ephemeral range
# (32768-60999), so no outgoing connection can take it between the check and
# the bind. Sourced by the shell tests and scripts/test.sh.
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 12768))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null)" ]; then
			continue
		fi
		printf '%s\n' "$p"
		return 0
	done
	return 1
}
