"""The fast path: the same maths as `Network.forward`/`backprop` and the optimizers, with no waste.

Read `network.py` and `train.py` to learn what a network does; this module only does it faster,
and `tests/test_fast.py` checks that both give the same numbers (to float32 rounding). Training
(`train.train_epoch`) and inference (`Network.feedforward`, hence `predict`) run this code; the
readable `forward`/`backprop` are what every inspection tool calls and what the tests check
against finite differences.

Where the time goes in a small network is not the arithmetic but the bookkeeping around it: with
784-16-16-10 and batches of 10, one step is ~45 NumPy calls on tiny arrays, so every temporary
array, dtype conversion and Python object per batch shows. The tricks, each a plain NumPy idiom:

- every array a step needs (each layer's z, a, δ, the gradients, the optimizer's scratch) is made
  once per epoch and written into with ``out=`` / in-place operators: no memory is allocated per
  batch, which for the wide networks also saves the page faults of fresh megabyte-sized arrays;
- the 1/N of the average, and for plain SGD the learning rate too, are folded into the output
  error δ_L once: backprop is linear in δ, so every gradient comes out already scaled and the update
  is a single subtraction;
- σ(z) = ½·tanh(z/2) + ½ (as in network.py: float32-safe, never overflows) done in place, and
  σ'(z) = a(1 − a) from the activation already at hand.
"""

from __future__ import annotations

import copy
import math

import numpy as np

# ----------------------------------------------------------------------------------------------
# In-place activations: `out` receives f(z) (out may be z itself).

# Constants as 0-d float32 arrays: NumPy turns a Python float into an array on every call, which
# costs as much as the arithmetic on a 16-unit layer. (0.5 and 1 are exact in any precision.)
_HALF, _ONE = np.array(0.5, np.float32), np.array(1, np.float32)


