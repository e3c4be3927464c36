#!/usr/bin/env bash
# Layers point one way (README.md, "Layout"). From the bottom:
#   core/      the base: arena, HTTP vocabulary (request, response, problems,
#              roles, the route type), configuration, the database, metrics
#   auth/      who is calling: tokens, keys, passwords, identity (knows no transport)
#   fcgi/      the transport: pool, workers, dispatcher (knows no handler)
#   handlers/  the resources and the route table (know no transport)
#   cmd/       the entry point: wires the route table into the transport
# A file may include its own folder and any folder below it; fcgi/ and
# handlers/ are side by side and may not include each other. Prints every
# #include that runs back up and fails when there is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rank() {
	case $1 in
	core) echo 0 ;;
	auth) echo 1 ;;
	fcgi | handlers) echo 2 ;;
	cmd) echo 3 ;;
	*) echo -1 ;;
	esac
}

bad=0 n=0
while IFS= read -r file; do
	from=${file%%/*}
	from_rank=$(rank "$from")
	while IFS= read -r target; do
		n=$((n + 1))
		# "x.h" is the file's own folder; "../dir/x.h" another folder
		case $target in
		../*/*) to=${target#../} to=${to%%/*} ;;
		*/*)
			echo "layers: $file includes \"$target\": use a path relative to the file" >&2
			bad=1
			continue
			;;
		*) to=$from ;;
		esac
		to_rank=$(rank "$to")
		if [ "$to_rank" -lt 0 ]; then
			echo "layers: $file includes \"$target\" outside the layers" >&2
			bad=1
		elif [ "$to" != "$from" ] && [ "$to_rank" -ge "$from_rank" ]; then
			echo "layers: $file ($from) includes \"$target\" ($to): an include that runs back up" >&2
			bad=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(find core auth fcgi handlers cmd -name '*.[ch]' | sort)

[ "$bad" = 0 ] && echo "layers: $n includes, all pointing down (core < auth < fcgi | handlers < cmd)"
exit "$bad"
