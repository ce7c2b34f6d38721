"""Independent NumPy reference of the LightningModel GPT (float64), forward and hand-written backward.

It mirrors the Swift model's definition, not its code: GPT-2 style decoder, learned positions,
pre-LayerNorm blocks, tanh-approximated GELU, tied input/output embeddings, final LayerNorm and an
optional scalar value head. The flat parameter layout (order and shapes, no padding) is the one the
Swift `ParameterLayout` uses, so a gradient vector here maps 1:1 onto the Swift gradient buffer.

The backward pass is checked against central finite differences in float64 by `make_fixtures.py`
before any fixture is written, so the reference does not merely repeat the Swift derivation.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

LN_EPS = 1e-5
GELU_C = math.sqrt(2.0 / math.pi)


@dataclasses.dataclass(frozen=True)
class Config:
    layers: int
    heads: int
    width: int
    context: int
    vocab: int
    value_head: bool = False

    def as_dict(self) -> dict:
        return {
            "layers": self.layers, "heads": self.heads, "width": self.width,
            "context": self.context, "vocabSize": self.vocab, "valueHead": self.value_head,
        }


def layout(cfg: Config) -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes of every tensor in the flat parameter buffer, in order."""
    c, v, t = cfg.width, cfg.vocab, cfg.context
    out: list[tuple[str, tuple[int, ...]]] = [("wte", (v, c)), ("wpe", (t, c))]
    for l in range(cfg.layers):
        p = f"h{l}."
        out += [
            (p + "ln1.g", (c,)), (p + "ln1.b", (c,)),
            (p + "attn.qkv.w", (c, 3 * c)), (p + "attn.qkv.b", (3 * c,)),
            (p + "attn.proj.w", (c, c)), (p + "attn.proj.b", (c,)),
            (p + "ln2.g", (c,)), (p + "ln2.b", (c,)),
            (p + "mlp.fc.w", (c, 4 * c)), (p + "mlp.fc.b", (4 * c,)),
            (p + "mlp.proj.w", (4 * c, c)), (p + "mlp.proj.b", (c,)),
        ]
    out += [("lnf.g", (c,)), ("lnf.b", (c,))]
    if cfg.value_head:
        out += [("value.w", (c,)), ("value.b", (1,))]
    return out


def unflatten(cfg: Config, flat: np.ndarray) -> dict[str, np.ndarray]:
    params, off = {}, 0
    for name, shape in layout(cfg):
        n = int(np.prod(shape))
        params[name] = flat[off:off + n].reshape(shape)
        off += n
    assert off == flat.size, (off, flat.size)
    return params


def flatten(cfg: Config, tensors: dict[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([tensors[name].reshape(-1) for name, _ in layout(cfg)])


def param_count(cfg: Config) -> int:
    return sum(int(np.prod(s)) for _, s in layout(cfg))


# ----------------------------------------------------------------------------- building blocks

def layernorm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    rstd = 1.0 / np.sqrt(var + LN_EPS)
    xhat = (x - mu) * rstd
    return xhat * g + b, (xhat, rstd)


def layernorm_backward(dy, g, cache):
    xhat, rstd = cache
    dxhat = dy * g
    dx = rstd * (dxhat - dxhat.mean(-1, keepdims=True) - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    axes = tuple(range(dy.ndim - 1))
    return dx, (dy * xhat).sum(axes), dy.sum(axes)


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + 0.044715 * x ** 3)))


def gelu_backward(dy, x):
    u = GELU_C * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    du = GELU_C * (1.0 + 3 * 0.044715 * x ** 2)
    return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)


def log_softmax(z):
    m = z.max(-1, keepdims=True)
    s = z - m
    return s - np.log(np.exp(s).sum(-1, keepdims=True))


# ----------------------------------------------------------------------------- model

