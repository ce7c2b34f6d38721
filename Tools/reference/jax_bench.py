"""The same GPT in JAX on CPU, for `make bench-model` comparisons with `ModelBenchmark`.

    pip install jax
    python3 Tools/reference/jax_bench.py [train|decode|all]

Training: one jitted step = forward, backward (autodiff), global-norm clipping and AdamW, on random
tokens; S at batch 128×128, M at 64×256 (same shapes as `ModelBenchmark.training`). Decoding: S with a
KV cache, batch 1, 8 and 64, prompt 16 tokens then 112 sampled tokens (temperature 1), one jitted
`lax.scan` over the steps (the prompt is fed token by token, untimed). Prints tokens/s.
"""
from __future__ import annotations

import functools
import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

VOCAB = 263
SIZES = {"S": dict(layers=4, heads=4, width=128, context=128), "M": dict(layers=6, heads=6, width=384, context=256)}


def init(cfg, key):
    c, l = cfg["width"], cfg["layers"]
    keys = iter(jax.random.split(key, 4 + 8 * l))
    normal = lambda shape, std=0.02: std * jax.random.normal(next(keys), shape, jnp.float32)
    blocks = []
    for _ in range(l):
        blocks.append(dict(
            ln1g=jnp.ones(c), ln1b=jnp.zeros(c), qkvw=normal((c, 3 * c)), qkvb=jnp.zeros(3 * c),
            projw=normal((c, c), 0.02 / math.sqrt(2 * l)), projb=jnp.zeros(c), ln2g=jnp.ones(c), ln2b=jnp.zeros(c),
            fcw=normal((c, 4 * c)), fcb=jnp.zeros(4 * c), fcpw=normal((4 * c, c), 0.02 / math.sqrt(2 * l)),
            fcpb=jnp.zeros(c)))
    return dict(wte=normal((VOCAB, c)), wpe=normal((cfg["context"], c)), blocks=blocks, lnfg=jnp.ones(c),
                lnfb=jnp.zeros(c))


def layernorm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) * jax.lax.rsqrt(var + 1e-5) * g + b


