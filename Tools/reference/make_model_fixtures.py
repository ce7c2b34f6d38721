"""Writes tiny random Llama-family model fixtures and their float64 reference outputs (`llama_reference.py`).

    python3 Tools/reference/make_model_fixtures.py [--skip-smollm2] [--gguf PATH]

Needs numpy, gguf==0.19.0, safetensors, tokenizers (for the SmolLM2 prompts). Deterministic (seeded).

Output, Tests/LightningModelTests/Fixtures/llama/<name>/ (GGUF as `model.gguf`; HF folders as config.json,
model.safetensors or shards + index, tokenizer.json, tokenizer_config.json), each with an `expected.json`:

    {"name", "format": "gguf"|"hf", "file", "arch", "config": {...}, "tensorTypes": {gguf name: type} (GGUF),
     "sameWeightsAs": name|null, "eosTokenId", "bosTokenId",
     "cases": [{"tokens", "lastLogits": [vocab], "allLogits": [[vocab] per position] (length-7 case only),
                "greedy": [12 ids, eos not treated specially], "greedyMinMargin": min top1 - top2 logit}]}

Logits are float64 reference values rounded to float32. `index.json` lists the models. Pairs named by
`sameWeightsAs` hold the same weights in both layouts (GGUF llama rows permuted as llama.cpp's converter
does), so their logits agree to float rounding. The vocabulary is the 256 GPT-2 byte-level symbols in byte
order (token id = byte value), no merges; bos = eos = 0.

Then, if the SmolLM2-135M-Instruct Q4_1 GGUF is present, Fixtures/smollm2-reference.json: for three prompts,
the greedy 16-token continuation (KV-cached float64 forward) and each step's top-5 ids with log-probs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import llama_reference as ref  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "Tests", "LightningModelTests", "Fixtures")
SMOLLM2 = os.path.expanduser("~/.cache/agent-lightning-swift/models/SmolLM2-135M-Instruct.Q4_1.gguf")

# Sizes: the 2 MB budget allows two 2-layer small models (F16, Q8_0/Q4_0/Q4_1); the rest have one layer.
SMALL = dict(vocab=256, width=64, layers=2, heads=4, kv_heads=2, ffn=128, context=64)
ONE = dict(SMALL, layers=1)
BIG = dict(vocab=256, width=256, layers=1, heads=4, kv_heads=2, ffn=512, context=64)
CHAT_TEMPLATE = ("{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}"
                 "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}")
BOS = EOS = 0
CASES = [[ord("A")], list(b"Hello, "), [int(x) for x in np.random.default_rng(99).integers(0, 256, 40)]]
GREEDY = 12
LLAMA3 = dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
              original_max_position_embeddings=64)
MATS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]


# ------------------------------------------------------------------------------------------------------
# Random weights (HF names, [out, in] float32)

def round_to(w: np.ndarray, kind: str) -> np.ndarray:
    """Values representable in `kind` (so F32/F16/BF16 files of one model hold identical weights)."""
    if kind == "f16":
        return w.astype(np.float16).astype(np.float32)
    if kind == "bf16":  # bf16 values >= 2^-17 in magnitude are exact in f16 too
        w = np.where(np.abs(w) < 2.0 ** -17, 0, w).astype(np.float32)
        return ((w.view(np.uint32) + 0x8000) & 0xFFFF0000).view(np.float32)
    return w.astype(np.float32)


def hf_weights(d: dict, seed: int, bias: bool, lm_head: bool, kind: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    hd = d["width"] // d["heads"]
    mat = lambda o, i: rng.normal(0, 1 / math.sqrt(i), (o, i))  # noqa: E731
    norm = lambda n: 1 + rng.normal(0, 0.1, n)  # noqa: E731
    w = {"model.embed_tokens.weight": rng.normal(0, 0.5, (d["vocab"], d["width"]))}
    for i in range(d["layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm(d["width"])
        for n, rows in (("q", d["heads"] * hd), ("k", d["kv_heads"] * hd), ("v", d["kv_heads"] * hd)):
            w[p + f"self_attn.{n}_proj.weight"] = mat(rows, d["width"]) * (1.5 if n != "v" else 1.0)
            if bias:
                w[p + f"self_attn.{n}_proj.bias"] = rng.normal(0, 0.5, rows)
        w[p + "self_attn.o_proj.weight"] = mat(d["width"], d["heads"] * hd) * 3  # outweigh the embedding, so
        # tied models do not just repeat the last token
        w[p + "post_attention_layernorm.weight"] = norm(d["width"])
        w[p + "mlp.gate_proj.weight"] = mat(d["ffn"], d["width"])
        w[p + "mlp.up_proj.weight"] = mat(d["ffn"], d["width"])
        w[p + "mlp.down_proj.weight"] = mat(d["width"], d["ffn"]) * 3
    w["model.norm.weight"] = norm(d["width"])
    if lm_head:
        w["lm_head.weight"] = rng.normal(0, 0.5, (d["vocab"], d["width"]))
    return {k: round_to(v, kind) for k, v in w.items()}


def permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf `LlamaModel.permute`: within each head, HF row i -> 2i, i + d/2 -> 2i + 1."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_names(hf: dict, d: dict, arch: str) -> dict[str, np.ndarray]:
    """HF tensors under GGUF names; for arch llama Q and K rows permuted (as the converter does)."""
    out = {}
    for name, w in hf.items():
        if name == "model.embed_tokens.weight":
            out["token_embd.weight"] = w
        elif name == "model.norm.weight":
            out["output_norm.weight"] = w
        elif name == "lm_head.weight":
            out["output.weight"] = w
        else:
            i, rest = re.match(r"model\.layers\.(\d+)\.(.*)", name).groups()
            m = re.match(r"self_attn\.([qkvo])_proj\.(weight|bias)", rest)
            if m:
                proj, kind = m.groups()
                if arch == "llama" and proj in "qk":
                    w = permute(w, d["heads"] if proj == "q" else d["kv_heads"])
                gname = {"q": "attn_q", "k": "attn_k", "v": "attn_v", "o": "attn_output"}[proj] + "." + kind
            else:
                gname = {"input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight":
                         "ffn_norm.weight", "mlp.gate_proj.weight": "ffn_gate.weight",
                         "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight"}[rest]
            out[f"blk.{i}.{gname}"] = w
    return out


def random_kquant_blocks(rng, shape: tuple[int, int], qtype, std: float) -> np.ndarray:
    """Random but valid Q4_K / Q6_K bytes (gguf 0.19 cannot quantize K-quants), scaled to about `std`."""
    n_blocks = shape[0] * shape[1] // 256
    blocks = rng.integers(0, 256, (n_blocks, gguf.GGML_QUANT_SIZES[qtype][1]), dtype=np.uint8)
    if qtype == Q.Q6_K:  # ql 128, qh 64, int8 scales 16 (kept in [-64, 63]), f16 d
        blocks[:, 192:208] = (blocks[:, 192:208].view(np.int8) // 2).view(np.uint8)
        set_d = lambda c: blocks[:, 208:210].__setitem__(slice(None), np.full((n_blocks, 1), c, "<f2").view(np.uint8))  # noqa: E731
    else:  # Q4_K: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles; dmin = 7.5 d centres it
        set_d = lambda c: blocks[:, 0:4].__setitem__(slice(None), np.array([[c, 7.5 * c]] * n_blocks, "<f2").view(np.uint8))  # noqa: E731
    set_d(1.0)
    set_d(std / gguf.quants.dequantize(blocks, qtype).std())
    return blocks.reshape(shape[0], -1)


# ------------------------------------------------------------------------------------------------------
# Writers

def byte_symbols() -> list[str]:
    """GPT-2 bytes_to_unicode, listed by byte value."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table, n = {b: chr(b) for b in keep}, 0
    for b in range(256):
        if b not in table:
            table[b], n = chr(256 + n), n + 1
    return [table[b] for b in range(256)]


