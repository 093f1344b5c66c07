"""The inspection API: every number checked against an independent computation or a property it must have."""

from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet.errors import ConfigError
from glassnet.inspect import bias, cost_surface, features, first_layer, gradient, report, sigmoid, weight
from glassnet.inspect.counting import count_parameters, stored_values
from glassnet.network import Network


@pytest.fixture(scope="module")
def data(mnist):
    part = mnist.test.take(500)
    return part.x, part.labels


def sig(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=np.float64)))


def params_snapshot(net):
    return [p.copy() for p in net.parameters()]


def assert_unchanged(net, snapshot):
    for p, q in zip(net.parameters(), snapshot):
        assert np.array_equal(p, q), "an inspect function changed the network it was given"


# -- shared checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda n, x, y: features.unit_weights(n, 0, 0), "layer 0 does not exist"),
    (lambda n, x, y: features.unit_weights(n, 4, 0), "layer 4 does not exist"),
    (lambda n, x, y: features.top_images(n, x, 1, 16), "unit 16 does not exist"),
    (lambda n, x, y: bias.bias_report(n, x, 3, 10), "unit 10 does not exist"),
    (lambda n, x, y: weight.weight_curve(n, x, y, 1, 0, 784), "FROM 784 does not exist"),
    (lambda n, x, y: weight.weight_curve(n, x, y, 2, 0, 16), "FROM 16 does not exist"),
    (lambda n, x, y: sigmoid.sigmoid_report(n, x[:, :100]), "network takes 784 inputs"),
    (lambda n, x, y: gradient.gradient_report(n, x, y[:10]), "10 labels for 500 examples"),
    (lambda n, x, y: cost_surface.cost_slice_1d(n, x, y, direction="sideways"), "unknown direction"),
])
def test_bad_indices_and_shapes_are_one_line_config_errors(small_net, data, call, message):
    x, y = data
    with pytest.raises(ConfigError) as info:
        call(small_net, x, y)
    assert message in str(info.value) and "\n" not in str(info.value)


# -- Q1 features ----------------------------------------------------------------------------------


def test_unit_weights_are_the_row_into_the_unit(small_net):
    uw = features.unit_weights(small_net, 1, 5)
    assert uw.weights.shape == (28, 28)
    assert np.array_equal(uw.weights.ravel(), small_net.weights[0][5])
    assert uw.bias == pytest.approx(float(small_net.biases[0][5]))
    assert features.unit_weights(small_net, 2, 3).weights.shape == (16,)
    json.dumps(uw.to_dict())


def test_top_images_are_the_most_and_least_exciting(small_net, data):
    x, _ = data
    top = features.top_images(small_net, x, 1, 7, k=5)
    a = sig(x.astype(np.float64) @ small_net.weights[0][7] + small_net.biases[0][7])  # independent forward
    assert np.allclose(top.top_activations, np.sort(a)[::-1][:5], atol=1e-5)
    assert np.allclose(top.bottom_activations, np.sort(a)[:5], atol=1e-5)
    assert np.allclose(a[top.top_indices], top.top_activations, atol=1e-5)
    assert top.active_fraction == pytest.approx(np.mean(a > 0.5), abs=2 / len(x))


@pytest.mark.parametrize("layer, unit", [(1, 3), (2, 5), (3, 7)])
def test_activation_maximisation_raises_the_activation(small_net, layer, unit):
    snap = params_snapshot(small_net)
    am = features.maximize_activation(small_net, layer, unit, steps=100)
    assert am.z_end > am.z_start + 1
    assert am.activation_end >= am.activation_start
    assert am.image.shape == (28, 28) and am.image.min() >= 0 and am.image.max() <= 1
    assert np.linalg.norm(am.image) <= am.norm + 1e-9
    # check the claim with an independent forward pass of the float32 network
    assert small_net.forward(am.image.reshape(1, -1)).activations[layer][0, unit] == pytest.approx(am.activation_end, abs=1e-4)
    assert_unchanged(small_net, snap)


