#!/usr/bin/env bash
# The migrations Job's command (deploy/k8s/migrate/jobs.yaml): applies the schema migrations of
# one binary before its Deployment rolls out, so that a failing migration stops the upgrade
# while the old pods keep serving.
#
#   migrate.sh maillage-directory|maillage-meetings|maillage-budget|maillage-gateway
#
# The binaries have no "migrate only" mode: each applies its migrations at start-up, under a
# PostgreSQL advisory lock (common/db/migrations.h), then reports itself ready. This script
# starts the binary with the Deployment's environment, waits until it reports start-up done
# (services: grpc.health.v1 SERVING through maillage-probe; the gateway: "gateway":"SERVING"
# in the body of /readyz, whatever its backends say), stops it with SIGTERM and exits 0.
# Exits 1 when the binary exits first (its log above says why) or after
# MAILLAGE_MIGRATE_TIMEOUT seconds (600).
set -euo pipefail

binary=${1:?usage: migrate.sh maillage-directory|maillage-meetings|maillage-budget|maillage-gateway}
timeout=${MAILLAGE_MIGRATE_TIMEOUT:-600}

# started: 0 once the binary has finished its start-up (migrations included).
started() {
  if [[ $binary == maillage-gateway ]]; then
    # shellcheck disable=SC2016 # $1 expands in the inner bash
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
      printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && grep -q "\"gateway\":\"SERVING\"" <&3' \
      _ "${MAILLAGE_ADMIN_PORT:-8081}" 2>/dev/null
  else
    maillage-probe --timeout=2s "127.0.0.1:${MAILLAGE_GRPC_PORT:?}" >/dev/null 2>&1
  fi
}

"$binary" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT

deadline=$((SECONDS + timeout))
until started; do
  if ! kill -0 "$pid" 2>/dev/null; then
    status=0
    wait "$pid" || status=$?
    echo "migrate.sh: $binary exited (status $status) before its start-up was done" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "migrate.sh: $binary not started after ${timeout}s: stopping it" >&2
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    exit 1
  fi
  sleep 2
done
echo "migrate.sh: $binary: migrations applied; stopping it" >&2
kill -TERM "$pid"
wait "$pid"
