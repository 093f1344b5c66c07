"""The fast path (glassnet.fast) against the readable maths in network.py and train.py."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

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


@pytest.mark.parametrize("sizes", [[784, 24, 12, 10], [784, 10]])
@pytest.mark.parametrize("activation,output,cost", KINDS)
def test_fast_gradient_matches_backprop(sample, activation, output, cost, sizes):
    net = Network(sizes, activation=activation, output=output, cost=cost, seed=4)
    x, labels = sample
    y = net.one_hot(labels)
    batch = np.arange(40, 90)
    ws = fast.Workspace(net, 64)  # room for 64 rows, given 50: a short batch, as at an epoch's end
    ws.copy_in(net.parameters(), ws.params)
    ws.gradients(x[batch], y[batch], 1 / len(batch))
    grad_w, grad_b = net.backprop(x[batch], labels[batch])
    for g_fast, g in zip(ws.network_grads(), [g for gb in zip(grad_w, grad_b) for g in gb]):
        np.testing.assert_allclose(g_fast, g, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("sizes", [[784, 24, 12, 10], [784, 10]])
@pytest.mark.parametrize("activation,output,cost", KINDS)
def test_fast_gradient_from_pixels_matches_backprop(mnist, activation, output, cost, sizes):
    """Fed raw pixel values 0..255, the workspace applies the 1/255 itself: the same gradient as
    backprop on x = pixels / 255."""
    net = Network(sizes, activation=activation, output=output, cost=cost, seed=4)
    pixels, labels = mnist.train.pixels[40:90], mnist.train.labels[40:90]
    ws = fast.Workspace(net, 64, pixels=True)
    ws.copy_in(net.parameters(), ws.params)
    ws.gradients(pixels.astype(np.float32), net.one_hot(labels), 1 / len(labels))
    grad_w, grad_b = net.backprop(mnist.train.x[40:90], labels)
    for g_fast, g in zip(ws.network_grads(), [g for gb in zip(grad_w, grad_b) for g in gb]):
        np.testing.assert_allclose(g_fast, g, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("use_fast", [True, False])
def test_epoch_from_pixels_matches_epoch_from_inputs(mnist, use_fast):
    """train() hands the epoch the uint8 images; the result is the epoch on x = pixels / 255:
    bit for bit in the readable loop (it makes the same floats), to rounding in the fast one."""
    nets = [Network([784, 16, 16, 10], output="softmax", cost="cross-entropy", seed=5) for _ in range(2)]
    for net, x in zip(nets, (mnist.train.pixels[:300], mnist.train.x[:300])):
        train_epoch(net, x, mnist.train.labels[:300], SGD(net.parameters()), 0.5, 32, np.random.default_rng(2),
                    shift=1, use_fast=use_fast)
    assert not np.array_equal(nets[0].weights[0], Network([784, 16, 16, 10], seed=5).weights[0])
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        if use_fast:
            np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-5)
        else:
            assert np.array_equal(p, q)


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
    runs, optimizers = [], []
    for use_fast in (True, False):
        net = Network([784, 20, 10], activation=activation, output=output, cost=cost, seed=5)
        opt = make_optimizer(config, net.parameters())
        rng = np.random.default_rng(9)
        for _ in range(2):
            train_epoch(net, x, net.one_hot(labels), opt, config.lr, 32, rng, weight_decay=weight_decay, shift=1,
                        use_fast=use_fast)
        runs.append(net)
        optimizers.append(opt)
    assert fast.supports(runs[0], opt)
    start = Network([784, 20, 10], activation=activation, output=output, cost=cost, seed=5)
    for p_fast, p_readable, p0 in zip(runs[0].parameters(), runs[1].parameters(), start.parameters()):
        assert np.abs(p_readable - p0).max() > 1e-3  # training really moved the parameters
        np.testing.assert_allclose(p_fast, p_readable, rtol=1e-4, atol=5e-5)  # float32 rounding, summed in another order
    # The optimizer's own state (momentum's velocity, Adam's running averages) went back to it too.
    state_fast, state_readable = (fast._optimizer_state(o) for o in optimizers)
    assert state_fast.keys() == state_readable.keys() == ({"m", "v"} if optimizer == "adam" else
                                                          {"velocity"} if optimizer == "momentum" else set())
    for name in state_fast:
        for s_fast, s_readable in zip(state_fast[name], state_readable[name]):
            assert s_fast.shape == s_readable.shape and np.abs(s_readable).max() > 0
            np.testing.assert_allclose(s_fast, s_readable, rtol=1e-3, atol=1e-3 * np.abs(s_readable).max())


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


def test_workspace_round_trip_is_exact():
    """Parameters copied into the flat, transposed workspace and back come out bit for bit."""
    net = Network([784, 24, 12, 10], seed=8)
    ws = fast.Workspace(net, 16)
    flat = ws.copy_in(net.parameters())
    assert flat.shape == (net.n_params,)
    assert np.array_equal(ws.views(flat)[0], net.weights[0].T)  # W0 is held as (inputs, units)
    twin = net.copy()
    for p in twin.parameters():
        p[...] = 0
    ws.copy_out(flat, twin.parameters())
    assert all(np.array_equal(p, q) for p, q in zip(net.parameters(), twin.parameters()))


def test_interrupted_fast_epoch_keeps_the_steps_taken(sample, monkeypatch):
    """Ctrl-C in the middle of an epoch: the network holds every step made so far, in step with Adam."""
    x, labels = sample
    net = Network([784, 16, 10], seed=2)
    opt = Adam(net.parameters())
    before = net.weights[0].copy()
    real_step, calls = fast._step, []

    def step(*args):  # the 4th step is interrupted
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        real_step(*args)

    monkeypatch.setattr(fast, "_step", step)
    with pytest.raises(KeyboardInterrupt):
        fast.train_epoch(net, x, labels, np.random.default_rng(0).permutation(len(x)), opt, 0.01, 10)
    assert opt.t == 3 and not np.array_equal(before, net.weights[0])
    assert np.abs(opt.m[0]).max() > 0  # Adam's state came back with the parameters


@pytest.mark.parametrize("pixels", [False, True])
@pytest.mark.parametrize("batch_size", [10, 32, 300, 512])
def test_gathering_ahead_gives_the_same_epoch(mnist, sample, monkeypatch, batch_size, pixels):
    """Batches copied a chunk ahead by the helper thread, or one by one: the same epoch, bit for bit
    (chunks that are not a whole number of batches, and a short last chunk, included). One BLAS
    thread for both: with two, BLAS may split a product's sum differently."""
    x, labels = sample
    if pixels:  # uint8 images, cast batch by batch (or chunk by chunk) into floats
        x = mnist.train.pixels[:len(labels)]
    monkeypatch.setattr(fast, "GATHER_AHEAD_ROWS", 64)
    nets = []
    for limit in (10**9, 0):  # every network and batch size gathers ahead; none does
        monkeypatch.setattr(fast, "GATHER_AHEAD_MAX_PARAMS", limit)
        monkeypatch.setattr(fast, "GATHER_AHEAD_MAX_BATCH", limit)
        net = Network([784, 16, 10], output="softmax", cost="cross-entropy", seed=6)
        opt = Adam(net.parameters())
        with threadpool_limits(1):
            fast.train_epoch(net, x, labels, np.random.default_rng(1).permutation(len(x)), opt, 0.01, batch_size)
        nets.append(net)
    assert not np.array_equal(nets[0].weights[0], Network([784, 16, 10], seed=6).weights[0])
    assert all(np.array_equal(p, q) for p, q in zip(nets[0].parameters(), nets[1].parameters()))


