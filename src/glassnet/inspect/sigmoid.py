"""Question 2: what does the sigmoid do to a layer's weighted inputs?

A layer's weighted inputs z = W·a + b can be any real number; σ(z) squashes them into 0..1. We
take the z that really reach the layer on a data set and show where they fall on the curve: how
wide the range of z is, how narrow 0..1 makes it, and how many units sit "saturated" on the flat
ends, where σ'(z) is nearly 0 and learning through that unit stalls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network, sigmoid
from .features import Result, check_inputs, check_layer

SATURATED = 0.02  # an activation within 2 % of 0 or 1 (|z| > 3.9 for the sigmoid) counts as saturated


@dataclass
class SigmoidReport(Result):
    layer: int
    activation: str  # the function this layer applies
    n_examples: int
    z_edges: np.ndarray  # histogram of every z of the layer over the data
    z_counts: np.ndarray
    a_edges: np.ndarray  # histogram of the activations f(z)
    a_counts: np.ndarray
    curve_z: np.ndarray  # the function itself, over the range of z seen
    curve_a: np.ndarray
    z_min: float
    z_max: float
    z_percentiles: np.ndarray  # 1, 50, 99 %
    a_min: float
    a_max: float
    saturated_fraction: float  # share of all (example, unit) pairs on a flat end
    saturated_low: float
    saturated_high: float
    unit_saturated: np.ndarray  # per unit: share of examples on which it is saturated
    always_saturated_units: np.ndarray  # units saturated on more than 95 % of the examples
    z_sample: np.ndarray  # up to 2,000 (z, a) pairs to scatter on the curve
    a_sample: np.ndarray


def sigmoid_report(net: Network, x, layer: int = 1, bins: int = 60) -> SigmoidReport:
    """Histogram the weighted inputs z and activations of a layer over the data x."""
    l = check_layer(net, layer)
    x = check_inputs(net, x)
    last = l == len(net.weights) - 1
    if last and net.output == "softmax":
        raise ConfigError("the softmax output layer is not a function of one z; pick a hidden layer")
    name = "sigmoid" if last else net.activation
    f = sigmoid if last else net.f
    trace = net.forward(x)
    z, a = trace.zs[l].astype(np.float64), trace.activations[l + 1].astype(np.float64)
    if name == "sigmoid":
        low, high = a < SATURATED, a > 1 - SATURATED
    elif name == "tanh":
        low, high = a < -1 + 2 * SATURATED, a > 1 - 2 * SATURATED
    else:  # ReLU has no upper flat end; "saturated" means switched off (slope 0)
        low, high = a <= 0, np.zeros_like(a, dtype=bool)
    sat = low | high
    z_counts, z_edges = np.histogram(z, bins=bins)
    a_range = (0.0, 1.0) if name == "sigmoid" else (-1.0, 1.0) if name == "tanh" else (0.0, max(a.max(), 1e-9))
    a_counts, a_edges = np.histogram(a, bins=bins, range=a_range)
    reach = max(6.0, float(np.abs(z).max()) * 1.05)
    curve_z = np.linspace(-reach, reach, 401)
    rng = np.random.default_rng(0)
    pick = rng.choice(z.size, size=min(2000, z.size), replace=False)
    unit_sat = sat.mean(axis=0)
    return SigmoidReport(layer, name, len(x), z_edges, z_counts, a_edges, a_counts, curve_z,
                         np.asarray(f(curve_z), dtype=np.float64), float(z.min()), float(z.max()),
                         np.percentile(z, [1, 50, 99]), float(a.min()), float(a.max()), float(sat.mean()),
                         float(low.mean()), float(high.mean()), unit_sat, np.flatnonzero(unit_sat > 0.95),
                         z.ravel()[pick], a.ravel()[pick])
