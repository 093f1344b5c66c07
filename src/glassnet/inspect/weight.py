"""Question 6: one weight.

Hold every parameter fixed except one weight w, and the cost becomes an ordinary function of one
number, C(w), that can be drawn as a curve. Its slope at the current value is ∂C/∂w, the number
backpropagation computes for that weight; we check it against a finite difference
(C(w+h) − C(w−h)) / 2h. A positive slope says "decrease w", a negative one "increase w".

Gradient descent on that single curve, w ← w − η·C'(w), shows what the learning rate does:
too small crawls, a good one settles, a too-large one jumps over the valley floor (overshoots),
and a rate that decays with the steps settles even when it starts too large.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network
from .features import Result, check_inputs, check_unit


def check_weight(net: Network, layer: int, to: int, frm: int) -> int:
    """layer (1..L), to (unit of that layer), frm (unit of the layer below, or pixel) -> weights index."""
    l = check_unit(net, layer, to)
    n_in = net.sizes[l]
    if not isinstance(frm, (int, np.integer)) or not 0 <= frm < n_in:
        what = "pixels" if l == 0 else f"units of layer {layer - 1}"
        raise ConfigError(f"FROM {frm} does not exist: layer {layer} takes inputs 0..{n_in - 1} ({what})")
    return l


class _OneWeight:
    """A float64 copy of the network in which only W[l][to, frm] moves."""

    def __init__(self, net: Network, x, labels, layer: int, to: int, frm: int):
        self.l = check_weight(net, layer, to, frm)
        self.x, self.labels = check_inputs(net, x, labels)
        self.x = self.x.astype(np.float64)
        self.net = net.copy(np.float64)  # float64: finite differences need the extra digits
        self.to, self.frm = to, frm
        self.current = float(self.net.weights[self.l][to, frm])

    def cost(self, value: float) -> float:
        self.net.weights[self.l][self.to, self.frm] = value
        return self.net.cost(self.x, self.labels)

    def derivative(self, value: float) -> float:
        """∂C/∂w at this value, by backpropagation."""
        self.net.weights[self.l][self.to, self.frm] = value
        grad_w, _ = self.net.backprop(self.x, self.labels)
        return float(grad_w[self.l][self.to, self.frm])

    def restore(self):
        self.net.weights[self.l][self.to, self.frm] = self.current


@dataclass
class WeightCurve(Result):
    layer: int
    to: int
    frm: int
    values: np.ndarray  # weight values along the curve
    costs: np.ndarray  # C at each value, all else fixed
    current: float
    cost_at_current: float
    derivative: float  # backprop's ∂C/∂w at the current value
    finite_difference: float  # (C(w+h) − C(w−h)) / 2h
    h: float
    relative_error: float  # |backprop − finite difference| / max(|both|)
    direction: str  # "decrease", "increase" (or "stay" when the slope is exactly 0)
    curvature: float  # C''(w) near the bottom of the curve, by finite differences
    lowest_value: float  # where on the drawn curve the cost is lowest
    lowest_cost: float


def weight_curve(net: Network, x, labels, layer: int, to: int, frm: int, span: float | None = None,
                 points: int = 81, h: float = 1e-4) -> WeightCurve:
    """C as a function of the one weight from unit/pixel `frm` into unit `to` of `layer`."""
    one = _OneWeight(net, x, labels, layer, to, frm)
    if points < 3:
        raise ConfigError(f"points {points} must be at least 3")
    w = one.current
    span = float(span) if span is not None else max(4.0, 3 * abs(w))
    if not span > 0:
        raise ConfigError(f"span {span} must be greater than 0")
    values = np.linspace(w - span, w + span, points)
    costs = np.array([one.cost(v) for v in values])
    cost_now = one.cost(w)
    derivative = one.derivative(w)
    fd = (one.cost(w + h) - one.cost(w - h)) / (2 * h)
    i = int(np.argmin(costs))
    curvature = _curvature(one, values[i], (values[1] - values[0]))
    one.restore()
    scale = max(abs(derivative), abs(fd), 1e-300)
    direction = "decrease" if derivative > 0 else "increase" if derivative < 0 else "stay"
    return WeightCurve(layer, to, frm, values, costs, w, cost_now, derivative, fd, h,
                       abs(derivative - fd) / scale, direction, curvature, float(values[i]), float(costs[i]))


def _curvature(one: _OneWeight, at: float, step: float) -> float:
    c = [one.cost(at + k * step) for k in (-1, 0, 1)]
    return (c[0] - 2 * c[1] + c[2]) / step ** 2


@dataclass
class DescentPath(Result):
    lr: float
    decay: float
    values: np.ndarray  # w after 0, 1, 2, ... steps
    costs: np.ndarray
    derivatives: np.ndarray  # ∂C/∂w (backprop) at each value
    lrs: np.ndarray  # the rate used for each step
    converged: bool  # the slope shrank below 5 % of its start without the cost rising (a valley floor, or a flat end)
    overshoots: bool  # some step jumped past the bottom (the slope changed sign)
    diverged: bool  # the cost ended higher than it started


def descent_path(net: Network, x, labels, layer: int, to: int, frm: int, lr: float, steps: int = 12,
                 decay: float = 0.0, start: float | None = None) -> DescentPath:
    """Gradient descent on this one weight: w ← w − η_t·∂C/∂w, with η_t = lr / (1 + decay·t)."""
    one = _OneWeight(net, x, labels, layer, to, frm)
    if not lr > 0 or steps < 1 or decay < 0:
        raise ConfigError("lr must be greater than 0, steps at least 1 and decay at least 0")
    w = one.current if start is None else float(start)
    values, costs, grads, lrs = [w], [one.cost(w)], [one.derivative(w)], []
    for t in range(steps):
        rate = lr / (1 + decay * t)
        w = w - rate * grads[-1]
        if not np.isfinite(w) or abs(w) > 1e6:
            break
        lrs.append(rate)
        values.append(w)
        costs.append(one.cost(w))
        grads.append(one.derivative(w))
    one.restore()
    g = np.array(grads)
    overshoots = bool(np.any(np.sign(g[1:]) * np.sign(g[:-1]) < 0))
    converged = bool(abs(g[-1]) < 0.05 * max(abs(g[0]), 1e-12) and costs[-1] <= costs[0])
    return DescentPath(float(lr), float(decay), np.array(values), np.array(costs), g, np.array(lrs), converged,
                       overshoots, bool(costs[-1] > costs[0]))


def suggested_rates(curve: WeightCurve) -> dict:
    """Learning rates for this weight, from the curvature at the valley floor: for a parabola of
    curvature k, η = 1/k lands on the bottom in one step, η > 2/k makes every step overshoot further."""
    k = curve.curvature
    if not k > 0:
        raise ConfigError(f"the cost does not curve upward along weight {curve.layer}:{curve.to}<-{curve.frm} "
                          "(it is flat or concave here): no learning rate can be suggested")
    return {"small": 0.1 / k, "good": 0.7 / k, "too large": 2.2 / k}
