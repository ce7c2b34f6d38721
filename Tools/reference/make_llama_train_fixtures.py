"""JAX reference of Llama-family training steps, for `LlamaTrainingReferenceTests`.

    pip install jax numpy
    python3 Tools/reference/make_llama_train_fixtures.py [OUT_DIR]

Written from the published model definition (Hugging Face `LlamaForCausalLM` / `Qwen2ForCausalLM`:
RMSNorm, rotate-half RoPE, grouped-query causal attention scaled by 1/sqrt(head_dim), SwiGLU MLP,
optional q/k/v biases, tied or separate output head), not from any Swift code. Gradients come from
`jax.grad` in float64. Each fixture holds two full steps on one batch: the loss
L = sum(d_logprob * logprob + d_entropy * entropy) over valid positions at a temperature, its
gradients, global-norm clipping and AdamW (PyTorch's decoupled decay, applied to the block matrices
only), and the parameters after each step.

Parameters are one flat float array in the order `LlamaParameterLayout` lists them (Hugging Face
names: embed_tokens, per layer input_layernorm, q/k/v_proj weights, q/k/v biases, o_proj,
post_attention_layernorm, gate/up/down_proj; norm; lm_head when untied), matrices [out, in].
"""
from __future__ import annotations

import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import write_fixture  # noqa: E402

B, T = 2, 7
LENGTHS = np.array([7, 5])


def layout(cfg):
    c, f, q, kv = cfg["width"], cfg["hiddenWidth"], cfg["heads"] * cfg["headSize"], cfg["kvHeads"] * cfg["headSize"]
    names = [("embed", (cfg["vocabularySize"], c), False)]
    for l in range(cfg["layers"]):
        names += [(f"{l}.norm1", (c,), False), (f"{l}.wq", (q, c), True), (f"{l}.wk", (kv, c), True),
                  (f"{l}.wv", (kv, c), True)]
        if cfg["attentionBias"]:
            names += [(f"{l}.bq", (q,), False), (f"{l}.bk", (kv,), False), (f"{l}.bv", (kv,), False)]
        names += [(f"{l}.wo", (c, q), True), (f"{l}.norm2", (c,), False), (f"{l}.gate", (f, c), True),
                  (f"{l}.up", (f, c), True), (f"{l}.down", (c, f), True)]
    names.append(("norm", (c,), False))
    if not cfg["tiedEmbeddings"]:
        names.append(("head", (cfg["vocabularySize"], c), False))
    return names


def unflatten(cfg, flat):
    params, offset = {}, 0
    for name, shape, _ in layout(cfg):
        size = int(np.prod(shape))
        params[name] = flat[offset:offset + size].reshape(shape)
        offset += size
    return params


