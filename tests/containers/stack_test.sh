#!/usr/bin/env bash
# The container test (ctest label `containers`; `./deploy/maillage test --containers`): builds
# the image from deploy/Dockerfile and runs docker-compose.yml unchanged with podman-compose,
# PostgreSQL included, then checks it from outside through the published ports and from inside
# the containers. Prints the image's size, build time and cold start times.
#
#   stack_test.sh REPOSITORY_ROOT
#
# Uses the host's ports 8080, 9090 and 8081 (compose publishes them) and the compose project
# `maillagetest` (its containers, network and volume are removed at the end).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT=$(cd "$1" && pwd)
cd "$ROOT"
PROJECT=maillagetest
COMPOSE=(podman-compose -p "$PROJECT" -f docker-compose.yml)
WORK=$(mktemp -d)
HTTP=http://127.0.0.1:8080
ADMIN=http://127.0.0.1:8081
ctr() { echo "${PROJECT}_$1_1"; }

remove_stack() {
  "${COMPOSE[@]}" down -v >/dev/null 2>&1 || true
  podman volume rm -f "${PROJECT}_pgdata" >/dev/null 2>&1 || true
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
}
cleanup() {
  remove_stack
  rm -rf "$WORK"
}

if [[ ${MAILLAGE_CONTAINER_TESTS:-} != 1 ]]; then
  echo "SKIPPED: the full container test runs with ./deploy/maillage test --containers"
  exit 77
fi
containers_setup
postgres_image
for port in 8080 9090 8081; do
  ! ss -Hltn "sport = :$port" | grep -q . || die "port $port is in use (compose publishes it)"
done
trap cleanup EXIT
remove_stack

# --- The image ---------------------------------------------------------------------------------
version=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source_url=$(git remote get-url origin 2>/dev/null || echo "file://$ROOT")
log "building maillage:local from deploy/Dockerfile (compiles the suite: nice -n 10)"
start=$(date +%s)
nice -n 10 podman build -f deploy/Dockerfile --ignorefile deploy/Dockerfile.dockerignore \
  --target runtime -t maillage:local --build-arg MAILLAGE_VERSION="$version" \
  --build-arg MAILLAGE_REVISION="$revision" --build-arg MAILLAGE_SOURCE="$source_url" \
  --build-arg MAILLAGE_CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" . >"$WORK/build.log" 2>&1 ||
  { tail -40 "$WORK/build.log"; die "podman build failed"; }
build_seconds=$(($(date +%s) - start))
size=$(podman image inspect maillage:local --format '{{.Size}}')
log "FIGURE image build: ${build_seconds} s (layer cache: $(grep -c 'Using cache' "$WORK/build.log") steps reused)"
log "FIGURE image size: $((size / 1000000)) MB"
for label in version revision source created; do
  value=$(podman image inspect maillage:local --format "{{index .Labels \"org.opencontainers.image.$label\"}}")
  [[ -n $value && $value != unknown && $value != "<no value>" ]] ||
    die "image label org.opencontainers.image.$label is '$value'"
  log "label org.opencontainers.image.$label=$value"
done
[[ $(podman image inspect maillage:local --format '{{index .Labels "org.opencontainers.image.revision"}}') == "$revision" ]] ||
  die "the revision label is not HEAD"
for binary in directory meetings budget gateway probe seed; do
  out=$(podman run --rm maillage:local "maillage-$binary" --version)
  grep -q "^maillage-$binary $version (revision $revision, Release)" <<<"$out" ||
    die "maillage-$binary --version: $out"
  for dep in gRPC protobuf libpq libpqxx OpenSSL; do
    grep -q "^  $dep [0-9]" <<<"$out" || die "maillage-$binary --version lacks $dep: $out"
  done
done
log "every binary's --version names $version, its revision and its dependencies"

# --- The stack -----------------------------------------------------------------------------------
./deploy/maillage compose-secrets >/dev/null
KEY=$(cat .maillage/compose-secrets/admin_api_key)
api() { curl -sS -H "x-api-key: $KEY" -H 'content-type: application/json' "$@"; }
SERVICES=(postgres directory budget meetings gateway)

# wait_healthy: every service's compose health check (run through podman) passes.
wait_healthy() {
  local service deadline=$((SECONDS + ${1:-180}))
  for service in "${SERVICES[@]}"; do
    until podman healthcheck run "$(ctr "$service")" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || { podman logs --tail 30 "$(ctr "$service")"; die "$service never healthy"; }
      sleep 1
    done
  done
}
# wait_seeded: the seed container ran to exit 0.
wait_seeded() {
  local deadline=$((SECONDS + 180))
  until [[ $(podman inspect "$(ctr seed)" --format '{{.State.Status}} {{.State.ExitCode}}') == "exited 0" ]]; do
    ((SECONDS < deadline)) || { podman logs --tail 30 "$(ctr seed)"; die "the seed never finished"; }
    sleep 1
  done
}
count_actors() {
  local token="" n=0 page
  for _ in $(seq 1 100); do
    page=$(api "$HTTP/v1/actors?pageSize=100${token:+&pageToken=$token}")
    n=$((n + $(jq '.actors | length' <<<"$page")))
    token=$(jq -r '.nextPageToken // ""' <<<"$page")
    [[ -n $token ]] || break
  done
  echo "$n"
}

