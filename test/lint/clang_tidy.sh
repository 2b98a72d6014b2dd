#!/usr/bin/env bash
# clang-tidy (checks in .clang-tidy) over the kernel and board sources, twice:
# as built for the host unit tests and as cross-built for qemu-virt.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
status=0
host_db=build/host
board_db=build/qemu-virt
for db in "$host_db" "$board_db"; do
	[ -f "$db/compile_commands.json" ] || { echo "missing $db/compile_commands.json"; exit 1; }
done

# Host build: the kernel sources the unit tests compile.
mapfile -t host_files < <(python3 - "$host_db" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1] + "/compile_commands.json")):
    if "/kernel/" in e["file"]:
        print(e["file"])
PY
)
# Board build: every C file of the kernel and the BSP (the trusted code), as
# gcc cross-builds it. Services are left to cppcheck and -Werror: the
# analyzer cannot see the kernel writing the outputs of their svc wrappers.
mapfile -t board_files < <(python3 - "$board_db" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1] + "/compile_commands.json")):
    if e["file"].endswith(".c") and ("/kernel/" in e["file"] or "/bsp/" in e["file"]):
        print(e["file"])
PY
)
sort_u() { printf '%s\n' "$@" | sort -u; }
mapfile -t host_files < <(sort_u "${host_files[@]}")
mapfile -t board_files < <(sort_u "${board_files[@]}")

clang-tidy --quiet -p "$host_db" "${host_files[@]}" 2>/dev/null || status=1
# clang has no equivalent of a few gcc-only flags: drop them from a copy.
tidy_db=$(mktemp -d)
trap 'rm -rf "$tidy_db"' EXIT
python3 - "$board_db" "$tidy_db" <<'PY'
import json, sys
gcc_only = ("-fno-tree-loop-distribute-patterns", "--param=", "-mno-outline-atomics")
db = json.load(open(sys.argv[1] + "/compile_commands.json"))
for e in db:
    e["command"] = " ".join(w for w in e["command"].split() if not w.startswith(gcc_only))
json.dump(db, open(sys.argv[2] + "/compile_commands.json", "w"))
PY
clang-tidy --quiet -p "$tidy_db" \
	--extra-arg-before=--target=aarch64-linux-gnu \
	--extra-arg=-ffreestanding \
	--extra-arg=-Wno-unknown-warning-option \
	"${board_files[@]}" 2>/dev/null || status=1
[ "$status" = 0 ] && echo "clang-tidy: ${#host_files[@]} host + ${#board_files[@]} board files clean"
exit "$status"
