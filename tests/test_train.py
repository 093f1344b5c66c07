"""Training: optimizers, schedules, determinism, early stopping, Ctrl-C, divergence, bad settings."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.data import load_mnist
from glassnet.errors import ConfigError, DivergedError
from glassnet.train import (PRESETS, TrainConfig, build_network, learning_rate, preset, shift_images, train)


def _params(net):
    return [p.copy() for p in net.parameters()]


def test_seeded_runs_are_reproducible_bit_for_bit(mnist):
    config = TrainConfig(epochs=2, seed=11, shift=1)
    runs = []
    for _ in range(2):
        net = build_network(config)
        result = train(net, mnist, config, limit=3000)
        runs.append((_params(net), [h["cost"] for h in result.history]))
    for a, b in zip(runs[0][0], runs[1][0]):
        assert a.tobytes() == b.tobytes()
    assert runs[0][1] == runs[1][1]
    other = build_network(TrainConfig(epochs=2, seed=12))
    train(other, mnist, TrainConfig(epochs=2, seed=12), limit=3000)
    assert not np.array_equal(other.weights[0], runs[0][0][0])


def test_training_reads_the_images_as_bytes():
    """train() makes no float copy of the training set: the epochs read its uint8 images."""
    data = load_mnist()  # a fresh copy: the session's shared one may have made its x already
    config = TrainConfig(epochs=1, seed=3)
    train(build_network(config), data, config)  # the whole set: a limit would train on a new Split
    assert "x" not in vars(data.train)  # Split.x is cached on first use; training never asked for it


@pytest.mark.parametrize("overrides", [
    dict(optimizer="sgd"),
    dict(optimizer="momentum", lr=0.5),
    dict(optimizer="adam", lr=0.003, activation="relu", output="softmax", cost="cross-entropy"),
    dict(optimizer="sgd", lr=0.5, activation="tanh", output="softmax", cost="cross-entropy", weight_decay=1e-4),
])
def test_every_optimizer_learns(mnist, overrides):
    config = TrainConfig(epochs=2, **overrides)
    net = build_network(config)
    before = net.cost(mnist.validation.x[:2000], mnist.validation.labels[:2000])
    result = train(net, mnist, config, limit=4000)
    assert result.history[-1]["cost"] < before
    assert result.best["validation_accuracy"] > 0.75
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_weight_decay_shrinks_weights(mnist):
    norms = []
    for wd in (0.0, 0.01):
        config = TrainConfig(epochs=2, weight_decay=wd, lr=1.0)
        net = build_network(config)
        train(net, mnist, config, limit=3000)
        norms.append(np.linalg.norm(net.weights[0]))
    assert norms[1] < 0.9 * norms[0]


def test_learning_rate_schedules():
    c = TrainConfig(lr=1.0, epochs=30)
    assert [learning_rate(c, e) for e in (0, 29)] == [1.0, 1.0]
    step = TrainConfig(lr=1.0, epochs=30, schedule="step")
    assert [learning_rate(step, e) for e in (0, 9, 10, 20, 29)] == [1.0, 1.0, 0.5, 0.25, 0.25]
    expo = TrainConfig(lr=3.0, epochs=30, schedule="exponential")
    assert learning_rate(expo, 0) == 3.0 and learning_rate(expo, 29) == pytest.approx(0.03)
    cos = TrainConfig(lr=2.0, epochs=10, schedule="cosine")
    rates = [learning_rate(cos, e) for e in range(10)]
    assert rates[0] == 2.0 and all(a > b for a, b in zip(rates, rates[1:])) and rates[-1] < 0.06


def test_shift_moves_images_without_losing_ink(mnist):
    rng = np.random.default_rng(0)
    images = mnist.train.images[:200]
    inner = images[:, 2:-2, 2:-2].sum(axis=(1, 2)) == images.sum(axis=(1, 2))  # ink 2+ pixels from the edge
    x = mnist.train.x[:200][inner]
    shifted = shift_images(x, rng, 2)
    np.testing.assert_allclose(shifted.sum(axis=1), x.sum(axis=1), rtol=1e-5)
    assert (shifted != x).any(axis=1).mean() > 0.5
    # each one is its original moved by some (dy, dx) with |dy|, |dx| <= 2
    for img, out in zip(x[:20].reshape(-1, 28, 28), shifted[:20].reshape(-1, 28, 28)):
        assert any(np.array_equal(np.roll(np.roll(img, dy, 0), dx, 1), out)
                   for dy in range(-2, 3) for dx in range(-2, 3))


def test_keeps_the_best_epoch_and_stops_early(mnist):
    config = TrainConfig(epochs=60, patience=2, lr=6.0)
    net = build_network(config)
    result = train(net, mnist, config, limit=1000)
    assert result.stopped == "early-stopped" and len(result.history) < 60
    assert len(result.history) - result.best_epoch == 2
    assert net.accuracy(mnist.validation.x, mnist.validation.labels) == result.best["validation_accuracy"]


def test_ctrl_c_keeps_the_best_so_far(mnist):
    config = TrainConfig(epochs=10)
    net = build_network(config)

    def interrupt(record):
        if record["epoch"] == 3:
            raise KeyboardInterrupt

    result = train(net, mnist, config, on_epoch=interrupt, limit=2000)
    assert result.stopped == "interrupted" and len(result.history) == 3
    assert net.accuracy(mnist.validation.x, mnist.validation.labels) == result.best["validation_accuracy"]


@pytest.mark.parametrize("use_fast", [True, False])
def test_progress_is_reported_within_each_epoch(mnist, monkeypatch, use_fast):
    """About 20 reports an epoch, counting images from 0 up, on the fast path and the readable one."""
    import glassnet.train as train_module

    if not use_fast:  # the readable loop: make the fast path decline this network
        monkeypatch.setattr(train_module.fast, "supports", lambda net, opt: False)
    config = TrainConfig(epochs=2, batch_size=10)
    seen = []
    train(build_network(config), mnist, config, limit=2000, on_progress=lambda *a: seen.append(a))
    for epoch in (1, 2):
        done = [d for e, d, total in seen if e == epoch]
        assert done[0] == 0 and done == sorted(done) and done[-1] < 2000 and 15 <= len(done) <= 21
        assert all(d % 10 == 0 for d in done)  # reported between whole batches
    assert {total for *_, total in seen} == {2000}


def test_should_stop_ends_the_run_within_the_epoch(mnist):
    """The lab's Stop: asked about 20 times an epoch, so a long epoch stops at once (its steps are
    dropped and the best finished epoch is kept)."""
    config = TrainConfig(epochs=5, batch_size=10)
    net = build_network(config)
    asked, progress = [], []

    def should_stop():
        asked.append(1)
        return len(progress) >= 30  # in the middle of epoch 2

    result = train(net, mnist, config, limit=2000, should_stop=should_stop,
                   on_progress=lambda *a: progress.append(a))
    assert result.stopped == "interrupted" and len(result.history) == 1
    assert progress[-1][0] == 2 and progress[-1][1] < 2000  # it stopped inside epoch 2
    assert net.accuracy(mnist.validation.x, mnist.validation.labels) == result.best["validation_accuracy"]


def test_divergence_is_reported_and_leaves_the_network_alone(mnist):
    config = TrainConfig(activation="relu", output="softmax", cost="cross-entropy", lr=100.0, epochs=3, hidden=(64,))
    net = build_network(config)
    before = _params(net)
    with pytest.raises(DivergedError, match=r"diverged in epoch 1: the cost rose from 2.\d+ to \d+.* learning rate 100; try a smaller --lr, e.g. 10"):
        train(net, mnist, config, limit=2000)
    for a, b in zip(before, net.parameters()):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("kwargs,message", [
    (dict(epochs=-1), "epochs -1 must be between 1 and 10000"),
    (dict(epochs=0), "epochs 0"),
    (dict(lr=0.0), "learning rate 0 must be greater than 0"),
    (dict(lr=1e9), "learning rate 1e\\+09"),
    (dict(lr=float("nan")), "learning rate nan"),
    (dict(hidden=(0,)), "hidden sizes \\[0\\]"),
    (dict(batch_size=0), "batch size 0"),
    (dict(momentum=1.0), "momentum 1"),
    (dict(weight_decay=-0.1), "weight decay -0.1"),
    (dict(optimizer="rmsprop"), "unknown optimizer 'rmsprop'"),
    (dict(schedule="linear"), "unknown schedule 'linear'"),
    (dict(shift=9), "shift 9"),
])
def test_absurd_settings_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**kwargs)


def test_presets():
    assert set(PRESETS) >= {"3b1b", "nielsen", "best"}
    video = preset("3b1b")
    assert video.sizes() == (784, 16, 16, 10) and video.activation == "sigmoid" and video.cost == "quadratic"
    assert (video.optimizer, video.lr, video.batch_size, video.epochs) == ("adam", 0.003, 10, 30)
    nielsen = preset("nielsen")  # the video's own recipe, unchanged
    assert nielsen.sizes() == (784, 16, 16, 10) and nielsen.cost == "quadratic"
    assert (nielsen.optimizer, nielsen.lr, nielsen.batch_size, nielsen.epochs) == ("sgd", 3.0, 10, 30)
    assert (nielsen.schedule, nielsen.shift) == ("constant", 0)
    assert preset("3b1b", lr=1.0, epochs=None).lr == 1.0
    with pytest.raises(ConfigError, match="unknown preset 'fast'"):
        preset("fast")


def test_batch_larger_than_training_set(mnist):
    config = TrainConfig(batch_size=5000)
    with pytest.raises(ConfigError, match="larger than the training set"):
        train(build_network(config), mnist, config, limit=100)


@pytest.mark.slow
@pytest.mark.parametrize("name, target", [("3b1b", 0.95), ("best", 0.985)])
def test_preset_reaches_its_promised_accuracy(mnist, name, target):
    """Full MNIST, the preset's own epochs, seed 0: the figures the README promises."""
    config = preset(name)
    net = build_network(config)
    train(net, mnist, config)
    accuracy = net.accuracy(mnist.test.x, mnist.test.labels)
    assert accuracy >= target, f"{name}: {accuracy:.2%} < {target:.1%}"
