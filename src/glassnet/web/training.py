"""Training from the web page: one run at a time, in a background thread, watched live.

The run is the core `glassnet.train.train` with three hooks: `on_epoch` records each epoch (and a
copy of the first layer's weights, so the page can show them changing), `on_progress` how far the
epoch under way has got (about 20 times an epoch), and `should_stop` lets the Stop button end the
run at once (keeping the best finished epoch). The result is saved like `glassnet train`
saves it, atomically, as `<runs_dir>/<run>.safetensors`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import ConfigError, GlassnetError
from ..plain import plain

RUN_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
WEIGHT_UNITS = 16  # first-layer weight pictures sent per epoch (a wide layer sends its first 16)


class Run:
    def __init__(self, name: str, request: dict, config, limit: int):
        self.name, self.request, self.config, self.limit = name, request, config, limit
        self.state = "starting"  # starting -> running -> (stopping) -> done | stopped | failed
        self.history: list[dict] = []
        self.weights = None  # latest first-layer weights, rounded lists
        self.weights_epoch = 0
        self.progress = {"epoch": 1, "images": 0, "total": limit}  # within the epoch under way
        self.error = None
        self.model = None
        self.metrics: dict = {}
        self.started = time.time()
        self.finished = None
        self.stop_event = threading.Event()

    @property
    def active(self) -> bool:
        return self.state in ("starting", "running", "stopping")

    def to_dict(self, after: int = 0, weights: bool = True) -> dict:
        return {"name": self.name, "state": self.state, "config": self.config.to_dict(), "limit": self.limit,
                "epochs": self.config.epochs, "history": self.history[after:], "error": self.error,
                "model": self.model, "metrics": self.metrics, "started": self.started, "finished": self.finished,
                "progress": self.progress, "weights_epoch": self.weights_epoch,
                "weights": self.weights if weights else None}


class Trainer:
    def __init__(self, lab):
        self.lab = lab
        self.run: Run | None = None
        self._lock = threading.Lock()

    # -- starting and stopping ---------------------------------------------------------------------

    def start(self, request: dict) -> dict:
        from ..train import TrainConfig

        from .app import LabError

        config = TrainConfig(hidden=tuple(request["hidden"]), activation=request["activation"],
                             output=request["output"], cost=request["cost"], optimizer=request["optimizer"],
                             lr=request["lr"], schedule=request["schedule"], epochs=request["epochs"],
                             batch_size=request["batch_size"], seed=request["seed"])
        limit = int(request["limit"])
        if config.batch_size > limit:
            raise ConfigError(f"batch size {config.batch_size} is larger than the training set ({limit} images)")
        with self._lock:  # one run at a time: the check and the start must not interleave
            if self.run is not None and self.run.active:
                raise LabError(409, f"a training run ({self.run.name}) is already running: stop it or wait "
                                    "for it to finish (one run at a time per server)")
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
            name = f"{stamp}-{request['name']}" if request.get("name") else f"run-{stamp}"
            while (self.lab.runs_dir / f"{name}.safetensors").exists() or (self.run and self.run.name == name):
                name += "b"
            run = Run(name, request, config, limit)
            self.run = run
        threading.Thread(target=self._work, args=(run,), name=f"glassnet-train-{name}", daemon=True).start()
        return run.to_dict(weights=False)

    def stop(self) -> dict:
        run = self.run
        if run is None or not run.active:
            return {"stopping": False, "message": "no training run is running"}
        run.stop_event.set()
        run.state = "stopping"
        return {"stopping": True, "name": run.name,
                "message": "stopping now: the best finished epoch is kept (nothing, if none has finished)"}

    # -- the background thread ---------------------------------------------------------------------

    def _work(self, run: Run) -> None:
        from ..modelfile import ModelInfo, save_model
        from ..train import build_network, train

        try:
            data = self.lab.data
            net = build_network(run.config)
            self._snapshot(run, net, 0)
            if run.state == "starting":
                run.state = "running"

            def on_epoch(record):
                run.history.append({k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                                    for k, v in record.items()})
                self._snapshot(run, net, record["epoch"])

            def on_progress(epoch, done, total):
                run.progress = {"epoch": epoch, "images": done, "total": total}

            result = train(net, data, run.config, on_epoch=on_epoch, on_progress=on_progress, limit=run.limit,
                           should_stop=run.stop_event.is_set)
            if not result.history:
                run.state, run.error = "stopped", "stopped before the first epoch finished: nothing saved"
                return
            info = ModelInfo.of_run(net, data, run.config, result, "lab", run.limit)
            run.metrics = info.metrics
            path = save_model(net, self.lab.runs_dir / f"{run.name}.safetensors", info)
            run.model = str(path)
            self._snapshot(run, net, run.weights_epoch)  # the kept (best) epoch's weights
            run.state = "stopped" if result.stopped == "interrupted" else "done"
        except GlassnetError as exc:  # diverged, bad config: the page shows the sentence
            run.state, run.error = "failed", str(exc).replace("--lr", "learning rate")
        except Exception as exc:  # a bug must not take the server down with it
            run.state, run.error = "failed", f"internal error ({type(exc).__name__}): {exc}"
        finally:
            run.finished = time.time()

    @staticmethod
    def _snapshot(run: Run, net, epoch: int) -> None:
        w = net.weights[0][:WEIGHT_UNITS]
        run.weights = {"units": int(w.shape[0]), "max_abs": float(np.abs(w).max()),
                       "values": np.round(w.astype(np.float64), 3).tolist()}
        run.weights_epoch = epoch

    # -- watching ----------------------------------------------------------------------------------

    def status(self, after: int = 0) -> dict:
        run = self.run
        return {"run": None if run is None else run.to_dict(after)}

    async def events(self, after: int = 0):
        """Server-Sent Events: `progress` (within an epoch), `epoch` (a history record + the weights),
        then one `done` (the run)."""
        sent, progress = after, None
        yield "retry: 2000\n\n"
        while True:
            run = self.run
            if run is None:
                yield _sse("idle", {"message": "no training run yet"})
                return
            history = run.history
            while sent < len(history):
                record = history[sent]
                sent += 1
                payload = {"name": run.name, "record": record, "epochs": run.config.epochs}
                if sent == len(history):
                    payload["weights"] = run.weights
                yield _sse("epoch", payload)
            if run.active and run.progress != progress:
                progress = run.progress
                yield _sse("progress", {"name": run.name, "epochs": run.config.epochs, **progress})
            if not run.active:
                yield _sse("done", run.to_dict(len(run.history)))
                return
            await asyncio.sleep(0.15)

    # -- saved runs --------------------------------------------------------------------------------

    def run_path(self, name: str) -> Path:
        from .app import LabError

        if not RUN_NAME.match(name or "") or name.startswith("."):
            raise LabError(404, f"unknown run {name!r}")
        path = self.lab.runs_dir / f"{name}.safetensors"
        if not path.is_file():
            raise LabError(404, f"unknown run {name!r}: no {path.name} in {self.lab.runs_dir}")
        return path

    def list_runs(self, most: int = 30) -> list[dict]:
        from safetensors import safe_open

        paths = sorted(self.lab.runs_dir.glob("*.safetensors"), key=lambda p: p.stat().st_mtime, reverse=True)
        current = self.lab.model_path.resolve() if self.lab.model_path else None
        runs = []
        for path in paths[:most]:
            try:  # the metadata only: listing must not load every network
                with safe_open(str(path), framework="numpy") as f:
                    meta = f.metadata() or {}
                runs.append({"name": path.stem, "path": str(path), "current": path.resolve() == current,
                             "architecture": json.loads(meta.get("architecture", "{}")),
                             "training": json.loads(meta.get("training", "{}")),
                             "metrics": json.loads(meta.get("metrics", "{}")),
                             "history": json.loads(meta.get("history", "[]"))})
            except Exception:  # a damaged file in the folder is skipped, not fatal
                continue
        return runs


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(plain(data), allow_nan=False)}\n\n"
