"""Writes the LightningModel test fixtures from the NumPy reference.

    python3 Tools/reference/make_fixtures.py [output-dir]

Default output: Tests/LightningModelTests/Fixtures. Everything is seeded, so rerunning reproduces the
committed files byte for byte. Before writing, the float64 reference backward pass is checked against
central finite differences (it must agree to 1e-5 of (1e-4 + |gradient|)), so the fixtures are an independent check
of the Swift gradients, not a copy of their derivation.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt_reference as ref  # noqa: E402
from fixture_io import write_fixture  # noqa: E402

CFG = ref.Config(layers=2, heads=2, width=16, context=16, vocab=263, value_head=True)
B, T = 3, 10
LENGTHS = np.array([10, 7, 4], dtype=np.int32)


def random_params(cfg: ref.Config, rng: np.random.Generator) -> np.ndarray:
    """Non-trivial weights (not the training init) so every path carries signal; rounded to float32."""
    tensors = {}
    for name, shape in ref.layout(cfg):
        if name.endswith(".g"):
            t = 1.0 + 0.1 * rng.standard_normal(shape)
        elif name.endswith(".b"):
            t = 0.05 * rng.standard_normal(shape)
        else:
            t = 0.1 * rng.standard_normal(shape)
        tensors[name] = t
    return ref.flatten(cfg, tensors).astype(np.float32).astype(np.float64)


def valid_mask(lengths: np.ndarray, t: int) -> np.ndarray:
    return (np.arange(t)[None, :] < lengths[:, None]).astype(np.float64)


def finite_difference_check(cfg, flat, tokens, targets, temp, d_lp, d_ent, d_val, grad, rng) -> float:
    """Worst |fd - grad| / (1e-4 + |grad|) over 300 random parameters (central differences, h = 1e-5)."""
    worst = 0.0
    for i in rng.choice(flat.size, size=300, replace=False):
        e = np.zeros_like(flat)
        e[i] = 1e-5
        up = ref.loss_value(cfg, flat + e, tokens, targets, temp, d_lp, d_ent, d_val)
        down = ref.loss_value(cfg, flat - e, tokens, targets, temp, d_lp, d_ent, d_val)
        fd = (up - down) / 2e-5
        worst = max(worst, abs(fd - grad[i]) / (1e-4 + abs(grad[i])))
    return worst


def gradient_fixture(out_dir: str) -> None:
    rng = np.random.default_rng(1234)
    flat = random_params(CFG, rng)
    tokens = rng.integers(0, CFG.vocab, size=(B, T))
    targets = rng.integers(0, CFG.vocab, size=(B, T))
    temp = 0.8
    mask = valid_mask(LENGTHS, T)
    d_lp = rng.standard_normal((B, T)) * mask
    d_ent = 0.5 * rng.standard_normal((B, T)) * mask
    d_val = rng.standard_normal((B, T)) * mask
    out, cache = ref.forward(CFG, flat, tokens, targets, temp)
    grad = ref.backward(CFG, flat, tokens, targets, temp, cache, d_lp, d_ent, d_val)
    worst = finite_difference_check(CFG, flat, tokens, targets, temp, d_lp, d_ent, d_val, grad, rng)
    print(f"reference backward vs finite differences: worst error {worst:.2e}")
    assert worst < 1e-5, worst
    meta = {"config": CFG.as_dict(), "temperature": temp, "batch": B, "time": T}
    write_fixture(os.path.join(out_dir, "gpt_gradients.bin"), meta, {
        "params": flat, "tokens": tokens, "targets": targets, "lengths": LENGTHS,
        "logits": out["logits"], "logprob": out["logprob"], "entropy": out["entropy"],
        "value": out["value"], "d_logprob": d_lp, "d_entropy": d_ent, "d_value": d_val, "grad": grad,
    })


def adamw_fixture(out_dir: str) -> None:
    """Three SFT steps (mean cross-entropy over valid positions) with clipping and AdamW."""
    cfg = ref.Config(layers=2, heads=2, width=16, context=16, vocab=263, value_head=False)
    rng = np.random.default_rng(99)
    flat = random_params(cfg, rng)
    initial = flat.copy()
    tokens = rng.integers(0, cfg.vocab, size=(B, T))
    targets = np.roll(tokens, -1, axis=1)
    mask = valid_mask(LENGTHS, T)
    d_lp = -mask / mask.sum()
    zeros = np.zeros((B, T))
    hyper = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weightDecay": 0.1, "maxNorm": 1.0}
    m, v = np.zeros_like(flat), np.zeros_like(flat)
    decay = ref.decay_mask(cfg)
    losses, norms = [], []
    for step in range(1, 4):
        out, cache = ref.forward(cfg, flat, tokens, targets, 1.0)
        losses.append(-(out["logprob"] * mask).sum() / mask.sum())
        grad = ref.backward(cfg, flat, tokens, targets, 1.0, cache, d_lp, zeros, zeros)
        grad, norm = ref.clip_grad(grad, hyper["maxNorm"])
        norms.append(norm)
        flat, m, v = ref.adamw_step(flat, grad, m, v, step, hyper["lr"], hyper["beta1"], hyper["beta2"],
                                    hyper["eps"], hyper["weightDecay"], decay)
    out, _ = ref.forward(cfg, flat, tokens, targets, 1.0)
    losses.append(-(out["logprob"] * mask).sum() / mask.sum())
    print("adamw losses", [f"{x:.6f}" for x in losses], "grad norms", [f"{x:.4f}" for x in norms])
    meta = {"config": cfg.as_dict(), "batch": B, "time": T, "hyper": hyper}
    write_fixture(os.path.join(out_dir, "gpt_adamw.bin"), meta, {
        "params": initial, "tokens": tokens, "targets": targets,
        "lengths": LENGTHS, "losses": np.array(losses), "grad_norms": np.array(norms), "final_params": flat,
    })


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "Tests", "LightningModelTests", "Fixtures")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else default
    os.makedirs(out_dir, exist_ok=True)
    gradient_fixture(out_dir)
    adamw_fixture(out_dir)


if __name__ == "__main__":
    main()
