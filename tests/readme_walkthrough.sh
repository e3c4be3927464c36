#!/usr/bin/env bash
# Runs the walk-throughs of the documentation as written, against a running
# `make run` stack with demo data, and checks every step's output.
#
#     tests/readme_walkthrough.sh [--list] [FILE[#SECTION]...]
#
# Default: README.md#Walk-through, then docs/WALKTHROUGH.md (the whole file).
# A step is a fenced ```sh block; the fenced block right after it (blank
# lines only between them) is what the step prints, and every step must have
# one (an empty block: it prints nothing). In an expected line, `…` stands
# for any text (ids, dates, hashes); everything else must match exactly, line
# by line, trailing blanks aside. The steps of one file run in order in one
# bash (variables carry from step to step), in the current directory (the
# clone whose stack runs: `make audit-verify` is a step), with stdin closed;
# stderr counts as output. --list prints the steps and runs nothing.
#
# The stack is the one `make run` started in this directory, on
# CANSD_HTTP_PORT (8080 when unset): the walk-throughs say so themselves.
# Exits 0 when every step printed what its file says.
set -euo pipefail

list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
[ $# -gt 0 ] || set -- README.md#Walk-through docs/WALKTHROUGH.md

export WALKTHROUGH_LIST=$list
exec python3 - "$@" <<'PY'
import os
import re
import subprocess
import sys
import tempfile

ELLIPSIS = "\u2026"


def steps_of(spec):
    path, _, section = spec.partition("#")
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    inside = not section
    blocks = []  # (info string, first line number, lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m and section:
            if m.group(2).strip() == section:
                inside, level = True, len(m.group(1))
            elif inside and len(m.group(1)) <= level:
                inside = False
        if line.startswith("```"):
            info, start, body = line[3:].strip(), i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                sys.exit(f"{path}:{start}: unterminated fenced block")
            if inside:
                blocks.append((info, start, body, i + 1))
        i += 1
    if section and not blocks:
        sys.exit(f"{path}: no fenced block under a heading '{section}'")
    steps = []
    k = 0
    while k < len(blocks):
        info, start, body, end = blocks[k]
        if info != "sh":
            sys.exit(f"{path}:{start}: a ```{info} block where a step (```sh) belongs")
        if k + 1 == len(blocks) or blocks[k + 1][0] != "":
            sys.exit(f"{path}:{start}: the step has no ``` block of expected output after it")
        einfo, estart, expected, _ = blocks[k + 1]
        between = lines[end : estart - 1]
        if any(x.strip() for x in between):
            sys.exit(f"{path}:{estart}: text between a step and its expected output")
        steps.append((f"{path}:{start}", body, expected))
        k += 2
    if not steps:
        sys.exit(f"{path}: no steps")
    return steps


def matches(pattern, text):
    parts = pattern.rstrip().split(ELLIPSIS)
    rx = ".*".join(re.escape(p) for p in parts)
    return re.fullmatch(rx, text.rstrip(), re.DOTALL) is not None


def run(spec):
    steps = steps_of(spec)
    if os.environ.get("WALKTHROUGH_LIST") == "1":
        for where, body, expected in steps:
            print(f"== {where}")
            print("\n".join(body))
            print("-- expected")
            print("\n".join(expected))
        return 0
    with tempfile.TemporaryDirectory() as out:
        script = ["set -uo pipefail"]
        for n, (where, body, _) in enumerate(steps):
            script.append("{")
            script.extend(body)
            script.append(f"}} >{out}/{n} 2>&1 </dev/null")
        try:
            subprocess.run(["bash", "-c", "\n".join(script)], stdin=subprocess.DEVNULL,
                           timeout=300, check=False)
        except subprocess.TimeoutExpired:
            print(f"{spec}: the steps did not finish within 300 s")
            return 1
        for n, (where, body, expected) in enumerate(steps):
            try:
                with open(f"{out}/{n}", encoding="utf-8", errors="replace") as f:
                    got = f.read().split("\n")
            except FileNotFoundError:
                got = ["(the step did not run)"]
            if got and got[-1] == "":
                got.pop()
            ok = len(got) == len(expected) and all(
                matches(e, g) for e, g in zip(expected, got))
            if not ok:
                print(f"{where}: the step printed what its expected block does not say")
                print("---- step")
                print("\n".join(body))
                print("---- expected")
                print("\n".join(expected))
                print("---- printed")
                print("\n".join(got))
                return 1
    print(f"{spec}: {len(steps)} steps printed what they say")
    return 0


status = 0
for spec in sys.argv[1:]:
    status |= run(spec)
sys.exit(status)
PY
