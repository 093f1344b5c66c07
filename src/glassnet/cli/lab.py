"""`glassnet lab`: the web lab on http://127.0.0.1 — draw a digit, watch every layer, train live."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError, GlassnetError
from .common import JSON_OPTION, app, console, emit_json, remember_model, resolve_model


def default_runs_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("glassnet")) / "runs"


def _model_to_show(model: Optional[Path], runs_dir: Path, quiet: bool) -> Path:
    """The model named, else the last one trained, else the newest lab run, else train the default now."""
    if model is not None:
        return model
    try:
        return resolve_model(None)
    except GlassnetError:
        pass
    runs = sorted(runs_dir.glob("*.safetensors"), key=lambda p: p.stat().st_mtime)
    if runs:
        return runs[-1]
    # Nothing trained yet: train the 3b1b network once (about a minute), showing each epoch.
    from ..data import load_mnist
    from ..modelfile import ModelInfo, save_model
    from ..train import build_network, preset
    from .core import _run_with_progress

    config = preset("3b1b")
    # (said on stderr with --json too: stdout keeps the one JSON object, but nobody should wait in silence)
    console.print("[bold]glassnet lab[/]: no model yet, training the 3b1b network first "
                  f"({config.epochs} epochs on 50,000 images, about 15 s; next time the lab starts at once)")
    data = load_mnist()
    net = build_network(config)
    result = _run_with_progress(net, data, config, None, quiet=quiet)
    if not result.history:
        raise ConfigError("training was interrupted before the first epoch: no model to show")
    path = runs_dir / "default-3b1b.safetensors"
    save_model(net, path, ModelInfo.of_run(net, data, config, result, "3b1b"))
    remember_model(path)
    return path


@app.command("lab")
def lab_command(
    model: Annotated[Optional[Path], typer.Option("--model", help="Model file to show (default: the last one trained; "
                                                                  "if there is none, the 3b1b network is trained first).")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on. Keep 127.0.0.1 unless you mean to share the lab.")] = "127.0.0.1",
    runs_dir: Annotated[Optional[Path], typer.Option(help="Where training runs started from the page are saved "
                                                         "(default: runs/ in glassnet's user data folder).")] = None,
    study_db: Annotated[Optional[Path], typer.Option("--study-db", help="The Study tab's progress file "
                                                     "(default: the same file as `glassnet study`).")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser window.")] = False,
    json_: Annotated[bool, JSON_OPTION] = False,
):
    """A local web page: draw a digit and watch every layer, train live, probe a weight, see the gradient."""
    import uvicorn

    from ..web import create_app

    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port} must be between 0 and 65535 (0 = any free port)")
    runs_dir = runs_dir or default_runs_dir()
    try:  # the page saves its runs here: find out now, not at the end of the first run
        runs_dir.mkdir(parents=True, exist_ok=True)
        probe = runs_dir / ".glassnet-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"--runs-dir {runs_dir}: cannot save runs there ({exc.strerror or exc})") from None
    from ..study.progress import Progress

    with Progress(study_db, read_only=True):  # a damaged progress file is refused now, not in the Study tab
        pass
    path = _model_to_show(model, runs_dir, quiet=json_)
    web_app = create_app(path, runs_dir, study_db=study_db)
    # Bind the socket ourselves so that --port 0 can report the port it actually got.
    try:
        sock = socket.create_server((host, port))
    except OSError as exc:
        import errno

        if exc.errno in (errno.EADDRINUSE, errno.EACCES):  # the port is taken (or reserved)
            hint = "try another --port, or --port 0"
        else:  # the address is not one of this machine's, or is not an address at all
            hint = "--host must be an address of this machine, e.g. 127.0.0.1 (or 0.0.0.0 to share the lab)"
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); {hint}") from None
    port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    if not thread.is_alive():
        raise ConfigError(f"the lab server could not start on {url}")
    if json_:
        emit_json({"url": url, "model": str(path), "runs_dir": str(runs_dir), "host": host, "port": port})
    else:
        console.print(f"[bold]glassnet lab[/] serving {path} at [bold]{url}[/]  (Ctrl-C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):  # (on stderr, so also with --json)
        console.print(f"[yellow]warning: listening on {host}: anyone who can reach this machine can use the lab[/]")
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(5)
