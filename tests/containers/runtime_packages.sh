#!/usr/bin/env bash
# runtime_packages.sh LIST BINARY...: fails naming each Debian package that owns a shared library
# one of the binaries loads (ldd) and that LIST (deploy/runtime-packages.txt) does not name. Run
# by deploy/Dockerfile's build stage and by tests/containers/runtime_image_test.sh on the host's
# build (the same Debian release, so the same package names).
set -euo pipefail
list=$1
shift
libs=$(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
[[ -n $libs ]] || { echo "runtime_packages: ldd found no library in $*" >&2; exit 1; }
# One dpkg call (a call per library takes seconds on a busy machine); with /usr merged, a library
# is known to dpkg under /lib or /usr/lib: ask for both.
owners=$(for lib in $libs; do echo "$lib"; echo "/usr${lib#/usr}"; echo "${lib#/usr}"; done |
  sort -u | xargs dpkg -S 2>/dev/null | cut -d: -f1 | tr ', ' '\n\n' | awk NF | sort -u || true)
missing=0
for package in $owners; do
  if ! grep -v '^#' "$list" | grep -qx "$package"; then
    echo "runtime_packages: a library of package $package is loaded, not in $list" >&2
    missing=1
  fi
done
exit $missing
