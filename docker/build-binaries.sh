#!/bin/sh
# The builder stage of docker/Dockerfile: `dependencies` (C libraries, Swift packages), then `build` (the
# four executables into /out, with the Swift runtime and Foundation linked in). Both do nothing when the
# builder image already holds the binaries in /out (`make images`: built on the host).
set -eu
if [ -x /out/lightning-store ]; then echo "the builder image holds the binaries already"; exit 0; fi
case "${1:-}" in
  dependencies)
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libzmq3-dev libpq-dev libopenblas-dev zlib1g-dev libsqlite3-dev libcurl4-openssl-dev pkg-config
    rm -rf /var/lib/apt/lists/*
    swift package resolve ;;
  build)
    swift build -c release --static-swift-stdlib
    mkdir -p /out
    for tool in lightning-store lightning-runner lightning-algorithm lightning-ctl; do
      install -m 0755 "$(swift build -c release --show-bin-path)/$tool" /out/
    done ;;
  *) echo "usage: $0 dependencies|build" >&2; exit 2 ;;
esac
