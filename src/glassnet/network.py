"""The network: layers of units, weights and biases, a forward pass, a cost, and backpropagation.

This is the whole lesson of 3Blue1Brown's series and Nielsen's book on one page.

Conventions (the same as the video and the book):
- ``weights[l]`` has shape (units in layer l+1, units in layer l): row j holds the weights *into*
  unit j, so for the first hidden layer ``weights[0][j]`` is 784 numbers, one per pixel, which can be
  drawn as a 28x28 picture. ``biases[l]`` has shape (units in layer l+1,).
- A batch of inputs is a matrix with one example per row, shape (N, 784). A layer computes
  ``z = a @ W.T + b`` (the weighted input) and ``a' = f(z)`` (the activation) for all rows at once.
- The cost of a batch is the *average* over its examples, so a gradient is an average too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import fast
from .errors import ConfigError

# ----------------------------------------------------------------------------------------------
# Activation functions f(z) and their slopes f'(z). The slope is written in terms of the
# activation a = f(z) where that is cheaper, as backpropagation has both at hand.


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), squashing any real number into 0..1.

    Written as 0.5·tanh(z/2) + 0.5, which is the same function but never overflows: e^-z for
    z = -100 is too big for float32, tanh(-50) is simply -1.
    """
    return 0.5 * np.tanh(0.5 * z) + 0.5


def sigmoid_prime(z, a):
    return a * (1 - a)


def tanh(z):
    return np.tanh(z)


def tanh_prime(z, a):
    return 1 - a * a


def relu(z):
    return np.maximum(z, 0)


def relu_prime(z, a):
    return (z > 0).astype(z.dtype)


