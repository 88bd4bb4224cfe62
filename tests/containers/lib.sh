# Shared by the container tests (sourced): podman as root on a machine without a Docker engine
# and without an image registry (shared/design/PLATFORM_NOTES.md, "Containers without a Docker
# engine"). Installs what is missing, points podman at its own configuration (runc, vfs, no
# ulimits; overlay storage where it works, else vfs), and makes the base images locally:
#   debian:bookworm, debian:bookworm-slim   debootstrap --variant=minbase, `podman import`
#   postgres:15-bookworm                    tests/containers/postgres-image/ (a stand-in)
# Everything lives in $CONTAINERS_STATE (/var/tmp/maillage-containers), kept between runs.
set -euo pipefail

CONTAINERS_STATE=${MAILLAGE_CONTAINERS_STATE:-/var/tmp/maillage-containers}
# The Debian packages of the container tests: deploy/maillage's CONTAINER_PACKAGES (installed by
# `test --containers`; nothing else in the suite needs them).
read -r -a CONTAINER_PACKAGES <<<"$(sed -n '/^CONTAINER_PACKAGES=(/,/^)/p' \
  "$(dirname "${BASH_SOURCE[0]}")/../../deploy/maillage" | sed '1d;$d' | tr '\n' ' ')"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

containers_setup() {
  [[ $(id -u) -eq 0 ]] || die "the container tests run podman as root"
  local missing=() p
  for p in "${CONTAINER_PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] ||
      missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
  mkdir -p "$CONTAINERS_STATE/conf"
  # crun refuses this machine's hybrid cgroups: runc.
  cat >"$CONTAINERS_STATE/conf/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF=$CONTAINERS_STATE/conf/containers.conf
  # Storage: overlay where the kernel mounts it on this filesystem (several times faster: vfs
  # copies the whole image at every build step), else vfs; each in its own folder.
  local driver=${MAILLAGE_CONTAINERS_STORAGE:-}
  if [[ -z $driver ]]; then
    driver=vfs
    local probe=$CONTAINERS_STATE/overlay-probe
    rm -rf "$probe" && mkdir -p "$probe"/{lower,upper,work,merged}
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" \
      "$probe/merged" 2>/dev/null; then
      umount "$probe/merged"
      driver=overlay
    fi
    rm -rf "$probe"
  fi
  cat >"$CONTAINERS_STATE/conf/storage.conf" <<CONF
[storage]
driver = "$driver"
runroot = "/run/containers/storage-$driver"
graphroot = "/var/lib/containers/storage-$driver"
CONF
  log "podman storage: $driver"
  export CONTAINERS_CONF=$CONTAINERS_STATE/conf/containers.conf
  export CONTAINERS_STORAGE_CONF=$CONTAINERS_STATE/conf/storage.conf
  base_images
}

# The images deploy/Dockerfile and docker-compose.yml name, made here when missing.
base_images() {
  if ! podman image exists debian:bookworm; then
    local mirror
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
      true)
    mirror=${mirror:-$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)}
    [[ -n $mirror ]] || die "no Debian mirror found in the apt sources"
    # The root is kept: a new storage (another driver) imports it again without a download.
    if [[ ! -f $CONTAINERS_STATE/rootfs/etc/debian_version ]]; then
      log "debootstrap --variant=minbase bookworm from $mirror (about 2 minutes)"
      rm -rf "$CONTAINERS_STATE/rootfs"
      nice -n 10 debootstrap --variant=minbase bookworm "$CONTAINERS_STATE/rootfs" "$mirror" \
        >"$CONTAINERS_STATE/debootstrap.log" 2>&1 ||
        die "debootstrap failed: $CONTAINERS_STATE/debootstrap.log"
    fi
    tar -C "$CONTAINERS_STATE/rootfs" -c . | podman import - debian:bookworm >/dev/null
  fi
  podman image exists debian:bookworm-slim || podman tag debian:bookworm debian:bookworm-slim
}

# The image docker-compose.yml's PostgreSQL runs (only the compose test needs it).
postgres_image() {
  if ! podman image exists postgres:15-bookworm; then
    log "building the postgres:15-bookworm stand-in (tests/containers/postgres-image)"
    nice -n 10 podman build -q -t postgres:15-bookworm "$(dirname "${BASH_SOURCE[0]}")/postgres-image" >/dev/null
  fi
}