def test_activation_maximisation_of_a_first_layer_unit_follows_its_positive_weights(small_net):
    """For z = w·x + b with 0 ≤ x ≤ 1 and ‖x‖ ≤ 9, the best x puts ink where w is positive."""
    am = features.maximize_activation(small_net, 1, 3, steps=200)
    w_plus = np.maximum(small_net.weights[0][3], 0)
    cosine = am.image.ravel() @ w_plus / (np.linalg.norm(am.image) * np.linalg.norm(w_plus))
    assert cosine > 0.9
    assert np.all(am.image.ravel()[small_net.weights[0][3] < -0.05] < 0.05)  # no ink on inhibiting pixels


def test_layer_activations_of_one_image(small_net, mnist):
    x = mnist.test.x[0]
    la = features.layer_activations(small_net, x.reshape(28, 28))
    trace = small_net.forward(x[None])
    for mine, theirs in zip(la.activations, trace.activations[1:]):
        assert np.allclose(mine, theirs[0])
    assert la.prediction == small_net.predict(x[None])[0]
    assert all(set(act) == set(np.flatnonzero(a > 0.5)) for act, a in zip(la.active, la.activations))
    with pytest.raises(ConfigError):
        features.layer_activations(small_net, mnist.test.x[:2])


# -- Q2 sigmoid, Q3 bias --------------------------------------------------------------------------


def test_sigmoid_report_counts_saturation(small_net, data):
    x, _ = data
    rep = sigmoid.sigmoid_report(small_net, x, layer=1)
    z = x.astype(np.float64) @ small_net.weights[0].T.astype(np.float64) + small_net.biases[0]
    a = sig(z)
    assert rep.z_counts.sum() == z.size == rep.a_counts.sum()
    assert rep.z_min == pytest.approx(z.min(), abs=1e-3) and rep.z_max == pytest.approx(z.max(), abs=1e-3)
    assert rep.saturated_fraction == pytest.approx(np.mean((a < 0.02) | (a > 0.98)), abs=1e-3)
    assert np.allclose(rep.curve_a, sig(rep.curve_z), atol=1e-6)
    assert 0 <= rep.a_min and rep.a_max <= 1 and rep.z_max - rep.z_min > 2  # a wide range squashed into 0..1


def test_bias_report_with_and_without_the_bias(small_net, data):
    x, y = data
    snap = params_snapshot(small_net)
    unit = int(np.argmax(np.abs(small_net.biases[0])))
    rep = bias.bias_report(small_net, x, 1, unit, labels=y)
    s = x.astype(np.float64) @ small_net.weights[0][unit].astype(np.float64)
    b = float(small_net.biases[0][unit])
    assert rep.active_with_bias == pytest.approx(np.mean(s + b > 0), abs=2 / len(x))
    assert rep.active_without_bias == pytest.approx(np.mean(s > 0), abs=2 / len(x))
    assert rep.threshold == pytest.approx(-b)
    assert rep.accuracy_with_bias == pytest.approx(small_net.accuracy(x, y))
    # the curve with the bias is the curve without it, shifted by −b
    i = np.argmin(np.abs(rep.curve_with_bias - 0.5))
    assert rep.curve_s[i] == pytest.approx(-b, abs=2 * (rep.curve_s[1] - rep.curve_s[0]))
    assert_unchanged(small_net, snap)


# -- Q4 counting ----------------------------------------------------------------------------------


def test_counts_match_the_model_file(small_net, small_model_path):
    counts = count_parameters(small_net)
    assert [c.parameters for c in counts] == [784 * 16 + 16, 16 * 16 + 16, 16 * 10 + 10]
    assert sum(c.parameters for c in counts) == 13_002 == stored_values(small_model_path)


# -- Q5 cost surface ------------------------------------------------------------------------------


def test_filter_normalised_direction_has_the_weights_row_lengths(small_net):
    d = cost_surface.random_direction(small_net, np.random.default_rng(1))
    for l, w in enumerate(small_net.weights):
        assert np.allclose(np.linalg.norm(d[2 * l], axis=1), np.linalg.norm(w, axis=1), rtol=1e-5)
        assert not np.any(d[2 * l + 1])  # biases stay put