def softmax(z):
    """Turns the last layer's weighted inputs into probabilities that add up to 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifting by the max changes nothing but overflow
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_prime), "tanh": (tanh, tanh_prime), "relu": (relu, relu_prime)}
OUTPUTS = ("sigmoid", "softmax")
COSTS = ("quadratic", "cross-entropy")


@dataclass
class Trace:
    """Everything a forward pass computed: per layer, the weighted inputs and the activations.

    ``activations[0]`` is the input; ``zs[l]`` and ``activations[l+1]`` belong to layer l+1.
    """

    zs: list
    activations: list

    @property
    def output(self):
        return self.activations[-1]


class Network:
    """A fully connected feed-forward network, e.g. ``Network([784, 16, 16, 10])``."""

    def __init__(self, sizes=(784, 16, 16, 10), activation="sigmoid", output="sigmoid",
                 cost="quadratic", seed=0, init="scaled", dtype=np.float32):
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ConfigError(f"layer sizes {sizes} must be at least two positive numbers, e.g. 784,16,16,10")
        if activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
        if output not in OUTPUTS:
            raise ConfigError(f"unknown output {output!r}: choose one of {', '.join(OUTPUTS)}")
        if cost not in COSTS:
            raise ConfigError(f"unknown cost {cost!r}: choose one of {', '.join(COSTS)}")
        if init not in ("scaled", "standard"):
            raise ConfigError(f"unknown init {init!r}: choose 'scaled' or 'standard'")
        self.sizes, self.activation, self.output, self.cost_name, self.init = sizes, activation, output, cost, init
        self.f, self.f_prime = ACTIVATIONS[activation]
        # Random starting weights. "standard" is Nielsen's first network: N(0, 1). "scaled" divides
        # by √(inputs) (√(inputs/2) for ReLU) so that a unit's weighted input starts near ±1 however
        # many inputs it has, instead of saturating the sigmoid from the first step.
        rng = np.random.default_rng(seed)
        gain = 2.0 if activation == "relu" else 1.0
        self.weights, self.biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            scale = 1.0 if init == "standard" else np.sqrt(gain / n_in)
            self.weights.append((rng.standard_normal((n_out, n_in)) * scale).astype(dtype))
            self.biases.append(rng.standard_normal(n_out).astype(dtype) if init == "standard"
                               else np.zeros(n_out, dtype=dtype))

    # -- the forward pass ----------------------------------------------------------------------

    def forward(self, x) -> Trace:
        """Feed a batch (N, 784) through every layer, keeping each layer's z and activation."""
        a = np.asarray(x, dtype=self.dtype)
        if a.ndim == 1:
            a = a[None, :]
        if a.shape[1] != self.sizes[0]:
            raise ConfigError(f"the input has {a.shape[1]} values per example but the network takes {self.sizes[0]}")
        zs, activations = [], [a]
        last = len(self.weights) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w.T + b
            if l < last:
                a = self.f(z)
            else:
                a = softmax(z) if self.output == "softmax" else sigmoid(z)
            zs.append(z)
            activations.append(a)
        return Trace(zs, activations)

    def feedforward(self, x):
        """Just the output activations (the network's answer), in chunks so memory stays small.

        The same sums as `forward`, run by `glassnet.fast.feedforward`, which keeps no layer but the
        current one (tests/test_fast.py checks that the two agree).
        """
        return self._outputs(x, activate=True)

    def _outputs(self, x, activate):
        x = np.asarray(x, dtype=self.dtype)
        if x.shape[-1] != self.sizes[0]:
            raise ConfigError(f"the input has {x.shape[-1]} values per example but the network takes {self.sizes[0]}")
        if x.ndim == 1:
            return fast.feedforward(self, x, activate)
        # Chunks of 2,048 images: each layer's activations then stay in the processor's cache.
        out = np.empty((len(x), self.sizes[-1]), dtype=self.dtype)
        for i in range(0, len(x), 2048):
            out[i:i + 2048] = fast.feedforward(self, x[i:i + 2048], activate)
        return out

    def predict_proba(self, x):
        """Outputs scaled to sum to 1 per example (softmax already does; sigmoid outputs are normalised)."""
        out = self.feedforward(x)
        return out / out.sum(axis=-1, keepdims=True) if self.output == "sigmoid" else out

    def predict(self, x):
        """The digit the network picks: the output unit with the largest activation.

        (Sigmoid and softmax never change which output is largest, so this compares the output
        layer's z and skips them.)"""
        return self._outputs(x, activate=False).argmax(axis=-1)

    def accuracy(self, x, labels) -> float:
        return float(np.mean(self.predict(x) == np.asarray(labels)))

    # -- the cost ------------------------------------------------------------------------------

    def one_hot(self, labels):
        """Label 3 -> the target vector (0,0,0,1,0,0,0,0,0,0) the output layer should produce."""
        y = np.zeros((len(labels), self.sizes[-1]), dtype=self.dtype)
        y[np.arange(len(labels)), labels] = 1
        return y

    def cost_of(self, a, y):
        """Average cost of outputs `a` against one-hot targets `y`.

        quadratic:      C = 1/N Σ ½‖a − y‖²   (the video's "sum of squared differences")
        cross-entropy:  C = −1/N Σ [y ln a + (1−y) ln(1−a)] for sigmoid outputs, −1/N Σ y ln a for softmax
        """
        n = len(a)
        if self.cost_name == "quadratic":
            return float(0.5 * np.sum((a - y) ** 2) / n)
        eps = np.finfo(a.dtype).tiny  # ln(0) would be -inf; the smallest positive float keeps it finite
        if self.output == "softmax":
            return float(-np.sum(y * np.log(a + eps)) / n)
        return float(-np.sum(y * np.log(a + eps) + (1 - y) * np.log(1 - a + eps)) / n)

    def cost(self, x, labels) -> float:
        """The cost as a function of every weight and bias, averaged over a data set."""
        x = np.asarray(x, dtype=self.dtype)
        total = 0.0
        for i in range(0, len(x), 8192):
            chunk = slice(i, i + 8192)
            total += self.cost_of(self.feedforward(x[chunk]), self.one_hot(labels[chunk])) * len(x[chunk])
        return total / len(x)

    # -- backpropagation -----------------------------------------------------------------------

    def output_error(self, trace: Trace, y):
        """δ for the last layer: ∂C/∂z of each output unit, per example (not yet averaged).

        With cross-entropy (sigmoid or softmax outputs) the slope of the output cancels and
        δ = a − y. With the quadratic cost δ = (a − y)·σ'(z), which is small when an output
        saturates: the reason learning can be slow with the video's cost.
        """
        a, z = trace.output, trace.zs[-1]
        if self.cost_name == "cross-entropy":
            return a - y
        if self.output == "sigmoid":
            return (a - y) * sigmoid_prime(z, a)
        g = a - y  # quadratic on softmax: push (a − y) back through softmax's Jacobian
        return a * (g - np.sum(g * a, axis=1, keepdims=True))

    def backprop(self, x, labels, trace: Trace | None = None):
        """The gradient of the average cost over the batch: (∂C/∂W per layer, ∂C/∂b per layer).

        The chain rule, from the last layer back to the first:
            δ_L = ∂C/∂z_L                        (output_error)
            ∂C/∂W_l = δ_lᵀ · a_(l−1) / N,  ∂C/∂b_l = mean of δ_l over the batch
            δ_(l−1) = (δ_l · W_l) ⊙ f'(z_(l−1))
        """
        trace = trace or self.forward(x)
        y = self.one_hot(labels) if np.ndim(labels) == 1 else labels
        n = len(y)
        delta = self.output_error(trace, y)
        grad_w, grad_b = [None] * len(self.weights), [None] * len(self.biases)
        for l in range(len(self.weights) - 1, -1, -1):
            grad_w[l] = (delta.T @ trace.activations[l]) / n
            grad_b[l] = delta.sum(axis=0) / n
            if l > 0:
                delta = (delta @ self.weights[l]) * self.f_prime(trace.zs[l - 1], trace.activations[l])
        return grad_w, grad_b

    # -- bookkeeping ---------------------------------------------------------------------------

    @property
    def dtype(self):
        return self.weights[0].dtype

    def parameters(self):
        """All weights and biases, in the order W0, b0, W1, b1, ..."""
        return [p for wb in zip(self.weights, self.biases) for p in wb]

    def layer_counts(self):
        """Per layer: (inputs, units, weights = inputs × units, biases = units)."""
        return [(n_in, n_out, n_in * n_out, n_out) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]

    @property
    def n_params(self) -> int:
        return sum(w + b for _, _, w, b in self.layer_counts())

    def architecture(self) -> dict:
        return {"sizes": self.sizes, "activation": self.activation, "output": self.output,
                "cost": self.cost_name}

    def copy(self, dtype=None) -> "Network":
        """An independent copy (optionally in another precision, e.g. float64 for a gradient check)."""
        twin = Network.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.weights = [w.astype(dtype or w.dtype, copy=True) for w in self.weights]
        twin.biases = [b.astype(dtype or b.dtype, copy=True) for b in self.biases]
        return twin

    def __repr__(self) -> str:
        return (f"Network({self.sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"cost={self.cost_name!r})  # {self.n_params:,} weights and biases")
