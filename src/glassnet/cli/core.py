"""`glassnet train | evaluate | predict | summary`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.table import Table

from ..data import load_dataset, preprocess_image
from ..errors import ConfigError, DataError
from ..modelfile import ModelInfo, load_model, save_model
from ..train import PRESETS, build_network, preset, train
from .common import JSON_OPTION, app, console, emit_json, limit_threads, out, remember_model, resolve_model

Json = Annotated[bool, JSON_OPTION]
ModelArg = Annotated[Optional[Path], typer.Argument(help="Model file (default: the last one `glassnet train` saved).",
                                                    show_default=False)]


def parse_hidden(text: str) -> tuple[int, ...]:
    """'16,16' -> (16, 16); '' or 'none' -> no hidden layer."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(","))
    except ValueError:
        raise ConfigError(f"--hidden {text!r} must be comma-separated layer sizes, e.g. 16,16") from None
    return sizes


def dataset_for(name: str, data_dir: Optional[Path], validation: int = 10_000):
    return load_dataset(name, data_dir, validation=validation)


@app.command("train")
def train_command(
    preset_name: Annotated[str, typer.Option("--preset", help=f"Starting point: {', '.join(PRESETS)}.")] = "3b1b",
    hidden: Annotated[Optional[str], typer.Option(help="Hidden layer sizes, e.g. 16,16.")] = None,
    activation: Annotated[Optional[str], typer.Option(help="sigmoid, tanh or relu.")] = None,
    output: Annotated[Optional[str], typer.Option(help="Output layer: sigmoid or softmax.")] = None,
    cost: Annotated[Optional[str], typer.Option(help="quadratic or cross-entropy.")] = None,
    init: Annotated[Optional[str], typer.Option(help="scaled (N(0,1/n_in)) or standard (N(0,1), Nielsen's first network).")] = None,
    optimizer: Annotated[Optional[str], typer.Option(help="sgd, momentum or adam.")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Learning rate η.")] = None,
    momentum: Annotated[Optional[float], typer.Option(help="Momentum for --optimizer momentum.")] = None,
    weight_decay: Annotated[Optional[float], typer.Option(help="L2 weight decay λ.")] = None,
    schedule: Annotated[Optional[str], typer.Option(help="constant, step, exponential or cosine.")] = None,
    epochs: Annotated[Optional[int], typer.Option(help="Passes over the training set.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Mini-batch size.")] = None,
    shift: Annotated[Optional[int], typer.Option(help="Augment: shift images by up to this many pixels.")] = None,
    patience: Annotated[Optional[int], typer.Option(help="Early stopping after this many epochs without improvement (0 = off).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed (same seed, same result, bit for bit).")] = None,
    dataset: Annotated[str, typer.Option(help="mnist (embedded) or fashion-mnist.")] = "mnist",
    data_dir: Annotated[Optional[Path], typer.Option(help="A folder of IDX files to train on instead.")] = None,
    validation: Annotated[int, typer.Option(help="Training images held out for validation.")] = 10_000,
    limit: Annotated[Optional[int], typer.Option(help="Train on the first N training images only (quick runs).")] = None,
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Where to save the model (default: glassnet-PRESET.safetensors, never replacing an earlier one).")] = None,
    threads: Annotated[Optional[int], typer.Option(help="Cap the BLAS threads.")] = None,
    json_: Json = False,
):
    """Train a network on MNIST (the 3Blue1Brown network by default), report test accuracy, save it."""
    overrides = dict(activation=activation, output=output, cost=cost, init=init, optimizer=optimizer, lr=lr,
                     momentum=momentum, weight_decay=weight_decay, schedule=schedule, epochs=epochs,
                     batch_size=batch_size, shift=shift, patience=patience, seed=seed,
                     hidden=parse_hidden(hidden) if hidden is not None else None)
    config = preset(preset_name, **overrides)
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit {limit} must be at least 1")
    if out_path is None:  # the default name never replaces an earlier model: the next free name
        out_path = _free_name(Path(f"glassnet-{preset_name}.safetensors"))
    if out_path.is_dir():
        raise ConfigError(f"--out {out_path} is a folder; give a file name such as {out_path / 'model.safetensors'}")
    if not out_path.parent.is_dir():  # a typo in a folder name must not quietly make new folders
        raise ConfigError(f"--out {out_path}: there is no folder {out_path.parent} (create it first)")
    _threads = limit_threads(threads)  # noqa: F841 (kept alive for the whole run)
    data = dataset_for(dataset, data_dir, validation)
    net = build_network(config, n_inputs=int(np.prod(data.shape)), n_classes=len(data.classes))
    n_train = min(limit or len(data.train), len(data.train))
    if not json_:
        console.print(f"[bold]glassnet[/] training {net!r}\n  on {data.name} ({n_train:,} training, "
                      f"{len(data.validation):,} validation, {len(data.test):,} test images), "
                      f"{config.optimizer} η={config.lr:g} {config.schedule}, batch {config.batch_size}, "
                      f"{config.epochs} epoch{'s' if config.epochs != 1 else ''}, seed {config.seed}")
    result = _run_with_progress(net, data, config, limit, quiet=json_)
    info = ModelInfo.of_run(net, data, config, result, preset_name, limit)
    metrics, test_acc = info.metrics, info.metrics["test_accuracy"]
    if result.history:
        save_model(net, out_path, info)
        remember_model(out_path)
    chance = 1 / len(data.classes)
    if result.history and test_acc < chance + 0.05:  # finished, but learnt nothing: say so (on stderr)
        console.print(f"[yellow]warning: test accuracy {test_acc:.2%} is about chance ({chance:.0%}): this run did "
                      f"not learn; try a smaller --lr (it was {config.lr:g}) or more epochs[/]")
    # Ctrl-C: what was finished is saved, and the exit code (130, as for any interrupted command) says
    # the run did not end as asked.
    code = 130 if result.stopped == "interrupted" else 0
    if json_:
        emit_json({"model": str(out_path) if result.history else None, "architecture": net.architecture(),
                   "config": info.training, "dataset": info.dataset, **metrics, "history": result.history})
        raise typer.Exit(code)
    if not result.history:
        console.print("[yellow]interrupted before the first epoch finished: nothing saved[/]")
        raise typer.Exit(130)
    note = {"interrupted": " (interrupted: kept the best epoch so far)",
            "early-stopped": " (stopped early: validation stopped improving)"}.get(result.stopped, "")
    console.print(f"best epoch {result.best_epoch}{note}; {result.seconds:.1f} s in all")
    out.print(f"test accuracy: [bold]{test_acc:.2%}[/] ({int(round(test_acc * len(data.test))):,} / "
              f"{len(data.test):,})   saved {out_path}")
    raise typer.Exit(code)


def _free_name(path: Path) -> Path:
    """`path`, or if that file exists the first free `stem-2.suffix`, `stem-3.suffix`, ..."""
    n = 1
    while path.with_name(f"{path.stem}-{n}{path.suffix}" if n > 1 else path.name).exists():
        n += 1
    free = path.with_name(f"{path.stem}-{n}{path.suffix}" if n > 1 else path.name)
    if free != path:
        console.print(f"{path} exists: saving as {free} (--out FILE to choose the name)")
    return free


def _run_with_progress(net, data, config, limit, quiet: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if quiet:
        return train(net, data, config, limit=limit)
    with Progress(TextColumn("[bold blue]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as progress:
        task = progress.add_task("epochs", total=config.epochs)
        images = progress.add_task("epoch 1 images", total=None)  # the epoch under way

        def on_progress(epoch, done, total):
            progress.update(images, description=f"epoch {epoch} images", completed=done, total=total)

        def on_epoch(r):
            progress.console.print(
                f"epoch {r['epoch']:>3}/{config.epochs}  cost {r['cost']:.4f}  train {r['train_accuracy']:.2%}  "
                f"validation {r['validation_accuracy']:.2%}  η {r['lr']:.3g}  {r['seconds']:.2f} s  "
                f"{r['images_per_second']:,.0f} img/s")
            progress.advance(task)

        return train(net, data, config, on_epoch=on_epoch, on_progress=on_progress, limit=limit)


def _model_dataset(info, dataset: Optional[str], data_dir: Optional[Path]):
    name = dataset or info.dataset.get("name", "mnist")
    if name not in ("mnist", "fashion-mnist") and data_dir is None:
        name = "mnist"
    return dataset_for(name, data_dir)


@app.command("evaluate")
def evaluate_command(
    model: ModelArg = None,
    dataset: Annotated[Optional[str], typer.Option(help="Data set to evaluate on (default: the model's).")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="A folder of IDX files.")] = None,
    split: Annotated[str, typer.Option(help="test, validation or train.")] = "test",
    json_: Json = False,
):
    """Accuracy, per-class accuracy and the confusion matrix of a model."""
    path = resolve_model(model)
    net, info = load_model(path)
    data = _model_dataset(info, dataset, data_dir)
    if split not in ("test", "validation", "train"):
        raise ConfigError(f"--split {split!r}: choose test, validation or train")
    part = getattr(data, split)
    if net.sizes[0] != part.x.shape[1] or net.sizes[-1] != len(data.classes):
        raise ConfigError(f"the model takes {net.sizes[0]} inputs and gives {net.sizes[-1]} outputs; "
                          f"{data.name} has {part.x.shape[1]} pixels and {len(data.classes)} classes")
    pred = net.predict(part.x)
    k = len(data.classes)
    confusion = np.bincount(part.labels.astype(np.int64) * k + pred, minlength=k * k).reshape(k, k)
    per_class = [{"class": data.classes[c], "label": c, "n": int(confusion[c].sum()),
                  "accuracy": float(confusion[c, c] / max(confusion[c].sum(), 1))} for c in range(k)]
    result = {"model": str(path), "dataset": data.name, "split": split, "n": len(part),
              "accuracy": float(np.mean(pred == part.labels)), "cost": net.cost(part.x, part.labels),
              "per_class": per_class, "confusion": confusion}
    if json_:
        return emit_json(result)
    out.print(f"{path}: {split} accuracy [bold]{result['accuracy']:.2%}[/] on {len(part):,} {data.name} images, "
              f"cost {result['cost']:.4f}")
    table = Table(title="confusion matrix (rows: true label, columns: predicted)", show_lines=False)
    table.add_column("true", justify="right")
    for c in data.classes:
        table.add_column(c[:5], justify="right")
    table.add_column("accuracy", justify="right")
    for c in range(k):
        cells = [f"[bold green]{v}[/]" if i == c else (str(v) if v else "[dim]·[/]") for i, v in enumerate(confusion[c])]
        table.add_row(data.classes[c][:8], *cells, f"{per_class[c]['accuracy']:.1%}")
    out.print(table)


@app.command("predict")
def predict_command(
    model: Annotated[Path, typer.Argument(help="Model file.")],
    images: Annotated[list[Path], typer.Argument(help="Picture(s) of a digit: PNG, JPEG, ... any size.")],
    top: Annotated[int, typer.Option(help="How many guesses to show.")] = 3,
    json_: Json = False,
):
    """What digit is in each picture? Top guesses with probabilities."""
    net, info = load_model(model)
    if net.sizes[0] != 784:
        raise ConfigError(f"the model takes {net.sizes[0]} inputs, not a 28x28 picture")
    classes = _classes_for(info, net.sizes[-1])
    if not 1 <= top <= net.sizes[-1]:
        raise ConfigError(f"--top {top} must be between 1 and {net.sizes[-1]} (the number of classes)")
    results = []
    for image in images:
        try:
            x = preprocess_image(image).reshape(1, -1)
        except DataError as exc:
            raise DataError(f"{image}: {exc}" if str(image) not in str(exc) else str(exc)) from None
        probs = net.predict_proba(x)[0]
        order = np.argsort(-probs)[:top]
        results.append({"image": str(image), "label": int(order[0]), "class": classes[order[0]],
                        "top": [{"label": int(i), "class": classes[i], "probability": float(probs[i])} for i in order]})
    if json_:
        return emit_json({"model": str(model), "predictions": results})
    for r in results:
        guesses = "   ".join(f"{g['class']} {g['probability']:.1%}" for g in r["top"])
        out.print(f"{r['image']}: [bold]{r['class']}[/]   ({guesses})")


def _classes_for(info, n):
    from ..data import FASHION_CLASSES, MNIST_CLASSES

    name = info.dataset.get("name")
    classes = FASHION_CLASSES if name == "fashion-mnist" else MNIST_CLASSES
    return classes if len(classes) == n else tuple(str(i) for i in range(n))


@app.command("summary")
def summary_command(model: ModelArg = None, json_: Json = False):
    """Each layer's weights and biases, with the arithmetic, and the total."""
    from ..inspect import count_parameters, stored_values

    path = resolve_model(model)
    net, info = load_model(path)
    layers = count_parameters(net)
    total = sum(c.parameters for c in layers)
    stored = stored_values(path)
    result = {"model": str(path), "architecture": net.architecture(),
              "layers": [c.to_dict() for c in layers],
              "total": {"weights": sum(c.weights for c in layers), "biases": sum(c.biases for c in layers),
                        "parameters": total},
              "stored_values": stored, "training": info.training, "dataset": info.dataset, "metrics": info.metrics}
    if json_:
        return emit_json(result)
    table = Table(title=f"{path}: {' → '.join(map(str, net.sizes))}, {net.activation} hidden, "
                        f"{net.output} output, {net.cost_name} cost")
    for col in ("layer", "weights and biases", "parameters"):
        table.add_column(col, justify="right" if col == "parameters" else "left")
    for c in layers:
        name = "output" if c.layer == len(layers) else f"hidden {c.layer}"
        table.add_row(f"{name} ({c.units})", c.arithmetic.rsplit(" = ", 1)[0], f"{c.parameters:,}")
    table.add_row("[bold]total[/]", "", f"[bold]{total:,}[/]")
    out.print(table)
    m = info.metrics
    if m:
        out.print(f"test accuracy {m.get('test_accuracy', float('nan')):.2%}, best epoch {m.get('best_epoch')} "
                  f"of {m.get('epochs_run')}, trained on {info.dataset.get('name')} "
                  f"(sha256 {str(info.dataset.get('sha256', ''))[:12]}…)")
    out.print(f"the file stores {stored:,} numbers: {'matches' if stored == total else 'DOES NOT match'} the count")
