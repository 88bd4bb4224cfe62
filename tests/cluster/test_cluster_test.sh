#!/usr/bin/env bash
# maillage-test-cluster: the command runs with MAILLAGE_TEST_DATABASE_URL pointing at a cluster
# that accepts connections, its exit status is passed on, and the cluster is gone afterwards.
set -euo pipefail
tool=$1
isready=/usr/lib/postgresql/15/bin/pg_isready
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
script='echo "url=$MAILLAGE_TEST_DATABASE_URL"
if ! ISREADY -d "$MAILLAGE_TEST_DATABASE_URL"; then exit 1; fi
psql -X -At -d "$MAILLAGE_TEST_DATABASE_URL" -c "SHOW max_connections" || exit 1
exit 3'
"$tool" sh -c "${script/ISREADY/$isready}" >"$out" 2>&1 || status=$?
cat "$out"
((status == 3)) || fail "exit status $status, expected the command's 3"
grep -q 'accepting connections' "$out" || fail "the cluster did not accept connections"
grep -qx '300' "$out" || fail "max_connections is not 300 (ctest -j2 runs many pools at once)"
url=$(sed -n 's/^url=//p' "$out")
[[ $url == postgresql://postgres@127.0.0.1:* ]] || fail "unexpected URL '$url'"
if "$isready" -d "$url" >/dev/null 2>&1; then fail "the cluster still runs after the command"; fi
status=0
"$tool" false >/dev/null 2>&1 || status=$?
((status == 1)) || fail "exit status $status for false, expected 1"
echo "maillage-test-cluster: cluster up for the command, status passed on, cluster gone after"
