"""glassnet beside a minimal NumPy loop and PyTorch, on the embedded MNIST, in one run.

    python benchmarks/run.py [--quick] [--threads 2] [--out benchmarks/results/latest.json]

Prints a Markdown table, writes the JSON (--out) and a PNG of the scaling curves beside it.
Each training measurement runs in its own process (so its peak memory is its own), with the same
BLAS/PyTorch thread count for everyone. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FRAMEWORKS = ("glassnet", "numpy", "torch")
NAMES = {"glassnet": "glassnet", "numpy": "NumPy floor", "torch": "PyTorch"}

# The networks timed: 3Blue1Brown's at three batch sizes, and a large ReLU/Adam one. Every network
# has a softmax output with the cross-entropy cost, as PyTorch's CrossEntropyLoss does.
CONFIGS = {
    "3b1b-b10": dict(sizes=[784, 16, 16, 10], activation="sigmoid", optimizer="sgd", lr=0.5, batch=10),
    "3b1b-b32": dict(sizes=[784, 16, 16, 10], activation="sigmoid", optimizer="sgd", lr=0.5, batch=32),
    "3b1b-b128": dict(sizes=[784, 16, 16, 10], activation="sigmoid", optimizer="sgd", lr=0.5, batch=128),
    "large-b128": dict(sizes=[784, 256, 128, 10], activation="relu", optimizer="adam", lr=1e-3, batch=128),
}
PREDICT_CONFIG = "3b1b-b32"  # the trained network whose prediction speed is measured
SWEEP_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
SWEEP_WIDTHS = [16, 32, 64, 128, 256, 512, 1024]
SWEEP_WIDTH_BATCH = 32
SWEEP_ROUNDS = 3  # passes per framework at each point of the sweep, interleaved; the fastest is kept


# ----------------------------------------------------------------------------------------------
# Memory: current and peak resident set size of this process


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> bool:
    """Linux lets a process reset its own peak RSS (VmHWM) by writing 5 to clear_refs."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------------------------
# Workers (each run in its own process)


def limit_threads(threads: int, framework: str):
    from threadpoolctl import threadpool_limits

    limiter = threadpool_limits(limits=threads)
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
    return limiter


def load(n_train: int | None):
    from glassnet.data import load_mnist

    data = load_mnist()
    train = data.train.take(n_train) if n_train else data.train
    return train.x, train.labels.astype(np.int64), data.test.x, data.test.labels.astype(np.int64), train.pixels


def make_trainer(framework: str, cfg: dict):
    """A fresh network of `cfg` for `framework`, all three starting from glassnet's initial weights.

    Returns (train_epoch(order), predict(x), predict_one(x1), prepare(array)) for that framework."""
    from glassnet.network import Network
    from glassnet.train import TrainConfig, make_optimizer, train_epoch

    net = Network(cfg["sizes"], activation=cfg["activation"], output="softmax", cost="cross-entropy", seed=0)
    if framework == "glassnet":
        optimizer = make_optimizer(TrainConfig(optimizer=cfg["optimizer"], lr=cfg["lr"]), net.parameters())

        class _Order:  # hands train_epoch the same permutation the peers get
            def __init__(self, order):
                self.order = order

            def permutation(self, n):
                return self.order

        def run(x, y, order):
            train_epoch(net, x, y, optimizer, cfg["lr"], cfg["batch"], _Order(order))

        return run, net.predict, net.predict, lambda a: a, net.one_hot
    from peers import NumpyLoop, TorchLoop

    cls = NumpyLoop if framework == "numpy" else TorchLoop
    loop = cls(net.weights, net.biases, cfg["activation"], cfg["optimizer"], cfg["lr"])

    def run(x, y, order):
        loop.train_epoch(x, y, order, cfg["batch"])

    if framework == "numpy":
        return run, loop.predict, loop.predict_one, lambda a: a, net.one_hot
    import torch

    return run, loop.predict, loop.predict_one, torch.from_numpy, torch.from_numpy


