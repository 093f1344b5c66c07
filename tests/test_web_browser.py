"""The lab in a real browser: Debian's chromium, headless, driven by Playwright against a real server.

Each test leaves a screenshot (1280x800, a laptop screen) in test-output/web/ to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassnet.modelfile import load_model
from helpers import serve

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(small_model_path, mnist, tmp_path_factory):
    """A real uvicorn server in a thread, on a free port of 127.0.0.1."""
    from glassnet.web import create_app

    app = create_app(small_model_path, tmp_path_factory.mktemp("browser-runs"), data=mnist)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def shots(output_dir):
    folder = output_dir / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stroke(page, points):
    """Draw one stroke through `points` (fractions of the pad) with the mouse, in small steps."""
    box = page.locator("#pad").bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
        for t in np.linspace(0, 1, 8)[1:]:
            page.mouse.move(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
    page.mouse.up()


def wait_prediction(page, digit):
    page.wait_for_function(f"document.querySelector('#bars').dataset.prediction === '{digit}'", timeout=10_000)


def test_draw_a_one_and_a_seven(page, shots):
    stroke(page, [(0.52, 0.12), (0.50, 0.50), (0.48, 0.88)])
    wait_prediction(page, 1)
    assert page.locator("#pred-caption").inner_text().startswith("it says 1")
    page.click("#clear-pad")
    page.wait_for_function("document.querySelector('#bars').dataset.prediction === ''")
    stroke(page, [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)])
    wait_prediction(page, 7)
    # The network view: the output unit for 7 is chosen and its strongest inputs are drawn.
    assert page.locator("svg .unit[data-layer='3'][data-unit='7'] circle").get_attribute("stroke") == "#f0c36a"
    assert page.locator("svg line.conn").count() > 0
    page.screenshot(path=str(shots / "draw.png"))
    # Clicking a hidden unit shows its weight picture and the test images that excite it.
    page.locator("svg .unit[data-layer='1'][data-unit='5']").click()
    page.wait_for_selector("#unit-panel[data-shown='1:5']")
    assert page.locator("#unit-panel .pics canvas").count() == 6
    assert "its 784 weights" in page.locator("#unit-panel").inner_text()
    assert page.locator("#unit-title").inner_text() == "Layer 1, unit 5"
    assert page.locator("svg line.conn").count() > 0  # now the pixels feeding unit 5
    page.screenshot(path=str(shots / "draw-unit.png"))


def test_test_image_is_recognised(page, mnist, small_model_path):
    page.click("#test-image")
    page.wait_for_function("window.glassnet.forward && window.glassnet.forward.test_index !== null")
    r = page.evaluate("window.glassnet.forward")
    net = load_model(small_model_path)[0]
    i = r["test_index"]
    assert r["label"] == int(mnist.test.labels[i])
    assert int(page.locator("#bars").get_attribute("data-prediction")) == int(net.predict(mnist.test.x[i:i + 1])[0])


def test_train_live_and_compare(page, shots, small_model_path):
    page.click("#tab-train")
    assert page.locator("#cost-chart").get_attribute("data-points") == "0"
    page.select_option("#t-limit", "5000")
    page.fill("#t-epochs", "2")
    page.click("#train-start")
    page.wait_for_function("document.querySelector('#train-status').textContent.startsWith('finished')",
                           timeout=60_000)
    live = page.evaluate("window.glassnet.live")
    assert [h["epoch"] for h in live["history"]] == [1, 2]
    assert live["metrics"]["epochs_run"] == 2 and live["model"].endswith(".safetensors")
    # The curve grew: two epochs of training and validation cost are drawn (more if older runs are ticked).
    assert int(page.locator("#cost-chart").get_attribute("data-points")) >= 4
    assert page.locator("#runs tr").count() >= 2  # header + the new run
    assert page.locator("#train-weights canvas").count() == 16
    assert not page.locator("#train-start").is_disabled() and page.locator("#train-stop").is_disabled()
    page.screenshot(path=str(shots / "train.png"))


def test_progress_within_an_epoch_then_stop(page, shots, mnist):
    """A long epoch (all 50,000 images, batch 1): the bar and the status move within it; Stop ends it."""
    if len(mnist.train) < 50000:
        pytest.skip("needs the full training set")
    page.click("#tab-train")
    page.select_option("#t-limit", "50000")
    page.fill("#t-batch", "1")
    page.fill("#t-epochs", "3")
    page.click("#train-start")
    page.wait_for_function("/epoch 1 of 3: [1-9][0-9,]* \\/ 50,000 images/.test("
                           "document.querySelector('#train-status').textContent)", timeout=30_000)
    width = page.evaluate("parseFloat(document.querySelector('#train-progress').style.width)")
    assert 0 < width < 100 / 3  # inside the first of three epochs
    page.screenshot(path=str(shots / "train-progress.png"))
    page.click("#train-stop")
    page.wait_for_function("document.querySelector('#train-status').textContent.includes('nothing saved')",
                           timeout=30_000)
    assert not page.locator("#train-start").is_disabled()


def test_probe_a_weight_from_the_network(page, shots, mnist, small_model_path):
    stroke(page, [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)])
    page.wait_for_function("document.querySelectorAll('svg line.conn').length > 0")
    line = page.locator("svg line.conn").first
    layer, to, frm = (int(line.get_attribute(f"data-{k}")) for k in ("layer", "to", "from"))
    line.dispatch_event("click")  # this very line: near the unit, lines overlap and a mouse click may hit a neighbour
    page.wait_for_selector("#view-probe:not([hidden])")
    page.wait_for_function("document.querySelector('#p-verdict').dataset.state")
    assert (int(page.input_value("#p-layer")), int(page.input_value("#p-to")), int(page.input_value("#p-from"))) == (layer, to, frm)
    # The derivative on the page is backprop's, for the batch of 100 training images.
    net = load_model(small_model_path)[0].copy(np.float64)
    grad_w, _ = net.backprop(mnist.train.x[:100].astype(np.float64), mnist.train.labels[:100])
    shown = page.evaluate("window.glassnet.probe.curve.derivative")
    assert shown == pytest.approx(float(grad_w[layer - 1][to, frm]), rel=1e-6, abs=1e-12)
    assert "∂C/∂w by backprop" in page.locator("#p-facts").inner_text()
    page.screenshot(path=str(shots / "probe.png"))
    # The learning-rate slider: the largest rate overshoots, the smallest crawls.
    def set_slider(value):
        before = page.evaluate("window.glassnet.probe.descent.lr")
        page.evaluate("(v) => { const s = document.querySelector('#p-lr'); s.value = v; "
                      "s.dispatchEvent(new Event('input')); }", value)
        page.wait_for_function(f"window.glassnet.probe.descent.lr !== {before}")
        return page.locator("#p-verdict").get_attribute("data-state")

    assert set_slider(1000) in ("overshoots", "diverged")
    # The curve is then redrawn wide enough to show where the big steps land.
    page.wait_for_function("(() => { const p = window.glassnet.probe;"
                           " const reach = Math.max(...p.descent.values.map((v) => Math.abs(v - p.curve.current)));"
                           " return p.curve.values.at(-1) - p.curve.current >= Math.min(100, reach); })()")
    page.wait_for_timeout(200)
    page.screenshot(path=str(shots / "probe-overshoot.png"))
    assert set_slider(0) in ("crawling", "converged")


def test_gradient_docs_and_study_views(page, shots, server):
    page.click("#tab-gradient")
    page.wait_for_function("document.querySelectorAll('#g-top tr').length > 1")
    assert page.locator("#g-first canvas").count() == 16
    page.screenshot(path=str(shots / "gradient.png"))
    page.locator("#g-top tr.click").first.click()  # a row opens the probe on that weight
    page.wait_for_function("window.glassnet.probe && window.glassnet.probe.curve")
    top = page.evaluate("window.glassnet.gradient.top[0]")
    curve = page.evaluate("window.glassnet.probe.curve")
    assert (curve["layer"], curve["to"], curve["frm"]) == (top["layer"], top["to"], top["from"])
    page.click("#tab-study")
    assert page.locator("#view-study").is_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "study.png"))
    page.goto(server + "docs")
    page.wait_for_function("document.querySelectorAll('.ep').length >= 10")
    page.screenshot(path=str(shots / "docs.png"))
