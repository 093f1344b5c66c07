"""The web lab's server: a JSON API over one live network, and the static page that draws it.

Every number the page shows comes from here, computed from the network with the core
(`net.forward`, `net.backprop`, `net.cost`) and the inspection functions (`glassnet.inspect`).
The page itself is plain HTML/CSS/JS shipped in `static/`: no CDN, no build step, works offline.

Errors: whatever a request gets wrong (malformed JSON, a 27x28 image, an unknown unit, a body too
large) comes back as a 4xx with `{"error": "one line"}`; the server keeps serving.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConfigError, GlassnetError, ModelFileError
from ..modelfile import load_model
from ..network import Network
from ..plain import plain
from .training import Trainer

STATIC = Path(__file__).parent / "static"
MAX_BODY = 1_000_000  # bytes; a drawn digit as a PNG data URL is ~20 kB
UNIT_SAMPLE = 2_000  # test images searched for what excites a unit
MAX_DRAWN_UNITS = 32  # units per layer drawn in the diagram (a 800-unit layer would be a grey wall)


class SafeJSONResponse(JSONResponse):
    """JSON where NaN and infinity become null: a saturated network can output 0/0, and a strict
    encoder would turn that into a 500 instead of an answer."""

    def render(self, content) -> bytes:
        return json.dumps(plain(content), allow_nan=False, separators=(",", ":")).encode("utf-8")


class LabError(Exception):
    """A request the lab cannot serve, with its HTTP status (409 busy / no model, 404 unknown run, ...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# ----------------------------------------------------------------------------------------------
# State: the network being looked at, the data, the trainer


@dataclass
class Lab:
    runs_dir: Path
    net: Optional[Network] = None
    model_path: Optional[Path] = None
    info: object = None
    version: int = 0  # bumped whenever the network changes, so caches know
    _data: object = None
    _data_lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict = field(default_factory=dict)

    @property
    def data(self):
        # MNIST takes a second to unpack; load it on first use, once, even with parallel requests.
        with self._data_lock:
            if self._data is None:
                from ..data import load_mnist

                self._data = load_mnist()
            return self._data

    def use_model(self, path: Path) -> None:
        net, info = load_model(path)
        if net.sizes[0] != 784:
            raise ModelFileError(f"{path}: the model takes {net.sizes[0]} inputs, not a 28x28 picture")
        self.net, self.info, self.model_path = net, info, Path(path)
        self.version += 1
        self._cache.clear()

    def require_net(self) -> Network:
        if self.net is None:
            raise LabError(409, "no model loaded yet: train one in the Train tab, then press 'Use in Draw'")
        return self.net


# ----------------------------------------------------------------------------------------------
# Request bodies (validated by FastAPI: a value out of range is a 422 with the field named)

Pixels = Annotated[list[Annotated[float, Field(ge=0.0, le=1.0)]], Field(min_length=784, max_length=784)]


class ForwardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image: Optional[str] = Field(None, max_length=MAX_BODY,
                                 description="A picture of a digit as a data URL (data:image/png;base64,...); "
                                             "preprocessed like `glassnet predict` (MNIST style).")
    pixels: Optional[Pixels] = Field(None, description="784 values in 0..1, row by row: an input used as is.")
    test_index: Optional[int] = Field(None, ge=0, description="An image of the MNIST test set.")
    k: int = Field(12, ge=1, le=64, description="Strongest incoming connections returned per unit.")


class TrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hidden: list[Annotated[int, Field(ge=1, le=512)]] = Field([16, 16], max_length=4)
    activation: Literal["sigmoid", "tanh", "relu"] = "sigmoid"
    output: Literal["sigmoid", "softmax"] = "sigmoid"
    cost: Literal["quadratic", "cross-entropy"] = "quadratic"
    optimizer: Literal["sgd", "momentum", "adam"] = "adam"
    lr: float = Field(0.003, gt=0, le=100)
    schedule: Literal["constant", "step", "exponential", "cosine"] = "cosine"
    epochs: int = Field(10, ge=1, le=100)
    batch_size: int = Field(10, ge=1, le=1000)
    limit: int = Field(10_000, ge=100, le=50_000, description="Training images used (the first N).")
    seed: int = Field(0, ge=0, le=2**31)
    name: Optional[str] = Field(None, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")


class ModelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run: str = Field(..., max_length=80, description="A run name from GET /api/runs.")


class BatchFields(BaseModel):
    batch_start: int = Field(0, ge=0, description="First training image of the batch.")
    batch_size: int = Field(100, ge=1, le=5000, description="Training images in the batch.")


class ProbeRequest(BatchFields):
    model_config = ConfigDict(extra="forbid")
    layer: int = Field(..., ge=1, description="1 = first hidden layer ... L = output layer.")
    to: int = Field(..., ge=0, description="Unit of that layer the weight goes into.")
    frm: int = Field(..., ge=0, description="Unit of the layer below (or pixel) it comes from.")
    lr: Optional[float] = Field(None, gt=0, le=1e6, description="Learning rate for the descent steps "
                                                               "(default: a good one for this weight).")
    steps: int = Field(12, ge=1, le=200)
    decay: float = Field(0.0, ge=0, le=10)
    span: Optional[float] = Field(None, gt=0, le=100)
    points: int = Field(81, ge=3, le=401)
    curve: bool = Field(True, description="Compute the cost curve too (false: only the descent steps, "
                                          "for a learning-rate slider).")


class GradientRequest(BatchFields):
    model_config = ConfigDict(extra="forbid")
    k: int = Field(10, ge=1, le=100)


# ----------------------------------------------------------------------------------------------
# Computations for the page (thin: the maths lives in the network and glassnet.inspect)


def _decode_data_url(text: str) -> bytes:
    match = re.match(r"^data:image/[a-z+.-]+;base64,(.*)$", text, re.S)
    try:
        return base64.b64decode(match.group(1) if match else text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("'image' must be a base64 data URL such as data:image/png;base64,iVBOR...") from None


def _round(a, digits=4):
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def network_view(net: Network, x: np.ndarray, k: int) -> dict:
    """One input fed forward: every layer's activations, and for each drawn unit its k strongest
    incoming connections, ranked by |weight × activation| (the term it adds to the unit's z)."""
    from ..inspect.features import layer_activations

    with np.errstate(invalid="ignore", divide="ignore"):  # all-zero sigmoid outputs: 0/0 probabilities
        seen = layer_activations(net, x)
    inputs = [x.reshape(-1)] + seen.activations[:-1]  # what each layer receives
    connections = []
    for l, (w, a_in) in enumerate(zip(net.weights, inputs)):
        units = min(w.shape[0], MAX_DRAWN_UNITS)
        terms = w[:units] * a_in[None, :]  # weight × activation, per connection
        kk = min(k, w.shape[1])
        top = np.argsort(-np.abs(terms), axis=1, kind="stable")[:, :kk]
        connections.append([{"unit": j, "z": float(terms[j].sum() + net.biases[l][j]),
                             "from": top[j].tolist(),
                             "weight": _round(w[j, top[j]]),
                             "activation": _round(a_in[top[j]]),
                             "term": _round(terms[j, top[j]])} for j in range(units)])
    return {"input": _round(seen.input.reshape(-1), 3),
            "activations": [_round(a) for a in seen.activations],
            "prediction": seen.prediction,
            "probabilities": _round(seen.probabilities),
            "connections": connections}


def _batch(lab: Lab, req: BatchFields):
    train = lab.data.train
    if req.batch_start >= len(train):
        raise ConfigError(f"batch_start {req.batch_start} is past the end of the training set ({len(train):,} images)")
    stop = min(req.batch_start + req.batch_size, len(train))
    return train.x[req.batch_start:stop], train.labels[req.batch_start:stop]


def _model_summary(lab: Lab, weights: bool = False) -> dict:
    net = lab.net
    if net is None:
        return {"loaded": False, "path": None, "name": None}
    info = lab.info
    first = net.weights[0][:16]
    return plain({"loaded": True, "path": str(lab.model_path), "name": lab.model_path.stem,
            "architecture": net.architecture(), "parameters": net.n_params,
            "metrics": getattr(info, "metrics", {}), "training": getattr(info, "training", {}),
            "history": getattr(info, "history", []), "classes": [str(i) for i in range(net.sizes[-1])],
            "drawn_units": MAX_DRAWN_UNITS, "version": lab.version,
            "first_layer": {"units": int(first.shape[0]), "max_abs": float(np.abs(first).max()),
                            "values": _round(first, 3)} if weights and net.sizes[0] == 784 else None})


# ----------------------------------------------------------------------------------------------
# Body size: refuse oversized requests before reading them into memory


class BodyLimit:
    """ASGI middleware: 413 for a body larger than `limit` bytes, declared or streamed.

    A body without a Content-Length is read here first (at most `limit` bytes, then refused) and
    handed on whole, so the limit holds however the client sends it.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                return await _too_large(self.limit, scope, receive, send)
            return await self.app(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await _too_large(self.limit, scope, receive, send)
            if not message.get("more_body"):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(limit, scope, receive, send):
    response = JSONResponse({"error": f"request body too large (the limit is {limit:,} bytes)"}, status_code=413)
    await response(scope, receive, send)


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "malformed JSON in the request body"
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    msg = first.get("msg", "invalid request")
    if first.get("type") == "missing":
        return 422, f"{where}: this field is required"
    if first.get("type") == "extra_forbidden":
        return 422, f"{where}: unknown field"
    extra = f" ({len(errors)} problems in all)" if len(errors) > 1 else ""
    return 422, f"{where}: {msg}{extra}"


# ----------------------------------------------------------------------------------------------
# The application


def create_app(model_path: str | Path | None = None, runs_dir: str | Path | None = None,
               data=None, max_body: int = MAX_BODY, study_db: str | Path | None = None) -> FastAPI:
    """The lab as a FastAPI app. `model_path`: the network to show (None: the newest run in
    `runs_dir`, else none until one is trained); `runs_dir`: where training runs are saved
    (default: the user data dir); `data`: a Dataset to use instead of the embedded MNIST (tests);
    `study_db`: the Study tab's progress file (None: the same default file as `glassnet study`)."""
    if runs_dir is None:
        import platformdirs

        runs_dir = Path(platformdirs.user_data_dir("glassnet")) / "runs"
    lab = Lab(runs_dir=Path(runs_dir), _data=data)
    if model_path is not None:
        lab.use_model(Path(model_path))
    else:
        newest = sorted(lab.runs_dir.glob("*.safetensors"), key=lambda p: p.stat().st_mtime)
        for path in reversed(newest):
            try:
                lab.use_model(path)
                break
            except GlassnetError:
                continue
    trainer = Trainer(lab)

    app = FastAPI(title="glassnet lab", version="1", docs_url=None, redoc_url=None,
                  default_response_class=SafeJSONResponse,
                  description="The JSON API behind the glassnet lab page. Every number is computed "
                              "from the live network. Errors: 4xx with {\"error\": \"...\"}.")
    app.state.lab, app.state.trainer = lab, trainer
    app.add_middleware(BodyLimit, limit=max_body)

    # -- errors: always one line of JSON, never a traceback ---------------------------------

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        status, message = _validation_message(exc)
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(GlassnetError)
    async def _glassnet(request: Request, exc: GlassnetError):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(LabError)
    async def _lab(request: Request, exc: LabError):
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = {404: f"not found: {request.url.path}", 405: f"method {request.method} not allowed on "
                   f"{request.url.path}"}.get(exc.status_code, str(exc.detail))
        return JSONResponse({"error": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception):  # a bug of ours: say so, keep serving
        return JSONResponse({"error": f"internal error ({type(exc).__name__}): {' '.join(str(exc).split())[:200]}"},
                            status_code=500)

    # -- the page ----------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def index():
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        # The study tab's script is written by another part of glassnet; load it only if shipped.
        study = '<script src="/static/study.js" defer></script>' if (STATIC / "study.js").is_file() else ""
        return HTMLResponse(html.replace("<!--STUDY_SCRIPT-->", study))

    @app.get("/docs", include_in_schema=False)
    def docs():
        return FileResponse(STATIC / "docs.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # -- the model ---------------------------------------------------------------------------

    @app.get("/api/model", tags=["model"],
              description="Returns {loaded, path, name, architecture: {sizes, activation, output, cost}, parameters, metrics, training, history: [epoch records], classes, drawn_units, version, first_layer: {units, max_abs, values: [[784]]} | null}.", summary="The network on show: architecture, metrics, history")
    def get_model(weights: Annotated[bool, Query(description="Include the first 16 first-layer weight "
                                                             "pictures (784 values each).")] = False):
        return _model_summary(lab, weights)

    @app.post("/api/model", tags=["model"],
              description="Body {run}. Returns the same shape as GET /api/model. 404 for an unknown run.", summary="Show another network: a run from GET /api/runs")
    def set_model(req: ModelRequest):
        path = trainer.run_path(req.run)
        lab.use_model(path)
        return _model_summary(lab)

    # -- draw: an input fed forward ------------------------------------------------------------

    @app.post("/api/forward", tags=["draw"],
              description="Body: exactly one of image | pixels | test_index, and k. Returns {input: [784], activations: [[units] per layer], prediction, probabilities: [10], label (test images) | null, test_index, connections: [per layer [per unit {unit, z, from: [k], weight: [k], activation: [k], term: [k]}]]} (term = weight x activation, largest |term| first; at most 32 units per layer).",
              summary="Feed one input forward: the 28x28 input, every layer's activations, the prediction, "
                      "and each unit's strongest incoming connections")
    def forward(req: ForwardRequest):
        net = lab.require_net()
        given = [name for name in ("image", "pixels", "test_index") if getattr(req, name) is not None]
        if len(given) != 1:
            raise ConfigError("give exactly one of 'image' (a data URL), 'pixels' (784 values) or 'test_index'")
        label = None
        if req.image is not None:
            from ..data import preprocess_image

            x = preprocess_image(_decode_data_url(req.image)).reshape(1, -1)
        elif req.pixels is not None:
            x = np.asarray(req.pixels, dtype=np.float32).reshape(1, -1)
        else:
            test = lab.data.test
            if req.test_index >= len(test):
                raise ConfigError(f"test_index {req.test_index} does not exist: the test set has images 0..{len(test) - 1}")
            x, label = test.x[req.test_index:req.test_index + 1], int(test.labels[req.test_index])
        return {**network_view(net, x, req.k), "label": label, "test_index": req.test_index}

    @app.get("/api/unit", tags=["draw"],
              description="Returns {layer, unit, bias, weights: [inputs], top: [{index, label, activation, pixels: [784 0..255]}], bottom: [{index, label, activation}], mean_activation, active_fraction, searched, maximized: {image: [784], activation_start, activation_end}}.",
             summary="One unit: its incoming weights, the test images that excite it most and least, "
                     "and the input built to excite it")
    def unit(layer: Annotated[int, Query(ge=1)], unit: Annotated[int, Query(ge=0)]):
        from ..inspect.features import maximize_activation, top_images, unit_weights

        net = lab.require_net()
        key = ("unit", lab.version, layer, unit)
        if key not in lab._cache:
            weights = unit_weights(net, layer, unit)
            test = lab.data.test
            top = top_images(net, test.x[:UNIT_SAMPLE], layer, unit, k=6)
            best = maximize_activation(net, layer, unit) if layer == 1 or net.sizes[0] == 784 else None
            lab._cache[key] = {
                "layer": layer, "unit": unit, "bias": weights.bias,
                "weights": _round(np.asarray(weights.weights).reshape(-1)),
                "top": [{"index": int(i), "label": int(test.labels[i]), "activation": float(a),
                         "pixels": test.images[i].reshape(-1).tolist()}
                        for i, a in zip(top.top_indices, top.top_activations)],
                "bottom": [{"index": int(i), "label": int(test.labels[i]), "activation": float(a)}
                           for i, a in zip(top.bottom_indices, top.bottom_activations)],
                "mean_activation": top.mean_activation, "active_fraction": top.active_fraction,
                "searched": min(UNIT_SAMPLE, len(test)),
                "maximized": None if best is None else {
                    "image": _round(np.asarray(best.image).reshape(-1), 3),
                    "activation_start": best.activation_start, "activation_end": best.activation_end},
            }
        return lab._cache[key]

    # -- train ---------------------------------------------------------------------------------

    @app.post("/api/train", tags=["train"], status_code=202,
              description="Returns the run {name, state, config, limit, epochs, history, error, model, metrics, started, finished, weights_epoch, weights}. 409 if a run is already going.",
              summary="Start a training run in the background (409 if one is already running)")
    def start_training(req: TrainRequest):
        return trainer.start(req.model_dump())

    @app.post("/api/train/stop", tags=["train"],
              description="Returns {stopping: bool, message, name?}.", summary="Ask the running training to stop after this epoch")
    def stop_training():
        return trainer.stop()

    @app.get("/api/train/status", tags=["train"],
              description="Returns {run: null | the run (see POST /api/train), history from index `after`}; weights = {units, max_abs, values: [[784]]}.", summary="The current (or last) run: state, history, "
                                                            "latest first-layer weights")
    def training_status(after: Annotated[int, Query(ge=0)] = 0):
        return plain(trainer.status(after))

    @app.get("/api/train/events", tags=["train"],
              description="text/event-stream. event `epoch`: {name, epochs, record: {epoch, lr, cost, train_accuracy, validation_cost, validation_accuracy, seconds, images_per_second}, weights? (on the newest epoch)}; event `done`: the run; event `idle`: no run yet.",
             summary="Server-Sent Events: one `epoch` event per finished epoch, then `done`")
    async def training_events(after: Annotated[int, Query(ge=0)] = 0):
        return StreamingResponse(trainer.events(after), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/api/runs", tags=["train"],
              description="Returns {runs: [{name, path, current, architecture, training, metrics, history}], runs_dir}.", summary="Saved runs (newest first), with their histories, to compare")
    def runs():
        return plain({"runs": trainer.list_runs(), "runs_dir": str(lab.runs_dir)})

    # -- probe one weight ------------------------------------------------------------------------

    @app.post("/api/probe", tags=["probe"],
              description="Returns {curve: glassnet.inspect.weight.WeightCurve as JSON (values, costs, current, cost_at_current, derivative, finite_difference, h, relative_error, direction, curvature, lowest_value, lowest_cost) | null, descent: DescentPath (lr, decay, values, costs, derivatives, lrs, converged, overshoots, diverged), suggested_rates: {small, good, too large} | null, batch: {start, size}}.",
              summary="One weight: the cost as a function of it, its derivative (backprop and finite "
                      "difference), and gradient-descent steps on it with a learning rate")
    def probe(req: ProbeRequest):
        from ..inspect.weight import descent_path, suggested_rates, weight_curve

        net = lab.require_net()
        x, labels = _batch(lab, req)
        curve = rates = None
        if req.curve or req.lr is None:
            curve = weight_curve(net, x, labels, req.layer, req.to, req.frm, span=req.span, points=req.points)
            try:
                rates = suggested_rates(curve)
            except GlassnetError:  # flat or concave here: no rate to suggest, the learner picks one
                rates = None
        lr = req.lr if req.lr is not None else (rates["good"] if rates else 1.0)
        path = descent_path(net, x, labels, req.layer, req.to, req.frm, lr, steps=req.steps, decay=req.decay)
        return plain({"curve": curve.to_dict() if req.curve and curve else None, "descent": path.to_dict(),
                      "suggested_rates": rates, "batch": {"start": req.batch_start, "size": len(x)}})

    # -- the gradient ------------------------------------------------------------------------------

    @app.post("/api/gradient", tags=["gradient"],
              description="Returns glassnet.inspect.gradient.GradientReport as JSON (n_examples, layer_weight_norms, layer_bias_norms, layer_rms, norm, top: [{layer, to, from, weight, gradient, move}], step, cost, cost_after_gradient_step, cost_after_random_step, random_changes, predicted_change) plus layers: [{layer, shape, max_abs, values: [[dC/dw]] (first 32 rows)}] and batch: {start, size}.",
              summary="The gradient of the cost on a batch: per-layer images and norms, the most "
                      "influential weights, and the cost change of a small step along it")
    def gradient(req: GradientRequest):
        net = lab.require_net()
        x, labels = _batch(lab, req)
        report = gradient_report(net, x, labels, k=req.k)
        report["batch"] = {"start": req.batch_start, "size": len(x)}
        return plain(report)

    # -- the study tab (written elsewhere; optional) ------------------------------------------------

    study_router = None
    try:
        from .study_api import router as study_router
    except ModuleNotFoundError as exc:  # not shipped: the Study tab says so
        if exc.name != f"{__package__}.study_api":
            _warn(f"the study tab is off: {exc}")
    except Exception as exc:  # a broken study module must not take the rest of the lab down
        _warn(f"the study tab is off: {type(exc).__name__}: {exc}")
    if study_router is not None:
        app.include_router(study_router)
    app.state.study = study_router is not None
    app.state.study_db = Path(study_db) if study_db is not None else None
    return app


def _warn(message: str) -> None:
    import sys

    print(f"glassnet lab: warning: {message}", file=sys.stderr)


def gradient_report(net: Network, x, labels, k: int) -> dict:
    """glassnet.inspect.gradient's report as plain JSON, plus each layer's full gradient for the images."""
    from ..inspect.gradient import gradient_report as report

    grads = net.backprop(x, labels)  # once: the report's numbers and every layer's full picture
    result = report(net, x, labels, k=k, grads=grads).to_dict()
    result.pop("first_layer", None)  # the same numbers as layers[0] below, as pictures
    grad_w = grads[0]
    result["layers"] = [{"layer": l + 1, "shape": list(g.shape), "max_abs": float(np.abs(g).max()),
                         "values": _round(g[:MAX_DRAWN_UNITS], 7)} for l, g in enumerate(grad_w)]
    return result