class Server:
    """Inside a worker process: one framework, measured on request (see `Worker`).

    The coordinator asks for one measurement at a time — an epoch, a block of predictions, a point
    of the scaling sweep — and each worker's turn comes right after the others': so the three
    frameworks are always measured within seconds of each other, and a burst of someone else's work
    on a shared machine slows all three alike instead of landing on one framework's whole run."""

    def __init__(self, framework: str, n_train: int | None, n_sweep: int):
        self.framework, self.n_sweep = framework, n_sweep
        self.data = load(n_train)
        self.warm = False

    def training_images(self, n=None):
        """What this framework trains on: glassnet the uint8 images, as `glassnet train` hands them
        to its epochs (it makes each batch's float32 inputs itself); the peers x = pixels / 255."""
        x, pixels = self.data[0], self.data[4]
        return (pixels if self.framework == "glassnet" else x)[:n]

    def setup(self, config: str, epochs: int) -> dict:
        _, labels, test_x, test_labels, _ = self.data
        self.run, self.predict, self.predict_one, prepare, targets = make_trainer(self.framework, CONFIGS[config])
        self.x, self.test_x, self.test_labels = prepare(self.training_images()), prepare(test_x), test_labels
        self.y = targets(labels)  # one-hot for glassnet and NumPy, class indices for PyTorch
        rng = np.random.default_rng([0, 1])  # glassnet's training stream: one permutation per epoch
        self.orders = [rng.permutation(len(labels)) for _ in range(epochs)]
        reset_peak_rss()
        return {"rss_before_mb": rss_mb()}

    def epoch(self, k: int) -> dict:
        t0 = time.perf_counter()
        self.run(self.x, self.y, self.orders[k])
        return {"seconds": time.perf_counter() - t0, "rss_mb": rss_mb()}

    def finish(self) -> dict:
        peak = peak_rss_mb()  # before predicting: training's own peak
        predicted = np.asarray(self.predict(self.test_x))
        return {"peak_rss_mb": peak, "test_accuracy": float(np.mean(predicted == self.test_labels))}

    def predict_one_block(self, calls: int) -> dict:
        one = self.test_x[0]
        for _ in range(0 if self.warm else 200):
            self.predict_one(one)
        self.warm = True
        times = []
        for _ in range(calls):
            t0 = time.perf_counter_ns()
            self.predict_one(one)
            times.append(time.perf_counter_ns() - t0)
        return {"us": [t / 1000 for t in times]}

    def predict_batch(self, reps: int) -> dict:
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            self.predict(self.test_x)
            times.append(time.perf_counter() - t0)
        return {"seconds": statistics.median(times), "images": len(self.test_labels)}

    def sweep(self, key: str, value: int, n_epoch: int) -> dict:
        """Seconds per epoch of n_epoch images, timed on one pass over the first n_sweep images."""
        cfg = dict(CONFIGS["3b1b-b32"])
        if key == "batch":
            cfg["batch"] = value
        else:
            cfg["sizes"] = [784, value, value, 10]
        labels = self.data[1][:self.n_sweep]
        run, _, _, prepare, targets = make_trainer(self.framework, cfg)
        x, y = prepare(self.training_images(self.n_sweep)), targets(labels)
        order = np.random.default_rng([0, 1]).permutation(len(labels))
        t0 = time.perf_counter()
        run(x, y, order)
        return {"seconds": (time.perf_counter() - t0) * n_epoch / len(labels)}

    def serve(self):
        """Requests as JSON lines on stdin; each answer is one line on stdout, marked with ANSWER."""
        for line in sys.stdin:
            request = json.loads(line)
            answer = getattr(self, request.pop("cmd"))(**request)
            print(ANSWER + json.dumps(answer), flush=True)


ANSWER = "@@ "  # marks the worker's answers (anything else a library prints on stdout is skipped)


