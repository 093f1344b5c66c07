"""Drawing the answers: one matplotlib figure per question, from the numbers the other modules compute.

Nothing here computes anything about the network; every function takes the result dataclasses
(so the web lab can draw the same numbers its own way). Conventions: weights and gradients use
the diverging colormap RdBu_r centred on 0 (red = positive, blue = negative, white = 0) with a
colour bar; pixel images are gray (white = ink); titles say what the learner is looking at.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window: works on servers and in tests
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..modelfile import atomic_write_bytes  # noqa: E402

DIVERGING = "RdBu_r"
plt.rcParams.update({"font.size": 10, "axes.titlesize": 11, "figure.titlesize": 13})


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    """Render to PNG in memory, then write atomically (never a half-written file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def signed(v) -> str:
    """+0.75, -0.31, and +0.00 rather than -0.00 for a tiny negative number."""
    return f"{v:+.2f}" if round(v, 2) != 0 else "+0.00"


def _limit(values, q=99.5):
    """Symmetric colour limit: a high percentile of |values| (one outlier must not wash out the rest)."""
    v = float(np.percentile(np.abs(values), q)) if np.size(values) else 1.0
    return v if v > 0 else 1.0


def _weight_image(ax, image, vmax=None, title=None):
    vmax = vmax or _limit(image)
    im = ax.imshow(image, cmap=DIVERGING, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return im


def _pixels(ax, image, title=None, fontsize=8):
    ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)


def _layer_name(layer, n_layers):
    return "output layer" if layer == n_layers else f"hidden layer {layer}"


def _grid(fig, spec, images, vmax, cols=4, titles=None):
    """Draw (n, 28, 28) weight pictures in a grid inside a subplot spec; returns the last image."""
    n = len(images)
    rows = int(np.ceil(n / cols))
    sub = spec.subgridspec(rows, cols, wspace=0.06, hspace=0.25 if titles is not None else 0.06)
    im = None
    for i in range(rows * cols):
        ax = fig.add_subplot(sub[i // cols, i % cols])
        if i < n:
            im = _weight_image(ax, images[i], vmax, titles[i] if titles is not None else None)
        else:
            ax.axis("off")
    return im


# ----------------------------------------------------------------------------------------------
# Q1 feature detectors


def features_figure(uw, top, am, images, n_layers: int):
    """A unit's incoming weights, its most/least exciting images, and its activation-maximising input."""
    k = len(top.top_indices)
    fig = plt.figure(figsize=(13, 7.8))
    outer = fig.add_gridspec(3, 1, height_ratios=[1.5, 1, 1], hspace=0.35)
    row = outer[0].subgridspec(1, 3, width_ratios=[1.15, 1, 1.3], wspace=0.35)
    ax = fig.add_subplot(row[0])
    if uw.weights.ndim == 2:
        im = _weight_image(ax, uw.weights)
        fig.colorbar(im, ax=ax, fraction=0.046, label="weight (red +, blue −)")
        ax.set_title(f"its 784 incoming weights, one per pixel\n(bias {uw.bias:+.2f})")
    else:
        w = uw.weights
        ax.bar(np.arange(len(w)), w, color=np.where(w >= 0, "#c0392b", "#2c7bb6"))
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel(f"unit of layer {uw.layer - 1}")
        ax.set_ylabel("weight")
        ax.set_title(f"its {len(w)} incoming weights (bias {uw.bias:+.2f})")
    ax = fig.add_subplot(row[1])
    if am.image.ndim == 2:
        _pixels(ax, am.image)
    ax.set_title(f"input that excites it most\n(gradient ascent, pixels 0..1, length ≤ {am.norm:g})")
    ax = fig.add_subplot(row[2])
    steps = np.arange(len(am.activations))
    ax.plot(steps, am.zs, color="#2c7bb6", label="weighted input z (climbed)")
    ax.set_xlabel("gradient-ascent step")
    ax.set_ylabel("weighted input z", color="#2c7bb6")
    twin = ax.twinx()
    twin.plot(steps, am.activations, color="#c0392b", ls="--", label="activation σ(z)")
    twin.set_ylabel("activation", color="#c0392b")
    if 0 <= min(am.activations) and max(am.activations) <= 1:
        twin.set_ylim(-0.02, 1.05)
    ax.set_title(f"the climb: activation {am.activation_start:.2f} → {am.activation_end:.2f}\n"
                 f"(z {am.z_start:.1f} → {am.z_end:.1f})")
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [h.get_label() for h in lines], fontsize=8, loc="center right")
    ax.grid(alpha=0.3)
    for r, (idx, acts, label) in enumerate(((top.top_indices, top.top_activations, "most"),
                                            (top.bottom_indices, top.bottom_activations, "least"))):
        sub = outer[r + 1].subgridspec(1, k, wspace=0.08)
        for i in range(k):
            ax = fig.add_subplot(sub[0, i])
            _pixels(ax, images[idx[i]], f"#{idx[i]}\na = {acts[i]:.2f}")
            if i == 0:
                ax.set_ylabel(f"{label}\nexciting", fontsize=10)
    fig.suptitle(f"What does unit {uw.unit} of {_layer_name(uw.layer, n_layers)} detect?  "
                 f"(active on {top.active_fraction:.0%} of {len(images):,} images, mean activation "
                 f"{top.mean_activation:.2f})", y=0.995)
    return fig


def fires_figure(la, level: float, title: str = "Which units fire for this image?"):
    """The input image and, per layer, every unit's activation (active ones in red)."""
    n = len(la.activations)
    fig, axes = plt.subplots(1, n + 1, figsize=(3.4 * (n + 1), 3.6), constrained_layout=True,
                             gridspec_kw={"width_ratios": [1] + [max(1.3, len(a) / 12) for a in la.activations]})
    _pixels(axes[0], la.input, "input image", fontsize=10)
    for l, (ax, a) in enumerate(zip(axes[1:], la.activations)):
        last = l == n - 1
        colors = np.where(a > level, "#c0392b", "#9e9e9e")
        if last:
            colors = np.where(np.arange(len(a)) == la.prediction, "#c0392b", "#9e9e9e")
        ax.bar(np.arange(len(a)), a, color=colors)
        ax.axhline(level, color="black", lw=0.8, ls="--")
        ax.set_ylim(0, 1.05) if a.min() >= 0 and a.max() <= 1 else None
        ax.set_xlabel("digit" if last else "unit")
        if len(a) <= 20:
            ax.set_xticks(np.arange(len(a)))
            ax.tick_params(axis="x", labelsize=7 if len(a) > 10 else 9)
        if last:
            ax.set_title(f"output: the network says {la.prediction}\n"
                         f"({la.probabilities[la.prediction]:.0%} of the output total)")
        else:
            ax.set_title(f"hidden layer {l + 1}: {len(la.active[l])} of {len(a)} units\nabove {level:g} (red)")
        if l == 0:
            ax.set_ylabel("activation")
    fig.suptitle(title)
    return fig


# ----------------------------------------------------------------------------------------------
# Q2 sigmoid, Q3 bias


def sigmoid_figure(rep, n_layers: int):
    verb = "cuts off" if rep.activation == "relu" else "squashes"
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), gridspec_kw={"width_ratios": [1.6, 1]})
    widths = np.diff(rep.z_edges)
    share = rep.z_counts / rep.z_counts.sum()
    left.bar(rep.z_edges[:-1], share, width=widths, align="edge", color="#9ecae1", edgecolor="white",
             label="weighted inputs z over the data (left axis)")
    left.set_xlabel("weighted input z = w·a + b")
    left.set_ylabel("share of all (image, unit) pairs")
    twin = left.twinx()
    twin.plot(rep.curve_z, rep.curve_a, color="#c0392b", lw=2, label=f"{rep.activation}(z) (right axis)")
    twin.set_ylabel(f"activation {rep.activation}(z)")
    twin.set_ylim(-0.05 if rep.activation != "tanh" else -1.1, 1.05)
    if rep.activation == "sigmoid":
        for lo, hi in ((rep.curve_z[0], -3.89), (3.89, rep.curve_z[-1])):
            left.axvspan(lo, hi, color="#fdd0a2", alpha=0.35, lw=0)
        left.text(0.01, 0.97, "shaded: saturated\n(σ within 0.02 of 0 or 1,\nslope ≈ 0)", transform=left.transAxes,
                  va="top", fontsize=8)
    left.set_xlim(rep.curve_z[0], rep.curve_z[-1])
    lines = left.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    left.legend(lines, [h.get_label() for h in lines], loc="center left", fontsize=8)
    left.set_title(f"z ranges from {rep.z_min:.1f} to {rep.z_max:.1f} (98 % between "
                   f"{rep.z_percentiles[0]:.1f} and {rep.z_percentiles[2]:.1f})")
    right.bar(rep.a_edges[:-1], rep.a_counts / rep.a_counts.sum(), width=np.diff(rep.a_edges), align="edge",
              color="#c0392b", edgecolor="white")
    right.set_xlabel(f"activation {rep.activation}(z)")
    right.set_ylabel("share of all (image, unit) pairs")
    right.set_title(f"…{'squashed' if verb == 'squashes' else 'cut off'} into {rep.a_edges[0]:g}..{rep.a_edges[-1]:.3g}: {rep.saturated_fraction:.0%} saturated\n"
                    + (f"({rep.saturated_low:.0%} near {rep.a_edges[0]:g}, {rep.saturated_high:.0%} near 1)"
                       if rep.activation != "relu" else "(switched off at 0, slope 0)"))
    fig.suptitle(f"The {rep.activation} {verb} the weighted inputs of {_layer_name(rep.layer, n_layers)} "
                 f"({rep.n_examples:,} images)", y=1.02)
    fig.tight_layout()
    return fig


