"""Question 5: the cost is one function of all the parameters.

C(θ) = the average cost over a data set, where θ is every weight and bias (13,002 numbers for
784-16-16-10). Nobody can draw 13,002 dimensions, but we can walk along a line (or a plane)
through the trained θ and evaluate the real C at each point: θ + α·d (+ β·e).

Directions:
- "random", filter-normalised (Li et al., 2018): random numbers for each unit's incoming
  weights, rescaled to the length of that unit's real weights, so α = 1 means "a change as big
  as the weights themselves" in every layer alike. Biases stay put (direction 0 for them).
- "gradient": −∇C (downhill), scaled to the same total length as a filter-normalised direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network
from .features import Result, check_inputs

DIRECTIONS = ("random", "gradient")


def random_direction(net: Network, rng) -> list:
    """A filter-normalised random direction, one array per parameter (W0, b0, W1, b1, ...)."""
    d = []
    for w, b in zip(net.weights, net.biases):
        r = rng.standard_normal(w.shape)
        r *= np.linalg.norm(w, axis=1, keepdims=True) / np.maximum(np.linalg.norm(r, axis=1, keepdims=True), 1e-12)
        d += [r, np.zeros(b.shape)]
    return d


def gradient_direction(net: Network, x, labels) -> list:
    """−∇C, scaled to the length of all the weights (the length of a filter-normalised direction)."""
    grad_w, grad_b = net.backprop(x, labels)
    g = [-np.asarray(p, dtype=np.float64) for wb in zip(grad_w, grad_b) for p in wb]
    length = np.sqrt(sum(float(np.sum(p * p)) for p in g))
    if length == 0:
        raise ConfigError("the gradient is exactly 0 here: there is no downhill direction to follow")
    target = np.sqrt(sum(float(np.sum(w.astype(np.float64) ** 2)) for w in net.weights))
    return [p * (target / length) for p in g]


def make_direction(net, x, labels, kind: str, rng) -> list:
    if kind not in DIRECTIONS:
        raise ConfigError(f"unknown direction {kind!r}: choose random or gradient")
    return random_direction(net, rng) if kind == "random" else gradient_direction(net, x, labels)


def cost_along(net: Network, x, labels, steps: list[tuple[float, list]]) -> float:
    """C(θ + Σ α_i d_i), evaluated by the network itself on a moved copy."""
    moved = net.copy()
    for p_new, p in zip(moved.parameters(), net.parameters()):
        p_new[...] = p
    for alpha, d in steps:
        for p_new, dp in zip(moved.parameters(), d):
            p_new += (alpha * dp).astype(p_new.dtype)
    return moved.cost(x, labels)


@dataclass
class CostSlice1D(Result):
    direction: str
    alphas: np.ndarray
    costs: np.ndarray
    cost_at_zero: float  # the trained θ
    lowest_alpha: float  # where on this line the cost is lowest
    lowest_cost: float
    direction_norm: float


def cost_slice_1d(net: Network, x, labels, direction: str = "random", span: float = 1.0, points: int = 41,
                  seed: int = 0) -> CostSlice1D:
    """The cost at θ + α·d for α from −span to +span."""
    x, labels = check_inputs(net, x, labels)
    if points < 3 or not span > 0:
        raise ConfigError("points must be at least 3 and span greater than 0")
    kind = direction
    d = make_direction(net, x, labels, kind, np.random.default_rng(seed))
    alphas = np.linspace(-span, span, points)
    costs = np.array([cost_along(net, x, labels, [(a, d)]) for a in alphas])
    i = int(np.nanargmin(costs))
    norm = float(np.sqrt(sum(float(np.sum(p * p)) for p in d)))
    return CostSlice1D(kind, alphas, costs, net.cost(x, labels), float(alphas[i]), float(costs[i]), norm)


@dataclass
class CostSlice2D(Result):
    directions: list  # the two kinds, e.g. ["random", "random"] or ["gradient", "random"]
    alphas: np.ndarray
    betas: np.ndarray
    costs: np.ndarray  # (len(betas), len(alphas)): costs[i, j] at θ + alphas[j]·d + betas[i]·e
    cost_at_zero: float
    lowest_cost: float


def cost_slice_2d(net: Network, x, labels, span: float = 1.0, points: int = 21, seed: int = 0,
                  directions: tuple[str, str] = ("random", "random")) -> CostSlice2D:
    """The cost on the plane θ + α·d + β·e through the trained θ (a contour map of the valley)."""
    x, labels = check_inputs(net, x, labels)
    if points < 3 or not span > 0:
        raise ConfigError("points must be at least 3 and span greater than 0")
    rng = np.random.default_rng(seed)
    d, e = (make_direction(net, x, labels, kind, rng) for kind in directions)
    grid = np.linspace(-span, span, points)
    costs = np.array([[cost_along(net, x, labels, [(a, d), (b, e)]) for a in grid] for b in grid])
    return CostSlice2D(list(directions), grid, grid.copy(), costs, net.cost(x, labels), float(np.nanmin(costs)))
