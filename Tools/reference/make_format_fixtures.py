"""Writes the LightningFormats reference fixtures with the Python `gguf` and `safetensors` packages.

    python3 Tools/reference/make_format_fixtures.py [--gguf PATH] [output-dir]

Default output: Tests/LightningFormatsTests/Fixtures. Needs `pip install gguf==0.19.0 safetensors==0.8.0
numpy`. Everything is seeded, so rerunning reproduces the committed files. What is written:

- `gguf/all-types.gguf`: written by `gguf.GGUFWriter` with `general.alignment = 64`: metadata of every
  value type (all integer widths at their extremes, float32/64 incl. -0.0 and inf, bool, UTF-8 strings,
  arrays of every element type, arrays of strings, arrays of arrays) and tensors of F32 (3-D), F16 (with
  NaN, inf, subnormals), BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 (random data quantized by
  `gguf.quants.quantize`), Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (random block bytes with sane f16 scales; gguf has
  no quantizer for them), plus an I32 and an IQ4_NL tensor no reader can turn into floats.
- `gguf/all-types.expected.json`: what `gguf.GGUFReader` reads back: version, alignment, data offset,
  each metadata value with its type (floats as bit patterns, integers as decimal strings), each tensor's
  name, type, GGML dimensions, offset, byte count and where its floats start in `all-types.floats.bin`.
- `gguf/all-types.floats.bin`: `gguf.quants.dequantize` of every convertible tensor, float32 LE.
- `safetensors/single/`: `model.safetensors` (F32, F16, BF16, a scalar, I64, I32, U8, `__metadata__`),
  `config.json`, `generation_config.json`, `tokenizer.json`, `tokenizer_config.json` (chat template
  as a string).
- `safetensors/sharded/`: two shards and `model.safetensors.index.json`, `config.json`,
  `tokenizer_config.json` (chat templates as a list of {name, template}).
- `safetensors/expected.json`: per folder and tensor: file, dtype, shape, and the bytes
  `safetensors.deserialize` returns (hex) with the float32 bit patterns for float dtypes.
- `smollm2-expected.json` (only with the SmolLM2-135M-Instruct Q4_1 GGUF at
  ~/.cache/agent-lightning-swift/models/): a few metadata values and tensor descriptions, and a few
  hundred dequantized values of `token_embd.weight` (Q8_0) and `blk.0.attn_q.weight` (Q4_1).
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import gguf
import safetensors
from gguf import GGMLQuantizationType as Q, GGUFValueType as V
from gguf.quants import quantize, dequantize

DEFAULT_GGUF = os.path.expanduser("~/.cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf")


def f32_bits(values) -> list[int]:
    return [int(x) for x in np.asarray(values, dtype="<f4").reshape(-1).view("<u4")]


def half_bits(rng, n, lo=-6.0, hi=-1.0) -> np.ndarray:
    """n positive f16 scales with magnitudes 2^lo..2^hi, as raw bytes (2n)."""
    return (2.0 ** rng.uniform(lo, hi, n)).astype(np.float16).view(np.uint8)


def k_quant_blocks(rng, qtype: Q, n_blocks: int) -> np.ndarray:
    """Random K-quant blocks whose d/dmin fields are sane f16 scales and the rest random bytes."""
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for b in range(n_blocks):
        if qtype in (Q.Q4_K, Q.Q5_K):          # d, dmin first
            blocks[b, 0:4] = half_bits(rng, 2)
        elif qtype == Q.Q2_K:                  # d, dmin last
            blocks[b, 80:84] = half_bits(rng, 2)
        elif qtype == Q.Q3_K:                  # d last
            blocks[b, 108:110] = half_bits(rng, 1)
        elif qtype == Q.Q6_K:
            blocks[b, 208:210] = half_bits(rng, 1)
    return blocks


# (key, value type, value, element type for arrays)
def metadata_items() -> list[tuple[str, V, object, V | None]]:
    return [
        ("test.uint8", V.UINT8, 255, None),
        ("test.int8", V.INT8, -128, None),
        ("test.uint16", V.UINT16, 65535, None),
        ("test.int16", V.INT16, -32768, None),
        ("test.uint32", V.UINT32, 4294967295, None),
        ("test.int32", V.INT32, -2147483648, None),
        ("test.uint64", V.UINT64, 18446744073709551615, None),
        ("test.int64", V.INT64, -9223372036854775808, None),
        ("test.float32", V.FLOAT32, 0.1, None),
        ("test.float32_neg_zero", V.FLOAT32, -0.0, None),
        ("test.float32_inf", V.FLOAT32, float("inf"), None),
        ("test.float64", V.FLOAT64, 2.718281828459045, None),
        ("test.bool_true", V.BOOL, True, None),
        ("test.bool_false", V.BOOL, False, None),
        ("test.string", V.STRING, "héllo, wörld 🌍 — \"quoted\"\n\ttab", None),
        ("test.array.uint8", V.ARRAY, [0, 1, 255], V.UINT8),
        ("test.array.int8", V.ARRAY, [-128, 0, 127], V.INT8),
        ("test.array.uint16", V.ARRAY, [0, 65535], V.UINT16),
        ("test.array.int16", V.ARRAY, [-32768, 32767], V.INT16),
        ("test.array.uint32", V.ARRAY, [0, 4294967295], V.UINT32),
        ("test.array.int32", V.ARRAY, [-2147483648, 7, 2147483647], V.INT32),
        ("test.array.uint64", V.ARRAY, [0, 18446744073709551615], V.UINT64),
        ("test.array.int64", V.ARRAY, [-9223372036854775808, 9223372036854775807], V.INT64),
        ("test.array.float32", V.ARRAY, [1.5, -0.25, 3.4028234663852886e38, 1e-45], V.FLOAT32),
        ("test.array.float64", V.ARRAY, [1e300, -5e-324, 0.1], V.FLOAT64),
        ("test.array.bool", V.ARRAY, [True, False, True], V.BOOL),
        ("test.array.string", V.ARRAY, ["a", "", "ü 🎉", "<|im_end|>"], V.STRING),
        ("test.array.nested_int", V.ARRAY, [[1, 2, 3], [4], [-5, 6]], None),
        ("test.array.nested_string", V.ARRAY, [["x", "y"], ["z"]], None),
        ("test.array.nested_deep", V.ARRAY, [[[1, 2], [3]], [[4]]], None),
    ]


def encode_value(vtype: V, value, element: V | None = None) -> dict:
    """The expected JSON for a value: type names, integers as strings, floats as bit patterns."""
    if vtype == V.ARRAY:
        if element is None:
            element = V.get_type(value[0])
        return {"type": "ARRAY", "element_type": element.name,
                "items": [encode_value(element, item) for item in value]}
    if vtype == V.FLOAT32:
        return {"type": vtype.name, "bits": f"{f32_bits([value])[0]:08x}"}
    if vtype == V.FLOAT64:
        return {"type": vtype.name, "bits": f"{int(np.array([value], '<f8').view('<u8')[0]):016x}"}
    if vtype == V.BOOL:
        return {"type": vtype.name, "value": bool(value)}
    if vtype == V.STRING:
        return {"type": vtype.name, "value": value}
    return {"type": vtype.name, "value": str(int(value))}


def write_gguf(out_dir: str) -> None:
    rng = np.random.default_rng(20240601)
    os.makedirs(os.path.join(out_dir, "gguf"), exist_ok=True)
    path = os.path.join(out_dir, "gguf", "all-types.gguf")
    writer = gguf.GGUFWriter(path, arch="testarch")
    writer.add_custom_alignment(64)
    items = metadata_items()
    for key, vtype, value, element in items:
        writer.add_key_value(key, value, vtype, sub_type=element)

    tensors: list[tuple[str, Q]] = []

    def add(name: str, qtype: Q, data: np.ndarray, raw_shape=None) -> None:
        writer.add_tensor(name, data, raw_shape=raw_shape, raw_dtype=None if qtype in (Q.F32, Q.F16, Q.I32) else qtype)
        tensors.append((name, qtype))

    add("f32.3d", Q.F32, rng.standard_normal((2, 3, 8)).astype(np.float32))
    f16 = rng.standard_normal((4, 64)).astype(np.float16)
    f16.reshape(-1)[:8] = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 6e-8, -3e-5, 65504], dtype=np.float16)
    f16.view(np.uint16).reshape(-1)[8] = 0x7C01  # signalling NaN with payload
    add("f16.specials", Q.F16, f16)
    add("bf16.matrix", Q.BF16, quantize(rng.standard_normal((2, 64)).astype(np.float32) * 3, Q.BF16))
    for qtype in (Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1):
        data = (rng.standard_normal((4, 64)) * rng.uniform(0.01, 2.0)).astype(np.float32)
        data[0, :32] = 0.0  # an all-zero block: d = 0
        add(f"{qtype.name.lower()}.matrix", qtype, quantize(data, qtype))
    for qtype in (Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K):
        add(f"{qtype.name.lower()}.matrix", qtype, k_quant_blocks(rng, qtype, 4).reshape(2, -1))
    add("i32.vector", Q.I32, np.arange(-3, 5, dtype=np.int32))
    add("iq4_nl.matrix", Q.IQ4_NL, rng.integers(0, 256, size=(2, 36), dtype=np.uint8))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    reader = gguf.GGUFReader(path)
    # Cross-check the scalar and flat-array metadata against what the reader parses.
    for key, vtype, value, element in items:
        field = reader.fields[key]
        if vtype != V.ARRAY or element is not None:
            got = field.contents()
            if vtype in (V.FLOAT32,) or element == V.FLOAT32:
                assert np.allclose(np.float32(got), np.float32(value), equal_nan=True), key
            elif vtype != V.FLOAT64 and element != V.FLOAT64:
                assert got == value, (key, got, value)

    floats, tensor_json = [], []
    for t in reader.tensors:
        entry = {"name": t.name, "type": t.tensor_type.name, "type_id": int(t.tensor_type),
                 "ne": [int(x) for x in t.shape], "offset": int(t.data_offset - reader.data_offset),
                 "file_offset": int(t.data_offset), "n_bytes": int(t.n_bytes), "n_elements": int(t.n_elements)}
        if t.tensor_type not in (Q.I32, Q.IQ4_NL):
            values = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
            assert values.size == t.n_elements
            entry["float_start"] = sum(len(f) for f in floats)
            floats.append(values)
        tensor_json.append(entry)

    expected = {
        "version": 3, "alignment": int(reader.alignment), "data_offset": int(reader.data_offset),
        "metadata": [{"key": "general.architecture", **encode_value(V.STRING, "testarch")},
                     {"key": "general.alignment", **encode_value(V.UINT32, 64)}]
                    + [{"key": key, **encode_value(vtype, value, element)} for key, vtype, value, element in items],
        "tensors": tensor_json,
        "quant_sizes": {q.name: list(gguf.GGML_QUANT_SIZES[q]) for q in Q},
    }
    assert [m["key"] for m in expected["metadata"]] == [k for k in reader.fields if not k.startswith("GGUF.")]
    with open(os.path.join(out_dir, "gguf", "all-types.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
    np.concatenate(floats).astype("<f4").tofile(os.path.join(out_dir, "gguf", "all-types.floats.bin"))


def write_safetensors(path: str, tensors: dict[str, tuple[str, np.ndarray, list[int]]], metadata=None) -> None:
    """tensors: name -> (safetensors dtype string for TensorSpec, data array, shape)."""
    specs = {}
    for name, (dtype, data, shape) in tensors.items():
        data = np.ascontiguousarray(data)
        specs[name] = safetensors.TensorSpec(dtype=dtype, shape=shape, data_ptr=data.ctypes.data, data_len=data.nbytes)
    safetensors.serialize_file(specs, path, metadata)
    os.chmod(path, 0o644)
    del tensors


def describe_safetensors(path: str, folder: str) -> list[dict]:
    with open(path, "rb") as f:
        blob = f.read()
    out = []
    for name, t in safetensors.deserialize(blob):
        raw = bytes(t["data"])
        entry = {"name": name, "file": os.path.basename(path), "dtype": t["dtype"], "shape": t["shape"], "hex": raw.hex()}
        if t["dtype"] == "F32":
            entry["bits"] = f32_bits(np.frombuffer(raw, "<f4"))
        elif t["dtype"] == "F16":
            entry["bits"] = f32_bits(np.frombuffer(raw, "<f2").astype(np.float32))
        elif t["dtype"] == "BF16":
            entry["bits"] = [int(x) << 16 for x in np.frombuffer(raw, "<u2")]
        out.append(entry)
    return sorted(out, key=lambda e: e["name"])


def write_hf(out_dir: str) -> None:
    rng = np.random.default_rng(7)
    base = os.path.join(out_dir, "safetensors")
    single, sharded = os.path.join(base, "single"), os.path.join(base, "sharded")
    os.makedirs(single, exist_ok=True)
    os.makedirs(sharded, exist_ok=True)

    bf16 = (rng.standard_normal((4, 8)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    f16 = rng.standard_normal((2, 5)).astype(np.float16)
    f16.reshape(-1)[:3] = [np.inf, -0.0, 6e-8]
    keep = {}  # keeps the arrays alive while serializing
    keep["single"] = {
        "model.embed_tokens.weight": ("float32", rng.standard_normal((3, 4)).astype(np.float32), [3, 4]),
        "model.norm.weight": ("float16", f16, [2, 5]),
        "lm_head.weight": ("bfloat16", bf16, [4, 8]),
        "model.scale": ("float32", np.array([0.5], dtype=np.float32), []),
        "model.positions": ("int64", np.array([-1, 0, 2**40], dtype=np.int64), [3]),
        "model.ids": ("int32", np.array([[1, -2], [3, 4]], dtype=np.int32), [2, 2]),
        "model.mask": ("uint8", np.array([0, 1, 1, 0, 255], dtype=np.uint8), [5]),
    }
    write_safetensors(os.path.join(single, "model.safetensors"), keep["single"], {"format": "pt", "note": "fixture"})

    shard1 = {
        "model.layers.0.self_attn.q_proj.weight": ("float32", rng.standard_normal((4, 4)).astype(np.float32), [4, 4]),
        "model.embed_tokens.weight": ("bfloat16", bf16[:2], [2, 8]),
    }
    shard2 = {
        "model.layers.1.self_attn.q_proj.weight": ("float16", rng.standard_normal((2, 3, 4)).astype(np.float16), [2, 3, 4]),
        "model.norm.weight": ("float32", np.linspace(-1, 1, 6, dtype=np.float32), [6]),
    }
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    write_safetensors(os.path.join(sharded, names[0]), shard1, {"format": "pt"})
    write_safetensors(os.path.join(sharded, names[1]), shard2, {"format": "pt"})
    index = {"metadata": {"total_size": sum(v[1].nbytes for v in {**shard1, **shard2}.values())},
             "weight_map": {**{k: names[0] for k in shard1}, **{k: names[1] for k in shard2}}}
    with open(os.path.join(sharded, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)

    config = {"architectures": ["LlamaForCausalLM"], "hidden_size": 576, "num_hidden_layers": 30,
              "rms_norm_eps": 1e-05, "rope_theta": 100000.0, "tie_word_embeddings": True,
              "torch_dtype": "bfloat16", "rope_scaling": None, "bos_token_id": 1, "eos_token_id": [2, 3]}
    for folder in (single, sharded):
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
    with open(os.path.join(single, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": 2, "temperature": 0.2, "do_sample": True}, f, indent=2)
    with open(os.path.join(single, "tokenizer.json"), "w") as f:
        json.dump({"version": "1.0", "added_tokens": [], "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}, f)
    with open(os.path.join(single, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": "<s>", "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}, f, indent=2)
    with open(os.path.join(sharded, "tokenizer_config.json"), "w") as f:
        json.dump({"chat_template": [{"name": "default", "template": "{{ messages }}"},
                                     {"name": "tool_use", "template": "{{ tools }}"}]}, f, indent=2)

    expected = {
        "single": describe_safetensors(os.path.join(single, "model.safetensors"), single),
        "sharded": describe_safetensors(os.path.join(sharded, names[0]), sharded)
                   + describe_safetensors(os.path.join(sharded, names[1]), sharded),
    }
    with open(os.path.join(base, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_smollm2(out_dir: str, model: str) -> None:
    if not os.path.exists(model):
        print(f"no {model}; smollm2-expected.json left as it is")
        return
    reader = gguf.GGUFReader(model)
    f = reader.fields
    meta = {
        "general.architecture": f["general.architecture"].contents(),
        "llama.block_count": f["llama.block_count"].contents(),
        "llama.context_length": f["llama.context_length"].contents(),
        "llama.embedding_length": f["llama.embedding_length"].contents(),
        "llama.attention.head_count_kv": f["llama.attention.head_count_kv"].contents(),
        "tokenizer.ggml.model": f["tokenizer.ggml.model"].contents(),
        "tokenizer.ggml.bos_token_id": f["tokenizer.ggml.bos_token_id"].contents(),
    }
    tokens = f["tokenizer.ggml.tokens"].contents()
    samples = {}
    rng = np.random.default_rng(135)
    for name in ("token_embd.weight", "blk.0.attn_q.weight"):
        t = next(t for t in reader.tensors if t.name == name)
        values = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        n = values.size
        picks = sorted(set(list(range(96)) + list(range(n // 2, n // 2 + 64)) + list(range(n - 64, n))
                           + [int(i) for i in rng.integers(0, n, 100)]))
        samples[name] = {"type": t.tensor_type.name, "ne": [int(x) for x in t.shape],
                         "file_offset": int(t.data_offset), "n_bytes": int(t.n_bytes),
                         "indices": picks, "bits": f32_bits(values[picks])}
    expected = {
        "file": os.path.basename(model), "version": 3, "tensor_count": len(reader.tensors),
        "data_offset": int(reader.data_offset), "metadata": meta,
        "rope_freq_base_bits": f32_bits([f["llama.rope.freq_base"].contents()])[0],
        "rms_eps_bits": f32_bits([f["llama.attention.layer_norm_rms_epsilon"].contents()])[0],
        "token_count": len(tokens), "tokens_head": tokens[:5], "token_last": tokens[-1],
        "merge_count": len(f["tokenizer.ggml.merges"].contents()),
        "merges_head": f["tokenizer.ggml.merges"].contents()[:3],
        "chat_template_prefix": f["tokenizer.chat_template"].contents()[:40],
        "tensors": samples,
    }
    with open(os.path.join(out_dir, "smollm2-expected.json"), "w") as out:
        json.dump(expected, out, indent=1, ensure_ascii=False)


def main() -> None:
    args = sys.argv[1:]
    model = DEFAULT_GGUF
    if args[:1] == ["--gguf"]:
        model, args = args[1], args[2:]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = args[0] if args else os.path.join(root, "Tests", "LightningFormatsTests", "Fixtures")
    write_gguf(out_dir)
    write_hf(out_dir)
    write_smollm2(out_dir, model)


if __name__ == "__main__":
    main()
