#!/bin/sh
# The runtime image's Debian packages: libzmq (ZeroMQ and CurveZMQ), OpenBLAS (the models' matmuls), zlib
# (OTLP gzip), SQLite (the sql task), libcurl (the built-in agents' OpenAI client), curl (health checks),
# python3 with WITH_PYTHON=1 (for --agent-command agents). Installs only what the base image lacks, so a
# base that has them all (`make images`) needs no network.
set -eu
packages="libzmq5 libopenblas0-pthread zlib1g libsqlite3-0 libcurl4 libstdc++6 ca-certificates tzdata curl"
[ "${WITH_PYTHON:-0}" = 1 ] && packages="$packages python3 python3-venv"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
rm -rf /var/lib/apt/lists/*
