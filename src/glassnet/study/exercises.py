"""Exercises generated from the learner's own live network, with answers the program checks itself.

Every exercise is built from real numbers: the network's weights and biases, its weighted inputs
and activations on real MNIST images (`net.forward`), its derivatives (`net.backprop`), its cost
(`net.cost`). A new random draw each time, so an answer cannot be remembered, only understood.

Each exercise type answers one of the eight questions and is scheduled (FSRS) as a card of its
own, whose content is regenerated at every review.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import GlassnetError
from ..network import Network


class AnswerError(GlassnetError, ValueError):
    """An answer that cannot be checked (empty, not a number, not one of the choices)."""


@dataclass
class Exercise:
    type: str
    question: int  # which of the eight questions it practises
    prompt: str
    kind: str  # "number" or "choice"
    answer: float | str  # the correct number, or the correct choice (one of `choices`)
    explanation: str  # how the answer follows from the network's numbers
    choices: list[str] = field(default_factory=list)
    tolerance: float = 0.0  # absolute, for numbers
    images: list[dict] = field(default_factory=list)  # {"caption", "kind": "weights"|"pixels", "grid": 28×28}
    curve: dict | None = None  # {"values", "costs", "current", "marks"} for a weight's cost curve
    facts: dict = field(default_factory=dict)  # what it was built from (layer, unit, image index...), for checking

    def to_dict(self, reveal: bool = False) -> dict:
        d = {"type": self.type, "question": self.question, "prompt": self.prompt, "kind": self.kind,
             "choices": self.choices, "tolerance": self.tolerance if self.kind == "number" else None,
             "images": self.images, "curve": self.curve, "facts": self.facts}
        if reveal:
            d.update(answer=self.answer_text(), explanation=self.explanation)
        return d

    def answer_text(self) -> str:
        if self.kind == "choice":
            return f"{LETTERS[self.choices.index(self.answer)]}) {self.answer}"
        return format_number(self.answer)


@dataclass
class Verdict:
    correct: bool
    given: str
    expected: str
    message: str

    def to_dict(self) -> dict:
        return {"correct": self.correct, "given": self.given, "expected": self.expected, "message": self.message}


LETTERS = "ABCDEFGH"


def format_number(v) -> str:
    v = float(v)
    if v == int(v) and abs(v) >= 1:
        return f"{int(v):,}"
    return f"{v:.4g}"


def parse_number(text: str) -> float:
    """'12,544', ' -0.5 ', '1e-3', '−0.03' (a typographic minus) -> float; anything else is an AnswerError."""
    cleaned = text.strip().replace("−", "-").replace("_", "")
    if not cleaned:
        raise AnswerError("the answer is empty: type a number")
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise AnswerError(f"{text.strip()!r} is not a number: type one such as 0.73 or 12544") from None
    if not math.isfinite(value):
        raise AnswerError(f"{text.strip()!r} is not a finite number")
    return value


def parse_choice(text: str, choices: list[str]) -> str:
    """A letter (A, b), a number (1..n) or the choice's own words -> that choice."""
    t = text.strip().rstrip(")").strip().lower()
    if not t:
        raise AnswerError(f"the answer is empty: type one of {', '.join(LETTERS[:len(choices)])}")
    if len(t) == 1 and t.upper() in LETTERS[:len(choices)]:
        return choices[LETTERS.index(t.upper())]
    if t.isdigit() and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1]
    for c in choices:
        if t == c.lower():
            return c
    raise AnswerError(f"{text.strip()!r} is not one of the choices: type "
                      f"{', '.join(LETTERS[:len(choices)])} (or the choice's words)")


def check(ex: Exercise, text: str) -> Verdict:
    """Is `text` the right answer? Raises AnswerError for an answer that cannot be judged."""
    if not isinstance(text, str):
        raise AnswerError("the answer must be text")
    if ex.kind == "number":
        given = parse_number(text)
        ok = abs(given - float(ex.answer)) <= ex.tolerance
        shown = format_number(given)
    else:
        given_choice = parse_choice(text, ex.choices)
        ok = given_choice == ex.answer
        shown = given_choice
    expected = ex.answer_text()
    if ok:
        message = "Right." if ex.kind == "choice" or ex.tolerance == 0 else \
            f"Right (within ±{format_number(ex.tolerance)} of {expected})."
    else:
        message = f"Not quite: the answer is {expected}."
    return Verdict(ok, shown, expected, message)


