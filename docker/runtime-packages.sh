#!/bin/sh
# Debian packages for the images, installed only where the base image lacks them, so that a base that
# has them all (`make images`) needs no network.
#   runtime-packages.sh            the runtime image's: libzmq (ZeroMQ and CurveZMQ), OpenBLAS (the models'
#                                  matmuls), zlib (OTLP gzip), SQLite (the sql task), libcurl (the built-in
#                                  agents' OpenAI client), curl (health checks); python3 with WITH_PYTHON=1
#   runtime-packages.sh PACKAGE…   those packages instead (docker/postgres.Dockerfile: postgresql)
#   runtime-packages.sh --list     prints the runtime list, comma-separated (scripts/images.sh's debootstrap)
set -eu
packages="libzmq5 libopenblas0-pthread zlib1g libsqlite3-0 libcurl4 libstdc++6 ca-certificates tzdata curl"
if [ "${1:-}" = --list ]; then echo "$packages python3" | tr ' ' ','; exit 0; fi
[ "${WITH_PYTHON:-0}" = 1 ] && packages="$packages python3 python3-venv"
[ $# -gt 0 ] && packages="$*"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
rm -rf /var/lib/apt/lists/*
