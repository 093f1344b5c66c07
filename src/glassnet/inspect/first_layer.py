"""Question 8: what does the first layer see?

Every first-hidden-layer unit has 784 incoming weights, one per pixel: a 28x28 picture of what it
looks for. The video hoped for strokes and loops; Grant's honest observation was that they look
"fairly random". Here "how random" is measured, not eyeballed:

- smoothness: the correlation of each weight picture with itself shifted one pixel right and one
  pixel down. Random noise scores ≈ 0; pictures made of strokes (neighbouring pixels with similar
  weights) score clearly above 0.
- correlation with the initial weights: the same unit's weights before training. Close to 1 means
  training left the random start mostly in place (the pixels at the border, blank in every MNIST
  image, get no gradient at all and keep their random start).
- relative change ‖W − W₀‖ / ‖W₀‖.

The contrast: a network trained with L2 weight decay (the blank pixels' weights decay to 0) or with
wider layers, where stroke-like pictures do appear, scored the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..network import Network
from .features import Result


def first_layer_images(net: Network) -> np.ndarray:
    if net.sizes[0] != 784:
        raise ConfigError(f"the first layer takes {net.sizes[0]} inputs, not a 28x28 picture: nothing to draw")
    return net.weights[0].astype(np.float64).reshape(-1, 28, 28)


def smoothness(images) -> np.ndarray:
    """Per picture: mean of its correlation with itself shifted one pixel right and one pixel down."""
    w = np.asarray(images, dtype=np.float64)

    def corr(a, b):
        a = a.reshape(len(a), -1) - a.reshape(len(a), -1).mean(axis=1, keepdims=True)
        b = b.reshape(len(b), -1) - b.reshape(len(b), -1).mean(axis=1, keepdims=True)
        return np.sum(a * b, axis=1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-300)

    return 0.5 * (corr(w[:, :, :-1], w[:, :, 1:]) + corr(w[:, :-1, :], w[:, 1:, :]))


@dataclass
class FirstLayerReport(Result):
    weights: np.ndarray  # (units, 28, 28)
    smoothness: np.ndarray  # per unit
    mean_smoothness: float
    correlation_with_initial: np.ndarray | None  # per unit, when the untrained network is given
    mean_correlation_with_initial: float | None
    relative_change: float | None  # ‖W − W₀‖ / ‖W₀‖
    weight_norms: np.ndarray  # per unit


def first_layer_report(net: Network, untrained: Network | None = None) -> FirstLayerReport:
    """The first layer's weight pictures and how random they look (optionally against their start)."""
    w = first_layer_images(net)
    s = smoothness(w)
    corr = mean_corr = change = None
    if untrained is not None:
        w0 = first_layer_images(untrained)
        if w0.shape != w.shape:
            raise ConfigError(f"the untrained network's first layer has {len(w0)} units, the trained one {len(w)}")
        a, b = w.reshape(len(w), -1), w0.reshape(len(w0), -1)
        corr = np.array([np.corrcoef(u, v)[0, 1] for u, v in zip(a, b)])
        mean_corr = float(corr.mean())
        change = float(np.linalg.norm(a - b) / np.linalg.norm(b))
    return FirstLayerReport(w, s, float(s.mean()), corr, mean_corr, change,
                            np.linalg.norm(w.reshape(len(w), -1), axis=1))


def train_contrast(data, base_config=None, weight_decay: float = 0.0, hidden=None, epochs: int = 3,
                   limit: int = 10_000):
    """A quick contrast network (a few seconds): the same recipe with L2 weight decay and/or wider layers.

    Returns (network, untrained copy, config) so it can be scored like the user's network.
    """
    from dataclasses import replace

    from ..train import TrainConfig, build_network, train

    config = base_config or TrainConfig(optimizer="adam", lr=0.003, schedule="cosine")
    config = replace(config, epochs=epochs, weight_decay=weight_decay, patience=0, shift=0,
                     **({"hidden": tuple(hidden)} if hidden else {}))
    net = build_network(config, n_inputs=784, n_classes=10)
    start = net.copy()
    train(net, data, config, limit=limit)
    return net, start, config
