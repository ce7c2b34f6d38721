#!/usr/bin/env bash
# Builds llama.cpp's benchmark tools (llama-bench, llama-batched-bench) once into the project cache, from
# the llama.cpp that PyPI's llama-cpp-python source package vendors: the speed anchor `make bench-model`
# compares the model host with. Never part of the normal build (about 15 minutes on 2 cores). Prints the
# folder holding the binaries.
set -euo pipefail
version=${LLAMA_CPP_PYTHON_VERSION:-0.3.36}
cache=${LIGHTNING_LLAMA_CACHE:-$HOME/.cache/agent-lightning-swift/llama.cpp}
source=$cache/llama_cpp_python-$version/vendor/llama.cpp
bin=$source/build/bin
if [ ! -x "$bin/llama-bench" ] || [ ! -x "$bin/llama-batched-bench" ]; then
  command -v cmake >/dev/null && command -v g++ >/dev/null || {
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ >&2
  }
  mkdir -p "$cache/src"
  archive=$cache/src/llama_cpp_python-$version.tar.gz
  if [ ! -s "$archive" ]; then
    # The source archive's address and digest come from PyPI's simple index (JSON); the digest is checked.
    python3 - "$version" "$archive" <<'PY'
import hashlib, json, sys, urllib.request
version, archive = sys.argv[1:3]
name = f"llama_cpp_python-{version}.tar.gz"
index = urllib.request.Request("https://pypi.org/simple/llama-cpp-python/",
                               headers={"Accept": "application/vnd.pypi.simple.v1+json"})
entry = next(f for f in json.load(urllib.request.urlopen(index))["files"] if f["filename"] == name)
data = urllib.request.urlopen(entry["url"]).read()
if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
    sys.exit(f"{name}: the sha256 differs from PyPI's")
open(archive + ".part", "wb").write(data)
PY
    mv "$archive.part" "$archive"
  fi
  [ -d "$source" ] || tar -xzf "$archive" -C "$cache"
  echo "building llama.cpp (llama-cpp-python $version) into $cache, once" >&2
  cmake -S "$source" -B "$source/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >&2
  cmake --build "$source/build" -j"$(nproc)" --target llama-bench llama-batched-bench >&2
fi
echo "$bin"
