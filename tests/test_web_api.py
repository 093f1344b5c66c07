"""The web lab's JSON API: every endpoint checked against the network itself, every bad request a 4xx."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from glassnet.data import preprocess_image
from glassnet.modelfile import load_model
from glassnet.web import create_app

STATIC = Path(__file__).resolve().parent.parent / "src" / "glassnet" / "web" / "static"


@pytest.fixture(scope="module")
def lab(small_model_path, mnist, tmp_path_factory):
    app = create_app(small_model_path, tmp_path_factory.mktemp("runs"), data=mnist)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def net(small_model_path):
    return load_model(small_model_path)[0]


def png_data_url(pixels: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def wait_for_run(client, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get("/api/train/status").json()["run"]
        if run["state"] not in ("starting", "running", "stopping"):
            return run
        time.sleep(0.05)
    raise AssertionError("the training run did not finish in time")


# ----------------------------------------------------------------------------------------------
# The page and the docs, offline


def test_page_is_served_and_needs_no_network(lab):
    html = lab.get("/").text
    for view in ("view-draw", "view-train", "view-probe", "view-gradient", 'id="view-study"'):
        assert view in html
    for asset in ("/static/app.js", "/static/app.css"):
        assert lab.get(asset).status_code == 200
    has_study = (STATIC / "study.js").is_file()
    assert ('src="/static/study.js"' in html) == has_study
    for path in STATIC.iterdir():  # no CDN, no web fonts: everything ships in the package
        if path.suffix in (".html", ".js", ".css"):
            assert not re.search(r"(src|href)=[\"']https?://|url\(https?://|import .* from [\"']https?://",
                                 path.read_text()), path.name


def test_docs_work_offline_and_list_every_endpoint(lab):
    docs = lab.get("/docs")
    assert docs.status_code == 200 and "openapi.json" in docs.text and "cdn" not in docs.text.lower()
    paths = lab.get("/openapi.json").json()["paths"]
    for path in ("/api/model", "/api/forward", "/api/unit", "/api/train", "/api/train/stop", "/api/train/status",
                 "/api/train/events", "/api/runs", "/api/probe", "/api/gradient"):
        assert path in paths


# ----------------------------------------------------------------------------------------------
# Each endpoint against an independent computation


def test_model_describes_the_loaded_network(lab, net, small_model_path):
    m = lab.get("/api/model", params={"weights": "true"}).json()
    assert m["loaded"] and m["path"] == str(small_model_path)
    assert m["architecture"]["sizes"] == net.sizes == [784, 16, 16, 10]
    assert m["parameters"] == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    first = np.array(m["first_layer"]["values"])
    assert first.shape == (16, 784)
    np.testing.assert_allclose(first, net.weights[0], atol=5e-4)
    assert lab.get("/api/model").json()["first_layer"] is None


def test_forward_pixels_reports_every_layer_and_connection(lab, net, mnist):
    x = mnist.test.x[3]
    r = lab.post("/api/forward", json={"pixels": x.tolist(), "k": 5}).json()
    trace = net.forward(x[None, :])
    for got, want in zip(r["activations"], trace.activations[1:]):
        np.testing.assert_allclose(got, want[0], atol=1e-4)
    assert r["prediction"] == int(np.argmax(trace.output[0])) and r["label"] is None
    probs = trace.output[0] / trace.output[0].sum()
    np.testing.assert_allclose(r["probabilities"], probs, atol=1e-4)
    # The strongest connections into output unit 2: weight x activation, largest |term| first.
    c = r["connections"][2][2]
    a_in = trace.activations[2][0]
    terms = net.weights[2][2] * a_in
    assert c["from"] == list(np.argsort(-np.abs(terms), kind="stable")[:5])
    np.testing.assert_allclose(c["weight"], net.weights[2][2, c["from"]], atol=1e-4)
    np.testing.assert_allclose(c["term"], terms[c["from"]], atol=1e-4)
    assert c["z"] == pytest.approx(float(trace.zs[2][0, 2]), abs=1e-4)
    assert len(r["connections"][0]) == 16 and len(r["connections"][0][0]["from"]) == 5


def test_forward_image_is_preprocessed_like_predict(lab, net, mnist):
    # A test digit as a user's photo would be: 10x larger, dark ink on white paper.
    big = np.kron(255 - mnist.test.images[0].astype(np.int32), np.ones((10, 10), dtype=np.int32))
    url = png_data_url(big)
    r = lab.post("/api/forward", json={"image": url}).json()
    expected = preprocess_image(base64.b64decode(url.split(",", 1)[1])).reshape(-1)
    np.testing.assert_allclose(r["input"], expected, atol=1e-3)
    assert r["prediction"] == int(net.predict(expected[None, :])[0]) == int(mnist.test.labels[0])


def test_forward_test_image(lab, net, mnist):
    r = lab.post("/api/forward", json={"test_index": 42}).json()
    assert r["label"] == int(mnist.test.labels[42]) and r["test_index"] == 42
    np.testing.assert_allclose(r["input"], mnist.test.x[42], atol=1e-3)
    assert r["prediction"] == int(net.predict(mnist.test.x[42:43])[0])


def test_unit_shows_its_weights_and_what_excites_it(lab, net, mnist):
    u = lab.get("/api/unit", params={"layer": 1, "unit": 4}).json()
    np.testing.assert_allclose(u["weights"], net.weights[0][4], atol=1e-4)
    assert u["bias"] == pytest.approx(float(net.biases[0][4]), abs=1e-6)
    acts = net.forward(mnist.test.x[:u["searched"]]).activations[1][:, 4]
    assert [t["index"] for t in u["top"]][0] == int(np.argmax(acts))
    assert u["top"][0]["activation"] == pytest.approx(float(acts.max()), abs=1e-5)
    assert u["top"][0]["pixels"] == mnist.test.images[u["top"][0]["index"]].reshape(-1).tolist()
    assert u["mean_activation"] == pytest.approx(float(acts.mean()), abs=1e-5)
    assert 0 <= u["maximized"]["activation_start"] <= u["maximized"]["activation_end"] <= 1
    out = lab.get("/api/unit", params={"layer": 3, "unit": 7}).json()
    assert len(out["weights"]) == 16


def test_probe_derivative_and_descent_steps(lab, net, mnist):
    r = lab.post("/api/probe", json={"layer": 2, "to": 3, "frm": 5, "batch_size": 50, "lr": 2.0,
                                     "steps": 4}).json()
    x, y = mnist.train.x[:50], mnist.train.labels[:50]
    grad_w, _ = net.copy(np.float64).backprop(x.astype(np.float64), y)
    c, d = r["curve"], r["descent"]
    assert c["current"] == pytest.approx(float(net.weights[1][3, 5]), abs=1e-6)
    assert c["derivative"] == pytest.approx(float(grad_w[1][3, 5]), rel=1e-6)
    assert c["cost_at_current"] == pytest.approx(net.copy(np.float64).cost(x.astype(np.float64), y), rel=1e-9)
    assert len(d["values"]) == 5 and d["lr"] == 2.0
    assert d["values"][1] == pytest.approx(d["values"][0] - 2.0 * d["derivatives"][0])
    assert r["batch"] == {"start": 0, "size": 50}
    # The slider's request: descent only, no curve.
    fast = lab.post("/api/probe", json={"layer": 2, "to": 3, "frm": 5, "batch_size": 50, "lr": 2.0,
                                        "steps": 4, "curve": False}).json()
    assert fast["curve"] is None and fast["descent"]["values"] == d["values"]
    # No rate given: the suggested "good" one is used.
    auto = lab.post("/api/probe", json={"layer": 2, "to": 3, "frm": 5, "batch_size": 50}).json()
    assert auto["descent"]["lr"] == pytest.approx(auto["suggested_rates"]["good"])


def test_gradient_matches_backprop(lab, net, mnist):
    r = lab.post("/api/gradient", json={"batch_start": 100, "batch_size": 64, "k": 5}).json()
    grad_w, _ = net.backprop(mnist.train.x[100:164], mnist.train.labels[100:164])
    for layer, g in zip(r["layers"], grad_w):
        assert layer["shape"] == list(g.shape)
        np.testing.assert_allclose(layer["values"], g, atol=1e-6)
    flat = np.concatenate([np.abs(g).ravel() for g in grad_w])
    assert abs(r["top"][0]["gradient"]) == pytest.approx(float(flat.max()), rel=1e-5)
    assert r["n_examples"] == 64 and r["batch"] == {"start": 100, "size": 64}
    assert r["cost_after_gradient_step"] < r["cost"]


# ----------------------------------------------------------------------------------------------
# Bad requests: a 4xx with one line of JSON, never a 500, and the server keeps serving


def _blank_png():
    return png_data_url(np.full((60, 60), 255))


BAD = [
    ("post", "/api/forward", b"{not json", 400, "malformed JSON"),
    ("post", "/api/forward", {"pixels": [0.0] * 783}, 422, "pixels"),
    ("post", "/api/forward", {"pixels": [1.5] + [0.0] * 783}, 422, "pixels.0"),
    ("post", "/api/forward", {"pixels": "abc"}, 422, "pixels"),
    ("post", "/api/forward", {"image": "data:image/png;base64,@@@"}, 400, "data URL"),
    ("post", "/api/forward", {"image": "data:image/png;base64," + base64.b64encode(b"hello").decode()}, 400,
     "not a readable image"),
    ("post", "/api/forward", "BLANK", 400, "blank"),
    ("post", "/api/forward", {}, 400, "exactly one"),
    ("post", "/api/forward", {"test_index": 1, "pixels": [0.0] * 784}, 400, "exactly one"),
    ("post", "/api/forward", {"test_index": 10_000}, 400, "does not exist"),
    ("post", "/api/forward", {"test_index": -1}, 422, "test_index"),
    ("post", "/api/forward", {"test_index": 1, "colour": "red"}, 422, "unknown field"),
    ("get", "/api/unit?layer=4&unit=0", None, 400, "layer 4 does not exist"),
    ("get", "/api/unit?layer=1&unit=16", None, 400, "unit 16 does not exist"),
    ("get", "/api/unit?layer=0&unit=0", None, 422, "layer"),
    ("get", "/api/unit?layer=one&unit=0", None, 422, "layer"),
    ("get", "/api/unit?layer=1", None, 422, "required"),
    ("post", "/api/probe", {"layer": 1, "to": 0, "frm": 784}, 400, "does not exist"),
    ("post", "/api/probe", {"layer": 9, "to": 0, "frm": 0}, 400, "layer 9 does not exist"),
    ("post", "/api/probe", {"layer": 2, "to": 16, "frm": 0}, 400, "unit 16 does not exist"),
    ("post", "/api/probe", {"layer": 2, "to": 0, "frm": 0, "lr": -1}, 422, "lr"),
    ("post", "/api/probe", {"layer": 2, "to": 0, "frm": 0, "batch_start": 10**7}, 400, "past the end"),
    ("post", "/api/probe", {"layer": 2, "to": 0}, 422, "frm: this field is required"),
    ("post", "/api/gradient", {"batch_size": 0}, 422, "batch_size"),
    ("post", "/api/gradient", {"batch_size": 10**6}, 422, "batch_size"),
    ("post", "/api/gradient", [1, 2], 422, "request"),
    ("post", "/api/train", {"lr": 0}, 422, "lr"),
    ("post", "/api/train", {"hidden": [0]}, 422, "hidden"),
    ("post", "/api/train", {"hidden": [16] * 5}, 422, "hidden"),
    ("post", "/api/train", {"activation": "softsign"}, 422, "activation"),
    ("post", "/api/train", {"epochs": 10_000}, 422, "epochs"),
    ("post", "/api/train", {"limit": 100, "batch_size": 500}, 400, "larger than the training set"),
    ("post", "/api/train", {"name": "../evil"}, 422, "name"),
    ("post", "/api/model", {"run": "../../etc/passwd"}, 404, "unknown run"),
    ("post", "/api/model", {"run": "no-such-run"}, 404, "unknown run"),
    ("get", "/api/train/status?after=-1", None, 422, "after"),
    ("get", "/api/nothing-here", None, 404, "not found"),
    ("get", "/api/forward", None, 405, "not allowed"),
    ("post", "/api/forward", b"x" * 1_500_000, 413, "too large"),
]


@pytest.mark.parametrize("method,path,body,status,message", BAD,
                         ids=[f"{m} {p} {s} {msg}" for m, p, _, s, msg in BAD])
def test_bad_request_is_a_4xx_with_a_json_message(lab, method, path, body, status, message):
    if body == "BLANK":
        body = {"image": _blank_png()}
    if isinstance(body, bytes):
        r = lab.request(method, path, content=body, headers={"content-type": "application/json"})
    else:
        r = lab.request(method, path, json=body) if body is not None else lab.request(method, path)
    assert r.status_code == status, r.text
    data = r.json()
    assert set(data) == {"error"} and message in data["error"] and "\n" not in data["error"]
    assert "Traceback" not in r.text
    assert lab.get("/api/model").status_code == 200  # still serving


def test_streamed_oversized_body_is_refused(lab):
    def chunks():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(30):
            yield b"0" * 100_000

    r = lab.post("/api/forward", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]


def test_study_router_is_included_when_present(tmp_path, mnist, monkeypatch):
    import types

    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/api/study/ping")
    def ping():
        return {"study": "here"}

    fake = types.ModuleType("glassnet.web.study_api")
    fake.router = router
    monkeypatch.setitem(sys.modules, "glassnet.web.study_api", fake)
    with TestClient(create_app(None, tmp_path / "runs", data=mnist)) as client:
        assert client.get("/api/study/ping").json() == {"study": "here"}
        assert client.app.state.study is True
    broken = types.ModuleType("glassnet.web.study_api")  # no `router`: an ImportError, the lab still starts
    monkeypatch.setitem(sys.modules, "glassnet.web.study_api", broken)
    with TestClient(create_app(None, tmp_path / "runs", data=mnist)) as client:
        assert client.app.state.study is False and client.get("/api/study/ping").status_code == 404


def test_no_model_yet_is_409_with_advice(tmp_path, mnist):
    with TestClient(create_app(None, tmp_path / "empty-runs", data=mnist)) as client:
        assert client.get("/api/model").json() == {"loaded": False, "path": None, "name": None}
        r = client.post("/api/forward", json={"test_index": 0})
        assert r.status_code == 409 and "train one" in r.json()["error"]


# ----------------------------------------------------------------------------------------------
# Training from the page


def _events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_training_run_live_saved_listed_and_shown(tmp_path, mnist):
    runs_dir = tmp_path / "runs"
    with TestClient(create_app(None, runs_dir, data=mnist)) as client:
        assert client.get("/api/train/status").json() == {"run": None}
        assert _events(client.get("/api/train/events").text)[0][0] == "idle"
        r = client.post("/api/train", json={"limit": 600, "epochs": 3, "hidden": [8], "name": "tiny"})
        assert r.status_code == 202, r.text
        name = r.json()["name"]
        assert name.endswith("-tiny") and r.json()["state"] in ("starting", "running")
        run = wait_for_run(client)
        assert run["name"] == name and run["state"] == "done" and len(run["history"]) == 3
        # The events stream replays every epoch, then the end.
        events = _events(client.get("/api/train/events").text)
        assert [k for k, _ in events] == ["epoch", "epoch", "epoch", "done"]
        assert [e["record"]["epoch"] for k, e in events if k == "epoch"] == [1, 2, 3]
        assert "weights" in events[2][1] and "weights" not in events[0][1]  # pictures with the newest epoch only
        first_run = name
        path = runs_dir / f"{first_run}.safetensors"
        assert path.is_file() and run["model"] == str(path)
        net, info = load_model(path)
        assert net.sizes[1:-1] == (run["config"]["hidden"])
        assert [h["epoch"] for h in info.history] == list(range(1, len(run["history"]) + 1))
        assert run["metrics"]["test_accuracy"] == pytest.approx(net.accuracy(mnist.test.x, mnist.test.labels))
        w = np.array(run["weights"]["values"])
        np.testing.assert_allclose(w, net.weights[0][:16], atol=5e-4)  # the kept epoch's weights
        listed = client.get("/api/runs").json()["runs"]
        assert first_run in [r["name"] for r in listed]
        shown = client.post("/api/model", json={"run": first_run}).json()
        assert shown["path"] == str(path) and shown["name"] == first_run
        assert client.post("/api/forward", json={"test_index": 0}).status_code == 200


def test_only_one_training_run_at_a_time(tmp_path, mnist):
    with TestClient(create_app(None, tmp_path / "runs", data=mnist)) as client:
        r = client.post("/api/train", json={"limit": 5000, "epochs": 100})
        assert r.status_code == 202
        again = client.post("/api/train", json={"limit": 100, "epochs": 1})
        assert again.status_code == 409 and "already running" in again.json()["error"]
        stop = client.post("/api/train/stop").json()
        assert stop["stopping"] is True
        run = wait_for_run(client)
        assert run["state"] == "stopped" and len(run["history"]) < 100
        if run["history"]:
            assert run["metrics"]["stopped"] == "interrupted" and Path(run["model"]).is_file()
        assert client.post("/api/train/stop").json()["stopping"] is False
        assert client.post("/api/train", json={"limit": 100, "epochs": 1}).status_code == 202  # free again
        wait_for_run(client)


def test_a_diverging_run_fails_with_its_reason_and_saves_nothing(tmp_path, mnist):
    runs_dir = tmp_path / "runs"
    with TestClient(create_app(None, runs_dir, data=mnist)) as client:
        r = client.post("/api/train", json={"activation": "relu", "output": "softmax", "cost": "cross-entropy",
                                            "optimizer": "sgd", "lr": 100, "limit": 500, "epochs": 2})
        assert r.status_code == 202
        run = wait_for_run(client)
        assert run["state"] == "failed" and "diverged" in run["error"] and "smaller learning rate" in run["error"]
        assert run["model"] is None and not list(runs_dir.glob("*.safetensors"))
        assert _events(client.get("/api/train/events").text)[-1][0] == "done"


def test_progress_streams_live_within_an_epoch_and_stop_is_immediate(tmp_path, mnist):
    """Over a real server: `progress` events arrive while an epoch runs (images counting up), and
    Stop ends a long epoch at once, before it finishes: nothing is saved when no epoch finished."""
    import httpx

    from helpers import serve

    with serve(create_app(None, tmp_path / "runs", data=mnist)) as url:
        # 40,000 images in batches of 1: an epoch of several seconds.
        r = httpx.post(url + "api/train", json={"limit": 40000, "epochs": 2, "batch_size": 1, "hidden": [16]})
        assert r.status_code == 202, r.text
        seen = []
        with httpx.stream("GET", url + "api/train/events", timeout=60) as events:
            block = []
            for line in events.iter_lines():
                if line:
                    block.append(line)
                    continue
                fields = dict(item.split(": ", 1) for item in block if ": " in item)
                block = []
                if fields.get("event") == "progress":
                    seen.append(json.loads(fields["data"]))
                    if len(seen) == 3:
                        stop = httpx.post(url + "api/train/stop").json()
                        assert stop["stopping"] and "now" in stop["message"]
                if fields.get("event") in ("epoch", "done"):
                    last = fields["event"], json.loads(fields["data"])
                    break
        assert len(seen) >= 3 and [p["epoch"] for p in seen[:3]] == [1, 1, 1]
        images = [p["images"] for p in seen]
        assert images == sorted(images) and images[-1] > 0 and all(p["total"] == 40000 for p in seen)
        assert last[0] == "done" and last[1]["state"] == "stopped" and not last[1]["history"]  # stopped mid-epoch 1
        assert "nothing saved" in last[1]["error"] and not list((tmp_path / "runs").glob("*.safetensors"))


def test_stop_after_some_epochs_keeps_the_best(tmp_path, mnist):
    with TestClient(create_app(None, tmp_path / "runs", data=mnist)) as client:
        client.post("/api/train", json={"limit": 2000, "epochs": 100})
        deadline = time.monotonic() + 30
        while not client.get("/api/train/status").json()["run"]["history"] and time.monotonic() < deadline:
            time.sleep(0.02)
        client.post("/api/train/stop")
        run = wait_for_run(client)
        assert run["state"] == "stopped" and 1 <= len(run["history"]) < 100
        net, info = load_model(run["model"])
        assert info.metrics["stopped"] == "interrupted" and len(info.history) == len(run["history"])


# ----------------------------------------------------------------------------------------------
# The command


def _start_lab(args, env):
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", "lab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("}"):
            break
    return proc, lines


def test_cli_lab_serves_and_prints_json(small_model_path, tmp_path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc, lines = _start_lab(["--model", str(small_model_path), "--port", "0", "--no-browser", "--json",
                              "--runs-dir", str(tmp_path / "runs")], env)
    try:
        info = json.loads("".join(lines))
        assert info["model"] == str(small_model_path) and info["host"] == "127.0.0.1"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", info["url"]) and info["port"] > 0
        r = httpx.get(info["url"] + "api/model", timeout=10)
        assert r.status_code == 200 and r.json()["architecture"]["sizes"] == [784, 16, 16, 10]
        assert "glassnet lab" in httpx.get(info["url"], timeout=10).text
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_lab_bad_options_are_one_line(small_model_path, tmp_path):
    r = subprocess.run([sys.executable, "-m", "glassnet", "lab", "--model", str(tmp_path / "missing.safetensors"),
                        "--no-browser", "--port", "0", "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no such model file" in json.loads(r.stdout)["error"]
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "glassnet", "lab", "--model", str(small_model_path),
                        "--no-browser", "--port", "70000"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--port 70000" in r.stderr and "Traceback" not in r.stderr


def test_cli_lab_trains_the_default_network_when_there_is_none(tmp_path, monkeypatch):
    from dataclasses import replace

    import glassnet.train
    from glassnet.cli import lab as lab_cli
    from glassnet.errors import ModelFileError

    def no_model(_):
        raise ModelFileError("none trained yet")

    remembered = []
    real_preset = glassnet.train.preset
    monkeypatch.setattr(lab_cli, "resolve_model", no_model)
    monkeypatch.setattr(lab_cli, "remember_model", remembered.append)  # leave the user's record alone
    monkeypatch.setattr(glassnet.train, "preset", lambda name: replace(real_preset(name), epochs=1))
    path = lab_cli._model_to_show(None, tmp_path / "runs", quiet=True)
    assert path == tmp_path / "runs" / "default-3b1b.safetensors" and remembered == [path]
    net, info = load_model(path)
    assert net.sizes == [784, 16, 16, 10] and len(info.history) == 1 and info.training["preset"] == "3b1b"
    assert info.metrics["test_accuracy"] > 0.5
    # Next time the newest run is used, without training again.
    assert lab_cli._model_to_show(None, tmp_path / "runs", quiet=True) == path


def test_a_saturated_network_answers_with_nulls_not_a_500(tmp_path, mnist):
    from glassnet.modelfile import save_model
    from glassnet.network import Network

    net = Network([784, 4, 10], seed=0)
    net.biases[-1][:] = -1e4  # every output is σ(−10000) = 0, so the normalised probabilities are 0/0
    save_model(net, tmp_path / "dead.safetensors")
    with TestClient(create_app(tmp_path / "dead.safetensors", tmp_path / "runs", data=mnist)) as client:
        r = client.post("/api/forward", json={"test_index": 0})
        assert r.status_code == 200 and r.json()["probabilities"] == [None] * 10