log "podman-compose up -d (docker-compose.yml as written)"
start=$(date +%s%N)
"${COMPOSE[@]}" up -d >"$WORK/up1.log" 2>&1 || { cat "$WORK/up1.log"; die "compose up failed"; }
wait_healthy 240
log "FIGURE stack cold start (up to every health check green, empty volume, migrations): $((($(date +%s%N) - start) / 1000000)) ms"
wait_seeded
curl -fsS "$ADMIN/healthz" >/dev/null || die "/healthz on the published admin port"
curl -fsS "$ADMIN/readyz" >/dev/null || die "/readyz on the published admin port"
podman run --rm --network host maillage:local maillage-probe 127.0.0.1:9090 | grep -qx SERVING ||
  die "gRPC health on the published port 9090"
curl -fsS "$ADMIN/metrics" | grep -q "^maillage_build_info{.*revision=\"$revision\".*} 1" ||
  die "maillage_build_info on the admin /metrics"
log "health: 5 compose health checks, /healthz, /readyz, gRPC 9090 SERVING, maillage_build_info"

actors=$(count_actors)
[[ $actors == 77 ]] || die "expected the 77 seed actors, listed $actors"
report=$(api "$HTTP/v1/actions/fa3/report?year=2023")
[[ $(jq -r '.summary.code' <<<"$report") == FA3 && $(jq '.partialSections | length' <<<"$report") == 0 ]] ||
  die "funder's report: $report"
log "77 actors listed, the funder's report of FA3 2023 served whole"