def forward(cfg: Config, flat: np.ndarray, tokens: np.ndarray, targets: np.ndarray, temperature: float):
    """tokens/targets [B, T]. Returns (outputs dict, cache for backward)."""
    p = unflatten(cfg, flat)
    b_, t_ = tokens.shape
    c, h = cfg.width, cfg.heads
    hs = c // h
    x = p["wte"][tokens] + p["wpe"][np.arange(t_)][None]
    mask = np.tril(np.ones((t_, t_), dtype=bool))
    cache = {"x0": x, "layers": []}
    for l in range(cfg.layers):
        q = f"h{l}."
        a, ln1 = layernorm(x, p[q + "ln1.g"], p[q + "ln1.b"])
        qkv = a @ p[q + "attn.qkv.w"] + p[q + "attn.qkv.b"]
        qh = qkv[..., :c].reshape(b_, t_, h, hs).transpose(0, 2, 1, 3)
        kh = qkv[..., c:2 * c].reshape(b_, t_, h, hs).transpose(0, 2, 1, 3)
        vh = qkv[..., 2 * c:].reshape(b_, t_, h, hs).transpose(0, 2, 1, 3)
        scores = (qh @ kh.transpose(0, 1, 3, 2)) / math.sqrt(hs)
        scores = np.where(mask, scores, -np.inf)
        probs = np.exp(log_softmax(scores))
        y = (probs @ vh).transpose(0, 2, 1, 3).reshape(b_, t_, c)
        x2 = x + y @ p[q + "attn.proj.w"] + p[q + "attn.proj.b"]
        m, ln2 = layernorm(x2, p[q + "ln2.g"], p[q + "ln2.b"])
        pre = m @ p[q + "mlp.fc.w"] + p[q + "mlp.fc.b"]
        act = gelu(pre)
        x3 = x2 + act @ p[q + "mlp.proj.w"] + p[q + "mlp.proj.b"]
        cache["layers"].append(dict(x=x, a=a, ln1=ln1, qh=qh, kh=kh, vh=vh, probs=probs, y=y,
                                    x2=x2, m=m, ln2=ln2, pre=pre, act=act))
        x = x3
    hf, lnf = layernorm(x, p["lnf.g"], p["lnf.b"])
    logits = hf @ p["wte"].T
    logp = log_softmax(logits / temperature)
    probs = np.exp(logp)
    lp = np.take_along_axis(logp, targets[..., None], -1)[..., 0]
    ent = -(probs * logp).sum(-1)
    out = {"logits": logits, "logprob": lp, "entropy": ent}
    if cfg.value_head:
        out["value"] = hf @ p["value.w"] + p["value.b"][0]
    cache.update(hf=hf, lnf=lnf, logp=logp, probs=probs, ent=ent, xL=x)
    return out, cache


