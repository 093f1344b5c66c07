"""Question 7: the gradient vector.

∇C is one number per weight and bias: how much the cost changes per unit nudge of each. Its size
per layer says where learning happens; its largest entries say which few weights matter most for
this batch; the first layer's part, one 28x28 picture per unit, shows which pixels' weights it
wants to move and which way. And the claim that −∇C is the steepest way down is checked by
measurement: a small step along −∇C against a random step of the same length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network
from .features import Result, check_inputs


@dataclass
class GradientReport(Result):
    n_examples: int
    layer_weight_norms: np.ndarray  # ‖∂C/∂W‖ per layer (1..L)
    layer_bias_norms: np.ndarray  # ‖∂C/∂b‖ per layer
    layer_rms: np.ndarray  # root-mean-square gradient per weight, per layer (norms grow with size)
    norm: float  # ‖∇C‖ over everything
    top: list  # the k largest |∂C/∂w|: dicts layer, to, from, weight, gradient, move
    first_layer: np.ndarray  # (units, 28, 28) ∂C/∂W of the first layer, one picture per unit
    step: float  # length of the test step in parameter space
    cost: float  # C at θ
    cost_after_gradient_step: float  # C(θ − step·∇C/‖∇C‖)
    cost_after_random_step: float  # C(θ + step·r), r random of length 1 (mean over `trials`)
    random_changes: np.ndarray  # each random trial's change in cost
    predicted_change: float  # first-order prediction for the gradient step: −step·‖∇C‖


def gradient_report(net: Network, x, labels, k: int = 10, step: float | None = None, trials: int = 5,
                    seed: int = 0, grads=None) -> GradientReport:
    """The gradient of the average cost over (x, labels), and what a step along −∇C does to the cost.

    `grads`: the (grad_w, grad_b) that `net.backprop(x, labels)` gives, if the caller already has them."""
    x, labels = check_inputs(net, x, labels)
    if k < 1 or trials < 1:
        raise ConfigError("k and trials must be at least 1")
    grad_w, grad_b = net.backprop(x, labels) if grads is None else grads
    grads = [np.asarray(g, dtype=np.float64) for gb in zip(grad_w, grad_b) for g in gb]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if norm == 0:
        raise ConfigError("the gradient is exactly 0 on this data: nothing to show")
    # The k largest |∂C/∂w| over all weights (not biases): flatten every layer into one list.
    flat = np.concatenate([g.ravel() for g in grad_w]).astype(np.float64)
    k = min(k, flat.size)
    idx = np.argpartition(-np.abs(flat), k - 1)[:k]
    idx = idx[np.argsort(-np.abs(flat[idx]))]
    offsets = np.cumsum([0] + [g.size for g in grad_w])
    top = []
    for i in idx:
        l = int(np.searchsorted(offsets, i, side="right") - 1)
        to, frm = np.unravel_index(i - offsets[l], grad_w[l].shape)
        top.append({"layer": l + 1, "to": int(to), "from": int(frm), "weight": float(net.weights[l][to, frm]),
                    "gradient": float(flat[i]), "move": "decrease" if flat[i] > 0 else "increase"})
    # The test step: short enough that the first-order picture holds (1 % of the weights' length).
    theta_norm = float(np.sqrt(sum(np.sum(p.astype(np.float64) ** 2) for p in net.parameters())))
    step = 0.01 * theta_norm if step is None else float(step)
    if not step > 0:
        raise ConfigError(f"step {step} must be greater than 0")
    cost = net.cost(x, labels)
    down = _cost_after(net, x, labels, [-g / norm for g in grads], step)
    rng = np.random.default_rng(seed)
    changes = []
    for _ in range(trials):
        r = [rng.standard_normal(g.shape) for g in grads]
        r_norm = np.sqrt(sum(np.sum(p * p) for p in r))
        changes.append(_cost_after(net, x, labels, [p / r_norm for p in r], step) - cost)
    changes = np.array(changes)
    first = np.asarray(grad_w[0], dtype=np.float64)
    first = first.reshape(len(first), 28, 28) if first.shape[1] == 784 else first
    sizes = [g.size for g in grad_w]
    return GradientReport(len(x), np.array([np.linalg.norm(g) for g in grad_w]),
                          np.array([np.linalg.norm(g) for g in grad_b]),
                          np.array([np.linalg.norm(g) / np.sqrt(n) for g, n in zip(grad_w, sizes)]), norm, top,
                          first, step, cost, down, float(cost + changes.mean()), changes, -step * norm)


def _cost_after(net, x, labels, unit_direction, step):
    moved = net.copy()
    for p, d in zip(moved.parameters(), unit_direction):
        p += (step * d).astype(p.dtype)
    return moved.cost(x, labels)