def test_cost_slices_pass_through_the_current_cost(small_net, data):
    x, y = data
    snap = params_snapshot(small_net)
    rnd = cost_surface.cost_slice_1d(small_net, x, y, "random", span=1.0, points=11)
    assert rnd.costs[5] == pytest.approx(small_net.cost(x, y), rel=1e-5)
    assert rnd.costs[0] > rnd.costs[5] and rnd.costs[-1] > rnd.costs[5]  # a trained net sits in a valley
    down = cost_surface.cost_slice_1d(small_net, x, y, "gradient", span=0.01, points=11)
    assert down.costs[6] < down.costs[5] < down.costs[4]  # downhill along −gradient, uphill against it
    surface = cost_surface.cost_slice_2d(small_net, x, y, span=1.0, points=5)
    assert surface.costs.shape == (5, 5)
    assert surface.costs[2, 2] == pytest.approx(small_net.cost(x, y), rel=1e-5)
    assert_unchanged(small_net, snap)


# -- Q6 one weight --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def steep_weight(small_net, data):
    """(layer, to, from) of the hidden weight with the largest |∂C/∂w|: a slope that is clearly not 0."""
    x, y = data
    grad_w, _ = small_net.backprop(x, y)
    to, frm = np.unravel_index(np.argmax(np.abs(grad_w[1])), grad_w[1].shape)
    return 2, int(to), int(frm)


def test_weight_derivative_agrees_with_the_curve_and_finite_difference(small_net, data, steep_weight):
    x, y = data
    snap = params_snapshot(small_net)
    curve = weight.weight_curve(small_net, x, y, *steep_weight, span=0.5, points=101)
    mid = len(curve.values) // 2
    assert curve.values[mid] == pytest.approx(curve.current)
    assert curve.costs[mid] == pytest.approx(small_net.cost(x, y), rel=1e-5)
    slope = (curve.costs[mid + 1] - curve.costs[mid - 1]) / (curve.values[mid + 1] - curve.values[mid - 1])
    assert np.sign(slope) == np.sign(curve.derivative)
    assert slope == pytest.approx(curve.derivative, rel=0.05)
    assert curve.finite_difference == pytest.approx(curve.derivative, rel=1e-4)
    assert curve.relative_error < 1e-4
    assert curve.direction == ("decrease" if curve.derivative > 0 else "increase")
    grad_w, _ = small_net.backprop(x, y)  # backprop of the original float32 network, independently
    assert curve.derivative == pytest.approx(float(grad_w[1][steep_weight[1], steep_weight[2]]), rel=1e-3)
    assert_unchanged(small_net, snap)


def test_descent_on_one_weight_small_good_too_large_and_decaying(small_net, data, steep_weight):
    x, y = data
    curve = weight.weight_curve(small_net, x, y, *steep_weight)
    rates = weight.suggested_rates(curve)
    start = curve.lowest_value + 0.6 * (curve.values[-1] - curve.values[0]) / 2
    small = weight.descent_path(small_net, x, y, *steep_weight, rates["small"], steps=10, start=start)
    good = weight.descent_path(small_net, x, y, *steep_weight, rates["good"], steps=10, start=start)
    large = weight.descent_path(small_net, x, y, *steep_weight, rates["too large"], steps=10, start=start)
    decaying = weight.descent_path(small_net, x, y, *steep_weight, rates["too large"], steps=10, decay=1.0,
                                   start=start)
    assert np.all(np.diff(small.costs) <= 1e-12) and not small.overshoots  # small steps: steadily down
    assert good.converged and good.costs[-1] < small.costs[-1]
    assert large.overshoots
    assert decaying.lrs[-1] == pytest.approx(rates["too large"] / 10)
    # each step is w ← w − η·∂C/∂w, and the recorded costs are the network's own
    assert good.values[1] == pytest.approx(good.values[0] - rates["good"] * good.derivatives[0])
    moved = small_net.copy(np.float64)
    moved.weights[1][steep_weight[1], steep_weight[2]] = good.values[3]
    assert good.costs[3] == pytest.approx(moved.cost(x, y), rel=1e-9)


# -- Q7 gradient ----------------------------------------------------------------------------------


