"""`glassnet inspect ...`: the learner's eight questions, answered by a trained (or untrained) model.

Every command computes its numbers with glassnet.inspect, writes one PNG (`--out`), prints the
short answer, and with `--json` prints the numbers instead (the answer sentence and figure path
included). Costs and gradients are measured on a fixed slice of the test set (`--samples`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError
from ..inspect import report
from .common import JSON_OPTION, app, console, emit_json, out, resolve_model

inspect_app = typer.Typer(
    help="Look inside a model: feature detectors, the sigmoid, biases, counts, the cost surface, one weight, "
         "the gradient and the first layer, each as a figure and numbers.",
    no_args_is_help=True)
app.add_typer(inspect_app, name="inspect")

Json = Annotated[bool, JSON_OPTION]
ModelArg = Annotated[Optional[Path], typer.Argument(help="Model file (default: the last one `glassnet train` saved).",
                                                    show_default=False)]
Untrained = Annotated[bool, typer.Option("--untrained", help="Inspect the same network before training "
                                                             "(its random starting weights), for comparison.")]
Samples = Annotated[int, typer.Option(help="How many test images to measure on (the first N).")]
Split = Annotated[str, typer.Option(help="Which images: test or validation.")]
OutPng = Annotated[Optional[Path], typer.Option("--out", help="Where to write the PNG (a file name or a folder) "
                                                              "[default: a name like features-L1-u0.png here].",
                                                show_default=False)]


def _context(model, untrained, samples, split="test"):
    return report.load_context(resolve_model(model), untrained=untrained, samples=samples, split=split)


def _target(out_path: Optional[Path], default: str) -> tuple[Path, str]:
    """--out as (folder, file name): a .png name is used as given, anything else is a folder for the default name."""
    if out_path is None:
        return Path("."), default
    if out_path.suffix.lower() == ".png" and not out_path.is_dir():
        return out_path.parent, out_path.name
    if out_path.exists() and not out_path.is_dir():
        raise ConfigError(f"--out {out_path}: give a .png file name or a folder")
    return out_path, default


def _finish(ctx, answer, json_: bool):
    if json_:
        return emit_json({"model": str(ctx.path), "untrained": ctx.untrained, "samples": len(ctx.x),
                          "split": ctx.split, "figure": str(answer.figures[0]), "answer": answer.sentence,
                          **answer.numbers})
    out.print(answer.sentence)
    console.print(f"wrote {answer.figures[0]}")


@inspect_app.command("features")
def features_command(model: ModelArg = None,
                     layer: Annotated[int, typer.Option(help="Layer: 1 = first hidden layer.")] = 1,
                     unit: Annotated[int, typer.Option(help="Unit in that layer (0-based).")] = 0,
                     k: Annotated[int, typer.Option(help="How many most/least exciting images.")] = 9,
                     steps: Annotated[int, typer.Option(help="Gradient-ascent steps.")] = 200,
                     untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                     out_path: OutPng = None, json_: Json = False):
    """Q1: what a hidden unit detects: its weights, its favourite images, the input that excites it most."""
    ctx = _context(model, untrained, samples, split)
    folder, name = _target(out_path, f"features-L{layer}-u{unit}.png")
    if not 1 <= k <= 30 or not 1 <= steps <= 10_000:
        raise ConfigError("--k must be between 1 and 30 and --steps between 1 and 10000")
    _finish(ctx, report.answer_features(ctx, folder, layer, unit, k=k, steps=steps, file=name), json_)


@inspect_app.command("fires")
def fires_command(model: ModelArg = None,
                  image: Annotated[Optional[Path], typer.Option(help="A picture of a digit (PNG, JPEG, ...).")] = None,
                  index: Annotated[int, typer.Option(help="Else: this test image (0-based).")] = 0,
                  untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                  out_path: OutPng = None, json_: Json = False):
    """Q1: which units of each layer fire for one image (yours with --image, or a test image)."""
    ctx = _context(model, untrained, max(samples, index + 1), split)
    folder, name = _target(out_path, "fires.png")
    _finish(ctx, report.answer_fires(ctx, folder, image=image, index=index, file=name), json_)


@inspect_app.command("sigmoid")
def sigmoid_command(model: ModelArg = None,
                    layer: Annotated[int, typer.Option(help="Layer: 1 = first hidden layer.")] = 1,
                    untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                    out_path: OutPng = None, json_: Json = False):
    """Q2: the sigmoid drawn with a layer's real weighted inputs: the range of z, squashed into 0..1."""
    ctx = _context(model, untrained, samples, split)
    folder, name = _target(out_path, f"sigmoid-L{layer}.png")
    _finish(ctx, report.answer_sigmoid(ctx, folder, layer, file=name), json_)


@inspect_app.command("bias")
def bias_command(model: ModelArg = None,
                 layer: Annotated[int, typer.Option(help="Layer: 1 = first hidden layer.")] = 1,
                 unit: Annotated[Optional[int], typer.Option(help="Unit (default: the one with the largest |bias|).",
                                                             show_default=False)] = None,
                 untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                 out_path: OutPng = None, json_: Json = False):
    """Q3: the bias as a threshold: how often a unit is active with its bias and with the bias set to 0."""
    ctx = _context(model, untrained, samples, split)
    unit = report.default_bias_unit(ctx.net, layer) if unit is None else unit
    folder, name = _target(out_path, f"bias-L{layer}-u{unit}.png")
    _finish(ctx, report.answer_bias(ctx, folder, layer, unit, file=name), json_)


