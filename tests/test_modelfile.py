"""Model files: round trip, readable by other tools, and every kind of damage refused in one line."""

from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest

from glassnet.errors import ModelFileError
from glassnet.modelfile import ModelInfo, load_model, save_model


def test_round_trip(small_net, mnist, tmp_path):
    path = tmp_path / "m.safetensors"
    info = ModelInfo(training={"lr": 3.0}, dataset={"name": "mnist", "sha256": mnist.sha256},
                     metrics={"test_accuracy": 0.9}, history=[{"epoch": 1, "cost": 0.1}])
    save_model(small_net, path, info)
    net, loaded = load_model(path)
    assert net.architecture() == small_net.architecture()
    for a, b in zip(net.parameters(), small_net.parameters()):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert loaded.dataset["sha256"] == mnist.sha256 and loaded.history == info.history
    np.testing.assert_array_equal(net.predict(mnist.test.x[:500]), small_net.predict(mnist.test.x[:500]))


def test_plain_safetensors_with_clear_names(small_model_path):
    from safetensors.numpy import load_file

    tensors = load_file(str(small_model_path))
    assert {k: v.shape for k, v in tensors.items()} == {
        "layers.0.weight": (16, 784), "layers.0.bias": (16,), "layers.1.weight": (16, 16),
        "layers.1.bias": (16,), "layers.2.weight": (10, 16), "layers.2.bias": (10,)}


def test_loads_in_pytorch(small_model_path, small_net, mnist):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    t = load_file(str(small_model_path))
    x = torch.from_numpy(mnist.test.x[:100])
    for l in range(3):
        x = torch.sigmoid(x @ t[f"layers.{l}.weight"].T + t[f"layers.{l}.bias"])
    np.testing.assert_allclose(x.numpy(), small_net.feedforward(mnist.test.x[:100]), atol=1e-5)


def _header(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    return raw, n, json.loads(raw[8:8 + n])


def test_truncated_file(small_model_path, tmp_path):
    bad = tmp_path / "truncated.safetensors"
    bad.write_bytes(small_model_path.read_bytes()[:-100])
    with pytest.raises(ModelFileError, match="truncated.safetensors: not a readable safetensors model file"):
        load_model(bad)


def test_tampered_weights(small_model_path, tmp_path):
    raw = bytearray(small_model_path.read_bytes())
    raw[-7] ^= 0x40  # flip one bit in the last tensor's data
    bad = tmp_path / "tampered.safetensors"
    bad.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="checksum mismatch: the weights were changed"):
        load_model(bad)


def test_shape_inconsistent_metadata(small_model_path, tmp_path):
    raw, n, header = _header(small_model_path)
    arch = json.loads(header["__metadata__"]["architecture"])
    arch["sizes"] = [784, 32, 16, 10]
    header["__metadata__"]["architecture"] = json.dumps(arch)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    bad = tmp_path / "inconsistent.safetensors"
    bad.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + n:])
    with pytest.raises(ModelFileError, match=r"layers.0.weight has shape \(16, 784\), the architecture \[784, 32, 16, 10\] needs \(32, 784\)"):
        load_model(bad)


def test_not_a_model_file(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(os.urandom(300))
    with pytest.raises(ModelFileError, match="junk.safetensors: not a readable safetensors model file"):
        load_model(junk)
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "missing.safetensors")
    from safetensors.numpy import save_file

    other = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(other))
    with pytest.raises(ModelFileError, match="not a glassnet model file"):
        load_model(other)


def test_interrupted_write_keeps_the_old_file(small_net, tmp_path, monkeypatch):
    path = tmp_path / "keep.safetensors"
    save_model(small_net, path)
    before = path.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    changed = small_net.copy()
    changed.weights[0] += 1
    with pytest.raises(KeyboardInterrupt):
        save_model(changed, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.safetensors"]  # no temporary file left behind


def test_saved_files_get_ordinary_permissions(small_net, tmp_path):
    """Written through a private temporary file, but readable as any file the user writes (the umask's
    permissions), and an existing file keeps its own."""
    import stat

    from glassnet import modelfile

    path = save_model(small_net, tmp_path / "net.safetensors")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~modelfile._UMASK != 0o600
    path.chmod(0o640)
    save_model(small_net, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
