#!/usr/bin/env bash
# `make images`: the project's images without any registry, from Debian's packages and this checkout.
#
#   agent-lightning-debian:bookworm    debootstrap minbase + the runtime's libraries, `docker import`ed
#   agent-lightning-pgbase:bookworm    the same + Debian's postgresql
#   agent-lightning-prebuilt:latest    the runtime base + the four executables, built on this host
#   agent-lightning:latest             docker/Dockerfile with the two above as its base images
#   agent-lightning-postgres:latest    docker/postgres.Dockerfile on the PostgreSQL base
#
# The executables are built on the host with --static-swift-stdlib rather than in a builder image: the
# toolchain is here already, a container build would start from a cold package cache and compile the
# same code again on the same two cores, and the static binaries need only the C libraries at run time.
# The Debian root filesystems are cached in ~/.cache/agent-lightning-swift/docker (keyed by their
# package lists) so that a second run on one machine skips debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/docker-engine.sh install
# Linking Foundation's networking statically needs libcurl's development library.
scripts/install-deps.sh libcurl4-openssl-dev
eval "$(scripts/docker-engine.sh start)"
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/agent-lightning-swift/docker
# The runtime image's packages, from the script its Dockerfile runs (python3 included, for WITH_PYTHON=1).
runtime_packages=$(sh docker/runtime-packages.sh --list)
timer() { echo "images: $1 ($(( $(date +%s) - started )) s)"; }

# A minbase root filesystem with PACKAGES, imported as IMAGE (skipped when the image exists).
debian_image() {
  local image=$1 packages=$2
  docker image inspect "$image" >/dev/null 2>&1 && return
  local key
  key=$(echo "$suite $packages" | sha256sum | cut -c1-16)
  local tarball=$cache/rootfs-$suite-$key.tar
  if [ ! -s "$tarball" ]; then
    local rootfs
    rootfs=$(mktemp -d)
    mkdir -p "$cache/debs"
    debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$packages" "$suite" "$rootfs" "$mirror" \
      >"$cache/debootstrap.log" 2>&1 || { tail -n 20 "$cache/debootstrap.log" >&2; rm -rf "$rootfs"; exit 1; }
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar -C "$rootfs" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$tarball" "$image" >/dev/null
}

started=$(date +%s)
debian_image agent-lightning-debian:$suite "$runtime_packages"
timer "runtime base agent-lightning-debian:$suite"
debian_image agent-lightning-pgbase:$suite "$runtime_packages,postgresql"
timer "PostgreSQL base agent-lightning-pgbase:$suite"

scratch=${SCRATCH:-.build-static}
products=(lightning-store lightning-runner lightning-algorithm lightning-ctl)
for product in "${products[@]}"; do
  swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" >"$cache/build.log" 2>&1 ||
    { grep -E "error:" "$cache/build.log" | head -n 20 >&2; exit 1; }
done
timer "host build (--static-swift-stdlib, $scratch)"
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# Stripped: the symbol tables would triple the image.
for product in "${products[@]}"; do strip -o "$context/$product" "$scratch/release/$product"; done
printf 'FROM agent-lightning-debian:%s\nCOPY . /out/\n' "$suite" >"$context/Dockerfile"
export DOCKER_BUILDKIT=0  # the engine's classic builder: no frontend image to pull
docker build -q --network none -t agent-lightning-prebuilt:latest "$context" >/dev/null

docker build -q --network none -f docker/Dockerfile -t agent-lightning:latest \
  --build-arg SWIFT_IMAGE=agent-lightning-prebuilt:latest --build-arg RUNTIME_IMAGE=agent-lightning-debian:$suite . >/dev/null
docker build -q --network none -f docker/postgres.Dockerfile -t agent-lightning-postgres:latest \
  --build-arg RUNTIME_IMAGE=agent-lightning-pgbase:$suite . >/dev/null
timer "agent-lightning:latest and agent-lightning-postgres:latest"