def gelu(x):
    return 0.5 * x * (1 + jnp.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def forward(params, tokens, heads):
    b, t = tokens.shape
    c = params["wte"].shape[1]
    hs = c // heads
    x = params["wte"][tokens] + params["wpe"][:t]
    mask = jnp.tril(jnp.ones((t, t), bool))
    for blk in params["blocks"]:
        qkv = layernorm(x, blk["ln1g"], blk["ln1b"]) @ blk["qkvw"] + blk["qkvb"]
        q, k, v = [z.reshape(b, t, heads, hs).transpose(0, 2, 1, 3) for z in jnp.split(qkv, 3, -1)]
        s = jnp.where(mask, q @ k.transpose(0, 1, 3, 2) / math.sqrt(hs), -1e30)
        y = (jax.nn.softmax(s, -1) @ v).transpose(0, 2, 1, 3).reshape(b, t, c)
        x = x + y @ blk["projw"] + blk["projb"]
        x = x + gelu(layernorm(x, blk["ln2g"], blk["ln2b"]) @ blk["fcw"] + blk["fcb"]) @ blk["fcpw"] + blk["fcpb"]
    return layernorm(x, params["lnfg"], params["lnfb"]) @ params["wte"].T


def train_bench(size, batch, time_len, steps=5):
    cfg = SIZES[size]
    params = init(cfg, jax.random.PRNGKey(0))
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    rng = np.random.default_rng(0)
    tokens = jnp.asarray(rng.integers(0, VOCAB, (batch, time_len)), jnp.int32)
    targets = jnp.asarray(rng.integers(0, VOCAB, (batch, time_len)), jnp.int32)

    def loss(p):
        logp = jax.nn.log_softmax(forward(p, tokens, cfg["heads"]), -1)
        return -jnp.take_along_axis(logp, targets[..., None], -1).mean()

    @jax.jit
    def step(p, m, v, i):
        value, g = jax.value_and_grad(loss)(p)
        norm = jnp.sqrt(sum(jnp.sum(x * x) for x in jax.tree_util.tree_leaves(g)))
        scale = jnp.minimum(1.0, 1.0 / (norm + 1e-6))
        g = jax.tree_util.tree_map(lambda x: x * scale, g)
        m = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: 0.95 * a + 0.05 * b * b, v, g)
        c1, c2 = 1 - 0.9 ** i, 1 - 0.95 ** i
        p = jax.tree_util.tree_map(lambda x, a, b: x * (1 - 1e-5) - 1e-4 * (a / c1) / (jnp.sqrt(b / c2) + 1e-8), p, m, v)
        return p, m, v, value

    params, m, v, value = step(params, m, v, 1.0)
    value.block_until_ready()
    times = []
    for i in range(steps):
        start = time.perf_counter()
        params, m, v, value = step(params, m, v, float(i + 2))
        value.block_until_ready()
        times.append(time.perf_counter() - start)
    sec = sorted(times)[len(times) // 2]
    print(f"jax train {size}: batch {batch}x{time_len}  {sec:.3f} s/step  {batch * time_len / sec:.0f} tok/s")


def decode_bench(batch, prompt_len=16):
    cfg = SIZES["S"]
    heads, c, ctx = cfg["heads"], cfg["width"], cfg["context"]
    hs = c // heads
    params = init(cfg, jax.random.PRNGKey(1))
    steps = ctx - prompt_len

    def step_fn(params, kcache, vcache, tokens, pos, key):
        # tokens [B], pos scalar; caches [L, B, ctx, C]
        x = params["wte"][tokens] + params["wpe"][pos]
        valid = jnp.arange(ctx) <= pos
        for l, blk in enumerate(params["blocks"]):
            qkv = layernorm(x, blk["ln1g"], blk["ln1b"]) @ blk["qkvw"] + blk["qkvb"]
            q, k, v = jnp.split(qkv, 3, -1)
            # In-place updates of the [L, B, ctx, C] caches (XLA reuses the carried buffers in the scan).
            kcache = jax.lax.dynamic_update_slice(kcache, k[None, :, None, :], (l, 0, pos, 0))
            vcache = jax.lax.dynamic_update_slice(vcache, v[None, :, None, :], (l, 0, pos, 0))
            qh = q.reshape(-1, heads, hs)
            s = jnp.einsum("bhd,bthd->bht", qh, kcache[l].reshape(-1, ctx, heads, hs)) / math.sqrt(hs)
            p = jax.nn.softmax(jnp.where(valid, s, -1e30), -1)
            y = jnp.einsum("bht,bthd->bhd", p, vcache[l].reshape(-1, ctx, heads, hs)).reshape(-1, c)
            x = x + y @ blk["projw"] + blk["projb"]
            x = x + gelu(layernorm(x, blk["ln2g"], blk["ln2b"]) @ blk["fcw"] + blk["fcb"]) @ blk["fcpw"] + blk["fcpb"]
        logits = layernorm(x, params["lnfg"], params["lnfb"]) @ params["wte"].T
        key, sub = jax.random.split(key)
        nxt = jax.random.categorical(sub, logits)
        return kcache, vcache, nxt, key

    @functools.partial(jax.jit, static_argnums=(4, 5))
    def generate(params, kcache, vcache, key, first, count):
        # Runs `count` steps from position `first` in one compiled loop (no Python dispatch per token).
        def body(carry, pos):
            kcache, vcache, tokens, key = carry
            kcache, vcache, tokens, key = step_fn(params, kcache, vcache, tokens, pos, key)
            return (kcache, vcache, tokens, key), tokens
        tokens = jnp.zeros((batch,), jnp.int32)
        (kcache, vcache, tokens, key), out = jax.lax.scan(body, (kcache, vcache, tokens, key),
                                                          jnp.arange(first, first + count))
        return kcache, vcache, out

    kcache = jnp.zeros((cfg["layers"], batch, ctx, c))
    vcache = jnp.zeros((cfg["layers"], batch, ctx, c))
    key = jax.random.PRNGKey(0)
    kcache, vcache, _ = generate(params, kcache, vcache, key, 0, prompt_len)  # prompt, token by token
    jax.block_until_ready(generate(params, kcache, vcache, key, prompt_len, steps))  # compile
    start = time.perf_counter()
    _, _, out = generate(params, kcache, vcache, key, prompt_len, steps)
    out.block_until_ready()
    sec = time.perf_counter() - start
    print(f"jax decode S: batch {batch}, prompt {prompt_len} + {steps} new  {batch * steps / sec:.0f} tok/s")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    print("jax", jax.__version__, jax.devices())
    if what in ("train", "all"):
        train_bench("S", 128, 128)
        train_bench("M", 64, 256, steps=3)
    if what in ("decode", "all"):
        for b in (1, 8, 64):
            decode_bench(b)