class Worker:
    """The coordinator's handle on one framework's worker process."""

    def __init__(self, framework: str, args):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads),
                   MKL_NUM_THREADS=str(args.threads),
                   PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.framework = framework
        self.stderr = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--threads", str(args.threads),
             *(["--quick"] if args.quick else []), "--worker", framework],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)

    def ask(self, cmd: str, **kwargs) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kwargs}) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith(ANSWER):
                return json.loads(line[len(ANSWER):])
        self.stderr.seek(0)
        raise SystemExit(f"benchmark worker for {NAMES[self.framework]} failed on {cmd}:\n{self.stderr.read()[-3000:]}")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.stderr.close()


@contextlib.contextmanager
def workers(args):
    """One worker process per framework, {framework: Worker}, closed afterwards."""
    ws = {fw: Worker(fw, args) for fw in FRAMEWORKS}
    try:
        yield ws
    finally:
        for w in ws.values():
            w.close()


def turns(k: int) -> list[str]:
    """The frameworks' order in round k: rotated, so that none is always first (or last)."""
    i = k % len(FRAMEWORKS)
    return list(FRAMEWORKS[i:] + FRAMEWORKS[:i])


# After its work an OpenBLAS thread spins, waiting for more, for 2^28 cycles (its THREAD_TIMEOUT:
# about 0.1 s) before it sleeps. A worker started while another process's BLAS threads still spin
# shares the 2 cores with them: after a 50 ms pause, the epoch that came right after the square
# matmul took 98 ms (glassnet, 3b1b-b128, median of 6) against 51 ms after 150 ms.
PAUSE_SECONDS = 0.2


def pause():
    time.sleep(PAUSE_SECONDS)  # let the last one's BLAS and OpenMP threads go quiet


