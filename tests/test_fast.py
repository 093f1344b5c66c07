"""The fast path (glassnet.fast) against the readable maths in network.py and train.py."""

import numpy as np
import pytest

from glassnet import fast
from glassnet.network import Network
from glassnet.train import SGD, Adam, make_optimizer, shift_images, train_epoch, TrainConfig

KINDS = [  # (activation, output, cost)
    ("sigmoid", "sigmoid", "quadratic"),
    ("sigmoid", "softmax", "cross-entropy"),
    ("relu", "softmax", "cross-entropy"),
    ("tanh", "sigmoid", "cross-entropy"),
]


@pytest.fixture(scope="module")
def sample(mnist):
    return mnist.train.x[:300], mnist.train.labels[:300]


@pytest.mark.parametrize("activation,output,cost", KINDS)
def test_feedforward_matches_forward(sample, activation, output, cost):
    net = Network([784, 24, 12, 10], activation=activation, output=output, cost=cost, seed=3)
    x, _ = sample
    expected = net.forward(x).output
    np.testing.assert_allclose(net.feedforward(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net.feedforward(x[7]), expected[7], rtol=1e-5, atol=1e-6)  # one image
    assert net.feedforward(x).dtype == np.float32
    assert (net.predict(x) == expected.argmax(axis=1)).all()


@pytest.mark.parametrize("activation,output,cost", KINDS)
def test_fast_gradient_matches_backprop(sample, activation, output, cost):
    net = Network([784, 24, 12, 10], activation=activation, output=output, cost=cost, seed=4)
    x, labels = sample
    y = net.one_hot(labels)
    batch = np.arange(40, 90)
    buffers = fast._Buffers(net, 64, needs_scratch=False).first_rows(len(batch))  # a short batch, as at an epoch's end
    grads = fast._backprop(net, x, y, batch, buffers, 1 / len(batch))
    grad_w, grad_b = net.backprop(x[batch], labels[batch])
    for g_fast, g in zip(grads, [g for gb in zip(grad_w, grad_b) for g in gb]):
        np.testing.assert_allclose(g_fast, g, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("activation,output,cost,optimizer,weight_decay", [
    ("sigmoid", "sigmoid", "quadratic", "sgd", 0.0),
    ("sigmoid", "softmax", "cross-entropy", "sgd", 1e-3),
    ("relu", "softmax", "cross-entropy", "adam", 0.0),
    ("tanh", "sigmoid", "cross-entropy", "momentum", 1e-4),
    ("sigmoid", "sigmoid", "quadratic", "adam", 1e-4),
])
def test_fast_epochs_match_readable_epochs(sample, activation, output, cost, optimizer, weight_decay):
    """Two epochs (300 images in batches of 32, the last one short) give the same parameters both ways."""
    x, labels = sample
    config = TrainConfig(optimizer=optimizer, lr=0.01 if optimizer == "adam" else 0.5)
    runs = []
    for use_fast in (True, False):
        net = Network([784, 20, 10], activation=activation, output=output, cost=cost, seed=5)
        opt = make_optimizer(config, net.parameters())
        rng = np.random.default_rng(9)
        for _ in range(2):
            train_epoch(net, x, net.one_hot(labels), opt, config.lr, 32, rng, weight_decay=weight_decay, shift=1,
                        use_fast=use_fast)
        runs.append(net)
    assert fast.supports(runs[0], opt)
    start = Network([784, 20, 10], activation=activation, output=output, cost=cost, seed=5)
    for p_fast, p_readable, p0 in zip(runs[0].parameters(), runs[1].parameters(), start.parameters()):
        assert np.abs(p_readable - p0).max() > 1e-3  # training really moved the parameters
        np.testing.assert_allclose(p_fast, p_readable, rtol=1e-4, atol=2e-5)


def test_fast_epoch_is_reproducible_and_state_matches(sample):
    x, labels = sample
    nets = []
    for _ in range(2):
        net = Network([784, 16, 10], seed=1)
        opt = Adam(net.parameters())
        train_epoch(net, x, net.one_hot(labels), opt, 0.003, 10, np.random.default_rng(2))
        nets.append((net, opt))
    (a, opt_a), (b, opt_b) = nets
    assert all((p == q).all() for p, q in zip(a.parameters(), b.parameters()))  # bit for bit
    assert opt_a.t == 30  # one Adam step per batch: 300 images / 10


def test_unsupported_combination_takes_readable_loop(sample):
    x, labels = sample
    net = Network([784, 8, 10], output="softmax", cost="quadratic")
    opt = SGD(net.parameters())
    assert not fast.supports(net, opt)
    before = net.weights[0].copy()
    train_epoch(net, x, net.one_hot(labels), opt, 1.0, 30, np.random.default_rng(0))
    assert not np.array_equal(before, net.weights[0])


def _shift_by_padding(x, rng, max_shift, side=28):
    """The original per-batch shifting: pad the images, then cut each one out at its offset."""
    n = len(x)
    pad = np.pad(x.reshape(n, side, side), ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    dy, dx = rng.integers(0, 2 * max_shift + 1, size=(2, n))
    rows = dy[:, None] + np.arange(side)
    cols = dx[:, None] + np.arange(side)
    return pad[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]].reshape(n, -1)


@pytest.mark.parametrize("max_shift", [1, 2, 4])
def test_shift_images_matches_padding(sample, max_shift):
    x, _ = sample
    got = shift_images(x, np.random.default_rng(11), max_shift)
    expected = _shift_by_padding(x, np.random.default_rng(11), max_shift)
    assert got.dtype == x.dtype and np.array_equal(got, expected)


def test_float64_network_and_label_targets(sample):
    """A float64 network stays float64 on the fast path, and integer labels work as targets too."""
    x, labels = sample
    nets = [Network([784, 16, 10], output="softmax", cost="cross-entropy", dtype=np.float64) for _ in range(2)]
    for net, use_fast in zip(nets, (True, False)):
        train_epoch(net, x, labels, SGD(net.parameters()), 0.5, 32, np.random.default_rng(0), use_fast=use_fast)
    assert nets[0].weights[0].dtype == np.float64 and nets[0].feedforward(x).dtype == np.float64
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
