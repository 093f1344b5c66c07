"""The eight questions answered for one model: numbers, a sentence with those numbers, and figures.

Each `answer_*` function computes one question's numbers with the other inspect modules, draws
its figure(s) with `figures`, and returns an `Answer`. The command line (`glassnet inspect ...`)
calls them one at a time; `write_report` calls them all and writes an offline `index.html` that
puts each question, its short answer and its figures together.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import load_dataset
from ..errors import ConfigError
from ..modelfile import ModelInfo, atomic_write_bytes, load_model
from ..network import Network
from ..plain import plain
from ..train import TrainConfig, build_network
from . import bias as bias_mod
from . import cost_surface, features, figures, first_layer, gradient, sigmoid, weight
from .counting import count_parameters, stored_values
from .features import check_layer, check_unit
from .figures import signed as _signed

QUESTIONS = {
    "features": "1. What does a hidden unit detect?",
    "fires": "1b. Which units fire for one image?",
    "sigmoid": "2. What does the sigmoid do to the weighted inputs?",
    "bias": "3. Is the bias a threshold?",
    "count": "4. How many weights and biases are there?",
    "cost": "5. What does the cost look like as a function of all parameters?",
    "weight": "6. What does one weight do to the cost?",
    "gradient": "7. What does the gradient vector say?",
    "first-layer": "8. What does the first layer see?",
}


@dataclass
class Context:
    """A network and the data its questions are answered on."""

    net: Network
    start: Network  # the same network before training (its initial weights, same seed)
    x: np.ndarray  # (N, 784) float32
    labels: np.ndarray
    images: np.ndarray  # (N, 28, 28) float32 in 0..1, for drawing
    data: object  # the Dataset (the contrast network trains on it)
    model: str  # what is being inspected, for titles
    path: Path | None = None
    untrained: bool = False
    split: str = "test"

    @property
    def n_layers(self) -> int:
        return len(self.net.weights)


@dataclass
class Answer:
    question: str
    numbers: dict
    sentence: str
    figures: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.sentence, "figures": [str(f) for f in self.figures],
                **self.numbers}


def initial_network(net: Network, info: ModelInfo | None) -> Network:
    """The network as it was before training: rebuilt from the training config saved in the file
    (same sizes, init and seed give the same random weights); seed 0 when the file has no config."""
    try:
        config = TrainConfig.from_dict(info.training if info else {})
        start = build_network(config, n_inputs=net.sizes[0], n_classes=net.sizes[-1])
        if start.sizes == net.sizes and start.activation == net.activation:
            return start.copy(net.dtype)
    except ConfigError:
        pass
    return Network(net.sizes, activation=net.activation, output=net.output, cost=net.cost_name, init=net.init,
                   seed=0, dtype=net.dtype)


def load_context(model: str | Path, untrained: bool = False, samples: int = 1000, split: str = "test") -> Context:
    """Load a model file and a fixed slice (the first `samples` images) of its data set's test or validation part."""
    if split not in ("test", "validation"):
        raise ConfigError(f"--split {split!r}: choose test or validation")
    if not 1 <= samples <= 60_000:
        raise ConfigError(f"--samples {samples} must be between 1 and 60000")
    net, info = load_model(model)
    name = info.dataset.get("name", "mnist")
    data = load_dataset(name if name in ("mnist", "fashion-mnist") else "mnist")
    part = getattr(data, split).take(samples)
    if net.sizes[0] != part.x.shape[1] or net.sizes[-1] != len(data.classes):
        raise ConfigError(f"the model takes {net.sizes[0]} inputs and gives {net.sizes[-1]} outputs; "
                          f"{data.name} has {part.x.shape[1]} pixels and {len(data.classes)} classes")
    start = initial_network(net, info)
    shown = start.copy() if untrained else net
    return Context(shown, start, part.x.astype(net.dtype), part.labels, part.images.astype(np.float32) / 255,
                   data, f"{Path(model).name}{' (untrained)' if untrained else ''}", Path(model), untrained, split)


