"""Question 1: what does a hidden unit detect?

Four ways to look at one unit, all computed from the network:
- its incoming weights (for the first hidden layer: one per pixel, a 28x28 picture);
- the data images that excite it most and least;
- an input built by gradient ascent to excite it as much as possible (activation maximisation),
  kept to the pixel range 0..1 and to the ink of a typical digit so it cannot cheat by glowing;
- for one input image, which units of every layer fire.

Also home of the small checks every inspect module shares (layer/unit numbers, data shapes), so
every function answers a wrong index with the same one-line ConfigError.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network
from ..plain import plain

# ----------------------------------------------------------------------------------------------
# Shared checks. Layers are numbered as a learner counts them: 1 = first hidden layer, L = output.


def check_layer(net: Network, layer: int) -> int:
    """Learner's layer number -> index into net.weights, or a one-line error."""
    n = len(net.weights)
    if not isinstance(layer, (int, np.integer)) or not 1 <= layer <= n:
        raise ConfigError(f"layer {layer} does not exist: this network has layers 1..{n} "
                          f"(1 = first hidden layer, {n} = output layer)")
    return int(layer) - 1


def check_unit(net: Network, layer: int, unit: int) -> int:
    """Index of a unit in a layer (0-based), or a one-line error."""
    l = check_layer(net, layer)
    units = net.sizes[l + 1]
    if not isinstance(unit, (int, np.integer)) or not 0 <= unit < units:
        raise ConfigError(f"unit {unit} does not exist: layer {layer} has units 0..{units - 1}")
    return l


def check_inputs(net: Network, x, labels=None):
    """Data as the network's dtype, shape (N, inputs); labels checked against the outputs."""
    x = np.asarray(x)
    if x.ndim == 1 or (x.ndim == 2 and x.shape == (28, 28) and net.sizes[0] == 784):
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != net.sizes[0]:
        raise ConfigError(f"the data has shape {x.shape} but the network takes {net.sizes[0]} inputs per example")
    if len(x) == 0:
        raise ConfigError("no data: at least one example is needed")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(x),):
            raise ConfigError(f"{len(labels)} labels for {len(x)} examples")
        if labels.size and (labels.min() < 0 or labels.max() >= net.sizes[-1]):
            raise ConfigError(f"a label is {int(labels.max())} but the network has only {net.sizes[-1]} outputs")
        return x.astype(net.dtype, copy=False), labels
    return x.astype(net.dtype, copy=False)


def as_picture(values):
    """784 values -> a 28x28 picture; anything else is returned unchanged (no square to draw)."""
    values = np.asarray(values)
    return values.reshape(28, 28) if values.size == 784 else values


def active_threshold(net: Network, layer: int) -> float:
    """A unit counts as "active" when its activation is above f(0): 0.5 for the sigmoid, 0 for tanh/ReLU."""
    l = check_layer(net, layer)
    if l == len(net.weights) - 1:
        return 0.5 if net.output == "sigmoid" else 1.0 / net.sizes[-1]
    return float(net.f(np.zeros(1))[0])


class Result:
    """Mixin: `to_dict()` turns a dataclass of arrays into plain JSON-ready lists and floats."""

    def to_dict(self) -> dict:
        return {name: plain(getattr(self, name)) for name in self.__dataclass_fields__}


# ----------------------------------------------------------------------------------------------
# Incoming weights


@dataclass
class UnitWeights(Result):
    layer: int
    unit: int
    weights: np.ndarray  # (28, 28) for layer 1 on MNIST, else (inputs,)
    bias: float


def unit_weights(net: Network, layer: int, unit: int) -> UnitWeights:
    """The weights into one unit: what pattern of the previous layer's activations it adds up."""
    l = check_unit(net, layer, unit)
    w = net.weights[l][unit].copy()
    return UnitWeights(layer, unit, as_picture(w) if l == 0 else w, float(net.biases[l][unit]))


# ----------------------------------------------------------------------------------------------
# The data that excites it


@dataclass
class TopImages(Result):
    layer: int
    unit: int
    top_indices: np.ndarray  # into x, most exciting first
    top_activations: np.ndarray
    bottom_indices: np.ndarray  # least exciting first
    bottom_activations: np.ndarray
    mean_activation: float
    active_fraction: float  # share of the images on which the unit is active (see active_threshold)


def top_images(net: Network, x, layer: int, unit: int, k: int = 9) -> TopImages:
    """The k images of x on which the unit's activation is highest, and the k where it is lowest."""
    l = check_unit(net, layer, unit)
    x = check_inputs(net, x)
    if k < 1:
        raise ConfigError(f"k {k} must be at least 1")
    a = np.concatenate([net.forward(x[i:i + 8192]).activations[l + 1][:, unit] for i in range(0, len(x), 8192)])
    order = np.argsort(-a, kind="stable")
    k = min(k, len(a))
    top, bottom = order[:k], order[::-1][:k]
    return TopImages(layer, unit, top, a[top], bottom, a[bottom], float(a.mean()),
                     float(np.mean(a > active_threshold(net, layer))))


