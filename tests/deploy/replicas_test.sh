#!/usr/bin/env bash
# Replicas with the local runner: `deploy/maillage up --replicas 2` on a private state folder
# and free ports (never the `up` run of the checkout), with the binaries of build/, or of
# MAILLAGE_BIN_DIR (ctest sets it to its own build's; MAILLAGE_NO_BUILD=1).
#
#   replicas_test.sh [REPOSITORY_ROOT]   (run by ctest as deploy_replicas)
#
# Checks: two processes of each service run and are SERVING, each on its own port; the gateway
# and meetings are given both addresses; the API answers through the gateway, also after one
# directory replica is killed with SIGKILL; `up` with another count refuses while running;
# `down` stops every process, replicas included.
set -euo pipefail

ROOT=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
RUNNER="$ROOT/deploy/maillage"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

BIN=${MAILLAGE_BIN_DIR:-$ROOT/build/bin}
for b in directory meetings budget gateway probe; do
  [[ -x $BIN/maillage-$b ]] || fail "$BIN/maillage-$b is missing: build first"
done

WORK=$(mktemp -d /tmp/maillage-replicas-test.XXXXXX)
chmod 711 "$WORK"
export MAILLAGE_STATE_DIR="$WORK/state" MAILLAGE_NO_BUILD=1

port_free() { [[ -z $(ss -Htln "sport = :$1" 2>/dev/null) ]]; }
base=""
for ((i = 0; i < 200; i++)); do
  [[ -n $base ]] && break
  # Below the ephemeral range (32768+), where the other tests' free ports and outgoing
  # connections come from: a port found free here stays free.
  candidate=$((20000 + RANDOM % 12000))
  ok=1
  for ((p = candidate; p < candidate + 30; p++)); do port_free "$p" || { ok=0; break; }; done
  ((ok)) && base=$candidate
done
[[ -n $base ]] || fail "no 30 free TCP ports in a row"
export MAILLAGE_PG_PORT=$base MAILLAGE_HTTP_PORT=$((base + 1)) \
  MAILLAGE_GATEWAY_GRPC_PORT=$((base + 2)) MAILLAGE_ADMIN_PORT=$((base + 3)) \
  MAILLAGE_DIRECTORY_GRPC_PORT=$((base + 4)) MAILLAGE_DIRECTORY_METRICS_PORT=$((base + 5)) \
  MAILLAGE_MEETINGS_GRPC_PORT=$((base + 6)) MAILLAGE_MEETINGS_METRICS_PORT=$((base + 7)) \
  MAILLAGE_BUDGET_GRPC_PORT=$((base + 8)) MAILLAGE_BUDGET_METRICS_PORT=$((base + 9))

cleanup() {
  "$RUNNER" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$RUNNER" up --replicas 2 >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "up --replicas 2"; }

status=$("$RUNNER" status) || { echo "$status"; fail "status is not all good"; }
for inst in directory directory-2 budget budget-2 meetings meetings-2; do
  grep -Eq "^$inst +running .*: SERVING$" <<<"$status" || { echo "$status"; fail "$inst not SERVING"; }
done
# Replica 2 on the first one's ports + 20.
grep -q "127.0.0.1:$((base + 24)): SERVING" <<<"$status" || fail "directory-2 not on $((base + 24))"
want="MAILLAGE_DIRECTORY_ADDR=127.0.0.1:$((base + 4)),127.0.0.1:$((base + 24))"
for svc in gateway meetings meetings-2; do
  grep -x "$want" <<<"$("$RUNNER" env "$svc")" >/dev/null || fail "$svc is not given both directory replicas"
done

admin_key=$(sed -n 's/^MAILLAGE_ADMIN_API_KEY=//p' "$MAILLAGE_STATE_DIR/secrets.env")
[[ -n $admin_key ]] || fail "no MAILLAGE_ADMIN_API_KEY in $MAILLAGE_STATE_DIR/secrets.env"
api() {
  curl -s -o /dev/null -w '%{http_code}' -m 10 -H "x-api-key: $admin_key" \
    "http://127.0.0.1:$MAILLAGE_HTTP_PORT$1"
}
[[ $(api '/v1/actors?pageSize=5') == 200 ]] || fail "the API does not answer through the gateway"

# One directory replica killed: every call still answers (round robin leaves it out, the
# gateway retries reads on UNAVAILABLE).
kill -KILL "$(<"$MAILLAGE_STATE_DIR/run/directory-2.pid")"
failed=0
for ((i = 0; i < 30; i++)); do
  [[ $(api '/v1/actors?pageSize=5') == 200 ]] || failed=$((failed + 1))
done
((failed == 0)) || fail "$failed of 30 reads failed after directory-2 was killed"
"$RUNNER" status >/dev/null && fail "status must report the killed replica"

if "$RUNNER" up --replicas 1 >"$WORK/up1.log" 2>&1; then fail "up with another count while running"; fi
grep -q "runs with 2 replica" "$WORK/up1.log" || { cat "$WORK/up1.log"; fail "no clear message"; }

"$RUNNER" down >/dev/null
for f in "$MAILLAGE_STATE_DIR"/run/*.pid; do
  [[ -e $f ]] && fail "$(basename "$f") left after down"
done
[[ -e $MAILLAGE_STATE_DIR/run/replicas ]] && fail "replicas count left after down"
echo "deploy/maillage up --replicas 2: 7 processes SERVING, 30/30 reads after a SIGKILL, down clean"
