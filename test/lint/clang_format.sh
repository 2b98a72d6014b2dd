#!/usr/bin/env bash
# Every C source and header of the project is clang-format clean.
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build/')
[ "${#files[@]}" -gt 0 ] || { echo "no C files found"; exit 1; }
clang-format --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
