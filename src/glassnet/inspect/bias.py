"""Question 3: the bias as a threshold.

A unit computes σ(w·a + b). The bias b moves the point where the unit switches on: it is active
(σ > 0.5) exactly when the weighted sum w·a is above −b. We measure it on data: on what share of
the images is the unit active with its bias, and with the bias set to 0 (a copy of the network,
the rest untouched)? And how does the network's accuracy change without it?
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network
from .features import Result, active_threshold, check_inputs, check_unit


@dataclass
class BiasReport(Result):
    layer: int
    unit: int
    bias: float
    threshold: float  # the unit is active when its weighted sum w·a exceeds −bias
    active_level: float  # "active" means activation above this (f(0): 0.5 for the sigmoid)
    active_with_bias: float  # share of the data on which the unit is active
    active_without_bias: float
    mean_activation_with_bias: float
    mean_activation_without_bias: float
    accuracy_with_bias: float | None  # the whole network's accuracy (when labels are given)
    accuracy_without_bias: float | None
    curve_s: np.ndarray  # weighted sum w·a (no bias) ...
    curve_with_bias: np.ndarray  # ... against f(w·a + b)
    curve_without_bias: np.ndarray  # ... against f(w·a)
    s_edges: np.ndarray  # histogram of the weighted sums w·a the unit really gets
    s_counts: np.ndarray


def bias_report(net: Network, x, layer: int, unit: int, labels=None) -> BiasReport:
    """Active share, mean activation (and accuracy) of one unit with its bias and with the bias set to 0."""
    l = check_unit(net, layer, unit)
    x, labels = check_inputs(net, x, labels) if labels is not None else (check_inputs(net, x), None)
    no_bias = net.copy()
    no_bias.biases[l][unit] = 0
    b = float(net.biases[l][unit])
    with_trace, without_trace = net.forward(x), no_bias.forward(x)
    a_with = with_trace.activations[l + 1][:, unit].astype(np.float64)
    a_without = without_trace.activations[l + 1][:, unit].astype(np.float64)
    s = without_trace.zs[l][:, unit].astype(np.float64)  # with the bias at 0, z is the bare weighted sum
    level = active_threshold(net, layer)
    reach = max(6.0, abs(b) + 3.0, float(np.abs(s).max()) * 1.05)
    curve_s = np.linspace(-reach, reach, 401)
    # The unit's own activation function applied to the grid, by running the layer's f through
    # the copy: f(s + b) and f(s). (For the output layer the network uses the sigmoid.)
    f = net.f if l < len(net.weights) - 1 else (lambda z: 0.5 * np.tanh(0.5 * z) + 0.5)
    s_counts, s_edges = np.histogram(s, bins=50)
    acc_with = acc_without = None
    if labels is not None:
        acc_with, acc_without = net.accuracy(x, labels), no_bias.accuracy(x, labels)
    return BiasReport(layer, unit, b, -b, level, float(np.mean(a_with > level)), float(np.mean(a_without > level)),
                      float(a_with.mean()), float(a_without.mean()), acc_with, acc_without, curve_s,
                      np.asarray(f(curve_s + b), dtype=np.float64), np.asarray(f(curve_s), dtype=np.float64),
                      s_edges, s_counts)