# ----------------------------------------------------------------------------------------------
# The generators. Each takes the network, a batch of real images (x float32 (N,784), labels) and a
# random generator, and returns an Exercise.


def _grid(a) -> list:
    return np.round(np.asarray(a, dtype=np.float64).reshape(28, 28), 4).tolist()


def _first_layer(net: Network):
    if net.sizes[0] != 784:
        raise AnswerError("this exercise needs a network whose inputs are 28×28 pictures")
    return net.weights[0]


REGIONS = {"top-left": (slice(0, 14), slice(0, 14)), "top-right": (slice(0, 14), slice(14, 28)),
           "bottom-left": (slice(14, 28), slice(0, 14)), "bottom-right": (slice(14, 28), slice(14, 28))}


def region_sums(weights_row) -> dict:
    """The weighted-sum increase if one quarter of the picture were fully bright: its weights' sum."""
    grid = np.asarray(weights_row, dtype=np.float64).reshape(28, 28)
    return {name: float(grid[r, c].sum()) for name, (r, c) in REGIONS.items()}


def gen_pixel_region(net, x, labels, rng) -> Exercise:
    """Q1: which quarter of the picture, lit up, raises this unit's weighted sum most?"""
    w = _first_layer(net)
    best = None
    for j in rng.permutation(len(w))[:16]:  # prefer a unit with a clear winner, so the question is fair
        sums = region_sums(w[j])
        ordered = sorted(sums.values(), reverse=True)
        margin = (ordered[0] - ordered[1]) / (max(ordered) - min(ordered) + 1e-12)
        if best is None or margin > best[0]:
            best = (margin, int(j), sums)
        if margin > 0.25:
            break
    _, j, sums = best
    answer = max(sums, key=sums.get)
    choices = list(REGIONS)
    return Exercise(
        "pixel-region", 1,
        # The picture is drawn differently by each front end (28×28 in colour in the lab, 14×14 in
        # colour or in signed characters in a terminal); each prints a legend saying how, so the
        # prompt only says what the picture is.
        f"Here are the 784 incoming weights of unit {j} in layer 1, laid out like the 28×28 picture they "
        f"weigh: one pixel's weight where that pixel is (the legend says how positive and negative are drawn). "
        f"If one quarter of the picture were fully bright (all its pixels 1) and the rest dark, "
        f"which quarter would raise unit {j}'s weighted sum w·x the most?",
        "choice", answer,
        "The weighted sum gains the sum of the weights under the bright pixels: " +
        ", ".join(f"{k} {v:+.2f}" for k, v in sums.items()) + f". The largest is {answer}.",
        choices=choices, images=[{"caption": f"unit {j} weights", "kind": "weights", "grid": _grid(w[j])}],
        facts={"layer": 1, "unit": j, "region_sums": sums})


def gen_sigmoid_value(net, x, labels, rng) -> Exercise:
    """Q2: the activation for a real weighted input z of a real unit on a real image."""
    trace = net.forward(x)
    # Prefer a z in −4..4, where the sigmoid is still curved: far out it is just 0 or 1.
    ii, jj = np.nonzero(np.abs(trace.zs[0]) <= 4)
    if len(ii) and rng.random() < 0.85:
        k = int(rng.integers(len(ii)))
        i, j = int(ii[k]), int(jj[k])
    else:
        i, j = int(rng.integers(len(x))), int(rng.integers(net.sizes[1]))
    z = float(trace.zs[0][i, j])
    z_shown = round(z, 2)
    a = float(net.f(np.float64(z_shown)))  # the answer for the number the learner sees
    name = {"sigmoid": "σ(z) = 1 / (1 + e^(−z))", "tanh": "tanh(z)", "relu": "max(0, z)"}[net.activation]
    return Exercise(
        "sigmoid-value", 2,
        f"Fed test image #{i} (a {int(labels[i])}), unit {j} of layer 1 has weighted input z = w·x + b = {z_shown:.2f}. "
        f"Its activation is {name}. What is the activation? (two decimals are enough)",
        "number", a,
        f"{name} at z = {z_shown:.2f} gives {a:.4f}. " +
        ("Negative z gives less than 0.5, positive more; |z| > 4 is almost 0 or 1 (saturated)."
         if net.activation == "sigmoid" else ""),
        tolerance=0.01, facts={"layer": 1, "unit": j, "image": i, "z": z, "z_shown": z_shown,
                               "activation": float(trace.activations[1][i, j])})


