"""The network: shapes, activations, and backpropagation checked against finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from glassnet.errors import ConfigError
from glassnet.network import Network, sigmoid, softmax


def test_shapes_follow_the_video():
    net = Network()
    assert net.sizes == [784, 16, 16, 10]
    assert [w.shape for w in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    assert net.n_params == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13_002
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_forward_keeps_every_layer(mnist):
    net = Network(seed=1)
    x = mnist.test.x[:5]
    trace = net.forward(x)
    assert [z.shape for z in trace.zs] == [(5, 16), (5, 16), (5, 10)]
    assert len(trace.activations) == 4 and trace.activations[0] is not None
    # Layer 1 by hand: z = W·a + b for one example, a = σ(z)
    z1 = net.weights[0] @ x[2] + net.biases[0]
    np.testing.assert_allclose(trace.zs[0][2], z1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trace.activations[1][2], 1 / (1 + np.exp(-z1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(net.predict(x), np.argmax(trace.output, axis=1))


def test_sigmoid_squashes_without_overflow():
    z = np.array([-1e4, -100, -3, 0, 3, 100, 1e4], dtype=np.float32)
    with np.errstate(all="raise"):
        s = sigmoid(z)
    assert s.dtype == np.float32 and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.all(np.diff(s) >= 0)
    assert s[4] == pytest.approx(1 / (1 + np.exp(-3.0)), rel=1e-6)
    p = softmax(np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32))
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


def _numeric_gradient(net, x, labels, eps=1e-5):
    grads = []
    for p in net.parameters():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = net.cost(x, labels)
            p[i] = old - eps
            down = net.cost(x, labels)
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("activation,output,cost", list(itertools.product(
    ["sigmoid", "tanh", "relu"], ["sigmoid", "softmax"], ["quadratic", "cross-entropy"])))
def test_gradient_check(activation, output, cost):
    """Backprop against central finite differences, float64, every parameter: relative error < 1e-6."""
    rng = np.random.default_rng(7)
    net = Network([6, 5, 4, 3], activation=activation, output=output, cost=cost, seed=3, dtype=np.float64)
    for b in net.biases:  # non-zero biases so that every term of the gradient is exercised
        b[:] = rng.normal(0, 0.5, b.shape)
    x = rng.random((7, 6))
    labels = rng.integers(0, 3, 7)
    grad_w, grad_b = net.backprop(x, labels)
    analytic = [g for wb in zip(grad_w, grad_b) for g in wb]
    numeric = _numeric_gradient(net, x, labels)
    for a, n in zip(analytic, numeric):
        assert a.shape == n.shape and a.dtype == np.float64
        rel = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-7)
        assert rel.max() < 1e-6, (activation, output, cost, rel.max())


def test_gradient_points_downhill(mnist):
    net = Network(seed=0)
    x, y = mnist.train.x[:200], mnist.train.labels[:200]
    before = net.cost(x, y)
    grad_w, grad_b = net.backprop(x, y)
    for p, g in zip(net.parameters(), [g for wb in zip(grad_w, grad_b) for g in wb]):
        p -= 0.5 * g
    assert net.cost(x, y) < before


def test_bad_configuration():
    for kwargs, message in [({"sizes": [784]}, "at least two"), ({"sizes": [784, 0, 10]}, "positive"),
                            ({"activation": "swish"}, "unknown activation 'swish'"),
                            ({"output": "linear"}, "unknown output"), ({"cost": "hinge"}, "unknown cost")]:
        with pytest.raises(ConfigError, match=message):
            Network(**kwargs)
    with pytest.raises(ConfigError, match="the input has 100 values per example but the network takes 784"):
        Network().forward(np.zeros((2, 100)))


def test_copy_is_independent_and_can_change_precision():
    net = Network(seed=2)
    twin = net.copy(np.float64)
    assert twin.dtype == np.float64 and twin.weights[0] is not net.weights[0]
    twin.weights[0][0, 0] += 1
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