written=$(api -X POST "$HTTP/v1/actors" -d '{"displayName":"Conteneurs Coop"}' | jq -r .name)
[[ $written == actors/* ]] || die "POST /v1/actors: $written"
[[ $(api "$HTTP/v1/$written" | jq -r .displayName) == "Conteneurs Coop" ]] || die "read back $written"
log "wrote $written and read it back"

log "podman-compose up -d again: the seed runs again and adds nothing"
"${COMPOSE[@]}" up -d >"$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log"; die "second up failed"; }
sleep 2
wait_seeded
actors=$(count_actors)
[[ $actors == 78 ]] || die "after a second up: $actors actors, expected 77 + 1"

# --- Hardening, from inside ----------------------------------------------------------------------
for service in "${SERVICES[@]}"; do
  c=$(ctr "$service")
  status=$(podman exec "$c" cat /proc/1/status)
  uid=$(awk '/^Uid:/ { print $2 }' <<<"$status")
  [[ $uid != 0 ]] || die "$service runs as root"
  for cap in CapInh CapPrm CapEff CapBnd CapAmb; do
    [[ $(awk -v k="$cap:" '$1 == k { print $2 }' <<<"$status") == 0000000000000000 ]] ||
      die "$service: $cap is not empty: $(grep "^$cap" <<<"$status")"
  done
  [[ $(awk '/^NoNewPrivs:/ { print $2 }' <<<"$status") == 1 ]] || die "$service: NoNewPrivs is not 1"
  # The root mount's options (field 6 of its mountinfo line) start with ro.
  root_options=$(podman exec "$c" awk '$5 == "/" { print $6 }' /proc/1/mountinfo)
  [[ $root_options == ro,* || $root_options == ro ]] || die "$service: / is mounted $root_options"
  err=$(podman exec "$c" sh -c 'echo x >/maillage-write-test' 2>&1 || true)
  [[ $err == *"Read-only file system"* ]] || die "$service: writing / gave: $err"
  podman exec "$c" sh -c 'echo x >/tmp/write-test && rm /tmp/write-test' || die "$service: /tmp not writable"
  mem=$(podman inspect "$c" --format '{{.HostConfig.Memory}}')
  [[ $mem -gt 0 ]] || die "$service: no memory limit"
  log "$service: uid $uid, no capability, no-new-privileges, read-only root, /tmp writable, memory limit $((mem / 1048576)) MiB"
done

# --- Faults ---------------------------------------------------------------------------------------
c=$(ctr directory)
restarts=$(podman inspect "$c" --format '{{.RestartCount}}')
start=$(date +%s%N)
kill -9 "$(podman inspect "$c" --format '{{.State.Pid}}')"
deadline=$((SECONDS + 60))
until [[ $(podman inspect "$c" --format '{{.RestartCount}}') -gt $restarts ]] &&
  podman healthcheck run "$c" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || die "directory not restarted by its restart policy"
  sleep 0.2
done
log "FIGURE directory killed (SIGKILL), restarted by restart: unless-stopped and healthy in $((($(date +%s%N) - start) / 1000000)) ms"
[[ $(api "$HTTP/v1/$written" | jq -r .displayName) == "Conteneurs Coop" ]] || die "$written lost"

log "writes while the database container restarts"
: >"$WORK/acked"
restarted=0
failed=0
for i in $(seq 1 60); do
  if ((i == 10)); then podman restart "$(ctr postgres)" >/dev/null & restarted=1; fi
  out=$(api -o "$WORK/resp" -w '%{http_code}' -X POST "$HTTP/v1/actors" \
    -d "{\"displayName\":\"Ecrit pendant le redemarrage $i\"}" || true)
  if [[ $out == 200 ]]; then jq -r .name "$WORK/resp" >>"$WORK/acked"; else failed=$((failed + 1)); fi
  sleep 0.2
done
wait
wait_healthy 120
acked=$(wc -l <"$WORK/acked")
while read -r name; do
  [[ $(api -o /dev/null -w '%{http_code}' "$HTTP/v1/$name") == 200 ]] || die "acknowledged $name lost"
done <"$WORK/acked"
log "database restarted under writes: $acked acknowledged, all read back; $failed refused (503) during the restart"
((acked > 0)) || die "no write acknowledged"

# --- down, up: named volume ----------------------------------------------------------------------
total=$(count_actors)
"${COMPOSE[@]}" down >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; die "down failed"; }
"${COMPOSE[@]}" up -d >"$WORK/up3.log" 2>&1 || { cat "$WORK/up3.log"; die "up after down failed"; }
wait_healthy 180
wait_seeded
[[ $(count_actors) == "$total" ]] || die "down + up: $(count_actors) actors, had $total"
[[ $(api "$HTTP/v1/$written" | jq -r .displayName) == "Conteneurs Coop" ]] || die "$written lost by down/up"
log "down then up: the $total actors kept (named volume ${PROJECT}_pgdata)"

# --- Cold start of one container -----------------------------------------------------------------
podman stop "$(ctr budget)" >/dev/null
start=$(date +%s%N)
podman start "$(ctr budget)" >/dev/null
until podman exec "$(ctr budget)" maillage-probe --timeout=1s 127.0.0.1:9103 >/dev/null 2>&1; do sleep 0.05; done
log "FIGURE cold start of one container (budget: podman start to SERVING): $((($(date +%s%N) - start) / 1000000)) ms"

# --- Backup and restore of the containerised databases -------------------------------------------
pg=$(ctr postgres)
for db in ess_directory ess_meetings ess_budget ess_gateway; do
  podman exec "$pg" pg_dump -U postgres --format=custom "$db" >"$WORK/$db.dump" || die "pg_dump $db"
  podman exec -i "$pg" pg_restore --list >/dev/null <"$WORK/$db.dump" || die "pg_restore --list $db"
done
log "backup: pg_dump of the 4 databases ($(du -ch "$WORK"/*.dump | tail -1 | cut -f1))"
after=$(api -X POST "$HTTP/v1/actors" -d '{"displayName":"Après la sauvegarde"}' | jq -r .name)
[[ $after == actors/* ]] || die "write after the backup: $after"
podman stop "$(ctr gateway)" "$(ctr meetings)" "$(ctr directory)" >/dev/null
podman exec "$pg" psql -X -q -v ON_ERROR_STOP=1 -U postgres -d postgres \
  -c 'DROP DATABASE ess_directory' \
  -c 'CREATE DATABASE ess_directory OWNER ess_directory' \
  -c 'REVOKE ALL ON DATABASE ess_directory FROM PUBLIC' || die "recreate ess_directory"
podman exec -i "$pg" pg_restore -U postgres --dbname=ess_directory --single-transaction \
  --exit-on-error <"$WORK/ess_directory.dump" || die "pg_restore ess_directory"
podman start "$(ctr directory)" "$(ctr meetings)" "$(ctr gateway)" >/dev/null
wait_healthy 120
[[ $(api -o /dev/null -w '%{http_code}' "$HTTP/v1/$after") == 404 ]] || die "$after survived the restore"
[[ $(api "$HTTP/v1/$written" | jq -r .displayName) == "Conteneurs Coop" ]] || die "$written lost by the restore"
[[ $(count_actors) == "$total" ]] || die "after the restore: $(count_actors) actors, expected $total"
log "restore: ess_directory back to the backup ($total actors; the later write gone)"

log "PASS: the image and the compose stack"
