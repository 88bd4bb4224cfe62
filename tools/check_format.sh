#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (the tree's .clang-format) makes of
# it, and names the files. Fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h')
drift=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then drift+=("$f"); fi
done
if ((${#drift[@]})); then
  printf 'not formatted (clang-format -i FILE):\n' >&2
  printf '  %s\n' "${drift[@]}" >&2
  exit 1
fi
echo "${#files[@]} files formatted"