class Writer(gguf.GGUFWriter):
    def _pack_val(self, val, vtype, add_vtype, sub_type=None):  # the stock writer refuses empty arrays
        if vtype == gguf.GGUFValueType.ARRAY and len(val) == 0:
            return (self._pack("I", vtype) if add_vtype else b"") + self._pack("I", sub_type) + self._pack("Q", 0)
        return super()._pack_val(val, vtype, add_vtype, sub_type)


def write_gguf(path: str, arch: str, d: dict, tensors: dict, types: dict, base: float, eps: float,
               file_type, rope_dim: bool = True) -> None:
    w = Writer(path, arch)
    w.add_name(os.path.basename(os.path.dirname(path)))
    w.add_file_type(file_type)
    w.add_block_count(d["layers"])
    w.add_context_length(d["context"])
    w.add_embedding_length(d["width"])
    w.add_feed_forward_length(d["ffn"])
    w.add_head_count(d["heads"])
    w.add_head_count_kv(d["kv_heads"])
    w.add_rope_freq_base(base)
    w.add_layer_norm_rms_eps(eps)
    if rope_dim:  # qwen2 files leave it out: llama.cpp then uses head_dim
        w.add_rope_dimension_count(d["width"] // d["heads"])
        w.add_vocab_size(d["vocab"])
    if any(t not in (Q.F32, Q.F16) for t in types.values()):
        w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt2")
    w.add_token_list(byte_symbols())
    w.add_token_types([gguf.TokenType.NORMAL] * 256)
    w.add_key_value("tokenizer.ggml.merges", [], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.STRING)
    w.add_bos_token_id(BOS)
    w.add_eos_token_id(EOS)
    w.add_add_bos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)
    for name, arr in tensors.items():
        t = types[name]
        if arr.dtype == np.uint8:
            w.add_tensor(name, arr, raw_dtype=t)
        elif t in (Q.F32, Q.F16):
            w.add_tensor(name, gguf.quants.quantize(arr.astype(np.float32), t))
        else:
            w.add_tensor(name, gguf.quants.quantize(arr.astype(np.float32), t), raw_dtype=t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_bf16_safetensors(path: str, tensors: dict[str, np.ndarray]) -> None:
    """safetensors with BF16 data (numpy has no bfloat16; the values are already bf16-exact)."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        raw = (np.ascontiguousarray(tensors[name], np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(len(blob).to_bytes(8, "little") + blob + b"".join(chunks))


def write_hf(folder: str, arch: str, d: dict, hf: dict, storage: str, base: float, eps: float,
             rope_scaling: dict | None, shards: int = 1) -> None:
    tied = "lm_head.weight" not in hf
    cfg = {"architectures": ["LlamaForCausalLM" if arch == "llama" else "Qwen2ForCausalLM"], "model_type": arch,
           "vocab_size": d["vocab"], "hidden_size": d["width"], "intermediate_size": d["ffn"],
           "num_hidden_layers": d["layers"], "num_attention_heads": d["heads"],
           "num_key_value_heads": d["kv_heads"], "max_position_embeddings": d["context"], "rms_norm_eps": eps,
           "rope_theta": base, "rope_scaling": rope_scaling, "tie_word_embeddings": tied, "hidden_act": "silu",
           "bos_token_id": BOS, "eos_token_id": EOS,
           "torch_dtype": {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}[storage]}
    if arch == "llama":
        cfg.update(attention_bias=False, mlp_bias=False, head_dim=d["width"] // d["heads"])
    dump_json(os.path.join(folder, "config.json"), cfg)
    names = list(hf)
    parts = [names[i * len(names) // shards:(i + 1) * len(names) // shards] for i in range(shards)]
    files = ["model.safetensors"] if shards == 1 else [f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
                                                        for i in range(shards)]
    for fname, part in zip(files, parts):
        sub = {k: hf[k] for k in part}
        if storage == "bf16":
            write_bf16_safetensors(os.path.join(folder, fname), sub)
        else:
            save_file({k: v.astype(np.float16 if storage == "f16" else np.float32) for k, v in sub.items()},
                      os.path.join(folder, fname), metadata={"format": "pt"})
    if shards > 1:
        size = sum(v.size * (4 if storage == "f32" else 2) for v in hf.values())
        dump_json(os.path.join(folder, "model.safetensors.index.json"),
                  {"metadata": {"total_size": size}, "weight_map": {k: f for f, p in zip(files, parts) for k in p}})
    sym = byte_symbols()
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    dump_json(os.path.join(folder, "tokenizer.json"), {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": byte_level, "post_processor": dict(byte_level, trim_offsets=False), "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {s: i for i, s in enumerate(sym)}, "merges": []}})
    dump_json(os.path.join(folder, "tokenizer_config.json"), {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": sym[BOS], "eos_token": sym[EOS],
        "add_bos_token": False, "add_eos_token": False, "model_max_length": d["context"],
        "clean_up_tokenization_spaces": False, "chat_template": CHAT_TEMPLATE})


def dump_json(path: str, obj) -> None:
    """Indented JSON with numeric arrays kept on one line."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    text = re.sub(r"\[\s*([-0-9.eE+,\s]*?)\s*\]", lambda m: "[" + re.sub(r"\s+", "", m.group(1)) + "]", text)
    with open(path, "w") as f:
        f.write(text + "\n")


def f32(values) -> list[float]:
    return [float(str(np.float32(v))) for v in values]


# ------------------------------------------------------------------------------------------------------
# The models

def build() -> list[dict]:
    """Writes every model; returns their descriptions (name, path, format, arch, sameWeightsAs, config)."""
    root = os.path.join(OUT, "llama")
    os.makedirs(root, exist_ok=True)
    made = []

    def folder(name):
        p = os.path.join(root, name)
        os.makedirs(p, exist_ok=True)
        for f in os.listdir(p):
            os.remove(os.path.join(p, f))
        return p

    def gguf_model(name, arch, d, tensors, types, base, eps, ftype, same=None, rope_dim=True):
        path = os.path.join(folder(name), "model.gguf")
        write_gguf(path, arch, d, tensors, types, base, eps, ftype, rope_dim)
        made.append(dict(name=name, format="gguf", file="model.gguf", arch=arch, same=same,
                         types={k: types[k].name for k in tensors}))

    def hf_model(name, arch, d, hf, storage, base, eps, scaling=None, shards=1, same=None):
        write_hf(folder(name), arch, d, hf, storage, base, eps, scaling, shards)
        made.append(dict(name=name, format="hf", file=".", arch=arch, same=same, types=None))

    def float_types(tensors, t):
        return {k: (Q.F32 if v.ndim == 1 else t) for k, v in tensors.items()}

    # F32 llama, GGUF and HF of the same weights.
    hf = hf_weights(ONE, 1, bias=False, lm_head=False, kind="f32")
    g = gguf_names(hf, ONE, "llama")
    gguf_model("gguf-llama-f32", "llama", ONE, g, float_types(g, Q.F32), 10000.0, 1e-5,
               gguf.LlamaFileType.ALL_F32, same="hf-llama-f32")
    hf_model("hf-llama-f32", "llama", ONE, hf, "f32", 10000.0, 1e-5, same="gguf-llama-f32")

    # F16 llama.
    g = gguf_names(hf_weights(SMALL, 2, bias=False, lm_head=False, kind="f16"), SMALL, "llama")
    gguf_model("gguf-llama-f16", "llama", SMALL, g, float_types(g, Q.F16), 10000.0, 1e-5, gguf.LlamaFileType.MOSTLY_F16)

    # Q8_0 / Q4_0 / Q4_1, rotated over the matrices from layer to layer.
    g = gguf_names(hf_weights(SMALL, 3, bias=False, lm_head=False, kind="f32"), SMALL, "llama")
    kinds = [Q.Q8_0, Q.Q4_0, Q.Q4_1]
    types = float_types(g, Q.F32)
    types["token_embd.weight"] = Q.Q8_0
    for i in range(SMALL["layers"]):
        for j, m in enumerate(MATS):
            types[f"blk.{i}.{m}.weight"] = kinds[(i + j) % 3]
    gguf_model("gguf-llama-q8_0-q4_0-q4_1", "llama", SMALL, g, types, 10000.0, 1e-5, gguf.LlamaFileType.MOSTLY_Q4_1)

    # Q4_K + Q6_K (256-wide rows), random block bytes.
    rng = np.random.default_rng(4)
    d, hd = BIG, BIG["width"] // BIG["heads"]
    shapes = {"attn_q": (d["heads"] * hd, d["width"]), "attn_k": (d["kv_heads"] * hd, d["width"]),
              "attn_v": (d["kv_heads"] * hd, d["width"]), "attn_output": (d["width"], d["heads"] * hd),
              "ffn_gate": (d["ffn"], d["width"]), "ffn_up": (d["ffn"], d["width"]), "ffn_down": (d["width"], d["ffn"])}
    g = {"token_embd.weight": random_kquant_blocks(rng, (d["vocab"], d["width"]), Q.Q6_K, 0.25)}
    types = {"token_embd.weight": Q.Q6_K}
    for i in range(d["layers"]):
        g[f"blk.{i}.attn_norm.weight"] = (1 + rng.normal(0, 0.1, d["width"])).astype(np.float32)
        g[f"blk.{i}.ffn_norm.weight"] = (1 + rng.normal(0, 0.1, d["width"])).astype(np.float32)
        for m, shape in shapes.items():
            t = Q.Q6_K if m in ("attn_v", "ffn_down") else Q.Q4_K
            gain = {"attn_q": 1.5, "attn_k": 1.5, "attn_output": 3, "ffn_down": 3}.get(m, 1)
            g[f"blk.{i}.{m}.weight"] = random_kquant_blocks(rng, shape, t, gain / math.sqrt(shape[1]))
            types[f"blk.{i}.{m}.weight"] = t
    g["output_norm.weight"] = (1 + rng.normal(0, 0.1, d["width"])).astype(np.float32)
    types.update({k: Q.F32 for k in g if k not in types})
    gguf_model("gguf-llama-q4_k-q6_k", "llama", d, g, types, 10000.0, 1e-5, gguf.LlamaFileType.MOSTLY_Q4_K_M)

    # Separate output head + Llama 3 rope: GGUF (F16, rope_freqs.weight) and HF (BF16, 2 shards, rope_scaling).
    hf = hf_weights(ONE, 5, bias=False, lm_head=True, kind="bf16")
    g = gguf_names(hf, ONE, "llama")
    g["rope_freqs.weight"] = llama3_factors(500000.0, ONE["width"] // ONE["heads"], LLAMA3)
    gguf_model("gguf-llama-output-ropefreqs", "llama", ONE, g, float_types(g, Q.F16), 500000.0, 1e-5,
               gguf.LlamaFileType.MOSTLY_F16, same="hf-llama-bf16-sharded")
    hf_model("hf-llama-bf16-sharded", "llama", ONE, hf, "bf16", 500000.0, 1e-5, scaling=LLAMA3, shards=2,
             same="gguf-llama-output-ropefreqs")

    # Qwen2 with Q/K/V biases, tied: GGUF (F16, NEOX rope, no permutation) and HF (F16).
    hf = hf_weights(ONE, 6, bias=True, lm_head=False, kind="f16")
    g = gguf_names(hf, ONE, "qwen2")
    gguf_model("gguf-qwen2-bias", "qwen2", ONE, g, float_types(g, Q.F16), 1000000.0, 1e-6,
               gguf.LlamaFileType.MOSTLY_F16, same="hf-qwen2-f16", rope_dim=False)
    hf_model("hf-qwen2-f16", "qwen2", ONE, hf, "f16", 1000000.0, 1e-6, same="gguf-qwen2-bias")
    return made


def llama3_factors(base: float, dim: int, s: dict) -> np.ndarray:
    """rope_freqs.weight as llama.cpp's converter computes it for rope_type llama3 (inv_freq / factor)."""
    freqs = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)
    old, low, high, factor = s["original_max_position_embeddings"], s["low_freq_factor"], s["high_freq_factor"], s["factor"]
    out = []
    for wavelen in 2 * math.pi / freqs:
        if wavelen < old / high:
            out.append(1.0)
        elif wavelen > old / low:
            out.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def expected(m: ref.Model) -> list[dict]:
    cases = []
    for ids in CASES:
        lg = ref.logits(m, ids)
        greedy = ref.greedy(m, ids, GREEDY)
        cached, rows = ref.greedy_cached(m, ids, GREEDY)
        assert cached == greedy, "cached and recomputed greedy disagree"
        top2 = np.sort(rows, axis=1)[:, -2:]
        case = {"tokens": list(ids), "lastLogits": f32(lg[-1])}
        if len(ids) == 7:
            case["allLogits"] = [f32(r) for r in lg]
        case.update(greedy=greedy, greedyMinMargin=round(float((top2[:, 1] - top2[:, 0]).min()), 6))
        cases.append(case)
    return cases


def config_of(m: ref.Model) -> dict:
    return {"vocab": m.vocab, "width": m.embed.shape[1], "layers": len(m.layers), "heads": m.heads,
            "kvHeads": m.kv_heads, "headDim": m.head_dim, "ropeDim": m.n_rot, "ffn": m.layers[0]["gate"].shape[0],
            "context": m.context, "rmsEps": m.eps, "rope": m.rope, "invFreq": [float(x) for x in m.inv_freq],
            "tiedEmbeddings": m.tied, "qkvBias": m.layers[0]["bq"] is not None}


def make_llama_fixtures() -> None:
    made = build()
    root = os.path.join(OUT, "llama")
    models, last = {}, {}
    for info in made:
        m = ref.load(os.path.join(root, info["name"], info["file"]))
        models[info["name"]] = m
        out = {"name": info["name"], "format": info["format"], "file": info["file"], "arch": info["arch"],
               "config": config_of(m), "sameWeightsAs": info["same"], "bosTokenId": BOS, "eosTokenId": EOS}
        if info["types"]:
            out["tensorTypes"] = info["types"]
        out["cases"] = expected(m)
        last[info["name"]] = np.array([c["lastLogits"] for c in out["cases"]], dtype=np.float64)
        dump_json(os.path.join(root, info["name"], "expected.json"), out)
    # Cross-layout pairs agree; the wrong rope layout or no llama3 scaling would not.
    for info in made:
        if info["same"] and info["format"] == "gguf":
            a, b = models[info["name"]], models[info["same"]]
            diff = max(np.abs(ref.logits(a, c) - ref.logits(b, c)).max() for c in CASES)
            print(f"{info['name']} vs {info['same']}: max |logit diff| {diff:.2e}")
            assert diff < 1e-4, diff
    flip = {"half": "adjacent", "adjacent": "half"}
    for name in ("gguf-llama-f32", "gguf-qwen2-bias", "hf-llama-f32"):
        m = models[name]
        m.rope = flip[m.rope]
        diff = np.abs(ref.logits(m, CASES[2])[-1] - last[name][2]).max()
        m.rope = flip[m.rope]
        print(f"{name} with the other rope layout: max |last-logit diff| {diff:.3f}")
        assert diff > 0.05
    m = models["hf-llama-bf16-sharded"]
    saved, m.inv_freq = m.inv_freq, ref._inv_freq(500000.0, m.head_dim)
    diff = np.abs(ref.logits(m, CASES[2])[-1] - last["hf-llama-bf16-sharded"][2]).max()
    m.inv_freq = saved
    print(f"hf-llama-bf16-sharded without llama3 scaling: max |last-logit diff| {diff:.3f}")
    dump_json(os.path.join(root, "index.json"), {"models": [
        {"name": i["name"], "format": i["format"], "file": i["file"], "arch": i["arch"], "sameWeightsAs": i["same"]}
        for i in made]})
    print(f"\n{'file':60s} {'bytes':>9s}")
    total = 0
    for dirpath, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            total += os.path.getsize(p)
            print(f"{os.path.relpath(p, OUT):60s} {os.path.getsize(p):9d}")
    print(f"{'total':60s} {total:9d}")
    assert total < 2_000_000, "fixtures exceed 2 MB"


# ------------------------------------------------------------------------------------------------------
# SmolLM2

SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chat(user: str) -> str:
    """SmolLM2's chat template with add_generation_prompt (its default system message is SYSTEM)."""
    return f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"


def smollm2_tokenizer(path: str):
    """SmolLM2's tokenizer from its GGUF arrays, built as the published tokenizer.json is: Digits then
    ByteLevel pre-tokenizer, byte-level BPE, the control-type tokens added as special."""
    from tokenizers import Tokenizer

    fields = gguf.GGUFReader(path).fields
    tokens, types = fields["tokenizer.ggml.tokens"].contents(), fields["tokenizer.ggml.token_type"].contents()
    level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return Tokenizer.from_str(json.dumps({
        "version": "1.0", "truncation": None, "padding": None, "normalizer": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(tokens) if types[i] == 3],
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, level]},
        "post_processor": None, "decoder": level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": fields["tokenizer.ggml.merges"].contents()}}))


def make_smollm2(path: str, steps: int = 16) -> None:
    t0 = time.time()
    tok = smollm2_tokenizer(path)
    m = ref.load(path)
    t_load = time.time() - t0
    prompts = [("france", chat("What is the capital of France?")),
               ("count", chat("Count from 1 to 5, please.")),
               ("plain", "The quick brown fox jumps over the lazy dog. Once upon a time,")]
    out = []
    for name, text in prompts:
        t1 = time.time()
        ids = tok.encode(text, add_special_tokens=False).ids
        assert tok.decode(ids, skip_special_tokens=False) == text
        greedy, rows = ref.greedy_cached(m, ids, steps)
        # Check the cache against one uncached forward over prompt + continuation.
        full = ref.logits(m, ids + greedy[:-1])[len(ids) - 1:]
        err = float(np.abs(full - rows).max())
        assert err < 1e-8, err
        tops = [ref.top_logprobs(r, 5) for r in rows]
        assert [t[0][0] for t in tops] == greedy
        text_out = tok.decode(greedy, skip_special_tokens=False)
        top2 = np.sort(rows, axis=1)[:, -2:]
        out.append({"name": name, "text": text, "tokens": ids, "greedy": greedy, "greedyText": text_out,
                    "greedyMinMargin": round(float((top2[:, 1] - top2[:, 0]).min()), 6),
                    "topIds": [[i for i, _ in t] for t in tops],
                    "topLogprobs": [[round(lp, 7) for _, lp in t] for t in tops],
                    "seconds": round(time.time() - t1, 1)})
        print(f"{name}: {len(ids)} prompt tokens, {time.time() - t1:.1f}s, cache err {err:.1e}: {text_out!r}")
    assert "Paris" in out[0]["greedyText"], out[0]["greedyText"]
    with open(path, "rb") as f:
        sha = hashlib.file_digest(f, "sha256").hexdigest()
    dump_json(os.path.join(OUT, "smollm2-reference.json"), {
        "model": os.path.basename(path), "sha256": sha, "bytes": os.path.getsize(path),
        "reference": "Tools/reference/llama_reference.py, float64, KV-cached greedy (argmax, lowest id on ties)",
        "steps": steps, "loadSeconds": round(t_load, 1), "totalSeconds": round(time.time() - t0, 1),
        "prompts": out})
    print(f"SmolLM2: load {t_load:.1f}s, total {time.time() - t0:.1f}s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-smollm2", action="store_true")
    ap.add_argument("--gguf", default=SMOLLM2)
    args = ap.parse_args()
    make_llama_fixtures()
    if not args.skip_smollm2:
        if os.path.exists(args.gguf):
            make_smollm2(args.gguf)
        else:
            print(f"{args.gguf} not found: smollm2-reference.json left as it is")