def gen_bias_threshold(net, x, labels, rng) -> Exercise:
    """Q3: the bias as threshold: above which weighted sum is the unit more than half active?"""
    l = int(rng.integers(len(net.weights) - 1)) if len(net.weights) > 1 else 0
    j = int(rng.integers(net.sizes[l + 1]))
    b = round(float(net.biases[l][j]), 3)
    return Exercise(
        "bias-threshold", 3,
        f"Unit {j} of layer {l + 1} has bias b = {b:.3f}. Its activation is σ(w·x + b). How large must the "
        f"weighted sum w·x (without the bias) be for the unit's activation to be exactly 0.5? Above that "
        f"value it is more than half active.",
        "number", -b,
        f"σ(w·x + b) = 0.5 exactly when w·x + b = 0, i.e. w·x = −b = {-b:.3f}: the bias sets the threshold.",
        tolerance=0.005, facts={"layer": l + 1, "unit": j, "bias": float(net.biases[l][j])})


def gen_count_parameters(net, x, labels, rng) -> Exercise:
    """Q4: weights, biases or both, of one layer of this network."""
    l = int(rng.integers(len(net.weights)))
    n_in, n_out, n_w, n_b = net.layer_counts()[l]
    what = ["weights", "biases", "weights and biases together"][int(rng.integers(3))]
    answer = {"weights": n_w, "biases": n_b}.get(what, n_w + n_b)
    sizes = "-".join(str(s) for s in net.sizes)
    return Exercise(
        "count-parameters", 4,
        f"Your network is {sizes}. Layer {l + 1} connects {n_in:,} "
        f"{'input pixels' if l == 0 else 'units'} to {n_out:,} units. How many {what} does layer {l + 1} have?",
        "number", float(answer),
        f"One weight per connection: {n_in:,} × {n_out:,} = {n_w:,} weights; one bias per unit: {n_b:,} biases; "
        f"{n_w + n_b:,} in all.",
        tolerance=0.0, facts={"layer": l + 1, "what": what, "inputs": n_in, "units": n_out})


