#!/usr/bin/env bash
# The CI check of the image (ctest `containers_runtime_image`, label deploy): deploy/Dockerfile's
# runtime stage around the binaries this build already made (`--target runtime-prebuilt`, no
# second compile of the suite), then one container of it, hardened as docker-compose.yml runs
# it, against the tests' PostgreSQL: SERVING, its --version, its limits seen from inside.
# The full test (image compiled in the build stage, the compose stack, faults) is stack_test.sh:
# `./deploy/maillage test --containers`.
#
#   runtime_image_test.sh REPOSITORY_ROOT BIN_DIR
# MAILLAGE_TEST_DATABASE_URL (set by deploy/maillage test): a superuser URL of the tests' cluster.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT=$(cd "$1" && pwd)
BIN=$(cd "$2" && pwd)
[[ -n ${MAILLAGE_TEST_DATABASE_URL:-} ]] || die "MAILLAGE_TEST_DATABASE_URL is not set (run through deploy/maillage test)"
BINARIES=(maillage-directory maillage-meetings maillage-budget maillage-gateway maillage-probe maillage-seed)
for b in "${BINARIES[@]}"; do [[ -x $BIN/$b ]] || die "$BIN/$b is not built"; done

"$ROOT/tests/containers/runtime_packages.sh" "$ROOT/deploy/runtime-packages.txt" \
  "${BINARIES[@]/#/$BIN/}" || die "deploy/runtime-packages.txt lacks a library the binaries load"
containers_setup

WORK=$(mktemp -d)
NAME=maillage-ci-directory-$$
DB=maillage_ci_image_$$
cleanup() {
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  podman rmi -f maillage:ci-prebuilt >/dev/null 2>&1 || true
  psql -X -q "$MAILLAGE_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The build context: what the runtime stages COPY, and the binaries in prebuilt/ (stripped, as the
# build stage does).
mkdir -p "$WORK/ctx/deploy" "$WORK/ctx/prebuilt"
cp -r "$ROOT/deploy/seed" "$ROOT/deploy/entrypoint.sh" "$ROOT/deploy/runtime-packages.txt" "$WORK/ctx/deploy/"
mkdir -p "$WORK/ctx/services/gateway/console"
cp -r "$ROOT/services/gateway/console/web" "$WORK/ctx/services/gateway/console/"
cp "${BINARIES[@]/#/$BIN/}" "$WORK/ctx/prebuilt/"
strip "$WORK/ctx/prebuilt/"*
start=$(date +%s)
nice -n 10 podman build -f "$ROOT/deploy/Dockerfile" --target runtime-prebuilt -t maillage:ci-prebuilt \
  --build-arg MAILLAGE_VERSION=ci --build-arg MAILLAGE_REVISION=ci --build-arg MAILLAGE_SOURCE=ci \
  --build-arg MAILLAGE_CREATED=ci "$WORK/ctx" >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log"; die "podman build --target runtime-prebuilt failed"; }
log "FIGURE runtime stage built in $(($(date +%s) - start)) s, $(( $(podman image inspect maillage:ci-prebuilt --format '{{.Size}}') / 1000000 )) MB"
[[ $(podman image inspect maillage:ci-prebuilt --format '{{index .Labels "org.opencontainers.image.version"}}') == ci ]] ||
  die "the OCI version label is missing"

podman run --rm maillage:ci-prebuilt maillage-directory --version | grep -q '^  libpqxx ' ||
  die "maillage-directory --version in the image"

# One service container, hardened as in docker-compose.yml, on the host network (the tests'
# PostgreSQL listens on 127.0.0.1).
psql -X -q -v ON_ERROR_STOP=1 "$MAILLAGE_TEST_DATABASE_URL" -c "CREATE DATABASE $DB" >/dev/null
url=$(sed -E "s|/[^/?]*(\?.*)?$|/$DB\1|" <<<"$MAILLAGE_TEST_DATABASE_URL")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '%s' "ci-principal-secret-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >"$WORK/principal_secret"
chown 10001:10001 "$WORK/principal_secret"
chmod 600 "$WORK/principal_secret"
start=$(date +%s%N)
podman run -d --name "$NAME" --network host --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges:true -m 512m --cpus 1 \
  -v "$WORK/principal_secret:/run/secrets/principal_secret:ro" \
  -e MAILLAGE_DATABASE_URL="$url" -e MAILLAGE_PRINCIPAL_SECRET_FILE=/run/secrets/principal_secret \
  -e MAILLAGE_GRPC_PORT="$port" -e MAILLAGE_METRICS_PORT=-1 \
  maillage:ci-prebuilt maillage-directory >/dev/null
deadline=$((SECONDS + 60))
until podman exec "$NAME" maillage-probe --timeout=1s "127.0.0.1:$port" 2>/dev/null | grep -qx SERVING; do
  ((SECONDS < deadline)) || { podman logs --tail 30 "$NAME"; die "the directory container never SERVING"; }
  sleep 0.1
done
log "FIGURE container start to SERVING (migrations on an empty database): $((($(date +%s%N) - start) / 1000000)) ms"
status=$(podman exec "$NAME" cat /proc/1/status)
[[ $(awk '/^Uid:/ { print $2 }' <<<"$status") == 10001 ]] || die "not running as uid 10001"
[[ $(awk '/^CapEff:/ { print $2 }' <<<"$status") == 0000000000000000 ]] || die "capabilities left"
[[ $(awk '/^NoNewPrivs:/ { print $2 }' <<<"$status") == 1 ]] || die "NoNewPrivs is not 1"
root_options=$(podman exec "$NAME" awk '$5 == "/" { print $6 }' /proc/1/mountinfo)
[[ $root_options == ro,* || $root_options == ro ]] || die "/ is mounted $root_options"
err=$(podman exec "$NAME" sh -c 'echo x >/maillage-write-test' 2>&1 || true)
[[ $err == *"Read-only file system"* ]] || die "writing / gave: $err"
log "PASS: runtime image from the built binaries: SERVING as uid 10001, no capability, no-new-privileges, read-only root"
