"""The command line as a user runs it: JSON shapes, one-line errors with exit code 2, Ctrl-C, divergence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from glassnet.cli import main
from helpers import run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "net.safetensors"
    with pytest.raises(SystemExit) as e:
        main(["train", "--preset", "nielsen", "--epochs", "2", "--limit", "3000", "--out", str(path), "--json"])
    assert e.value.code == 0
    return path


def test_train_json_shape(capsys, tmp_path):
    out_path = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", "--preset", "nielsen", "--epochs", "2", "--limit", "2000", "--hidden", "20,12",
                         "--out", out_path, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"model", "architecture", "config", "dataset", "test_accuracy", "test_cost", "validation_accuracy",
            "train_accuracy", "best_epoch", "epochs_run", "stopped", "seconds", "images_per_second",
            "history"} <= set(data)
    assert data["architecture"]["sizes"] == [784, 20, 12, 10] and data["epochs_run"] == 2
    assert data["stopped"] == "completed" and len(data["history"]) == 2
    assert {"epoch", "lr", "cost", "train_accuracy", "validation_accuracy", "seconds",
            "images_per_second"} <= set(data["history"][0])
    assert 0.6 < data["test_accuracy"] <= 1 and data["images_per_second"] > 0
    assert out_path.is_file() and data["model"] == str(out_path)


def test_train_human_output(capsys, tmp_path):
    code, out, err = run(capsys, "train", "--epochs", "1", "--limit", "1000", "--out", tmp_path / "h.safetensors")
    assert code == 0
    assert "test accuracy:" in out and "saved" in out
    assert "epoch   1/1" in err and "img/s" in err


def test_summary_counts_match_the_file(capsys, trained):
    code, out, _ = run(capsys, "summary", trained, "--json")
    data = json.loads(out)
    assert code == 0
    assert [layer["arithmetic"] for layer in data["layers"]] == [
        "784 × 16 = 12,544 weights + 16 biases = 12,560",
        "16 × 16 = 256 weights + 16 biases = 272",
        "16 × 10 = 160 weights + 10 biases = 170"]
    assert data["total"] == {"weights": 12_960, "biases": 42, "parameters": 13_002}
    assert data["stored_values"] == 13_002
    code, out, _ = run(capsys, "summary", trained)
    assert "784 × 16 = 12,544 weights + 16 biases" in out and "13,002" in out


def test_evaluate_confusion_matrix(capsys, trained, mnist):
    from glassnet.modelfile import load_model

    code, out, _ = run(capsys, "evaluate", trained, "--json")
    data = json.loads(out)
    net, _ = load_model(trained)
    confusion = np.array(data["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10_000
    assert confusion.sum(axis=1).tolist() == np.bincount(mnist.test.labels).tolist()
    assert data["accuracy"] == pytest.approx(np.trace(confusion) / 10_000)
    assert data["accuracy"] == pytest.approx(net.accuracy(mnist.test.x, mnist.test.labels))
    assert [c["n"] for c in data["per_class"]] == np.bincount(mnist.test.labels).tolist()


def test_default_model_is_the_last_trained(capsys, tmp_path):
    path = tmp_path / "last.safetensors"
    assert run(capsys, "train", "--epochs", "1", "--limit", "500", "--out", path, "--json")[0] == 0
    code, out, _ = run(capsys, "summary", "--json")
    assert code == 0 and json.loads(out)["model"] == str(path.resolve())


def test_predict_pictures(capsys, trained, mnist, tmp_path):
    paths = []
    for i in range(3):  # dark ink on white paper, bigger than 28x28, as a phone photo would be
        img = Image.fromarray(255 - mnist.test.images[i]).resize((140, 140))
        paths.append(tmp_path / f"digit{i}.png")
        img.save(paths[-1])
    code, out, _ = run(capsys, "predict", trained, *paths, "--json")
    data = json.loads(out)
    assert code == 0 and len(data["predictions"]) == 3
    for p in data["predictions"]:
        probs = [g["probability"] for g in p["top"]]
        assert len(probs) == 3 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
        assert p["label"] == p["top"][0]["label"]
    assert sum(p["label"] == int(mnist.test.labels[i]) for i, p in enumerate(data["predictions"])) >= 2


@pytest.mark.parametrize("args,message", [
    (["train", "--epochs", "-1"], "epochs -1 must be between 1 and 10000"),
    (["train", "--lr", "0"], "learning rate 0 must be greater than 0"),
    (["train", "--lr", "1e9"], "learning rate 1e+09"),
    (["train", "--hidden", "0"], "hidden sizes [0]"),
    (["train", "--hidden", "16,x"], "--hidden '16,x' must be comma-separated"),
    (["train", "--preset", "huge"], "unknown preset 'huge'"),
    (["train", "--epochs", "many"], "'--epochs'"),
    (["train", "--dataset", "cifar"], "unknown dataset 'cifar'"),
    (["train", "--data-dir", "/nonexistent"], "/nonexistent: no such data folder"),
    (["train", "--threads", "0"], "--threads 0 must be at least 1"),
    (["evaluate", "/no/such/model.safetensors"], "no such model file"),
    (["summary", "/no/such/model.safetensors"], "no such model file"),
    (["train", "--no-such-option"], "No such option"),
    (["evaluate", "/tmp"], "/tmp is a folder, not a model file"),
    (["train", "--out", "/no/such/folder/net.safetensors"], "there is no folder /no/such/folder"),
    (["train", "--lr", "-1"], "e.g. 3.0 for SGD as in the nielsen preset, 0.003 for Adam as in 3b1b"),
    (["lab", "--no-browser", "--runs-dir", "/proc/no-such-dir"], "--runs-dir /proc/no-such-dir: cannot save runs"),
])
def test_bad_arguments_one_line_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("glassnet: error: ") and message in err
    assert "Traceback" not in err + out


def test_bad_files_one_line_exit_2(capsys, trained, tmp_path):
    text = tmp_path / "note.png"
    text.write_text("not an image")
    blank = tmp_path / "blank.png"
    Image.new("L", (60, 60), 255).save(blank)
    tampered = tmp_path / "tampered.safetensors"
    raw = bytearray(trained.read_bytes())
    raw[-3] ^= 1
    tampered.write_bytes(bytes(raw))
    for args, message in [(["predict", trained, text], "not a readable image"),
                          (["predict", trained, blank], "blank"),
                          (["predict", trained, tmp_path / "none.png"], "no such file"),
                          (["evaluate", tampered], "checksum mismatch"),
                          (["evaluate", text], "not a readable safetensors model file")]:
        code, out, err = run(capsys, *args, "--json")
        assert code == 2 and message in err and err.count("\n") == 1
        assert json.loads(out)["error"] == err.removeprefix("glassnet: error: ").strip()


def test_divergence_exit_1_and_keeps_the_saved_model(capsys, trained, tmp_path):
    path = tmp_path / "precious.safetensors"
    path.write_bytes(trained.read_bytes())
    code, out, err = run(capsys, "train", "--activation", "relu", "--output", "softmax", "--cost", "cross-entropy",
                         "--hidden", "64", "--lr", "100", "--limit", "2000", "--out", path)
    last = err.strip().splitlines()[-1]
    assert code == 1 and last.startswith("glassnet: error: training diverged")
    assert "learning rate 100" in last and "smaller --lr" in last and "Traceback" not in err
    assert path.read_bytes() == trained.read_bytes()


def test_ctrl_c_saves_the_best_so_far(tmp_path):
    """A real process, a real SIGINT: training stops cleanly and the best epoch is saved."""
    path = tmp_path / "interrupted.safetensors"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", "train", "--epochs", "5000", "--limit", "2000",
                             "--out", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            # as in a terminal: a shell running us in the background may have set Ctrl-C to "ignore"
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    seen = ""
    while "epoch   2/" not in seen and time.time() < deadline:
        seen += proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # interrupted (the usual code for Ctrl-C), with what it had saved
    assert "interrupted" in err and "saved" in out
    from glassnet.modelfile import load_model

    net, info = load_model(path)
    assert info.metrics["stopped"] == "interrupted" and 2 <= info.metrics["epochs_run"] < 5000


def test_entry_point_help():
    result = subprocess.run([sys.executable, "-m", "glassnet", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("train", "evaluate", "predict", "summary"):
        assert command in result.stdout


def test_default_name_never_replaces_an_earlier_model(capsys, tmp_path, monkeypatch):
    """Two quick runs with the default name: the second is saved beside the first, not over it."""
    monkeypatch.chdir(tmp_path)
    quick = ["train", "--epochs", "1", "--limit", "500", "--json"]
    code, out, _ = run(capsys, *quick)
    assert code == 0 and json.loads(out)["model"] == "glassnet-3b1b.safetensors"
    first = (tmp_path / "glassnet-3b1b.safetensors").read_bytes()
    code, out, err = run(capsys, *quick, "--seed", "1")
    assert code == 0 and json.loads(out)["model"] == "glassnet-3b1b-2.safetensors"
    assert "glassnet-3b1b.safetensors exists: saving as glassnet-3b1b-2.safetensors" in err
    assert (tmp_path / "glassnet-3b1b.safetensors").read_bytes() == first
    code, out, _ = run(capsys, *quick, "--out", "glassnet-3b1b.safetensors")  # named: replaced, as asked
    assert code == 0 and (tmp_path / "glassnet-3b1b.safetensors").read_bytes() != first


def test_a_run_that_learnt_nothing_is_flagged(capsys, tmp_path):
    code, out, err = run(capsys, "train", "--epochs", "1", "--limit", "200", "--lr", "1e-9",
                         "--out", tmp_path / "flat.safetensors")
    assert code == 0 and "warning: test accuracy" in err and "is about chance (10%)" in err


def test_version_and_bare_command(capsys, trained, tmp_path):
    from importlib.metadata import version

    code, out, err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"glassnet {version('glassnet')}"
    digit = tmp_path / "seven.png"
    Image.new("L", (28, 28), 0).save(digit)
    code, out, err = run(capsys, "predict", trained, digit, "--top", "0")
    assert code == 2 and "--top 0 must be between 1 and 10" in err
    result = subprocess.run([sys.executable, "-m", "glassnet"], capture_output=True, text=True)
    assert result.returncode == 2 and "Usage" in result.stdout and "error" not in result.stderr


def test_lab_host_that_is_not_this_machine(capsys, trained, tmp_path):
    code, out, err = run(capsys, "lab", "--no-browser", "--host", "192.0.2.1", "--port", "0",
                         "--runs-dir", tmp_path, "--model", trained)
    assert code == 2 and err.count("\n") == 1 and "--host must be an address of this machine" in err


def test_lab_refuses_a_damaged_study_file_at_start(capsys, tmp_path):
    bad = tmp_path / "study.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    code, out, err = run(capsys, "lab", "--no-browser", "--study-db", bad, "--runs-dir", tmp_path / "runs")
    assert code == 2 and err.count("\n") == 1 and f"the study progress file {bad} cannot be used" in err
    assert bad.read_bytes() == b"this is not a database" * 100  # left as it was