def bias_figure(rep, n_layers: int):
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), gridspec_kw={"width_ratios": [1.6, 1]})
    share = rep.s_counts / rep.s_counts.sum()
    left.bar(rep.s_edges[:-1], share / share.max(), width=np.diff(rep.s_edges), align="edge", color="#d9d9d9",
             label="weighted sums w·a on the data (scaled)")
    left.plot(rep.curve_s, rep.curve_with_bias, color="#c0392b", lw=2, label=f"with its bias b = {rep.bias:+.2f}")
    left.plot(rep.curve_s, rep.curve_without_bias, color="#2c7bb6", lw=2, ls="--", label="bias set to 0")
    left.axvline(rep.threshold, color="#c0392b", lw=1, ls=":")
    left.axhline(rep.active_level, color="black", lw=0.6, ls=":")
    left.annotate(f"threshold −b = {rep.threshold:+.2f}", (rep.threshold, rep.active_level),
                  xytext=(10, -30), textcoords="offset points", color="#c0392b", fontsize=9,
                  arrowprops={"arrowstyle": "->", "color": "#c0392b"})
    left.set_xlabel("weighted sum of the inputs w·a (without the bias)")
    left.set_ylabel("activation")
    left.legend(fontsize=8, loc="upper left")
    left.set_title("the bias shifts the curve: the unit turns on where w·a passes −b")
    labels = ["with bias", "bias = 0"]
    values = [rep.active_with_bias, rep.active_without_bias]
    bars = right.bar(labels, values, color=["#c0392b", "#2c7bb6"])
    for bar, v in zip(bars, values):
        right.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f"{v:.0%}", ha="center", fontsize=11)
    right.set_ylim(0, 1.1)
    right.set_ylabel(f"share of images with activation > {rep.active_level:g}")
    acc = ""
    if rep.accuracy_with_bias is not None:
        acc = f"\nnetwork accuracy {rep.accuracy_with_bias:.1%} → {rep.accuracy_without_bias:.1%} without it"
    right.set_title(f"how often the unit is active{acc}")
    fig.suptitle(f"Bias as a threshold: unit {rep.unit} of {_layer_name(rep.layer, n_layers)}", y=1.02)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# Q4 counting