def gen_cost_one_example(net, x, labels, rng) -> Exercise:
    """Q5: the cost of one real example, from the network's real outputs."""
    i = int(rng.integers(len(x)))
    out = net.forward(x[i:i + 1]).output[0].astype(np.float64)
    shown = np.round(out, 3)
    label = int(labels[i])
    y = np.zeros_like(shown)
    y[label] = 1
    if net.cost_name == "quadratic":
        formula = "C = ½ Σ (a − y)² over the outputs"
        answer = float(0.5 * np.sum((shown - y) ** 2))
    elif net.output == "softmax":
        formula = "C = −ln a_label"
        answer = float(-np.log(max(shown[label], 1e-3)))
    else:
        formula = "C = −Σ [y ln a + (1−y) ln(1−a)]"
        clipped = np.clip(shown, 1e-3, 1 - 1e-3)
        answer = float(-np.sum(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
    listing = "  ".join(f"{d}:{v:.3f}" for d, v in enumerate(shown))
    return Exercise(
        "cost-one-example", 5,
        f"Test image #{i} shows a {label}. The network's 10 outputs a are\n  {listing}\n"
        f"The wanted outputs y are 1 for digit {label} and 0 for the others. The cost of this one example is "
        f"{formula}. What is it? (answer within 5 %)",
        "number", answer,
        f"{formula} = {answer:.4f}. The network's cost is the average of this over all training images, and "
        f"those are fixed, so it depends only on the {net.n_params:,} weights and biases.",
        tolerance=max(0.05 * abs(answer), 0.002),
        facts={"image": i, "label": label, "outputs": out.tolist(), "cost": net.cost(x[i:i + 1], labels[i:i + 1])})


def _pick_weight(net, grads, rng, top: float = 0.05):
    """A weight (layer index l, to, from) whose derivative is among the largest, so it is clearly non-zero."""
    l = int(rng.integers(len(grads)))
    g = np.abs(grads[l]).ravel()
    k = max(1, int(top * g.size))
    candidates = np.argpartition(g, -k)[-k:]
    flat = int(rng.choice(candidates))
    return l, *np.unravel_index(flat, grads[l].shape)


def _batch(x, labels, rng, n=100):
    idx = np.sort(rng.choice(len(x), size=min(n, len(x)), replace=False))
    return x[idx], labels[idx], idx


def gen_derivative_direction(net, x, labels, rng) -> Exercise:
    """Q6: the sign of ∂C/∂w for one real weight says which way to move it."""
    xb, yb, idx = _batch(x, labels, rng)
    grads, _ = net.backprop(xb, yb)
    l, to, frm = _pick_weight(net, grads, rng)
    g = float(grads[l][to, frm])
    w = float(net.weights[l][to, frm])
    answer = "increase" if g < 0 else "decrease"
    return Exercise(
        "derivative-direction", 6,
        f"On a mini-batch of {len(xb)} test images, backpropagation gives ∂C/∂w = {g:+.3g} for the weight from "
        f"{'pixel' if l == 0 else 'unit'} {frm} into unit {to} of layer {l + 1} (now w = {w:.3f}). "
        f"To lower the cost, should this weight increase or decrease?",
        "choice", answer,
        f"The slope is {'negative: the cost falls as w grows, so increase w' if g < 0 else 'positive: the cost rises as w grows, so decrease w'}"
        f"; gradient descent does w ← w − η·({g:+.3g}).",
        choices=["increase", "decrease"],
        facts={"layer": l + 1, "to": int(to), "from": int(frm), "derivative": g, "weight": w, "batch": idx.tolist()})


def gen_overshoot(net, x, labels, rng) -> Exercise:
    """Q6: will one step with this learning rate jump past the bottom of this weight's cost curve?"""
    from ..inspect.weight import weight_curve  # the same curve `glassnet inspect weight` draws

    xb, yb, idx = _batch(x, labels, rng, n=50)
    grads, _ = net.backprop(xb, yb)
    curve = None
    for _ in range(8):  # find a weight whose curve has its lowest point inside the drawn span
        l, to, frm = _pick_weight(net, grads, rng)
        c = weight_curve(net, xb, yb, l + 1, int(to), int(frm), points=81)
        i_low = int(np.argmin(c.costs))
        if 2 <= i_low <= len(c.costs) - 3 and abs(c.lowest_value - c.current) > 2 * (c.values[1] - c.values[0]):
            curve = c
            break
    if curve is None:
        raise AnswerError("no weight with a visible valley found on this batch; try again")
    g, w, w_low = curve.derivative, curve.current, curve.lowest_value
    factor = float(rng.choice([0.3, 0.6, 1.6, 2.5]))  # never near 1: the answer must be clear
    lr = float(f"{factor * abs(w_low - w) / abs(g):.3g}")
    new = w - lr * g
    answer = "yes" if np.sign(new - w_low) != np.sign(w - w_low) else "no"
    return Exercise(
        "overshoot", 6,
        f"The curve shows the cost C on {len(xb)} test images as a function of one weight (from "
        f"{'pixel' if l == 0 else 'unit'} {frm} into unit {to} of layer {l + 1}), every other weight fixed. "
        f"Now w = {w:.3f}, ∂C/∂w = {g:+.4g}, and the curve is lowest at w ≈ {w_low:.3f}. One gradient-descent "
        f"step with learning rate η = {lr:g} moves w to w − η·∂C/∂w. Does that step overshoot, i.e. land "
        f"past the lowest point?",
        "choice", answer,
        f"The step is −η·∂C/∂w = {-lr * g:+.3f}, so w goes from {w:.3f} to {new:.3f}; the bottom is at {w_low:.3f}, "
        f"{abs(w_low - w):.3f} away. {'It jumps past it: a smaller η would not.' if answer == 'yes' else 'It stays on the same side.'}",
        choices=["yes", "no"],
        curve={"values": np.round(curve.values, 5).tolist(), "costs": np.round(curve.costs, 6).tolist(),
               "current": w, "lowest": w_low},
        facts={"layer": l + 1, "to": int(to), "from": int(frm), "derivative": g, "weight": w, "lowest": w_low,
               "lr": lr, "after_step": new, "batch": idx.tolist()})


def gen_gradient_importance(net, x, labels, rng) -> Exercise:
    """Q7: the size of a gradient component says how much that weight matters."""
    xb, yb, idx = _batch(x, labels, rng)
    grads, _ = net.backprop(xb, yb)
    picks, sizes = [], []
    big = _pick_weight(net, grads, rng, top=0.01)
    picks.append(big)
    sizes.append(abs(float(grads[big[0]][big[1], big[2]])))
    while len(picks) < 4:  # three others at most half as important, so the winner is clear
        l = int(rng.integers(len(grads)))
        to, frm = int(rng.integers(grads[l].shape[0])), int(rng.integers(grads[l].shape[1]))
        s = abs(float(grads[l][to, frm]))
        if s <= 0.5 * sizes[0] and (l, to, frm) not in picks:
            picks.append((l, to, frm))
            sizes.append(s)
    order = rng.permutation(4)
    picks = [picks[k] for k in order]
    choices = [f"layer {l + 1}, {'pixel' if l == 0 else 'unit'} {frm} → unit {to}: ∂C/∂w = {float(grads[l][to, frm]):+.3g}"
               for l, to, frm in picks]
    answer = choices[int(np.argmax([abs(float(grads[l][t, f])) for l, t, f in picks]))]
    return Exercise(
        "gradient-importance", 7,
        f"Four components of the gradient ∇C on a mini-batch of {len(xb)} test images. If you nudge each of these "
        f"four weights by the same small amount (in its best direction), which one changes the cost the most?",
        "choice", answer,
        "A component's size is the cost change per unit of nudge: the largest |∂C/∂w| matters most, whatever its sign "
        "(the sign only says which way to nudge).",
        choices=choices,
        facts={"weights": [{"layer": l + 1, "to": int(t), "from": int(f), "derivative": float(grads[l][t, f])}
                           for l, t, f in picks], "batch": idx.tolist()})


def gen_which_image(net, x, labels, rng) -> Exercise:
    """Q8: read a first-layer unit's 28×28 weights: which image excites it most?"""
    _first_layer(net)
    acts = net.forward(x).activations[1]
    j = int(rng.integers(net.sizes[1]))
    order = np.argsort(acts[:, j])
    top = int(order[-1 - int(rng.integers(3))])
    lower = order[: len(order) // 2]  # the others from the bottom half, so the answer is clear
    others = [int(i) for i in rng.choice(lower, size=3, replace=False)]
    shown = [top, *others]
    shown = [shown[k] for k in rng.permutation(4)]
    choices = [f"image #{i}" for i in shown]
    answer = f"image #{top}"
    return Exercise(
        "which-image", 8,
        f"The first picture is unit {j}'s 784 incoming weights in layer 1, laid out like the 28×28 image "
        f"(the legend says how positive and negative are drawn). "
        f"Which of the four test images A–D makes unit {j} most active?",
        "choice", answer,
        f"Unit {j}'s activations: " + ", ".join(f"#{i} {acts[i, j]:.3f}" for i in shown) +
        ". The winner is bright where the weights are positive and dark where they are negative.",
        choices=choices,
        images=[{"caption": f"unit {j} weights", "kind": "weights", "grid": _grid(net.weights[0][j])}] +
               [{"caption": f"{LETTERS[k]}) image #{i}", "kind": "pixels", "grid": _grid(x[i])} for k, i in enumerate(shown)],
        facts={"layer": 1, "unit": j, "images": shown, "activations": [float(acts[i, j]) for i in shown]})


GENERATORS = {
    "pixel-region": gen_pixel_region,
    "sigmoid-value": gen_sigmoid_value,
    "bias-threshold": gen_bias_threshold,
    "count-parameters": gen_count_parameters,
    "cost-one-example": gen_cost_one_example,
    "derivative-direction": gen_derivative_direction,
    "overshoot": gen_overshoot,
    "gradient-importance": gen_gradient_importance,
    "which-image": gen_which_image,
}


def generate(kind: str, net: Network, x, labels, rng: np.random.Generator | int | None = None) -> Exercise:
    """A fresh exercise of type `kind` from the live network and a batch of real images."""
    if kind not in GENERATORS:
        raise AnswerError(f"unknown exercise type {kind!r}: choose one of {', '.join(GENERATORS)}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return GENERATORS[kind](net, np.asarray(x, dtype=net.dtype), np.asarray(labels), rng)
