"""Model files: a trained network in the safetensors format (plain arrays, no pickle, no code).

Tensors are named like PyTorch's ``nn.Linear`` layers — ``layers.0.weight`` (16, 784),
``layers.0.bias`` (16,) — so ``safetensors.torch.load_file`` reads them straight into PyTorch. The
metadata (strings only, as the format requires) holds JSON: the architecture, the training config,
the data set's hash, the metrics, the history, and a sha256 of the tensor bytes, which catches a
file whose numbers were changed after saving.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ConfigError, ModelFileError
from .network import Network

FORMAT = "glassnet-1"


@dataclass
class ModelInfo:
    """What a model file says about the network besides its numbers."""

    path: str = ""
    training: dict = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    @classmethod
    def of_run(cls, net: Network, data, config, result, preset: str, limit: int | None = None) -> "ModelInfo":
        """What a finished training run saves beside its weights: its config, its data set, the
        test-set figures of the (best-epoch) network, and the per-epoch history."""
        test = data.test
        metrics = {"test_accuracy": net.accuracy(test.x, test.labels), "test_cost": net.cost(test.x, test.labels),
                   "validation_accuracy": result.best.get("validation_accuracy"),
                   "train_accuracy": result.best.get("train_accuracy"), "best_epoch": result.best_epoch,
                   "epochs_run": len(result.history), "stopped": result.stopped, "seconds": result.seconds,
                   "images_per_second": float(np.median([h["images_per_second"] for h in result.history]))
                   if result.history else 0.0}
        return cls(training={**config.to_dict(), "preset": preset, "limit": limit},
                   dataset={"name": data.name, "sha256": data.sha256, "validation": len(data.validation),
                            "train": min(limit or len(data.train), len(data.train))},
                   metrics=metrics, history=result.history)


def _tensors(net: Network) -> dict:
    out = {}
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        out[f"layers.{l}.weight"] = np.ascontiguousarray(w)
        out[f"layers.{l}.bias"] = np.ascontiguousarray(b)
    return out


def _digest(tensors: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(tensors):
        h.update(name.encode())
        h.update(np.ascontiguousarray(tensors[name]).tobytes())
    return h.hexdigest()


# The process's umask, read once (reading it means setting it, which is not safe once threads run).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path` in one step.

    A crash or Ctrl-C midway leaves the old file untouched instead of half a new one. The file gets
    the permissions a plain write would give it (the old file's, or the umask's), not the private
    0600 of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(net: Network, path: str | Path, info: ModelInfo | None = None) -> Path:
    """Save weights, biases and what is known about them to a .safetensors file, atomically."""
    from safetensors.numpy import save

    info = info or ModelInfo()
    tensors = _tensors(net)
    metadata = {
        "format": FORMAT,
        "architecture": json.dumps(net.architecture()),
        "init": net.init,
        "training": json.dumps(info.training),
        "dataset": json.dumps(info.dataset),
        "metrics": json.dumps(info.metrics),
        "history": json.dumps(info.history),
        "tensors_sha256": _digest(tensors),
    }
    try:
        atomic_write_bytes(path, save(tensors, metadata=metadata))
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write the model file ({exc.strerror})") from None
    return Path(path)


def load_model(path: str | Path) -> tuple[Network, ModelInfo]:
    """Load a model file, checking that it is complete, untampered and self-consistent."""
    from safetensors import safe_open

    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file: name a .safetensors file in it")
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file (train one with `glassnet train --out {path}`)")
    try:
        with safe_open(str(path), framework="numpy") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # safetensors raises several types for damaged headers and sizes
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelFileError(f"{path}: not a readable safetensors model file ({reason})") from None
    if metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a glassnet model file (metadata format is {metadata.get('format')!r})")
    try:
        arch = json.loads(metadata["architecture"])
        sizes = [int(s) for s in arch["sizes"]]
        info = ModelInfo(str(path), *(json.loads(metadata.get(k, default))
                                      for k, default in (("training", "{}"), ("dataset", "{}"),
                                                         ("metrics", "{}"), ("history", "[]"))))
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelFileError(f"{path}: damaged metadata ({exc})") from None
    if _digest(tensors) != metadata.get("tensors_sha256"):
        raise ModelFileError(f"{path}: checksum mismatch: the weights were changed after the file was saved")
    expected = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        expected[f"layers.{l}.weight"], expected[f"layers.{l}.bias"] = (n_out, n_in), (n_out,)
    if set(tensors) != set(expected):
        raise ModelFileError(f"{path}: holds tensors {sorted(tensors)} but the architecture {sizes} needs {sorted(expected)}")
    for name, shape in expected.items():
        if tensors[name].shape != shape:
            raise ModelFileError(f"{path}: {name} has shape {tensors[name].shape}, the architecture {sizes} needs {shape}")
        if not np.isfinite(tensors[name]).all():
            raise ModelFileError(f"{path}: {name} holds NaN or infinite values")
    try:
        net = Network(sizes, activation=arch["activation"], output=arch["output"], cost=arch["cost"],
                      init=metadata.get("init", "scaled"), dtype=tensors["layers.0.weight"].dtype)
    except (ConfigError, KeyError) as exc:
        raise ModelFileError(f"{path}: inconsistent architecture: {exc}") from None
    for l in range(len(sizes) - 1):
        net.weights[l] = tensors[f"layers.{l}.weight"].copy()
        net.biases[l] = tensors[f"layers.{l}.bias"].copy()
    return net, info