def backward(cfg, flat, tokens, targets, temperature, cache, d_lp, d_ent, d_val):
    """Gradient of L = sum(d_lp*logprob + d_ent*entropy + d_val*value) w.r.t. the flat parameters."""
    p = unflatten(cfg, flat)
    g = {name: np.zeros(shape) for name, shape in layout(cfg)}
    b_, t_ = tokens.shape
    c, h = cfg.width, cfg.heads
    hs = c // h
    probs, logp, ent = cache["probs"], cache["logp"], cache["ent"]
    onehot = np.zeros_like(probs)
    np.put_along_axis(onehot, targets[..., None], 1.0, -1)
    ds = d_lp[..., None] * (onehot - probs) - d_ent[..., None] * probs * (logp + ent[..., None])
    dlogits = ds / temperature
    hf = cache["hf"]
    g["wte"] += np.einsum("btv,btc->vc", dlogits, hf)
    dhf = dlogits @ p["wte"]
    if cfg.value_head:
        g["value.w"] += np.einsum("bt,btc->c", d_val, hf)
        g["value.b"] += d_val.sum()
        dhf += d_val[..., None] * p["value.w"]
    dx, g["lnf.g"], g["lnf.b"] = layernorm_backward(dhf, p["lnf.g"], cache["lnf"])
    for l in reversed(range(cfg.layers)):
        q = f"h{l}."
        k = cache["layers"][l]
        # MLP
        g[q + "mlp.proj.w"] += np.einsum("btf,btc->fc", k["act"], dx)
        g[q + "mlp.proj.b"] += dx.sum((0, 1))
        dpre = gelu_backward(dx @ p[q + "mlp.proj.w"].T, k["pre"])
        g[q + "mlp.fc.w"] += np.einsum("btc,btf->cf", k["m"], dpre)
        g[q + "mlp.fc.b"] += dpre.sum((0, 1))
        dm = dpre @ p[q + "mlp.fc.w"].T
        dx2_ln, g[q + "ln2.g"], g[q + "ln2.b"] = layernorm_backward(dm, p[q + "ln2.g"], k["ln2"])
        dx2 = dx + dx2_ln
        # attention
        g[q + "attn.proj.w"] += np.einsum("btc,btd->cd", k["y"], dx2)
        g[q + "attn.proj.b"] += dx2.sum((0, 1))
        dy = (dx2 @ p[q + "attn.proj.w"].T).reshape(b_, t_, h, hs).transpose(0, 2, 1, 3)
        dprobs = dy @ k["vh"].transpose(0, 1, 3, 2)
        dvh = k["probs"].transpose(0, 1, 3, 2) @ dy
        dscores = k["probs"] * (dprobs - (dprobs * k["probs"]).sum(-1, keepdims=True)) / math.sqrt(hs)
        dqh = dscores @ k["kh"]
        dkh = dscores.transpose(0, 1, 3, 2) @ k["qh"]
        merge = lambda z: z.transpose(0, 2, 1, 3).reshape(b_, t_, c)
        dqkv = np.concatenate([merge(dqh), merge(dkh), merge(dvh)], -1)
        g[q + "attn.qkv.w"] += np.einsum("btc,btf->cf", k["a"], dqkv)
        g[q + "attn.qkv.b"] += dqkv.sum((0, 1))
        da = dqkv @ p[q + "attn.qkv.w"].T
        dx_ln, g[q + "ln1.g"], g[q + "ln1.b"] = layernorm_backward(da, p[q + "ln1.g"], k["ln1"])
        dx = dx2 + dx_ln
    np.add.at(g["wte"], tokens.reshape(-1), dx.reshape(-1, c))
    g["wpe"][:t_] += dx.sum(0)
    return flatten(cfg, g)


def loss_value(cfg, flat, tokens, targets, temperature, d_lp, d_ent, d_val):
    out, _ = forward(cfg, flat, tokens, targets, temperature)
    total = (d_lp * out["logprob"]).sum() + (d_ent * out["entropy"]).sum()
    if cfg.value_head:
        total += (d_val * out["value"]).sum()
    return total


# ----------------------------------------------------------------------------- optimizer

def decay_mask(cfg: Config) -> np.ndarray:
    """1 for the matrices of the blocks (and the value head weight), 0 for embeddings, norms, biases."""
    parts = []
    for name, shape in layout(cfg):
        decays = name.endswith(".w") and name not in ("value.b",)
        parts.append(np.full(int(np.prod(shape)), 1.0 if decays else 0.0))
    return np.concatenate(parts)


def clip_grad(grad: np.ndarray, max_norm: float) -> tuple[np.ndarray, float]:
    norm = float(np.sqrt((grad.astype(np.float64) ** 2).sum()))
    if max_norm > 0 and norm > max_norm:
        grad = grad * (max_norm / (norm + 1e-6))
    return grad, norm


def adamw_step(params, grad, m, v, step, lr, beta1, beta2, eps, wd, mask):
    """PyTorch AdamW order: decoupled decay first, then the bias-corrected Adam update. step is 1-based."""
    params = params * (1.0 - lr * wd * mask)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    mhat = m / (1 - beta1 ** step)
    vhat = v / (1 - beta2 ** step)
    params = params - lr * mhat / (np.sqrt(vhat) + eps)
    return params, m, v
