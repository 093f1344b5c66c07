"""Shared pieces of the command line: the app, JSON output, the console, the default model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console

from ..errors import ModelFileError
from ..plain import plain

app = typer.Typer(
    name="glassnet",
    help="glassnet: a neural network you can see through. Train the 3Blue1Brown MNIST network, "
         "then look inside it down to a single weight.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
state: dict = {}


def _console(stderr: bool) -> Console:
    # Off a terminal (a log file, a pipe) Rich would wrap every line at 80 columns and cut tables;
    # lines there are read whole, so give them room.
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else 200)


console = _console(stderr=True)  # humans read stderr; stdout stays clean for --json
out = _console(stderr=False)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"glassnet {version('glassnet')}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                          help="Print glassnet's version and exit.")) -> None:
    """glassnet: a neural network you can see through."""

JSON_OPTION = typer.Option("--json", help="Print one JSON object (shape documented in the README).")


def emit_json(data: dict) -> None:
    print(json.dumps(plain(data), indent=2))


def last_model_record() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("glassnet")) / "last-model.txt"


def remember_model(path: Path) -> None:
    from ..modelfile import atomic_write_bytes

    try:
        atomic_write_bytes(last_model_record(), str(Path(path).resolve()).encode())
    except OSError:
        pass  # a read-only home must not fail a finished training run


def resolve_model(model: Path | None) -> Path:
    """The model a command should use: the one named, else the last one `glassnet train` saved."""
    if model is not None:
        return model
    record = last_model_record()
    if record.is_file():
        path = Path(record.read_text().strip())
        if path.is_file():
            return path
    raise ModelFileError("no model given and none trained yet: run `glassnet train` first or name a model file")


def limit_threads(threads: int | None):
    """Cap the BLAS threads (the matrix products) for this process; returns the limiter to keep alive."""
    if threads is None:
        return None
    if threads < 1:
        from ..errors import ConfigError
        raise ConfigError(f"--threads {threads} must be at least 1")
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)