def rms_norm(x, w, eps):
    return x / jnp.sqrt(jnp.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope(x, theta):
    # x: [B, T, heads, hs]; pairs (i, i + hs/2) rotate by position * theta^(-2i/hs)
    hs = x.shape[-1]
    inv = 1.0 / theta ** (np.arange(0, hs // 2) * 2.0 / hs)
    angles = np.arange(x.shape[1])[:, None] * inv[None, :]
    cos, sin = jnp.cos(angles)[None, :, None, :], jnp.sin(angles)[None, :, None, :]
    a, b = x[..., :hs // 2], x[..., hs // 2:]
    return jnp.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)


def forward(cfg, flat, tokens, targets, temperature):
    p = unflatten(cfg, flat)
    h, kvh, hs, eps = cfg["heads"], cfg["kvHeads"], cfg["headSize"], cfg["normEpsilon"]
    x = p["embed"][tokens]
    mask = np.tril(np.ones((T, T), dtype=bool))
    for l in range(cfg["layers"]):
        n = rms_norm(x, p[f"{l}.norm1"], eps)
        q, k, v = n @ p[f"{l}.wq"].T, n @ p[f"{l}.wk"].T, n @ p[f"{l}.wv"].T
        if cfg["attentionBias"]:
            q, k, v = q + p[f"{l}.bq"], k + p[f"{l}.bk"], v + p[f"{l}.bv"]
        q = rope(q.reshape(B, T, h, hs), cfg["theta"])
        k = rope(k.reshape(B, T, kvh, hs), cfg["theta"])
        v = v.reshape(B, T, kvh, hs)
        k, v = jnp.repeat(k, h // kvh, axis=2), jnp.repeat(v, h // kvh, axis=2)
        scores = jnp.einsum("bthd,bshd->bhts", q, k) / np.sqrt(hs)
        scores = jnp.where(mask, scores, -jnp.inf)
        att = jnp.einsum("bhts,bshd->bthd", jax.nn.softmax(scores, axis=-1), v).reshape(B, T, h * hs)
        x = x + att @ p[f"{l}.wo"].T
        n = rms_norm(x, p[f"{l}.norm2"], eps)
        x = x + (jax.nn.silu(n @ p[f"{l}.gate"].T) * (n @ p[f"{l}.up"].T)) @ p[f"{l}.down"].T
    head = p["embed"] if cfg["tiedEmbeddings"] else p["head"]
    logits = rms_norm(x, p["norm"], eps) @ head.T / temperature
    logp = jax.nn.log_softmax(logits, axis=-1)
    logprob = jnp.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    entropy = -(jnp.exp(logp) * logp).sum(-1)
    return logprob, entropy


def make(name, cfg, seed, out_dir):
    rng = np.random.default_rng(seed)
    names = layout(cfg)
    flat = np.concatenate([
        (1 + 0.1 * rng.standard_normal(int(np.prod(s)))) if len(s) == 1 and "norm" in n
        else 0.3 * rng.standard_normal(int(np.prod(s))) for n, s, _ in names])
    decay = np.concatenate([np.full(int(np.prod(s)), d, dtype=bool) for _, s, d in names])
    tokens = rng.integers(0, cfg["vocabularySize"], size=(B, T))
    targets = rng.integers(0, cfg["vocabularySize"], size=(B, T))
    valid = np.arange(T)[None, :] < LENGTHS[:, None]
    d_lp = rng.standard_normal((B, T)) * valid
    d_ent = 0.5 * rng.standard_normal((B, T)) * valid
    temperature = 0.7
    hyper = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1, "maxNorm": 1.0}

    def loss(f):
        lp, ent = forward(cfg, f, tokens, targets, temperature)
        return (d_lp * lp + d_ent * ent).sum()

    grad_fn = jax.jit(jax.value_and_grad(loss))
    lp, ent = forward(cfg, flat, tokens, targets, temperature)
    arrays = {"params": flat, "tokens": tokens, "targets": targets, "lengths": LENGTHS, "d_logprob": d_lp,
              "d_entropy": d_ent, "logprob": np.asarray(lp) * valid, "entropy": np.asarray(ent) * valid}
    m, v, current = np.zeros_like(flat), np.zeros_like(flat), flat.copy()
    for step in (1, 2):
        value, grad = grad_fn(current)
        grad = np.asarray(grad)
        norm = float(np.sqrt((grad * grad).sum()))
        arrays[f"loss{step}"], arrays[f"grad{step}"], arrays[f"norm{step}"] = np.array([float(value)]), grad, np.array([norm])
        if norm > hyper["maxNorm"]:
            grad = grad * (hyper["maxNorm"] / (norm + 1e-6))
        b1, b2 = hyper["beta1"], hyper["beta2"]
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        update = (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + hyper["eps"])
        current = current * (1 - hyper["lr"] * hyper["weightDecay"] * decay) - hyper["lr"] * update
        arrays[f"params{step}"] = current.copy()
    meta = {"llama": cfg, "batch": B, "time": T, "temperature": temperature, "hyper": hyper}
    write_fixture(os.path.join(out_dir, f"{name}.bin"), meta, arrays)
    print(name, "loss", arrays["loss1"][0], "->", arrays["loss2"][0], "grad norms", arrays["norm1"][0], arrays["norm2"][0])


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "Tests", "LightningModelTests", "Fixtures")
    base = {"architecture": "llama", "layers": 2, "width": 16, "hiddenWidth": 24, "heads": 4, "headSize": 4,
            "vocabularySize": 23, "context": 8, "normEpsilon": 1e-5, "theta": 10000.0}
    make("llama_train_gqa_bias_untied", {**base, "architecture": "qwen2", "kvHeads": 2, "attentionBias": True,
                                         "tiedEmbeddings": False}, 11, out_dir)
    make("llama_train_tied", {**base, "kvHeads": 1, "attentionBias": False, "tiedEmbeddings": True}, 12, out_dir)


if __name__ == "__main__":
    main()