def test_gradient_report(small_net, data):
    x, y = data
    rep = gradient.gradient_report(small_net, x, y, k=10)
    grad_w, grad_b = small_net.backprop(x, y)
    assert np.allclose(rep.layer_weight_norms, [np.linalg.norm(g) for g in grad_w], rtol=1e-5)
    everything = np.concatenate([np.abs(g).ravel() for g in grad_w])
    assert [abs(t["gradient"]) for t in rep.top] == pytest.approx(np.sort(everything)[::-1][:10], rel=1e-6)
    for t in rep.top:
        assert t["gradient"] == pytest.approx(float(grad_w[t["layer"] - 1][t["to"], t["from"]]))
        assert t["move"] == ("decrease" if t["gradient"] > 0 else "increase")
    assert rep.first_layer.shape == (16, 28, 28)
    assert np.allclose(rep.first_layer.reshape(16, -1), grad_w[0])
    # a step along −gradient lowers the cost, and more than a random step of the same length does
    assert rep.cost_after_gradient_step < rep.cost
    assert rep.cost_after_gradient_step - rep.cost < rep.random_changes.min()
    assert rep.predicted_change == pytest.approx(-rep.step * rep.norm)


# -- Q8 first layer -------------------------------------------------------------------------------


def test_smoothness_tells_noise_from_strokes():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((8, 28, 28))
    yy, xx = np.mgrid[:28, :28]
    blobs = np.stack([np.exp(-((xx - c) ** 2 + (yy - 14) ** 2) / 30.0) for c in range(8, 16)])
    assert np.all(np.abs(first_layer.smoothness(noise)) < 0.1)
    assert np.all(first_layer.smoothness(blobs) > 0.8)


def test_first_layer_report_against_the_start(small_net, small_model_path):
    from glassnet.modelfile import load_model

    net, info = load_model(small_model_path)
    start = report.initial_network(net, info)
    assert start.sizes == net.sizes and not np.array_equal(start.weights[0], net.weights[0])
    untrained = first_layer.first_layer_report(start, start)
    assert untrained.mean_correlation_with_initial == pytest.approx(1.0) and untrained.relative_change == 0
    assert abs(untrained.mean_smoothness) < 0.05  # random start: noise
    trained = first_layer.first_layer_report(net, start)
    assert trained.weights.shape == (16, 28, 28)
    assert trained.mean_correlation_with_initial < 0.99 and trained.relative_change > 0
    with pytest.raises(ConfigError):
        first_layer.first_layer_report(Network([100, 5, 10]))


# -- the report -----------------------------------------------------------------------------------


def test_write_report_answers_every_question(small_model_path, tmp_path, output_dir):
    result = report.write_report(small_model_path, tmp_path / "report", samples=300)
    html = (tmp_path / "report" / "index.html").read_text()
    answers = result["answers"]
    assert set(answers) == set(report.QUESTIONS)
    for name, answer in answers.items():
        assert report.QUESTIONS[name] in html
        for fig in answer["figures"]:
            assert "/" not in fig and f'src="{fig}"' in html  # relative, next to index.html
            assert (tmp_path / "report" / fig).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert answers["count"]["total"] == answers["count"]["stored_values"] == 13_002
    assert answers["gradient"]["cost_after_gradient_step"] < answers["gradient"]["cost"]
    assert answers["weight"]["relative_error"] < 1e-4
    assert answers["first-layer"]["other_init"]["init"] == "standard"
    assert "http" not in html.replace('lang="en"', "")  # offline: nothing fetched
    saved = json.loads((tmp_path / "report" / "answers.json").read_text())
    assert saved["answers"]["count"]["total"] == 13_002
    # keep a copy of the figures to look at
    import shutil

    shutil.copytree(tmp_path / "report", output_dir / "inspect-report", dirs_exist_ok=True)


def test_every_result_is_plain_json(small_net, data):
    """The web lab sends these to the browser: to_dict() must need no helper (no NumPy types, no NaN)."""
    x, y = data
    x, y = x[:100], y[:100]
    results = [features.unit_weights(small_net, 1, 0), features.top_images(small_net, x, 2, 0),
               features.maximize_activation(small_net, 3, 0, steps=3), features.layer_activations(small_net, x[0]),
               sigmoid.sigmoid_report(small_net, x, 3), bias.bias_report(small_net, x, 2, 0, labels=y),
               cost_surface.cost_slice_1d(small_net, x, y, points=3), cost_surface.cost_slice_2d(small_net, x, y, points=3),
               weight.weight_curve(small_net, x, y, 3, 0, 0, points=5),
               weight.descent_path(small_net, x, y, 3, 0, 0, lr=1.0, steps=2),
               gradient.gradient_report(small_net, x, y), first_layer.first_layer_report(small_net, small_net)]
    for r in results:
        json.dumps(r.to_dict(), allow_nan=False)