@pytest.mark.parametrize("threads,batch_size,expected", [(1, 10, False), (2, 10, True), (2, 64, True), (2, 128, False)])
def test_helper_thread_only_when_two_threads_are_allowed(sample, monkeypatch, threads, batch_size, expected):
    """`--threads 1` means one core: the small network then copies its batches itself. From batches
    of 128 up, BLAS keeps both threads for the first layer's products instead."""
    x, labels = sample
    used = []
    real = fast._gathered_ahead
    monkeypatch.setattr(fast, "_gathered_ahead", lambda *args: used.append(fast._blas_threads()) or real(*args))
    net = Network([784, 16, 10], seed=6)
    with threadpool_limits(threads):
        fast.train_epoch(net, x, labels, np.arange(len(x)), SGD(net.parameters()), 0.5, batch_size)
        assert fast._blas_threads() == threads  # the limit inside the epoch was put back
    assert bool(used) == expected and used in ([], [1])  # and BLAS kept to one thread beside the helper


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_feedforward_in_chunks_matches_forward(mnist, output):
    """5,000 images cross the 2,048-image chunks; predict's argmax of z agrees with the probabilities'."""
    x = mnist.test.x[:5000]
    net = Network([784, 16, 16, 10], output=output, seed=12)
    expected = net.forward(x).output
    got = net.feedforward(x)
    assert got.shape == (5000, 10) and got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert (net.predict(x) == expected.argmax(axis=1)).mean() > 0.999  # (ties in float32 may break either way)
    assert net.predict(x[17]) == expected[17].argmax()
