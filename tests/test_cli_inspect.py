"""`glassnet inspect ...` as a user runs it: JSON shapes, real PNGs, numbers that hold, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from glassnet.modelfile import load_model
from helpers import run


def run_json(capsys, *args):
    code, stdout, stderr = run(capsys, *args, "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def assert_png(path, min_width=600):
    with Image.open(path) as img:
        assert img.format == "PNG" and img.width >= min_width and img.height >= 200
        assert np.asarray(img.convert("L")).std() > 5  # not a blank canvas


COMMON = {"model", "untrained", "samples", "split", "figure", "answer"}


def test_features_and_fires(capsys, small_model_path, tmp_path):
    r = run_json(capsys, "inspect", "features", small_model_path, "--layer", 1, "--unit", 4, "--samples", 300,
                 "--steps", 60, "--out", tmp_path / "f.png")
    assert COMMON <= set(r) and r["figure"] == str(tmp_path / "f.png")
    assert_png(tmp_path / "f.png")
    assert r["layer"] == 1 and r["unit"] == 4 and len(r["top"]["indices"]) == 9
    assert np.array(r["weights"]).shape == (28, 28)
    assert r["maximized"]["activation_end"] >= r["maximized"]["activation_start"]
    assert min(r["top"]["activations"]) >= max(r["bottom"]["activations"])
    r = run_json(capsys, "inspect", "fires", small_model_path, "--index", 3, "--out", tmp_path)
    assert_png(tmp_path / "fires.png")
    assert len(r["activations"]) == 3 and len(r["activations"][-1]) == 10
    assert r["prediction"] == int(np.argmax(r["activations"][-1]))


def test_fires_on_a_users_picture(capsys, small_model_path, mnist, tmp_path):
    picture = 255 - mnist.test.images[0]  # dark ink on white paper, as a phone photo would be
    Image.fromarray(np.kron(picture, np.ones((4, 4), dtype=np.uint8))).save(tmp_path / "seven.png")
    r = run_json(capsys, "inspect", "fires", small_model_path, "--image", tmp_path / "seven.png", "--out", tmp_path)
    assert r["source"].endswith("seven.png")
    net, _ = load_model(small_model_path)
    assert r["prediction"] == net.predict(mnist.test.x[:1])[0]


def test_sigmoid_bias_count(capsys, small_model_path, tmp_path):
    r = run_json(capsys, "inspect", "sigmoid", small_model_path, "--layer", 2, "--samples", 300, "--out", tmp_path)
    assert_png(tmp_path / "sigmoid-L2.png")
    assert 0 <= r["saturated_fraction"] <= 1 and sum(r["z_counts"]) == 300 * 16
    r = run_json(capsys, "inspect", "bias", small_model_path, "--samples", 300, "--out", tmp_path)
    net, _ = load_model(small_model_path)
    assert r["unit"] == int(np.argmax(np.abs(net.biases[0])))  # default: the largest |bias|
    assert_png(tmp_path / f"bias-L1-u{r['unit']}.png")
    assert f"{round(100 * r['active_with_bias'])} %" in r["answer"]
    r = run_json(capsys, "inspect", "count", small_model_path, "--out", tmp_path)
    assert r["total"] == r["stored_values"] == 13_002 and r["matches_file"] is True
    assert [l["parameters"] for l in r["layers"]] == [12_560, 272, 170]


def test_cost_trained_vs_untrained(capsys, small_model_path, tmp_path):
    trained = run_json(capsys, "inspect", "cost", small_model_path, "--samples", 300, "--grid", 5, "--points", 11,
                       "--out", tmp_path / "trained.png")
    untrained = run_json(capsys, "inspect", "cost", small_model_path, "--untrained", "--samples", 300, "--grid", 5,
                         "--points", 11, "--out", tmp_path / "untrained.png")
    assert_png(tmp_path / "trained.png")
    assert untrained["untrained"] is True and untrained["cost"] > 2 * trained["cost"]
    assert np.array(trained["surface"]["costs"]).shape == (5, 5)
    assert trained["gradient"]["lowest_cost"] < trained["cost"]  # −gradient goes downhill


def test_weight_command(capsys, small_model_path, tmp_path):
    r = run_json(capsys, "inspect", "weight", 2, 3, 5, small_model_path, "--samples", 300, "--out", tmp_path)
    assert_png(tmp_path / "weight-L2-3-5.png")
    net, _ = load_model(small_model_path)
    assert r["current"] == pytest.approx(float(net.weights[1][3, 5]))
    assert r["finite_difference"] == pytest.approx(r["derivative"], rel=1e-4)
    assert r["direction"] == ("decrease" if r["derivative"] > 0 else "increase")
    assert set(r["paths"]) == {"small", "good", "too large", "too large, decaying"}
    assert r["paths"]["too large"]["overshoots"] is True
    assert set(r["paths"]["good"]) >= {"values", "costs", "derivatives", "lrs", "converged", "overshoots"}


def test_gradient_and_first_layer(capsys, small_model_path, tmp_path):
    r = run_json(capsys, "inspect", "gradient", small_model_path, "--samples", 300, "--k", 5, "--out", tmp_path)
    assert_png(tmp_path / "gradient.png")
    assert len(r["top"]) == 5 and r["cost_after_gradient_step"] < r["cost"]
    assert np.array(r["first_layer"]).shape == (16, 28, 28)
    r = run_json(capsys, "inspect", "first-layer", small_model_path, "--samples", 300, "--out", tmp_path)
    assert_png(tmp_path / "first-layer.png", min_width=1200)
    assert abs(r["smoothness"]["untrained"]) < 0.05
    assert r["smoothness"]["contrast"] > r["smoothness"]["untrained"] + 0.3  # L2: strokes, not noise
    assert "weight decay" in r["contrast"]
    r2 = run_json(capsys, "inspect", "first-layer", small_model_path, "--contrast", small_model_path,
                  "--samples", 300, "--out", tmp_path / "self.png")
    assert r2["smoothness"]["contrast"] == pytest.approx(r2["smoothness"]["trained"])


def test_all_writes_the_report(capsys, small_model_path, tmp_path):
    r = run_json(capsys, "inspect", "all", small_model_path, "--samples", 200, "--out", tmp_path / "rep")
    assert (tmp_path / "rep" / "index.html").is_file() and len(r["answers"]) == 9
    code, stdout, stderr = run(capsys, "inspect", "all", small_model_path, "--samples", 200, "--untrained",
                               "--out", tmp_path / "rep2")
    assert code == 0 and "index.html" in stdout
    assert "untrained" in (tmp_path / "rep2" / "index.html").read_text()


@pytest.mark.parametrize("args, message", [
    (["features", "--layer", "4"], "layer 4 does not exist"),
    (["features", "--unit", "16"], "unit 16 does not exist"),
    (["bias", "--layer", "3", "--unit", "10"], "unit 10 does not exist"),
    (["weight", "1", "0", "784"], "FROM 784 does not exist"),
    (["weight", "2", "16", "0"], "unit 16 does not exist"),
    (["fires", "--index", "-1"], "--index -1"),
    (["cost", "--samples", "0"], "--samples 0"),
    (["sigmoid", "--split", "train"], "--split"),
])
def test_bad_input_is_one_line_exit_2(capsys, small_model_path, tmp_path, args, message):
    code, stdout, stderr = run(capsys, "inspect", args[0], *args[1:], small_model_path, "--out", tmp_path)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    code, stdout, _ = run(capsys, "inspect", args[0], *args[1:], small_model_path, "--out", tmp_path, "--json")
    assert code == 2 and message in json.loads(stdout)["error"]
    assert not list(tmp_path.glob("*.png"))  # nothing written on bad input


def test_model_problems_are_one_line(capsys, tmp_path):
    from glassnet.modelfile import save_model
    from glassnet.network import Network

    code, _, stderr = run(capsys, "inspect", "count", tmp_path / "missing.safetensors")
    assert code == 2 and "no such model file" in stderr
    save_model(Network([100, 8, 10]), tmp_path / "small-input.safetensors")
    code, _, stderr = run(capsys, "inspect", "gradient", tmp_path / "small-input.safetensors", "--out", tmp_path)
    assert code == 2 and "takes 100 inputs" in stderr and len(stderr.strip().splitlines()) == 1
    code, _, stderr = run(capsys, "inspect", "gradient")  # no model given, none trained
    assert code == 2 and "glassnet train" in stderr