def _activate(name, z, out):
    if name == "sigmoid":
        np.multiply(z, _HALF, out=out)
        np.tanh(out, out=out)
        out *= _HALF
        out += _HALF
    elif name == "tanh":
        np.tanh(z, out=out)
    elif name == "relu":
        np.maximum(z, 0, out=out)
    else:  # softmax, row by row; shifting by the row's max changes nothing but overflow
        np.subtract(z, np.maximum.reduce(z, axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= np.add.reduce(out, axis=-1, keepdims=True)
    return out


def _times_slope(name, delta, a, scratch):
    """delta ⊙= f'(z), with the slope written from the activation a = f(z)."""
    if name == "sigmoid":  # σ' = a(1 − a)
        np.subtract(_ONE, a, out=scratch)
        scratch *= a
        delta *= scratch
    elif name == "tanh":  # tanh' = 1 − a²
        np.multiply(a, a, out=scratch)
        np.subtract(_ONE, scratch, out=scratch)
        delta *= scratch
    else:  # relu' = 1 where z > 0, i.e. where a > 0
        np.greater(a, 0, out=scratch, casting="unsafe")
        delta *= scratch


# ----------------------------------------------------------------------------------------------
# Inference


def feedforward(net, x):
    """The output activations for one example (784,) or a batch (N, 784): `forward(x).output`
    without keeping every layer's z and activation (each layer's array is reused in place)."""
    a = x
    last = len(net.weights) - 1
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = np.dot(w, a) if a.ndim == 1 else a @ w.T  # (one image: the matrix-vector product W·a)
        z += b
        a = _activate(net.activation if l < last else net.output, z, z)
    return a


# ----------------------------------------------------------------------------------------------
# Training


def supports(net, optimizer) -> bool:
    """Whether the fast epoch covers this network and optimizer (anything else takes the readable loop)."""
    from .train import SGD, Adam  # the optimizer classes own the state the fast step updates

    quadratic_softmax = net.cost_name == "quadratic" and net.output == "softmax"  # rare; readable only
    return (type(optimizer) in (SGD, Adam) and not quadratic_softmax
            and net.activation in ("sigmoid", "tanh", "relu") and net.output in ("sigmoid", "softmax"))


class _Buffers:
    """Every array one training step writes, made once for a batch size."""

    def __init__(self, net, batch_size, needs_scratch):
        dt, sizes = net.dtype, net.sizes
        self.x = np.empty((batch_size, sizes[0]), dt)
        self.y = np.empty((batch_size, sizes[-1]), dt)
        self.z = [np.empty((batch_size, n), dt) for n in sizes[1:]]
        self.a = [np.empty((batch_size, n), dt) for n in sizes[1:]]
        self.delta = [np.empty((batch_size, n), dt) for n in sizes[1:]]
        self.slope = [np.empty((batch_size, n), dt) for n in sizes[1:]]
        self.grads = [np.empty_like(p) for p in net.parameters()]
        self.scratch = [np.empty_like(p) for p in net.parameters()] if needs_scratch else None

    def first_rows(self, n):
        """The same buffers cut to a shorter batch (an epoch's last one): views, no new memory."""
        view = copy.copy(self)
        view.x, view.y = self.x[:n], self.y[:n]
        for name in ("z", "a", "delta", "slope"):
            setattr(view, name, [b[:n] for b in getattr(self, name)])
        return view


def train_epoch(net, x, y, order, optimizer, lr, batch_size, weight_decay=0.0):
    """One epoch of mini-batch steps in the given order; the same maths as the readable loop in
    `train.train_epoch` (backprop, L2 decay, then the optimizer's step)."""
    x = np.asarray(x, dtype=net.dtype)  # (no copy when it already is, as train() makes sure)
    y = net.one_hot(y) if np.ndim(y) == 1 else np.asarray(y, dtype=net.dtype)
    plain_sgd = getattr(optimizer, "velocity", 0) is None and not weight_decay
    buffers = _Buffers(net, batch_size, needs_scratch=not plain_sgd)
    params = net.parameters()  # the arrays themselves, updated in place
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        # The 1/N of the average (and, for plain SGD, the learning rate) scale δ_L once.
        scale = (lr if plain_sgd else 1.0) / len(batch)
        rows = buffers if len(batch) == batch_size else buffers.first_rows(len(batch))
        grads = _backprop(net, x, y, batch, rows, scale)
        if plain_sgd:  # the gradients already carry −η/N: θ ← θ − η·∇C is one subtraction
            for p, g in zip(params, grads):
                p -= g
            continue
        if weight_decay:  # L2 on the weights (every other parameter), as in the readable loop
            for w, g, s in zip(params[::2], grads[::2], buffers.scratch[::2]):
                np.multiply(w, weight_decay, out=s)
                g += s
        _step(optimizer, params, grads, buffers.scratch, lr)


def _backprop(net, x, y, batch, buffers, scale):
    """The gradients of one mini-batch into buffers.grads (W0, b0, W1, b1, ...), times `scale`·N.

    `buffers` has exactly len(batch) rows (see _Buffers.first_rows)."""
    last = len(net.weights) - 1
    xb = x.take(batch, axis=0, out=buffers.x, mode="clip")  # indices are valid; "clip" skips a copy
    yb = y.take(batch, axis=0, out=buffers.y, mode="clip")
    activations = [xb]
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = np.matmul(activations[-1], w.T, out=buffers.z[l])
        z += b
        activations.append(_activate(net.activation if l < last else net.output, z, buffers.a[l]))
    a = activations[-1]
    delta = np.subtract(a, yb, out=buffers.delta[last])  # cross-entropy: δ_L = a − y
    if net.cost_name == "quadratic":  # with a sigmoid output: δ_L = (a − y)·σ'(z)
        _times_slope("sigmoid", delta, a, buffers.slope[last])
    delta *= scale
    grads = buffers.grads
    for l in range(last, -1, -1):
        np.matmul(delta.T, activations[l], out=grads[2 * l])
        np.add.reduce(delta, axis=0, out=grads[2 * l + 1])
        if l > 0:
            back = np.matmul(delta, net.weights[l], out=buffers.delta[l - 1])
            _times_slope(net.activation, back, activations[l], buffers.slope[l - 1])
            delta = back
    return grads


def _step(optimizer, params, grads, scratch, lr):
    """The optimizer's update (train.SGD, with or without momentum, or train.Adam), in place, on its own state."""
    if not hasattr(optimizer, "m") and optimizer.velocity is None:  # SGD: θ ← θ − ηg
        for p, g in zip(params, grads):
            g *= lr
            p -= g
        return
    if not hasattr(optimizer, "m"):  # momentum: v ← μv − ηg, θ ← θ + v
        for p, g, v in zip(params, grads, optimizer.velocity):
            v *= optimizer.momentum
            g *= lr
            v -= g
            p += v
        return
    optimizer.t += 1
    b1, b2 = optimizer.beta1, optimizer.beta2
    step = lr * math.sqrt(1 - b2 ** optimizer.t) / (1 - b1 ** optimizer.t)
    for p, g, m, v, s in zip(params, grads, optimizer.m, optimizer.v, scratch):
        m *= b1
        np.multiply(g, 1 - b1, out=s)
        m += s
        v *= b2
        np.multiply(g, g, out=s)
        s *= 1 - b2
        v += s
        np.sqrt(v, out=s)
        s += optimizer.eps
        np.divide(m, s, out=s)
        s *= step
        p -= s