# ----------------------------------------------------------------------------------------------
# Activation maximisation


def input_gradient(net: Network, x, layer: int, unit: int):
    """∂z/∂x: how the unit's weighted input z changes with each input pixel, for each row of x.

    Backprop (net.backprop) gives ∂C/∂W, the gradient for *learning*; here we need the gradient
    with respect to the *input*, so we run the same chain rule from this one unit back to the
    pixels: start from ∂z/∂z = 1, multiply by the weights, then by f'(z) at each layer below.
    """
    l = check_unit(net, layer, unit)
    trace = net.forward(x)
    grad = np.zeros((len(trace.zs[l]), net.sizes[l + 1]), dtype=trace.zs[l].dtype)
    grad[:, unit] = 1.0
    for k in range(l, -1, -1):
        grad = grad @ net.weights[k]  # ∂z/∂(activations of the layer below)
        if k > 0:
            grad = grad * net.f_prime(trace.zs[k - 1], trace.activations[k])
    return trace, grad


@dataclass
class ActivationMax(Result):
    layer: int
    unit: int
    image: np.ndarray  # (28, 28) on MNIST, pixels in 0..1
    norm: float  # the image's length is kept at most this (the ink budget)
    activation_start: float
    activation_end: float
    z_start: float
    z_end: float
    activations: np.ndarray  # per step, to show the climb
    zs: np.ndarray  # the weighted input z per step (keeps rising after the activation saturates)


def maximize_activation(net: Network, layer: int, unit: int, steps: int = 200, lr: float = 0.05,
                        norm: float = 9.0, seed: int = 0) -> ActivationMax:
    """The input that excites a unit most, found by gradient ascent on its weighted input z.

    Each step moves the picture a length lr·norm along ∂z/∂x, then projects it back onto the
    allowed pictures: pixels in 0..1 (real images cannot be brighter or negative) and length at
    most `norm` (9 ≈ a typical MNIST digit's), so the unit has to choose *where* to put the ink.
    We climb z, not the activation σ(z): σ flattens out when the unit saturates and its slope
    would vanish, while z keeps showing which way is up. For hidden and sigmoid units a higher
    z is a higher activation.
    """
    l = check_unit(net, layer, unit)
    if steps < 1 or not lr > 0 or not norm > 0:
        raise ConfigError("steps must be at least 1 and lr and norm greater than 0")
    rng = np.random.default_rng(seed)
    x = np.full((1, net.sizes[0]), 0.05, dtype=np.float64) + rng.uniform(0, 0.02, (1, net.sizes[0]))
    x = _project(x, norm)
    net64 = net.copy(np.float64)
    first = net64.forward(x)
    z0, a0 = float(first.zs[l][0, unit]), float(first.activations[l + 1][0, unit])
    history, zs = [], []
    for _ in range(steps):
        trace, g = input_gradient(net64, x, layer, unit)
        history.append(float(trace.activations[l + 1][0, unit]))
        zs.append(float(trace.zs[l][0, unit]))
        length = np.linalg.norm(g)
        if length == 0:
            break
        x = _project(x + lr * norm * g / length, norm)
    last = net64.forward(x)
    history.append(float(last.activations[l + 1][0, unit]))
    zs.append(float(last.zs[l][0, unit]))
    return ActivationMax(layer, unit, as_picture(x[0]), float(norm), a0, history[-1], z0, zs[-1],
                         np.array(history), np.array(zs))


def _project(x, norm):
    """Back onto the allowed inputs: pixels clipped to 0..1, then shrunk if longer than `norm`."""
    x = np.clip(x, 0.0, 1.0)
    length = np.linalg.norm(x)
    return x * (norm / length) if length > norm else x


# ----------------------------------------------------------------------------------------------
# Which units fire for one image


@dataclass
class LayerActivations(Result):
    input: np.ndarray  # (28, 28)
    activations: list  # one array per layer 1..L
    active: list  # per layer, indices of the active units
    prediction: int
    probabilities: np.ndarray


def layer_activations(net: Network, x_one) -> LayerActivations:
    """Feed one image forward and keep what every layer does with it."""
    x = check_inputs(net, x_one)
    if len(x) != 1:
        raise ConfigError(f"one image expected, got {len(x)}")
    trace = net.forward(x)
    acts = [a[0].copy() for a in trace.activations[1:]]
    active = [np.flatnonzero(a > active_threshold(net, l + 1)) for l, a in enumerate(acts)]
    return LayerActivations(as_picture(x[0]), acts, active, int(np.argmax(acts[-1])), net.predict_proba(x)[0])
