"""Training steps of a Llama-family model with SmolLM2-135M's shapes in JAX on CPU, for comparison with
`lightning-bench open-model train` (scripts/bench-llama-train.sh).

    pip install jax
    python3 Tools/reference/jax_llama_bench.py full|lora BATCH TIME [STEPS]

One jitted step = forward, backward (autodiff), global-norm clipping and AdamW on random tokens, over
every weight (full) or over LoRA adapters of rank 16 on all seven linear layers of each block (lora; the
base is a constant). SmolLM2-135M: 30 layers, width 576, 9 query / 3 key-value heads of 64, SwiGLU 1536,
vocabulary 49152, tied embeddings. Weights are random (speed does not depend on their values). Prints
tokens/s (median step).
"""
from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

L, C, H, KV, HS, F, V = 30, 576, 9, 3, 64, 1536, 49152
TARGETS = {"q": (H * HS, C), "k": (KV * HS, C), "v": (KV * HS, C), "o": (C, H * HS), "gate": (F, C), "up": (F, C), "down": (C, F)}


def init(key):
    keys = iter(jax.random.split(key, 2 + 8 * L))
    normal = lambda shape: 0.02 * jax.random.normal(next(keys), shape, jnp.float32)
    layers = [{**{name: normal(shape) for name, shape in TARGETS.items()}, "n1": jnp.ones(C), "n2": jnp.ones(C)} for _ in range(L)]
    return {"embed": normal((V, C)), "layers": layers, "norm": jnp.ones(C)}


def lora_init(key, rank=16):
    keys = iter(jax.random.split(key, 8 * L))
    return [{name: (jax.random.uniform(next(keys), (rank, shape[1]), jnp.float32, -1, 1) / np.sqrt(shape[1]),
                    jnp.zeros((shape[0], rank), jnp.float32)) for name, shape in TARGETS.items()} for _ in range(L)]


def rms(x, w):
    return x / jnp.sqrt(jnp.mean(x * x, axis=-1, keepdims=True) + 1e-5) * w


def rope(x):
    t = x.shape[1]
    inv = 1.0 / 100000.0 ** (np.arange(0, HS // 2) * 2.0 / HS)
    ang = np.arange(t)[:, None] * inv[None, :]
    cos, sin = jnp.cos(ang)[None, :, None, :], jnp.sin(ang)[None, :, None, :]
    a, b = x[..., :HS // 2], x[..., HS // 2:]
    return jnp.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)


def loss_fn(params, adapters, tokens, targets):
    b, t = tokens.shape
    x = params["embed"][tokens]
    mask = np.tril(np.ones((t, t), dtype=bool))

    def linear(layer, adapter, name, inp):
        y = inp @ layer[name].T
        if adapter is not None:
            a, bb = adapter[name]
            y = y + 2.0 * (inp @ a.T) @ bb.T
        return y

    for i, layer in enumerate(params["layers"]):
        ad = adapters[i] if adapters is not None else None
        n = rms(x, layer["n1"])
        q = rope(linear(layer, ad, "q", n).reshape(b, t, H, HS))
        k = rope(linear(layer, ad, "k", n).reshape(b, t, KV, HS))
        v = linear(layer, ad, "v", n).reshape(b, t, KV, HS)
        k, v = jnp.repeat(k, H // KV, axis=2), jnp.repeat(v, H // KV, axis=2)
        s = jnp.where(mask, jnp.einsum("bthd,bshd->bhts", q, k) / np.sqrt(HS), -jnp.inf)
        att = jnp.einsum("bhts,bshd->bthd", jax.nn.softmax(s, axis=-1), v).reshape(b, t, H * HS)
        x = x + linear(layer, ad, "o", att)
        n = rms(x, layer["n2"])
        x = x + linear(layer, ad, "down", jax.nn.silu(linear(layer, ad, "gate", n)) * linear(layer, ad, "up", n))
    logits = rms(x, params["norm"]) @ params["embed"].T
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.take_along_axis(logp, targets[..., None], axis=-1).mean()


def adamw(trained, grads, m, v, step, lr=1e-4, b1=0.9, b2=0.95, eps=1e-8, wd=0.1, max_norm=1.0):
    norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(grads)))
    scale = jnp.minimum(1.0, max_norm / (norm + 1e-6))
    grads = jax.tree_util.tree_map(lambda g: g * scale, grads)
    m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
    c1, c2 = 1 - b1 ** step, 1 - b2 ** step
    trained = jax.tree_util.tree_map(lambda p, m, v: p * (1 - lr * wd) - lr * (m / c1) / (jnp.sqrt(v / c2) + eps), trained, m, v)
    return trained, m, v


def bench(mode: str, batch: int, time_: int, steps: int = 3) -> float:
    key = jax.random.PRNGKey(0)
    params = init(key)
    tokens = jax.random.randint(jax.random.PRNGKey(1), (batch, time_), 0, V)
    targets = jax.random.randint(jax.random.PRNGKey(2), (batch, time_), 0, V)
    if mode == "full":
        @jax.jit
        def step(p, m, v, i):
            grads = jax.grad(lambda p: loss_fn(p, None, tokens, targets))(p)
            return adamw(p, grads, m, v, i)
        trained = params
    else:
        @jax.jit
        def step(a, m, v, i):
            grads = jax.grad(lambda a: loss_fn(params, a, tokens, targets))(a)
            return adamw(a, grads, m, v, i)
        trained = lora_init(key)
    m = jax.tree_util.tree_map(jnp.zeros_like, trained)
    v = jax.tree_util.tree_map(jnp.zeros_like, trained)
    trained, m, v = step(trained, m, v, 1.0)  # compile
    jax.block_until_ready(trained)
    times = []
    for i in range(steps):
        start = time.perf_counter()
        trained, m, v = step(trained, m, v, float(i + 2))
        jax.block_until_ready(trained)
        times.append(time.perf_counter() - start)
    rate = batch * time_ / sorted(times)[len(times) // 2]
    print(f"jax {mode} batch {batch}x{time_}: {rate:.1f} tok/s")
    return rate


if __name__ == "__main__":
    bench(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 3)