def _pct(v) -> str:
    return f"{100 * v:.0f} %"


def _out(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / name


# ----------------------------------------------------------------------------------------------
# The questions


def answer_features(ctx: Context, out_dir: Path, layer: int = 1, unit: int = 0, k: int = 9,
                    steps: int = 200, file: str | None = None) -> Answer:
    check_unit(ctx.net, layer, unit)
    uw = features.unit_weights(ctx.net, layer, unit)
    top = features.top_images(ctx.net, ctx.x, layer, unit, k=k)
    am = features.maximize_activation(ctx.net, layer, unit, steps=steps)
    path = figures.save_figure(figures.features_figure(uw, top, am, ctx.images, ctx.n_layers),
                               _out(out_dir, file or f"features-L{layer}-u{unit}.png"))
    top_labels = ctx.labels[top.top_indices]
    common = np.bincount(top_labels, minlength=ctx.net.sizes[-1]).argmax()
    numbers = {"layer": layer, "unit": unit, "bias": uw.bias, "weights": uw.to_dict()["weights"],
               "top": {"indices": top.top_indices, "activations": top.top_activations, "labels": top_labels},
               "bottom": {"indices": top.bottom_indices, "activations": top.bottom_activations,
                          "labels": ctx.labels[top.bottom_indices]},
               "active_fraction": top.active_fraction, "mean_activation": top.mean_activation,
               "maximized": {"activation_start": am.activation_start, "activation_end": am.activation_end,
                             "z_start": am.z_start, "z_end": am.z_end, "norm": am.norm, "image": am.image}}
    sentence = (f"Unit {unit} of layer {layer} is active on {_pct(top.active_fraction)} of {len(ctx.x):,} "
                f"{ctx.split} images; its {k} most exciting images are mostly {common}s "
                f"({int(np.sum(top_labels == common))} of {k}), and gradient ascent raised its activation from "
                f"{am.activation_start:.2f} to {am.activation_end:.2f} with an input of the same ink budget "
                f"(length {am.norm:g}).")
    return Answer("features", numbers, sentence, [path])


def answer_fires(ctx: Context, out_dir: Path, image=None, index: int = 0, file: str | None = None) -> Answer:
    """`image`: a path/array of a user's picture (preprocessed like MNIST); else data image `index`."""
    if image is not None:
        from ..data import preprocess_image

        x_one, source = preprocess_image(image), str(image)
    else:
        if not 0 <= index < len(ctx.x):
            raise ConfigError(f"--index {index} must be between 0 and {len(ctx.x) - 1}")
        x_one, source = ctx.x[index], f"{ctx.split} image #{index} (label {int(ctx.labels[index])})"
    la = features.layer_activations(ctx.net, x_one)
    level = features.active_threshold(ctx.net, 1)
    path = figures.save_figure(figures.fires_figure(la, level, f"Which units fire for {source}?"),
                               _out(out_dir, file or "fires.png"))
    numbers = {"source": source, "activations": la.activations, "active": la.active,
               "prediction": la.prediction, "probabilities": la.probabilities}
    counts = ", ".join(f"{len(a)} of {len(v)} in layer {l + 1}" for l, (a, v) in enumerate(zip(la.active[:-1],
                                                                                             la.activations)))
    sentence = (f"For {source} the active units are {counts}; the network answers {la.prediction} "
                f"({_pct(la.probabilities[la.prediction])} of the output total).")
    return Answer("fires", numbers, sentence, [path])


def answer_sigmoid(ctx: Context, out_dir: Path, layer: int = 1, file: str | None = None) -> Answer:
    rep = sigmoid.sigmoid_report(ctx.net, ctx.x, layer)
    path = figures.save_figure(figures.sigmoid_figure(rep, ctx.n_layers), _out(out_dir, file or f"sigmoid-L{layer}.png"))
    numbers = {k: v for k, v in rep.to_dict().items() if k not in ("z_sample", "a_sample", "curve_z", "curve_a")}
    sentence = (f"On {len(ctx.x):,} images the weighted inputs z of layer {layer} range from {rep.z_min:.1f} to "
                f"{rep.z_max:.1f}; {rep.activation} {'cuts off the negative ones, giving' if rep.activation == 'relu' else 'squashes them into'} "
                f"{rep.a_min:.2f}..{rep.a_max:.2f}, and "
                f"{_pct(rep.saturated_fraction)} of the (image, unit) pairs sit saturated on a flat end "
                f"({_pct(rep.saturated_low)} near the bottom, {_pct(rep.saturated_high)} near the top).")
    return Answer("sigmoid", numbers, sentence, [path])


def default_bias_unit(net: Network, layer: int) -> int:
    """The unit whose bias is largest in size: where the threshold matters most."""
    return int(np.argmax(np.abs(net.biases[check_layer(net, layer)])))


def answer_bias(ctx: Context, out_dir: Path, layer: int = 1, unit: int | None = None,
                file: str | None = None) -> Answer:
    unit = default_bias_unit(ctx.net, layer) if unit is None else unit
    rep = bias_mod.bias_report(ctx.net, ctx.x, layer, unit, labels=ctx.labels)
    path = figures.save_figure(figures.bias_figure(rep, ctx.n_layers), _out(out_dir, file or f"bias-L{layer}-u{unit}.png"))
    numbers = {k: v for k, v in rep.to_dict().items() if not k.startswith("curve_")}
    if rep.bias == 0:
        sentence = (f"Unit {unit} of layer {layer} has bias 0 (biases start at 0 and this one has not moved), so it "
                    f"switches on when its weighted sum passes 0: it is active on {_pct(rep.active_with_bias)} of "
                    f"test images, and setting the bias to 0 changes nothing.")
        return Answer("bias", numbers, sentence, [path])
    sentence = (f"Unit {unit} of layer {layer} has bias {rep.bias:+.2f}, so it switches on when its weighted sum "
                f"passes {rep.threshold:+.2f}: it is active on {_pct(rep.active_with_bias)} of test images with its "
                f"bias, {_pct(rep.active_without_bias)} with the bias set to 0 (network accuracy "
                f"{rep.accuracy_with_bias:.1%} → {rep.accuracy_without_bias:.1%}).")
    return Answer("bias", numbers, sentence, [path])


def answer_count(ctx: Context, out_dir: Path, file: str | None = None) -> Answer:
    counts = count_parameters(ctx.net)
    total = sum(c.parameters for c in counts)
    stored = stored_values(ctx.path) if ctx.path is not None else None
    path = figures.save_figure(figures.count_figure(counts, stored, ctx.n_layers), _out(out_dir, file or "count.png"))
    numbers = {"layers": [c.to_dict() for c in counts], "total": total,
               "weights": sum(c.weights for c in counts), "biases": sum(c.biases for c in counts),
               "stored_values": stored, "matches_file": stored == total if stored is not None else None}
    arithmetic = " + ".join(f"{c.parameters:,}" for c in counts)
    sentence = (f"{' + '.join(f'{c.inputs}×{c.units}' for c in counts)} weights plus "
                f"{' + '.join(str(c.units) for c in counts)} biases: {arithmetic} = {total:,} parameters"
                + (f"; the model file stores {stored:,} numbers, "
                   f"{'the same' if stored == total else 'A DIFFERENT count'}." if stored is not None else "."))
    return Answer("count", numbers, sentence, [path])


def answer_cost(ctx: Context, out_dir: Path, span: float = 1.0, points: int = 41, grid: int = 21,
                gradient_span: float = 0.05, seed: int = 0, file: str | None = None) -> Answer:
    rnd = cost_surface.cost_slice_1d(ctx.net, ctx.x, ctx.labels, "random", span, points, seed)
    down = cost_surface.cost_slice_1d(ctx.net, ctx.x, ctx.labels, "gradient", gradient_span, points, seed)
    surface = cost_surface.cost_slice_2d(ctx.net, ctx.x, ctx.labels, span, grid, seed)
    path = figures.save_figure(figures.cost_surface_figure([rnd, down], surface), _out(out_dir, file or "cost.png"))
    numbers = {"cost": rnd.cost_at_zero, "random": rnd.to_dict(), "gradient": down.to_dict(), "surface": surface.to_dict()}
    edge = down.lowest_alpha >= down.alphas[-1]
    sentence = (f"At the {'untrained' if ctx.untrained else 'trained'} parameters the average cost over {len(ctx.x):,} "
                f"images is {rnd.cost_at_zero:.4f}. One weight-length away along a random direction it is "
                f"{rnd.costs[0]:.3f} on one side and {rnd.costs[-1]:.3f} on the other (lowest on that line "
                f"{rnd.lowest_cost:.4f} at α = {rnd.lowest_alpha:+.2f}); along −gradient it falls to "
                f"{down.lowest_cost:.4f} at α = {down.lowest_alpha:+.3f}"
                + (" and is still falling at the end of the slice." if edge else " and then rises again.") )
    return Answer("cost", numbers, sentence, [path])


def answer_weight(ctx: Context, out_dir: Path, layer: int, to: int, frm: int, span: float | None = None,
                  steps: int = 12, file: str | None = None) -> Answer:
    curve = weight.weight_curve(ctx.net, ctx.x, ctx.labels, layer, to, frm, span=span)
    if span is None and not _has_valley(curve):  # look further out once for the bottom of the valley
        curve = weight.weight_curve(ctx.net, ctx.x, ctx.labels, layer, to, frm, span=3 * (curve.values[-1] - curve.current))
    valley = _has_valley(curve)
    paths, rates = {}, {}
    try:
        if not valley:
            raise ConfigError(f"along this weight alone the cost has no minimum within ±{curve.values[-1] - curve.current:.3g}: "
                              f"it keeps falling as w {'decreases' if curve.lowest_value < curve.current else 'increases'} "
                              "and flattens out, so there is no valley floor for gradient descent to find or overshoot")
        rates = weight.suggested_rates(curve)
    except ConfigError as exc:
        note = str(exc)
    else:
        note = ""
        # Start away from the valley floor (on the side with more room) so the steps have somewhere to go.
        half = (curve.values[-1] - curve.values[0]) / 2
        side = -1 if curve.lowest_value - curve.values[0] > curve.values[-1] - curve.lowest_value else 1
        start = curve.lowest_value + side * 0.8 * half
        start = float(np.clip(start, curve.values[0], curve.values[-1]))
        for name, lr in rates.items():
            paths[name] = weight.descent_path(ctx.net, ctx.x, ctx.labels, layer, to, frm, lr, steps, start=start)
        paths["too large, decaying"] = weight.descent_path(ctx.net, ctx.x, ctx.labels, layer, to, frm,
                                                           rates["too large"], steps, decay=1.0, start=start)
    # Steps that jump beyond the drawn curve get the same curve drawn wider behind them.
    reach = max([abs(v - curve.current) for p in paths.values() for v in (p.values.min(), p.values.max())] + [0])
    wide = None
    if reach > (curve.values[-1] - curve.values[0]) / 2:
        wide = weight.weight_curve(ctx.net, ctx.x, ctx.labels, layer, to, frm, span=1.05 * reach, points=241)
    path = figures.save_figure(figures.weight_figure(curve, paths, ctx.n_layers, wide, note),
                               _out(out_dir, file or f"weight-L{layer}-{to}-{frm}.png"))
    numbers = {**curve.to_dict(), "learning_rates": rates, "paths": {k: p.to_dict() for k, p in paths.items()},
               "valley": valley, "note": note}
    sentence = (f"The weight from {'pixel' if layer == 1 else 'unit'} {frm} into unit {to} of layer {layer} is "
                f"{curve.current:+.3f}; backprop gives ∂C/∂w = {curve.derivative:+.3g} and the finite difference "
                f"{curve.finite_difference:+.3g} (relative difference {curve.relative_error:.0e}), so gradient "
                f"descent would {curve.direction} it.")
    if paths:
        sentence += (f" On this curve η = {rates['good']:.3g} settles in {steps} steps, "
                     f"η = {rates['small']:.3g} is still on the way, and η = {rates['too large']:.3g} "
                     f"{'overshoots' if paths['too large'].overshoots else 'does not overshoot'}.")
    else:
        sentence += f" {note[0].upper()}{note[1:]}."
    return Answer("weight", numbers, sentence, [path])


def _has_valley(curve) -> bool:
    """Does the drawn curve have its lowest point inside (a valley floor), not at one end?"""
    i = int(np.argmin(curve.costs))
    return 0 < i < len(curve.costs) - 1


def answer_gradient(ctx: Context, out_dir: Path, k: int = 10, file: str | None = None) -> Answer:
    rep = gradient.gradient_report(ctx.net, ctx.x, ctx.labels, k=k)
    path = figures.save_figure(figures.gradient_figure(rep, ctx.n_layers, k_show=k), _out(out_dir, file or "gradient.png"))
    numbers = rep.to_dict()
    biggest = int(np.argmax(rep.layer_rms)) + 1
    t = rep.top[0]
    sentence = (f"On {len(ctx.x):,} images ‖∇C‖ = {rep.norm:.3g}; per weight the gradient is largest in layer "
                f"{biggest}, and the single most influential weight is layer {t['layer']}, {t['to']} ← {t['from']} "
                f"(∂C/∂w = {t['gradient']:+.2e}). A step of length {rep.step:.3g} along −∇C changed the cost by "
                f"{rep.cost_after_gradient_step - rep.cost:+.2e} (first-order prediction {rep.predicted_change:+.2e}); "
                f"random steps of the same length changed it by {rep.random_changes.mean():+.2e} on average.")
    return Answer("gradient", numbers, sentence, [path])


def answer_first_layer(ctx: Context, out_dir: Path, contrast: str | Path | None = None,
                       weight_decay: float = 3e-4, epochs: int = 3, limit: int = 10_000,
                       other_init: bool = True, file: str | None = None) -> Answer:
    """Untrained vs this network vs a contrast network (a model file, or L2 weight decay trained here in
    a few seconds), plus (other_init) the same quick recipe from the other starting weights: the
    video's N(0,1) start keeps the pictures random, the scaled N(0,1/784) start lets training draw on them."""
    from dataclasses import replace

    untrained = first_layer.first_layer_report(ctx.start)
    trained = first_layer.first_layer_report(ctx.net, ctx.start)
    base = None
    if ctx.path is not None:
        try:
            base = TrainConfig.from_dict(load_model(ctx.path)[1].training)
        except ConfigError:
            base = None
    base = base or TrainConfig(optimizer="adam", lr=0.003, schedule="cosine")
    if contrast is not None:
        other, other_info = load_model(contrast)
        first_layer.first_layer_images(other)
        other_start = initial_network(other, other_info)
        how = f"{Path(contrast).name}"
    else:
        other, other_start, _ = first_layer.train_contrast(ctx.data, base, weight_decay=weight_decay,
                                                           epochs=epochs, limit=limit)
        how = f"L2 weight decay λ = {weight_decay:g}\n({epochs} epochs, {limit:,} images)"
    contrast_rep = first_layer.first_layer_report(other, other_start)
    contrast_acc = other.accuracy(ctx.x, ctx.labels)
    me = "untrained" if ctx.untrained else "trained"
    panels = [("untrained (its random start)", untrained),
              (f"this network, {me}\n{ctx.model}\naccuracy {ctx.net.accuracy(ctx.x, ctx.labels):.1%}", trained),
              (f"contrast: {how}\naccuracy {contrast_acc:.1%}", contrast_rep)]
    numbers = {"smoothness": {"untrained": untrained.mean_smoothness, "trained": trained.mean_smoothness,
                              "contrast": contrast_rep.mean_smoothness},
               "correlation_with_initial": {"trained": trained.mean_correlation_with_initial,
                                            "contrast": contrast_rep.mean_correlation_with_initial},
               "relative_change": {"trained": trained.relative_change, "contrast": contrast_rep.relative_change},
               "unit_smoothness": {"untrained": untrained.smoothness, "trained": trained.smoothness,
                                   "contrast": contrast_rep.smoothness},
               "contrast": how, "contrast_accuracy": contrast_acc, "other_init": None}
    init = ctx.net.init
    if other_init:
        flip = "standard" if init == "scaled" else "scaled"
        twin, twin_start, _ = first_layer.train_contrast(ctx.data, replace(base, init=flip), epochs=epochs, limit=limit)
        twin_rep = first_layer.first_layer_report(twin, twin_start)
        start_name = {"standard": "N(0, 1) start (the video's)", "scaled": "N(0, 1/784) start"}[flip]
        panels.append((f"same recipe, {start_name}\n{epochs} epochs, {limit:,} images", twin_rep))
        numbers["other_init"] = {"init": flip, "smoothness": twin_rep.mean_smoothness,
                                 "correlation_with_initial": twin_rep.mean_correlation_with_initial,
                                 "relative_change": twin_rep.relative_change}
    path = figures.save_figure(figures.first_layer_figure(panels), _out(out_dir, file or "first-layer.png"))
    verdict = ("close to random noise" if trained.mean_smoothness < 0.2 else
               "partly smooth" if trained.mean_smoothness < 0.5 else "clearly smooth, not random")
    sentence = (f"Smoothness (correlation of each weight picture with itself moved one pixel; noise ≈ 0): untrained "
                f"{_signed(untrained.mean_smoothness)}, this network {_signed(trained.mean_smoothness)} ({verdict}; "
                f"correlation with its own random start {_signed(trained.mean_correlation_with_initial)}), "
                f"the contrast with {' '.join(how.split())} {_signed(contrast_rep.mean_smoothness)}.")
    if numbers["other_init"]:
        o = numbers["other_init"]
        sentence += (f" Started from {'N(0, 1) weights, as in the video' if o['init'] == 'standard' else 'small N(0, 1/784) weights'}, "
                     f"the same recipe gives {_signed(o['smoothness'])} (correlation with its start "
                     f"{_signed(o['correlation_with_initial'])}): the starting weights decide how random the pictures look.")
    return Answer("first-layer", numbers, sentence, [path])


# ----------------------------------------------------------------------------------------------
# Everything, as one offline page


def write_report(model: str | Path, out_dir: str | Path, untrained: bool = False, samples: int = 1000,
                 contrast: str | Path | None = None, layer: int = 1, unit: int = 0, on_answer=None) -> dict:
    """Answer all eight questions for `model`, write every figure and `index.html` (+ `answers.json`)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file; give a folder")
    ctx = load_context(model, untrained, samples)
    # The weight to study: the one with the largest |∂C/∂w| in the last hidden layer
    # (a hidden weight is the video's "one knob among thousands"), else the most influential.
    grad_w, _ = ctx.net.backprop(ctx.x, ctx.labels)
    l = max(ctx.n_layers - 2, 0)
    to, frm = np.unravel_index(int(np.argmax(np.abs(grad_w[l]))), grad_w[l].shape)
    w = {"layer": l + 1, "to": int(to), "from": int(frm)}
    steps = [
        lambda: answer_features(ctx, out_dir, layer, unit),
        lambda: answer_fires(ctx, out_dir, index=0),
        lambda: answer_sigmoid(ctx, out_dir, 1),
        lambda: answer_bias(ctx, out_dir, 1),
        lambda: answer_count(ctx, out_dir),
        lambda: answer_cost(ctx, out_dir),
        lambda: answer_weight(ctx, out_dir, w["layer"], w["to"], w["from"]),
        lambda: answer_gradient(ctx, out_dir),
        lambda: answer_first_layer(ctx, out_dir, contrast),
    ]
    answers = []
    for step in steps:
        answers.append(step())
        if on_answer:
            on_answer(answers[-1])
    for a in answers:
        a.figures = [Path(f).name for f in a.figures]  # relative: the folder can be moved or zipped
    result = plain({"model": str(model), "untrained": untrained, "samples": len(ctx.x), "split": ctx.split,
                          "architecture": ctx.net.architecture(), "index": "index.html",
                          "answers": {a.question: a.to_dict() for a in answers}})
    atomic_write_bytes(out_dir / "answers.json", json.dumps(result, indent=1).encode())
    atomic_write_bytes(out_dir / "index.html", render_html(ctx, answers).encode())
    return result


EXPLAIN = {
    "features": "Each hidden unit adds up its inputs with its own weights. Red weights make the unit fire when "
                "those pixels are bright, blue ones hold it back. The images that excite it most and least, and "
                "an input built by gradient ascent to excite it as much as possible, show what it responds to.",
    "fires": "Feed one image forward: in every layer some units are active (above the line) and some are not. "
             "The output layer's most active unit is the network's answer.",
    "sigmoid": "A unit's weighted input z can be any number; the sigmoid squashes it into 0..1. The histogram is "
               "every real z of this layer on the data; the shaded ends are where the curve is flat "
               "(saturated): there the slope is almost 0 and learning through that unit nearly stops.",
    "bias": "The bias moves the point where a unit switches on: σ(w·a + b) > 0.5 exactly when w·a > −b. "
            "Setting one bias to 0 (everything else unchanged) shows how much it matters.",
    "count": "Every connection has a weight and every unit a bias. The count is checked against the number "
             "of values actually stored in the model file.",
    "cost": "The cost is one function of all the parameters at once. We walk along lines and a plane through "
            "the current parameters and evaluate the real average cost at every point.",
    "weight": "Fix everything except one weight and the cost is an ordinary curve. Its slope is the derivative "
              "backpropagation computes (checked by a finite difference); gradient descent on that curve shows "
              "what a small, good, too large and decaying learning rate do.",
    "gradient": "The gradient has one entry per weight and bias: how much the cost changes per nudge. Measured: "
                "a small step against it lowers the cost, a random step of the same length barely changes it.",
    "first-layer": "Each first-layer unit's 784 weights drawn as a 28×28 picture. 'Smoothness' measures how "
                   "random they look: noise scores about 0, strokes score high.",
}


def render_html(ctx: Context, answers: list) -> str:
    """One self-contained page: inline CSS, no scripts, figures referenced by relative file name."""
    e = html.escape
    net = ctx.net
    sections = []
    for a in answers:
        figs = "".join(f'<a href="{e(str(f))}"><img src="{e(str(f))}" alt="{e(QUESTIONS[a.question])}"></a>'
                       for f in a.figures)
        sections.append(f'<section id="{e(a.question)}"><h2>{e(QUESTIONS[a.question])}</h2>'
                        f'<p class="answer">{e(a.sentence)}</p><p class="explain">{e(EXPLAIN[a.question])}</p>'
                        f"{figs}</section>")
    toc = "".join(f'<li><a href="#{e(a.question)}">{e(QUESTIONS[a.question])}</a></li>' for a in answers)
    acc = net.accuracy(ctx.x, ctx.labels)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>glassnet: inside {e(ctx.model)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }}
.answer {{ font-size: 1.1em; background: #f4f8fb; border-left: 4px solid #2c7bb6; padding: .6em .9em; }}
.explain {{ color: #555; }} img {{ max-width: 100%; border: 1px solid #eee; margin: .5em 0; }}
code {{ background: #f2f2f2; padding: 0 .3em; }}
</style></head><body>
<h1>Inside {e(ctx.model)}</h1>
<p>A {' → '.join(map(str, net.sizes))} network ({e(net.activation)} hidden units, {e(net.output)} output,
{e(net.cost_name)} cost){', shown <b>untrained</b> (its random starting weights)' if ctx.untrained else ''}.
Every number and figure below was computed from this network on the first {len(ctx.x):,} {e(ctx.split)} images,
on which it is {acc:.1%} accurate. The numbers are also in <code>answers.json</code>.</p>
<ul>{toc}</ul>
{''.join(sections)}
</body></html>
"""