def measure_config(config: str, args, predict_calls: int, square_n: int) -> dict:
    """Train `config` in the three frameworks in lock-step, one epoch each in turn, with a square
    matmul between rounds (the machine's peak at that moment, for the bound)."""
    with workers(args) as ws:
        out = {fw: {"framework": fw, "config": config, "epoch_seconds": [], "rss_after_epoch_mb": [],
                    **ws[fw].ask("setup", config=config, epochs=args.epochs)} for fw in FRAMEWORKS}
        peaks = []
        for k in range(args.epochs):
            print(f"{config}: epoch {k + 1}/{args.epochs}", file=sys.stderr)
            peaks.append(square_gflops(square_n, args.threads))
            for fw in turns(k):
                pause()
                r = ws[fw].ask("epoch", k=k)
                out[fw]["epoch_seconds"].append(r["seconds"])
                out[fw]["rss_after_epoch_mb"].append(r["rss_mb"])
        for fw in FRAMEWORKS:
            o = out[fw]
            o.update(ws[fw].ask("finish"))
            o["median_seconds"] = statistics.median(o["epoch_seconds"])
            o["rss_growth_mb"] = o["rss_after_epoch_mb"][-1] - o["rss_after_epoch_mb"][0]
        if config == PREDICT_CONFIG:
            rounds, calls = 3, -(-predict_calls // 3)
            one = {fw: [] for fw in FRAMEWORKS}  # every call's µs
            one_rounds, batch_seconds, images = ({fw: [] for fw in FRAMEWORKS} for _ in range(3))
            for k in range(rounds):
                for fw in turns(k):
                    pause()
                    us = ws[fw].ask("predict_one_block", calls=calls)["us"]
                    one[fw] += us
                    one_rounds[fw].append(statistics.median(us))
                    b = ws[fw].ask("predict_batch", reps=5)
                    batch_seconds[fw].append(b["seconds"])
                    images[fw] = b["images"]
            for fw in FRAMEWORKS:
                out[fw].update(predict_one_us=statistics.median(one[fw]), predict_calls=len(one[fw]),
                               predict_one_us_rounds=one_rounds[fw],
                               test_images_per_second=images[fw] / statistics.median(batch_seconds[fw]),
                               test_set_seconds_rounds=batch_seconds[fw])
        return {"frameworks": out, "square_gflops_rounds": peaks}


def measure_scaling(args, n_epoch: int) -> dict:
    """The sweep, one point at a time: SWEEP_ROUNDS rounds of one pass in every framework in turn (the
    order rotating), keeping each framework's fastest. A single pass of a wide network can take twice
    as long when the shared machine's memory is busy; three passes, seconds apart, rarely all do."""
    with workers(args) as ws:
        out = {fw: {"batch": [], "width": []} for fw in FRAMEWORKS}
        points = [(key, v) for key, values in (("batch", SWEEP_BATCHES), ("width", SWEEP_WIDTHS)) for v in values]
        for k, (key, v) in enumerate(points):
            print(f"scaling: {key} {v}", file=sys.stderr)
            seconds = {fw: [] for fw in FRAMEWORKS}
            for r in range(SWEEP_ROUNDS):
                for fw in turns(k + r):
                    pause()
                    seconds[fw].append(ws[fw].ask("sweep", key=key, value=v, n_epoch=n_epoch)["seconds"])
            for fw in FRAMEWORKS:
                out[fw][key].append(min(seconds[fw]))
        return out


# ----------------------------------------------------------------------------------------------
# The machine's limit: float32 matrix products


def epoch_flops(sizes, n_images) -> float:
    """FLOPs of one epoch by the standard count: 6 per weight per image, 2 for its multiply-add in the
    forward pass, 2 for its gradient δᵀ·a and 2 for sending δ back (δ·W). This is the issue's count
    (it gives its "near 0.025 s" for 60,000 images at 200 GFLOP/s); biases and activations, a few
    hundred FLOPs, are left out."""
    return float(6 * sum(i * o for i, o in zip(sizes[:-1], sizes[1:])) * n_images)


def needed_flops(sizes, n_images) -> float:
    """The FLOPs the step really has to do: the same, less sending δ back to the input, which no
    one needs (glassnet, the NumPy floor and PyTorch all skip it): a stricter bound."""
    return epoch_flops(sizes, n_images) - float(2 * sizes[0] * sizes[1] * n_images)


def _best_time(f, seconds=0.3, rounds=5):
    f()
    best = float("inf")
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while True:
            f()
            n += 1
            if time.perf_counter() - t0 > seconds / rounds:
                break
        best = min(best, (time.perf_counter() - t0) / n)
    return best


_squares = {}


def square_gflops(n: int, threads: int) -> float:
    """Achieved float32 GFLOP/s of an n × n matrix product, now (the best of a short burst)."""
    from threadpoolctl import threadpool_limits

    if n not in _squares:
        rng = np.random.default_rng(0)
        _squares[n] = tuple(rng.random((n, n), dtype=np.float32) for _ in range(3))
    a, b, c = _squares[n]
    with threadpool_limits(limits=threads):
        return 2 * n**3 / _best_time(lambda: np.matmul(a, b, out=c), seconds=0.3, rounds=3) / 1e9


def matmul_limit(threads: int, quick: bool) -> dict:
    """The square peak once, and the speed of the products one training step makes, in glassnet's layout."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    n = 1024 if quick else 2048
    square = square_gflops(n, threads)
    with threadpool_limits(limits=threads):
        shapes = {}
        for name, cfg in CONFIGS.items():
            bsz, products = cfg["batch"], []
            for l, (i, o) in enumerate(zip(cfg["sizes"][:-1], cfg["sizes"][1:])):
                # In glassnet's layout: Wᵀ held as an (inputs, units) array (see glassnet.fast.Workspace).
                act, wt, d = (rng.random((bsz, i), dtype=np.float32), rng.random((i, o), dtype=np.float32),
                              rng.random((bsz, o), dtype=np.float32))
                products.append((act, wt, np.empty((bsz, o), np.float32)))  # forward  a·Wᵀ
                products.append((act.T, d, np.empty((i, o), np.float32)))  # ∂C/∂Wᵀ  aᵀ·δ
                if l:
                    products.append((d, wt.T, np.empty((bsz, i), np.float32)))  # δ back  δ·W

            def step(products=products):
                for p, q, r in products:
                    np.dot(p, q, out=r)

            step_seconds = _best_time(step)
            shapes[name] = needed_flops(cfg["sizes"], bsz) / step_seconds / 1e9
    return {"square_n": n, "square_gflops": square, "training_shapes_gflops": shapes}


# ----------------------------------------------------------------------------------------------
# The run


def versions() -> dict:
    import glassnet

    info = {"python": platform.python_version(), "numpy": np.__version__,
            "glassnet": getattr(glassnet, "__version__", "?")}
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = sorted({f"{p.get('internal_api')} {p.get('version')}" for p in threadpool_info()
                               if p.get("user_api") == "blas"})
    except Exception:  # noqa: BLE001 (informational only)
        info["blas"] = []
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 training images and small sweeps (~1.5 minutes)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS / PyTorch threads for everyone (default 2)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per network, every framework's epoch k measured back to back "
                             "(the median is reported; ≥ 3; default 7, 5 with --quick)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n_train = 10_000 if args.quick else None
    n_sweep = 2_000 if args.quick else 10_000
    predict_calls = 1000 if args.quick else 3000

    if args.worker:  # inside a worker process: measurements on request until stdin closes
        _limiter = limit_threads(args.threads, args.worker)  # noqa: F841 (kept for the whole process)
        Server(args.worker, n_train, n_sweep).serve()
        return

    args.epochs = args.epochs or (5 if args.quick else 7)
    if args.epochs < 3:
        raise SystemExit("--epochs must be at least 3 (the median of three or more epochs is reported)")
    if args.threads < 1:
        raise SystemExit("--threads must be at least 1")
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SystemExit("PyTorch is needed for the comparison: pip install torch==2.13.0 "
                         "(the CPU build; see benchmarks/README.md)") from None
    from glassnet.data import load_mnist

    n_epoch_images = n_train or len(load_mnist().train)
    started = time.time()
    print(f"measuring the float32 matmul limit ({args.threads} threads) ...", file=sys.stderr)
    limit = matmul_limit(args.threads, args.quick)
    runs = {config: measure_config(config, args, predict_calls, limit["square_n"]) for config in CONFIGS}
    scaling = measure_scaling(args, n_epoch_images)

    report = assemble(runs, scaling, limit, args, n_epoch_images, n_sweep)
    report["benchmark_seconds"] = time.time() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from glassnet.modelfile import atomic_write_bytes

    atomic_write_bytes(args.out, (json.dumps(report, indent=2) + "\n").encode())
    png = args.out.with_suffix(".png")
    atomic_write_bytes(png, plot(report))
    print(markdown(report))
    print(f"\nwrote {args.out} and {png}", file=sys.stderr)


def paired(a: list[float], b: list[float]) -> float:
    """The median over rounds of a[k] / b[k]: two measurements taken seconds apart, so a slow spell
    of the machine that lasts a few seconds cancels out of the ratio."""
    return statistics.median(x / y for x, y in zip(a, b))


def assemble(runs, scaling, limit, args, n_epoch_images, n_sweep) -> dict:
    # The peak at each round's start, over the whole run: its median is the machine's limit shown.
    limit["square_gflops_rounds"] = [p for name in CONFIGS for p in runs[name]["square_gflops_rounds"]]
    limit["square_gflops_at_start"] = limit["square_gflops"]
    limit["square_gflops"] = statistics.median(limit["square_gflops_rounds"])
    configs = {}
    for name, cfg in CONFIGS.items():
        flops, needed = epoch_flops(cfg["sizes"], n_epoch_images), needed_flops(cfg["sizes"], n_epoch_images)
        fws = runs[name]["frameworks"]
        peaks = runs[name]["square_gflops_rounds"]
        g, n, t = (fws[fw]["epoch_seconds"] for fw in FRAMEWORKS)
        # Each round's epoch against the bound at that round's own peak (measured just before it).
        bounds = [flops / (p * 1e9) for p in peaks]
        strict_bounds = [needed / (p * 1e9) for p in peaks]
        shape_bound = needed / (limit["training_shapes_gflops"][name] * 1e9)
        configs[name] = {**cfg, "images_per_epoch": n_epoch_images, "flops_per_epoch": flops,
                         "needed_flops_per_epoch": needed, "square_gflops_rounds": peaks,
                         "lower_bound_seconds": statistics.median(bounds),
                         "strict_bound_seconds": statistics.median(strict_bounds), "shape_bound_seconds": shape_bound,
                         "glassnet_over_bound": paired(g, bounds), "glassnet_over_strict_bound": paired(g, strict_bounds),
                         "glassnet_over_shape_bound": fws["glassnet"]["median_seconds"] / shape_bound,
                         "glassnet_over_numpy": paired(g, n), "torch_over_glassnet": paired(t, g),
                         "frameworks": fws}
    # The floor of a step made of glassnet's NumPy calls: one step at batch 1 costs the price of its
    # ~36 calls (the arithmetic is nil), and no call costs less on a bigger batch; so an epoch takes at
    # least steps × that, plus its FLOPs at the square peak.
    step_seconds = scaling["glassnet"]["batch"][SWEEP_BATCHES.index(1)] / n_epoch_images
    for name, cfg in CONFIGS.items():
        if name.startswith("3b1b"):
            c = configs[name]
            c["step_overhead_us"] = step_seconds * 1e6
            c["overhead_floor_seconds"] = step_seconds * -(-n_epoch_images // cfg["batch"]) + c["lower_bound_seconds"]
            c["overhead_floor_over_bound"] = c["overhead_floor_seconds"] / c["lower_bound_seconds"]
    pred = {fw: {k: runs[PREDICT_CONFIG]["frameworks"][fw][k]
                 for k in ("predict_one_us", "predict_calls", "test_images_per_second", "predict_one_us_rounds",
                           "test_set_seconds_rounds")}
            for fw in FRAMEWORKS}
    one_ratio = paired(pred["glassnet"]["predict_one_us_rounds"], pred["torch"]["predict_one_us_rounds"])
    c = configs
    targets = [
        *[{"target": f"glassnet epoch ≤ 1.15 × NumPy floor ({n})", "ratio": c[n]["glassnet_over_numpy"],
           "met": c[n]["glassnet_over_numpy"] <= 1.15} for n in CONFIGS],
        {"target": "3b1b batch 32: PyTorch / glassnet ≥ 4", "ratio": c["3b1b-b32"]["torch_over_glassnet"],
         "met": c["3b1b-b32"]["torch_over_glassnet"] >= 4},
        {"target": "large net: PyTorch / glassnet ≥ 1.2", "ratio": c["large-b128"]["torch_over_glassnet"],
         "met": c["large-b128"]["torch_over_glassnet"] >= 1.2},
        {"target": "one-image prediction: glassnet / PyTorch < 0.5", "ratio": one_ratio, "met": one_ratio < 0.5},
        *[{"target": f"3b1b epoch ≤ 3 × matmul lower bound ({n})", "ratio": c[n]["glassnet_over_bound"],
           "met": c[n]["glassnet_over_bound"] <= 3} for n in ("3b1b-b10", "3b1b-b32", "3b1b-b128")],
        # The three do the same arithmetic in a different order, so float32 rounding alone spreads
        # their accuracies a little (most after many small SGD steps): glassnet must not fall more
        # than 0.5 points below the lower of the two peers.
        *[{"target": f"accuracy ≥ the lower peer's − 0.5 points ({n})",
           "ratio": c[n]["frameworks"]["glassnet"]["test_accuracy"]
           - min(c[n]["frameworks"][fw]["test_accuracy"] for fw in ("numpy", "torch")),
           "met": c[n]["frameworks"]["glassnet"]["test_accuracy"]
           >= min(c[n]["frameworks"][fw]["test_accuracy"] for fw in ("numpy", "torch")) - 0.005} for n in CONFIGS],
        {"target": "glassnet memory flat over epochs (growth < 2 MB)",
         "ratio": max(c[n]["frameworks"]["glassnet"]["rss_growth_mb"] for n in CONFIGS),
         "met": max(c[n]["frameworks"]["glassnet"]["rss_growth_mb"] for n in CONFIGS) < 2},
    ]
    return {"command": "python benchmarks/run.py" + (" --quick" if args.quick else "") + f" --threads {args.threads}",
            "quick": args.quick, "threads": args.threads, "epochs": args.epochs,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"cpus": os.cpu_count(), "processor": _cpu_name(), **versions(),
                        "note": "shared machine: other work was running during the measurement"},
            "limit": limit, "configs": configs, "predict": pred,
            "scaling": {"images_timed": n_sweep, "images_per_epoch": n_epoch_images, "batch_sizes": SWEEP_BATCHES,
                        "widths": SWEEP_WIDTHS, "width_batch_size": SWEEP_WIDTH_BATCH,
                        "seconds_per_epoch": scaling,
                        "lower_bound_seconds": {
                            "batch": [epoch_flops([784, 16, 16, 10], n_epoch_images) / (limit["square_gflops"] * 1e9)]
                            * len(SWEEP_BATCHES),
                            "width": [epoch_flops([784, w, w, 10], n_epoch_images) / (limit["square_gflops"] * 1e9)
                                      for w in SWEEP_WIDTHS]}},
            "targets": targets}


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def markdown(r: dict) -> str:
    lines = [f"glassnet vs a minimal NumPy loop vs PyTorch — MNIST float32, {r['threads']} threads, "
             f"{r['configs']['3b1b-b32']['images_per_epoch']:,} training images per epoch, median of {r['epochs']} epochs"
             " (the three frameworks in turn, epoch by epoch; ratios are medians of the rounds' own ratios)"
             f" ({r['machine']['processor']}, numpy {r['machine']['numpy']}, torch {r['machine']['torch']}; "
             f"{r['machine']['note']})", "",
             "| network | batch | glassnet s/epoch | NumPy floor | PyTorch | glassnet ÷ NumPy | PyTorch ÷ glassnet "
             "| lower bound s | glassnet ÷ bound | ÷ strict bound | test acc. glassnet / NumPy / PyTorch "
             "| training's peak RSS MB, above the loaded data: g / n / t | RSS growth epoch 1→last MB (g) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for name, c in r["configs"].items():
        f = c["frameworks"]
        net = "-".join(map(str, c["sizes"])) + f" {c['activation']} {c['optimizer']}"
        lines.append(
            f"| {net} | {c['batch']} | {f['glassnet']['median_seconds']:.3f} | {f['numpy']['median_seconds']:.3f} | "
            f"{f['torch']['median_seconds']:.3f} | {c['glassnet_over_numpy']:.2f}× | {c['torch_over_glassnet']:.2f}× | "
            f"{c['lower_bound_seconds']:.4f} | {c['glassnet_over_bound']:.1f}× | {c['glassnet_over_strict_bound']:.1f}× | "
            + " / ".join(f"{f[fw]['test_accuracy']:.2%}" for fw in FRAMEWORKS) + " | "
            + " / ".join(f"{f[fw]['peak_rss_mb']:.0f} (+{f[fw]['peak_rss_mb'] - f[fw]['rss_before_mb']:.0f})"
                         for fw in FRAMEWORKS)
            + f" | {f['glassnet']['rss_growth_mb']:+.1f} |")
    p = r["predict"]
    lines += ["", "| prediction (3b1b net) | glassnet | NumPy floor | PyTorch | glassnet ÷ PyTorch |", "|---|---:|---:|---:|---:|",
              f"| one image, median µs ({p['glassnet']['predict_calls']} calls) | {p['glassnet']['predict_one_us']:.1f} | "
              f"{p['numpy']['predict_one_us']:.1f} | {p['torch']['predict_one_us']:.1f} | "
              f"{p['glassnet']['predict_one_us'] / p['torch']['predict_one_us']:.2f}× |",
              f"| 10,000 test images, images/s | {p['glassnet']['test_images_per_second']:,.0f} | "
              f"{p['numpy']['test_images_per_second']:,.0f} | {p['torch']['test_images_per_second']:,.0f} | "
              f"{p['torch']['test_images_per_second'] / p['glassnet']['test_images_per_second']:.2f}× (time) |"]
    lim = r["limit"]
    lines += ["", f"Machine limit: float32 matmul {lim['square_gflops']:.0f} GFLOP/s ({lim['square_n']}² square); on the "
              "training's own shapes: " + ", ".join(f"{k} {v:.0f}" for k, v in lim["training_shapes_gflops"].items())
              + " GFLOP/s. Lower bound = FLOPs of one epoch (6 per weight per image) ÷ the square peak; "
              "strict bound = only the FLOPs the step needs (no δ sent back to the input) ÷ the square peak; "
              "at the training shapes' own speed (strict FLOPs): " + ", ".join(
                  f"{k} {c['shape_bound_seconds']:.4f} s (glassnet {c['glassnet_over_shape_bound']:.1f}×)"
                  for k, c in r["configs"].items()) + "."]
    floors = [(k, c) for k, c in r["configs"].items() if "overhead_floor_seconds" in c]
    if floors:
        lines += ["", f"Floor of glassnet's step at small batches: one step costs {floors[0][1]['step_overhead_us']:.0f} µs at "
                  "batch 1 (the price of its NumPy calls; the arithmetic is nil, and no call is cheaper on a bigger "
                  "batch), so an epoch takes at least steps × that + the lower bound = " + ", ".join(
                      f"{k} {c['overhead_floor_seconds']:.3f} s ({c['overhead_floor_over_bound']:.1f}× the bound)"
                      for k, c in floors) + "."]
    lines += ["", "| target | ratio | met |", "|---|---:|:---:|"]
    for t in r["targets"]:
        lines.append(f"| {t['target']} | {t['ratio']:.3g} | {'yes' if t['met'] else '**no**'} |")
    return "\n".join(lines)


def plot(r: dict) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = r["scaling"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {"glassnet": ("tab:blue", "o"), "numpy": ("tab:green", "s"), "torch": ("tab:red", "^")}
    for ax, key, xs, xlabel in ((axes[0], "batch", s["batch_sizes"], "mini-batch size"),
                                (axes[1], "width", s["widths"], "hidden layer width h (network 784-h-h-10)")):
        for fw in FRAMEWORKS:
            color, marker = styles[fw]
            ax.plot(xs, s["seconds_per_epoch"][fw][key], marker=marker, color=color, label=NAMES[fw])
        bound = np.asarray(s["lower_bound_seconds"][key])
        ax.plot(xs, bound, "k--", label="matmul lower bound")
        ax.plot(xs, 3 * bound, "k:", label="3 × the bound (the target)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"seconds per epoch ({s['images_per_epoch']:,} images)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_title("Cost against batch size: 784-16-16-10 sigmoid, SGD")
    axes[1].set_title(f"Cost against width: 784-h-h-10 sigmoid, SGD, batch {s['width_batch_size']}")
    fig.suptitle(f"Seconds per MNIST epoch, {r['threads']} threads (timed on {s['images_timed']:,} images, "
                 f"scaled to an epoch); shared machine\nLower bound: 6 FLOPs per weight per image "
                 f"at the {r['limit']['square_gflops']:.0f} GFLOP/s matmul peak", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


if __name__ == "__main__":
    main()
