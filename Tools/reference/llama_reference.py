"""Independent float64 NumPy reference of Llama-family decoders (arch `llama` and `qwen2`).

    python3 Tools/reference/llama_reference.py MODEL [TOKEN_ID ...]   # prints top-5 of the last position

MODEL is a GGUF file or a Hugging Face folder (config.json + model.safetensors or a sharded
model.safetensors.index.json). Written from the published formats (GGUF spec, llama.cpp's conventions,
Hugging Face `transformers` modeling code), not from any Swift code. Needs numpy, gguf (0.19.0), safetensors.

Everything a model needs comes from the file's own metadata. Weights are kept as [out, in] matrices
(GGUF ne = [in, out] and HF [out_features, in_features] both read that way in numpy).

Decoder: embedding -> per layer { x += Wo attn(rope(Wq n1(x) + bq), rope(Wk n1(x) + bk), Wv n1(x) + bv);
x += Wdown (silu(Wgate n2(x)) * Wup n2(x)) } -> RMSNorm -> head (tied to the embedding when absent).
RMSNorm is x / sqrt(mean(x^2) + eps) * w; attention is causal, grouped (query head h reads kv head
h // (heads / kv_heads)), scaled by 1/sqrt(head_dim).

RoPE: with inverse frequencies inv_freq[i] = base^(-2i/n_rot), i < n_rot/2, the angle at position p is
p * inv_freq[i]; only the first n_rot dims of a head rotate.
- `half` (HF `rotate_half`, llama.cpp NEOX): pairs (i, i + n_rot/2). Used for every HF folder and GGUF `qwen2`.
- `adjacent` (llama.cpp NORM): pairs (2i, 2i+1). Used for GGUF `llama`, whose converter stored Q and K
  (weights and biases) with rows permuted within each head: GGUF row 2i <- HF row i, GGUF row 2i+1 <- HF
  row i + head_dim/2, so both layouts give the same attention scores.
Llama 3 scaling: GGUF `rope_freqs.weight` holds per-frequency factors, inv_freq / factor (llama.cpp divides
theta by the factor); HF `rope_scaling` {rope_type: llama3, ...} is applied as transformers does.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import sys

import numpy as np


@dataclasses.dataclass
class Model:
    arch: str
    rope: str                 # "half" | "adjacent"
    heads: int
    kv_heads: int
    head_dim: int
    n_rot: int
    eps: float
    context: int
    inv_freq: np.ndarray      # [n_rot / 2]
    embed: np.ndarray         # [vocab, width]
    layers: list[dict]        # norm1, wq, bq, wk, bk, wv, bv, wo, norm2, gate, up, down (biases may be None)
    norm: np.ndarray
    head: np.ndarray          # [vocab, width]
    tied: bool

    @property
    def vocab(self) -> int:
        return self.head.shape[0]


# ------------------------------------------------------------------------------------------------------
# Loading

def load(path: str) -> Model:
    return _load_hf(path) if os.path.isdir(path) else _load_gguf(path)


def _load_gguf(path: str) -> Model:
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(path)
    meta = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("tokenizer.")}
    arch = meta["general.architecture"]
    rope = {"llama": "adjacent", "qwen2": "half"}.get(arch)
    if rope is None:
        raise NotImplementedError(f"arch {arch!r}")
    if meta.get(f"{arch}.rope.scaling.type", "none") not in ("none", None):
        raise NotImplementedError(f"rope scaling {meta[f'{arch}.rope.scaling.type']!r}")
    t = {x.name: dequantize(x.data, x.tensor_type).reshape(tuple(reversed(x.shape.tolist()))).astype(np.float64)
         for x in reader.tensors}
    width, heads = int(meta[f"{arch}.embedding_length"]), int(meta[f"{arch}.attention.head_count"])
    head_dim = int(meta.get(f"{arch}.attention.key_length", width // heads))
    n_rot = int(meta.get(f"{arch}.rope.dimension_count", head_dim))
    inv_freq = _inv_freq(float(meta.get(f"{arch}.rope.freq_base", 10000.0)), n_rot)
    if "rope_freqs.weight" in t:
        inv_freq = inv_freq / t["rope_freqs.weight"]
    layers = []
    for i in range(int(meta[f"{arch}.block_count"])):
        g = lambda n: t.get(f"blk.{i}.{n}")  # noqa: E731
        layers.append(dict(norm1=g("attn_norm.weight"), wq=g("attn_q.weight"), bq=g("attn_q.bias"),
                           wk=g("attn_k.weight"), bk=g("attn_k.bias"), wv=g("attn_v.weight"), bv=g("attn_v.bias"),
                           wo=g("attn_output.weight"), norm2=g("ffn_norm.weight"), gate=g("ffn_gate.weight"),
                           up=g("ffn_up.weight"), down=g("ffn_down.weight")))
    tied = "output.weight" not in t
    return Model(arch=arch, rope=rope, heads=heads,
                 kv_heads=int(meta.get(f"{arch}.attention.head_count_kv", heads)), head_dim=head_dim, n_rot=n_rot,
                 eps=float(meta[f"{arch}.attention.layer_norm_rms_epsilon"]),
                 context=int(meta[f"{arch}.context_length"]), inv_freq=inv_freq, embed=t["token_embd.weight"],
                 layers=layers, norm=t["output_norm.weight"], head=t["token_embd.weight" if tied else "output.weight"],
                 tied=tied)


def _read_safetensors(path: str) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        base = 8 + n
    out, rest = {}, []
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if spec["dtype"] == "BF16":  # numpy has no bfloat16: the top half of a float32
            start, end = spec["data_offsets"]
            raw = np.fromfile(path, dtype="<u2", count=(end - start) // 2, offset=base + start)
            out[name] = (raw.astype(np.uint32) << 16).view(np.float32).reshape(spec["shape"])
        else:
            rest.append(name)
    if rest:
        with safe_open(path, framework="np") as f:
            for name in rest:
                out[name] = f.get_tensor(name)
    return out


def _load_hf(folder: str) -> Model:
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    arch = cfg["model_type"]
    if arch not in ("llama", "qwen2"):
        raise NotImplementedError(f"model_type {arch!r}")
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    t = {}
    for name in files:
        t.update({k: v.astype(np.float64) for k, v in _read_safetensors(os.path.join(folder, name)).items()})
    width, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    head_dim = cfg.get("head_dim") or width // heads
    inv_freq = _hf_rope_scaling(_inv_freq(float(cfg.get("rope_theta", 10000.0)), head_dim), cfg.get("rope_scaling"))
    layers = []
    for i in range(cfg["num_hidden_layers"]):
        g = lambda n: t.get(f"model.layers.{i}.{n}")  # noqa: E731
        layers.append(dict(norm1=g("input_layernorm.weight"), wq=g("self_attn.q_proj.weight"),
                           bq=g("self_attn.q_proj.bias"), wk=g("self_attn.k_proj.weight"),
                           bk=g("self_attn.k_proj.bias"), wv=g("self_attn.v_proj.weight"),
                           bv=g("self_attn.v_proj.bias"), wo=g("self_attn.o_proj.weight"),
                           norm2=g("post_attention_layernorm.weight"), gate=g("mlp.gate_proj.weight"),
                           up=g("mlp.up_proj.weight"), down=g("mlp.down_proj.weight")))
    tied = cfg.get("tie_word_embeddings", False) or "lm_head.weight" not in t
    embed = t["model.embed_tokens.weight"]
    return Model(arch=arch, rope="half", heads=heads, kv_heads=cfg.get("num_key_value_heads", heads),
                 head_dim=head_dim, n_rot=head_dim, eps=float(cfg["rms_norm_eps"]),
                 context=cfg["max_position_embeddings"], inv_freq=inv_freq, embed=embed, layers=layers,
                 norm=t["model.norm.weight"], head=embed if tied else t["lm_head.weight"], tied=tied)


def _inv_freq(base: float, n_rot: int) -> np.ndarray:
    return base ** (-np.arange(0, n_rot, 2, dtype=np.float64) / n_rot)


def _hf_rope_scaling(inv_freq: np.ndarray, scaling: dict | None) -> np.ndarray:
    kind = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
    if kind == "default":
        return inv_freq
    if kind != "llama3":
        raise NotImplementedError(f"rope_scaling {kind!r}")
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv_freq
    scaled = np.where(wavelen > old / low, inv_freq / factor, inv_freq)
    smooth = (old / wavelen - low) / (high - low)
    medium = (wavelen >= old / high) & (wavelen <= old / low)
    return np.where(medium, (1 - smooth) * scaled / factor + smooth * scaled, scaled)


# ------------------------------------------------------------------------------------------------------
# Forward

def _rms(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def _linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    y = x @ w.T
    return y if b is None else y + b


def _rotate(m: Model, x: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """x: [T, heads, head_dim], rotated at positions pos [T]."""
    ang = pos[:, None].astype(np.float64) * m.inv_freq[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    x, r = x.copy(), m.n_rot
    if m.rope == "half":
        a, b = x[..., : r // 2].copy(), x[..., r // 2: r].copy()
        x[..., : r // 2], x[..., r // 2: r] = a * cos - b * sin, b * cos + a * sin
    else:
        a, b = x[..., 0:r:2].copy(), x[..., 1:r:2].copy()
        x[..., 0:r:2], x[..., 1:r:2] = a * cos - b * sin, b * cos + a * sin
    return x


def forward(m: Model, ids, cache: list | None = None) -> np.ndarray:
    """Logits [T, vocab] of new tokens `ids`. `cache` (a list, one (K, V) per layer, filled in place) holds
    the earlier tokens; None or [] starts at position 0."""
    cache = [] if cache is None else cache
    ids = np.asarray(ids, dtype=np.int64)
    start = cache[0][0].shape[0] if cache else 0
    pos = np.arange(start, start + len(ids))
    x = m.embed[ids]
    rep, d = m.heads // m.kv_heads, m.head_dim
    for i, L in enumerate(m.layers):
        h = _rms(x, L["norm1"], m.eps)
        q = _rotate(m, _linear(h, L["wq"], L["bq"]).reshape(len(ids), m.heads, d), pos)
        k = _rotate(m, _linear(h, L["wk"], L["bk"]).reshape(len(ids), m.kv_heads, d), pos)
        v = _linear(h, L["wv"], L["bv"]).reshape(len(ids), m.kv_heads, d)
        if len(cache) > i:
            k, v = np.concatenate([cache[i][0], k]), np.concatenate([cache[i][1], v])
            cache[i] = (k, v)
        else:
            cache.append((k, v))
        kr, vr = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)  # query head h -> kv head h // rep
        s = np.einsum("thd,shd->hts", q, kr) / math.sqrt(d)
        s = np.where(np.arange(k.shape[0])[None, None, :] <= pos[None, :, None], s, -np.inf)
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        x = x + _linear(np.einsum("hts,shd->thd", p, vr).reshape(len(ids), m.heads * d), L["wo"], None)
        h = _rms(x, L["norm2"], m.eps)
        g = _linear(h, L["gate"], None)
        x = x + _linear(g / (1 + np.exp(-g)) * _linear(h, L["up"], None), L["down"], None)
    return _rms(x, m.norm, m.eps) @ m.head.T


def logits(m: Model, token_ids) -> np.ndarray:
    """Full causal forward from position 0: logits [T, vocab]."""
    return forward(m, token_ids)


def greedy(m: Model, prompt_ids, n: int) -> list[int]:
    """n argmax tokens, recomputing the whole sequence each step (no cache)."""
    ids = list(prompt_ids)
    for _ in range(n):
        ids.append(int(np.argmax(logits(m, ids)[-1])))
    return ids[len(prompt_ids):]


def greedy_cached(m: Model, prompt_ids, n: int) -> tuple[list[int], np.ndarray]:
    """n argmax tokens with a KV cache; also returns the [n, vocab] logits each token was chosen from."""
    cache: list = []
    row = forward(m, prompt_ids, cache)[-1]
    out, rows = [], []
    for step in range(n):
        rows.append(row)
        out.append(int(np.argmax(row)))
        if step + 1 < n:
            row = forward(m, [out[-1]], cache)[-1]
    return out, np.array(rows)


def log_softmax(row: np.ndarray) -> np.ndarray:
    row = np.asarray(row, dtype=np.float64)
    z = row - row.max()
    return z - np.log(np.exp(z).sum())


def top_logprobs(logits_row: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k most likely ids with their log-softmax (float64), most likely first, ties by lower id."""
    lp = log_softmax(logits_row)
    top = np.argsort(-lp, kind="stable")[:k]
    return [(int(i), float(lp[i])) for i in top]


if __name__ == "__main__":
    model = load(sys.argv[1])
    ids = [int(a) for a in sys.argv[2:]] or [0]
    for tid, lp in top_logprobs(logits(model, ids)[-1], 5):
        print(tid, f"{lp:.6f}")
