#!/usr/bin/env bash
# Prints `export OPENBLAS_CORETYPE=…` for this CPU when OpenBLAS would pick generic kernels for it (the
# executables do the same check themselves at start-up); prints nothing when it is set or not needed.
[ -n "${OPENBLAS_CORETYPE:-}" ] && exit 0
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { [[ " $flags " == *" $1 "* ]]; }
if has avx512f && has avx512bw && has avx512vl && has avx512dq; then echo "export OPENBLAS_CORETYPE=SkylakeX"
elif has avx2 && has fma; then echo "export OPENBLAS_CORETYPE=Haswell"
fi
