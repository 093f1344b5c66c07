"""Shared fixtures: the real embedded MNIST, and small models trained on a slice of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from glassnet.data import load_mnist
from glassnet.modelfile import ModelInfo, save_model
from glassnet.train import TrainConfig, build_network, train

OUTPUT = Path(os.environ.get("GLASSNET_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output"))


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Every test gets its own user data dir: the "last model" record and study progress never touch the real one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="session")
def mnist():
    return load_mnist()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave files worth looking at (figures, screenshots)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def small_config() -> TrainConfig:
    return TrainConfig(epochs=3, seed=0)  # the 3b1b network, 3 epochs


@pytest.fixture(scope="session")
def small_net(mnist, small_config):
    """The 784-16-16-10 network trained for 3 epochs on the first 6,000 training images (~90 %)."""
    net = build_network(small_config)
    train(net, mnist, small_config, limit=6000)
    return net


@pytest.fixture(scope="session")
def small_model_path(small_net, small_config, mnist, tmp_path_factory) -> Path:
    """`small_net` saved as a model file, as `glassnet train` would."""
    path = tmp_path_factory.mktemp("models") / "small.safetensors"
    save_model(small_net, path, ModelInfo(training=small_config.to_dict(),
                                          dataset={"name": "mnist", "sha256": mnist.sha256},
                                          metrics={"test_accuracy": small_net.accuracy(mnist.test.x, mnist.test.labels)}))
    return path