@inspect_app.command("count")
def count_command(model: ModelArg = None, untrained: Untrained = False, out_path: OutPng = None,
                  json_: Json = False):
    """Q4: weights and biases per layer, with the arithmetic, checked against the numbers stored in the file."""
    ctx = _context(model, untrained, 1)
    folder, name = _target(out_path, "count.png")
    _finish(ctx, report.answer_count(ctx, folder, file=name), json_)


@inspect_app.command("cost")
def cost_command(model: ModelArg = None,
                 span: Annotated[float, typer.Option(help="How far the random slices reach (1 = the weights' length).")] = 1.0,
                 points: Annotated[int, typer.Option(help="Points along each 1-D slice.")] = 41,
                 grid: Annotated[int, typer.Option(help="Points per side of the 2-D slice.")] = 21,
                 seed: Annotated[int, typer.Option(help="Seed of the random directions.")] = 0,
                 untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                 out_path: OutPng = None, json_: Json = False):
    """Q5: the cost as a function of all parameters: 1-D and 2-D slices through the current θ."""
    if not 3 <= points <= 401 or not 3 <= grid <= 101 or not 0 < span <= 100:
        raise ConfigError("--points must be 3..401, --grid 3..101 and --span greater than 0 (at most 100)")
    ctx = _context(model, untrained, samples, split)
    folder, name = _target(out_path, "cost.png")
    _finish(ctx, report.answer_cost(ctx, folder, span=span, points=points, grid=grid, seed=seed, file=name), json_)


@inspect_app.command("weight")
def weight_command(layer: Annotated[int, typer.Argument(help="Layer of the weight: 1 = first hidden layer.")],
                   to: Annotated[int, typer.Argument(help="Unit of that layer the weight leads into.")],
                   frm: Annotated[int, typer.Argument(metavar="FROM", help="Unit of the layer below (a pixel 0..783 for layer 1).")],
                   model: ModelArg = None,
                   span: Annotated[Optional[float], typer.Option(help="Half-width of the curve (default: max(4, 3|w|)).",
                                                                 show_default=False)] = None,
                   steps: Annotated[int, typer.Option(help="Gradient-descent steps per learning rate.")] = 12,
                   untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                   out_path: OutPng = None, json_: Json = False):
    """Q6: one weight: cost against its value, backprop's derivative vs a finite difference, descent steps."""
    if not 1 <= steps <= 200:
        raise ConfigError(f"--steps {steps} must be between 1 and 200")
    ctx = _context(model, untrained, samples, split)
    folder, name = _target(out_path, f"weight-L{layer}-{to}-{frm}.png")
    _finish(ctx, report.answer_weight(ctx, folder, layer, to, frm, span=span, steps=steps, file=name), json_)


@inspect_app.command("gradient")
def gradient_command(model: ModelArg = None,
                     k: Annotated[int, typer.Option(help="How many of the most influential weights to list.")] = 10,
                     untrained: Untrained = False, samples: Samples = 1000, split: Split = "test",
                     out_path: OutPng = None, json_: Json = False):
    """Q7: the gradient vector: size per layer, the biggest entries, the first layer's part, a measured step."""
    if not 1 <= k <= 1000:
        raise ConfigError(f"--k {k} must be between 1 and 1000")
    ctx = _context(model, untrained, samples, split)
    folder, name = _target(out_path, "gradient.png")
    _finish(ctx, report.answer_gradient(ctx, folder, k=k, file=name), json_)


@inspect_app.command("first-layer")
def first_layer_command(model: ModelArg = None,
                        contrast: Annotated[Optional[Path], typer.Option(help="A model to contrast with (default: "
                                            "train one with L2 weight decay here, a few seconds).", show_default=False)] = None,
                        weight_decay: Annotated[float, typer.Option(help="λ of the contrast network trained here.")] = 3e-4,
                        untrained: Untrained = False, samples: Samples = 1000, out_path: OutPng = None,
                        json_: Json = False):
    """Q8: all first-layer weights as 28x28 pictures, untrained vs trained vs a contrast, with "how random" measured."""
    if not 0 < weight_decay < 1:
        raise ConfigError(f"--weight-decay {weight_decay:g} must be greater than 0 and below 1")
    ctx = _context(model, untrained, samples)
    folder, name = _target(out_path, "first-layer.png")
    _finish(ctx, report.answer_first_layer(ctx, folder, contrast=contrast, weight_decay=weight_decay, file=name), json_)


@inspect_app.command("all")
def all_command(model: ModelArg = None,
                out_dir: Annotated[Path, typer.Option("--out", help="Folder for the figures and index.html.")] = Path("glassnet-inspect"),
                contrast: Annotated[Optional[Path], typer.Option(help="A model to contrast the first layer with.",
                                                                 show_default=False)] = None,
                untrained: Untrained = False, samples: Samples = 1000, json_: Json = False):
    """Every question at once: all figures and an offline index.html report that explains them."""
    path = resolve_model(model)

    def progress(answer):
        if not json_:
            console.print(f"[bold]{report.QUESTIONS[answer.question]}[/] {answer.sentence}")

    result = report.write_report(path, out_dir, untrained=untrained, samples=samples, contrast=contrast,
                                 on_answer=progress)
    if json_:
        return emit_json({"out": str(out_dir), **result})
    out.print(f"wrote {out_dir / 'index.html'} and {sum(len(a['figures']) for a in result['answers'].values())} figures")