def count_figure(counts, stored: int | None, n_layers: int):
    fig, ax = plt.subplots(figsize=(10, 1.1 + 0.7 * len(counts)))
    names = [_layer_name(c.layer, n_layers) for c in counts]
    y = np.arange(len(counts))[::-1]
    ax.barh(y, [c.weights for c in counts], color="#2c7bb6", label="weights (one per connection)")
    ax.barh(y, [c.biases for c in counts], left=[c.weights for c in counts], color="#c0392b",
            label="biases (one per unit)")
    for yi, c in zip(y, counts):
        ax.text(c.parameters * 1.01 + 50, yi, c.arithmetic, va="center", fontsize=9)
    ax.set_yticks(y, names)
    ax.set_xscale("symlog", linthresh=100)
    ax.set_xlim(0, max(c.parameters for c in counts) * 400)
    ax.set_xlabel("number of parameters (log scale)")
    total = sum(c.parameters for c in counts)
    check = "" if stored is None else (f"; the model file stores {stored:,} numbers: "
                                       f"{'they match' if stored == total else 'they DO NOT match'}")
    ax.set_title(f"{total:,} weights and biases in all{check}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# Q5 cost surface, Q6 one weight


def cost_surface_figure(slices, surface):
    """One panel per 1-D slice (each at its own scale: the dip along −gradient is narrow), then the 2-D map."""
    n = len(slices)
    fig, axes = plt.subplots(1, n + 1, figsize=(5.2 * n + 6, 4.8), gridspec_kw={"width_ratios": [1] * n + [1.35]})
    colors = {"random": "#2c7bb6", "gradient": "#c0392b"}
    for ax, s in zip(axes, slices):
        ax.plot(s.alphas, s.costs, marker=".", color=colors.get(s.direction))
        ax.plot([0], [s.cost_at_zero], "ko", label=f"current θ: C = {s.cost_at_zero:.4f}")
        if s.lowest_alpha != 0:
            ax.plot([s.lowest_alpha], [s.lowest_cost], "v", color="#2ca02c", ms=8,
                    label=f"lowest: C = {s.lowest_cost:.4f} at α = {s.lowest_alpha:+.3g}")
        ax.axvline(0, color="black", lw=0.8, ls=":")
        ax.set_xlabel("α (1 = a step as long as all the weights)")
        ax.set_ylabel("average cost C(θ + α·d)")
        ax.set_title("along a random direction\n(filter-normalised)" if s.direction == "random"
                     else "along −gradient (downhill), zoomed in")
        ax.legend(fontsize=8, loc="upper center")
        ax.grid(alpha=0.3)
    right = axes[-1]
    a, b = np.meshgrid(surface.alphas, surface.betas)
    levels = np.geomspace(max(surface.costs.min(), 1e-6), surface.costs.max(), 18)
    cs = right.contourf(a, b, surface.costs, levels=levels, cmap="viridis",
                        norm=matplotlib.colors.LogNorm(vmin=levels[0], vmax=levels[-1]))
    right.contour(a, b, surface.costs, levels=levels, colors="white", linewidths=0.4)
    fig.colorbar(cs, ax=right, label="average cost (log colour scale)", format="%.3g")
    right.plot([0], [0], "r*", ms=14, label="current θ")
    right.set_xlabel(f"α along direction 1 ({surface.directions[0]})")
    right.set_ylabel(f"β along direction 2 ({surface.directions[1]})")
    right.set_title(f"a plane through θ: C(θ + α·d₁ + β·d₂)\n(lowest on the grid: {surface.lowest_cost:.4f})")
    right.legend(loc="upper right", fontsize=8)
    right.set_aspect("equal")
    fig.suptitle("The cost is one function of all the weights and biases: seen along lines and a plane through "
                 "the current parameters θ", y=1.02)
    fig.tight_layout()
    return fig


def weight_figure(curve, paths: dict, n_layers: int, wide=None, note: str = ""):
    """Left: C(w) with the current value, backprop's slope and the finite difference.
    Right: gradient descent on that curve for several learning rates (`wide`: the same curve over a
    wider range, for steps that jump out of the left panel)."""
    fig = plt.figure(figsize=(14, 5.6))
    outer = fig.add_gridspec(1, 2, width_ratios=[1.1, 1.4], wspace=0.2)
    ax = fig.add_subplot(outer[0])
    ax.plot(curve.values, curve.costs, color="black", lw=1.8, label="C(w), everything else fixed")
    ax.plot([curve.current], [curve.cost_at_current], "o", color="#c0392b", ms=8,
            label=f"current w = {curve.current:+.3f}")
    span = (curve.values[-1] - curve.values[0]) * 0.12
    t = np.array([curve.current - span, curve.current + span])
    ax.plot(t, curve.cost_at_current + curve.derivative * (t - curve.current), color="#c0392b", lw=2.5, alpha=0.7,
            label=f"slope ∂C/∂w = {curve.derivative:+.3g} (backprop)")
    ax.set_xlabel("value of this one weight w")
    ax.set_ylabel("average cost C")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper center")
    frm = "pixel" if curve.layer == 1 else f"unit {curve.frm} of layer {curve.layer - 1}"
    frm = f"pixel {curve.frm} (row {curve.frm // 28}, col {curve.frm % 28})" if curve.layer == 1 else frm
    ax.set_title(f"weight from {frm}\nto unit {curve.to} of {_layer_name(curve.layer, n_layers)}", fontsize=10)
    ax.text(0.0, -0.17, f"backprop  ∂C/∂w = {curve.derivative:+.6g}\nfinite difference = {curve.finite_difference:+.6g}"
            f"  (h = {curve.h:g})\nrelative difference {curve.relative_error:.1e}\n"
            f"slope {'> 0' if curve.derivative > 0 else '< 0' if curve.derivative < 0 else '= 0'}: "
            f"to lower the cost, {curve.direction} w", transform=ax.transAxes, fontsize=8.5, family="monospace", va="top",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "#bbbbbb"})
    names = list(paths)
    if not paths:  # nothing sensible to descend into: say why instead of drawing misleading steps
        ax = fig.add_subplot(outer[1])
        ax.axis("off")
        import textwrap

        ax.text(0.05, 0.6, "No gradient-descent steps drawn:\n\n" + textwrap.fill(note, 60), fontsize=11,
                va="center", transform=ax.transAxes)
    sub = outer[1].subgridspec(2, 2, hspace=0.45, wspace=0.25)
    for i, name in enumerate(names[:4]):
        p = paths[name]
        ax = fig.add_subplot(sub[i // 2, i % 2])
        lo, hi = min(curve.values[0], p.values.min()), max(curve.values[-1], p.values.max())
        back = wide if wide is not None and (p.values.min() < curve.values[0] or p.values.max() > curve.values[-1]) \
            else curve
        ax.plot(back.values, back.costs, color="#bbbbbb", lw=1.5)
        ax.set_xlim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        ax.plot(p.values, p.costs, "-", color="#c0392b", lw=0.8, alpha=0.6)
        ax.scatter(p.values, p.costs, c=np.arange(len(p.values)), cmap="plasma", s=22, zorder=3)
        ax.plot(p.values[0], p.costs[0], "s", color="black", ms=6, label="start")
        verdict = ("diverges" if p.diverged else "overshoots, settles" if p.overshoots and p.converged
                   else "overshoots" if p.overshoots else "settles" if p.converged else "too slow")
        rate = f"η = {p.lr:.3g}" + (f" / (1 + {p.decay:g}·t)" if p.decay else "")
        ax.set_title(f"{name}: {rate}\n{len(p.values) - 1} steps → {verdict}", fontsize=9)
        ax.tick_params(labelsize=8)
        if i // 2 == 1:
            ax.set_xlabel("w", fontsize=9)
        if i % 2 == 0:
            ax.set_ylabel("C", fontsize=9)
    fig.suptitle("One weight: the cost against its value, its derivative, and gradient descent on it"
                 + ("\n(■ start, placed away from the lowest point so the steps show; dots: step 1 dark → last yellow)"
                    if paths else ""), y=1.05)
    return fig


# ----------------------------------------------------------------------------------------------
# Q7 gradient


def gradient_figure(rep, n_layers: int, k_show: int = 10):
    fig = plt.figure(figsize=(14, 8.4))
    outer = fig.add_gridspec(2, 3, height_ratios=[1, 1.35], hspace=0.45, wspace=0.35)
    ax = fig.add_subplot(outer[0, 0])
    names = [f"{'out' if l + 1 == n_layers else f'hidden {l + 1}'}" for l in range(len(rep.layer_weight_norms))]
    x = np.arange(len(names))
    ax.bar(x - 0.2, rep.layer_weight_norms, 0.4, label="‖∂C/∂W‖ (weights)", color="#2c7bb6")
    ax.bar(x + 0.2, rep.layer_bias_norms, 0.4, label="‖∂C/∂b‖ (biases)", color="#c0392b")
    ax.set_xticks(x, names)
    ax.set_ylabel("length of the layer's gradient")
    ax.set_title(f"gradient size per layer (‖∇C‖ = {rep.norm:.3g})")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(outer[0, 1])
    labels = ["predicted\n(−step·‖∇C‖)", "step along\n−gradient", "random step\n(mean of trials)"]
    values = [rep.predicted_change, rep.cost_after_gradient_step - rep.cost, rep.cost_after_random_step - rep.cost]
    bars = ax.bar(labels, values, color=["#bbbbbb", "#c0392b", "#2c7bb6"])
    ax.scatter(np.full(len(rep.random_changes), 2), rep.random_changes, color="black", s=10, zorder=3,
               label="each random trial")
    ax.axhline(0, color="black", lw=0.8)
    for bar, v in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, v, f"{v:+.2e}", ha="center",
                va="top" if v < 0 else "bottom", fontsize=8)
    ax.set_ylabel("change in cost")
    ax.set_title(f"cost change after a step of length {rep.step:.3g}", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.tick_params(axis="x", labelsize=8)
    ax = fig.add_subplot(outer[0, 2])
    ax.axis("off")
    lines = [f"{'layer':>5} {'to':>3} {'from':>5} {'∂C/∂w':>10}  move"]
    for t in rep.top[:k_show]:
        lines.append(f"{t['layer']:>5} {t['to']:>3} {t['from']:>5} {t['gradient']:>+10.2e}  {t['move']}")
    ax.text(0, 1, "\n".join(lines), family="monospace", fontsize=8.5, va="top", transform=ax.transAxes)
    ax.text(0, 0.02, f"layer {n_layers} = output; 'from' = unit of the layer below\n(a pixel for layer 1); "
            "'move' = the way −∇C pushes it", fontsize=8, color="#555555", transform=ax.transAxes)
    ax.set_title(f"the {min(k_show, len(rep.top))} weights with the largest |∂C/∂w|", fontsize=10)
    if rep.first_layer.ndim == 3:
        images = rep.first_layer
        vmax = _limit(images)
        cols = 8 if len(images) > 8 else len(images)
        im = _grid(fig, outer[1, :], images[:32], vmax, cols=cols, titles=[f"unit {i}" for i in range(min(32, len(images)))])
        fig.colorbar(im, ax=fig.axes[-min(32, len(images)):], fraction=0.02, pad=0.01,
                     label="∂C/∂w (red: decrease the weight, blue: increase it)")
    fig.suptitle(f"The gradient vector on {rep.n_examples:,} images: sizes, biggest entries, the first layer's part "
                 "(one picture per unit)", y=0.98)
    return fig


# ----------------------------------------------------------------------------------------------
# Q8 first layer


def first_layer_figure(panels: list[tuple[str, object]]):
    """panels: (title, FirstLayerReport) for e.g. untrained, trained, contrast; 16 pictures each."""
    n = len(panels)
    fig = plt.figure(figsize=(4.3 * n + 0.5, 6.6))
    outer = fig.add_gridspec(1, n, wspace=0.12)
    for i, (title, rep) in enumerate(panels):
        images = rep.weights[:16]
        vmax = _limit(images)
        inner = outer[i].subgridspec(3, 1, height_ratios=[0.22, 1, 0.04], hspace=0.1)
        head = fig.add_subplot(inner[0])
        head.axis("off")
        lines = [title, f"smoothness {signed(rep.mean_smoothness)}"]
        if rep.mean_correlation_with_initial is not None:
            lines.append(f"correlation with its start {signed(rep.mean_correlation_with_initial)}")
        head.text(0.5, 0.0, "\n".join(lines), ha="center", va="bottom", fontsize=9.5, transform=head.transAxes)
        im = _grid(fig, inner[1], images, vmax, cols=4)
        fig.colorbar(im, cax=fig.add_subplot(inner[2]), orientation="horizontal", label="weight (red +, blue −)")
    fig.suptitle("What the first layer sees: each unit's 784 weights as a 28×28 picture (first 16 units)\n"
                 "smoothness = correlation of a picture with itself moved one pixel: about 0 for noise, "
                 "near 1 for smooth strokes", fontsize=11)
    return fig
