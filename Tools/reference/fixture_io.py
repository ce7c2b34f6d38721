"""The fixture file format read by the Swift tests (`Fixture.swift`).

Layout: 8-byte magic `LMFIXT01`, UInt32 little-endian length of a UTF-8 JSON index, the index, then
the raw little-endian arrays. The index is `{"meta": {...}, "arrays": {name: {"dtype": "f32"|"i32",
"shape": [...], "offset": bytes-from-data-start}}}`.
"""
from __future__ import annotations

import json
import struct

import numpy as np

MAGIC = b"LMFIXT01"


def write_fixture(path: str, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    index, chunks, offset = {}, [], 0
    for name, arr in arrays.items():
        if np.issubdtype(arr.dtype, np.integer):
            data, dtype = np.ascontiguousarray(arr, dtype="<i4"), "i32"
        else:
            data, dtype = np.ascontiguousarray(arr, dtype="<f4"), "f32"
        index[name] = {"dtype": dtype, "shape": list(arr.shape), "offset": offset}
        raw = data.tobytes()
        chunks.append(raw)
        offset += len(raw)
    header = json.dumps({"meta": meta, "arrays": index}, sort_keys=True).encode()
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(header)))
        f.write(header)
        for raw in chunks:
            f.write(raw)


def read_fixture(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:8] == MAGIC
    (n,) = struct.unpack("<I", blob[8:12])
    index = json.loads(blob[12:12 + n])
    base = 12 + n
    arrays = {}
    for name, spec in index["arrays"].items():
        dtype = "<i4" if spec["dtype"] == "i32" else "<f4"
        count = int(np.prod(spec["shape"])) if spec["shape"] else 1
        arr = np.frombuffer(blob, dtype=dtype, count=count, offset=base + spec["offset"])
        arrays[name] = arr.reshape(spec["shape"])
    return index["meta"], arrays
