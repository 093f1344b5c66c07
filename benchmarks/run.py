"""glassnet beside a minimal NumPy loop and PyTorch, on the embedded MNIST, in one run.

    python benchmarks/run.py [--quick] [--threads 2] [--out benchmarks/results/latest.json]

Prints a Markdown table, writes the JSON (--out) and a PNG of the scaling curves beside it.
Each training measurement runs in its own process (so its peak memory is its own), with the same
BLAS/PyTorch thread count for everyone. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
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
    return train.x, train.labels.astype(np.int64), data.test.x, data.test.labels.astype(np.int64)


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


def worker_train(framework: str, config: str, epochs: int, n_train: int | None, predict_calls: int) -> dict:
    cfg = CONFIGS[config]
    x, labels, test_x, test_labels = load(n_train)
    run, predict, predict_one, prepare, targets = make_trainer(framework, cfg)
    x, test_x_p = prepare(x), prepare(test_x)
    y = targets(labels)  # one-hot for glassnet and NumPy, class indices for PyTorch
    rng = np.random.default_rng([0, 1])  # glassnet's training stream: one permutation per epoch
    orders = [rng.permutation(len(labels)) for _ in range(epochs)]
    reset_peak_rss()
    rss_before, seconds, rss_after = rss_mb(), [], []
    for order in orders:
        t0 = time.perf_counter()
        run(x, y, order)
        seconds.append(time.perf_counter() - t0)
        rss_after.append(rss_mb())
    peak = peak_rss_mb()
    predicted = np.asarray(predict(test_x_p))
    result = {"framework": framework, "config": config, "epoch_seconds": seconds,
              "median_seconds": statistics.median(seconds),
              "test_accuracy": float(np.mean(predicted == test_labels)),
              "rss_before_mb": rss_before, "rss_after_epoch_mb": rss_after, "peak_rss_mb": peak,
              "rss_growth_mb": rss_after[-1] - rss_after[0]}
    if config == PREDICT_CONFIG:
        one = test_x_p[0]
        for _ in range(200):
            predict_one(one)
        times = []
        for _ in range(predict_calls):
            t0 = time.perf_counter_ns()
            predict_one(one)
            times.append(time.perf_counter_ns() - t0)
        batch_times = []
        for _ in range(5):
            t0 = time.perf_counter()
            predict(test_x_p)
            batch_times.append(time.perf_counter() - t0)
        result["predict_one_us"] = statistics.median(times) / 1000
        result["predict_calls"] = predict_calls
        result["test_images_per_second"] = len(test_labels) / statistics.median(batch_times)
    return result


def worker_scaling(framework: str, n_sweep: int, n_epoch: int) -> dict:
    """Seconds per epoch of n_epoch images, timed on n_sweep of them, by batch size and by width."""
    x_all, labels, _, _ = load(n_sweep)
    out = {"batch": [], "width": []}
    for key, values in (("batch", SWEEP_BATCHES), ("width", SWEEP_WIDTHS)):
        for v in values:
            cfg = dict(CONFIGS["3b1b-b32"])
            if key == "batch":
                cfg["batch"] = v
            else:
                cfg["sizes"] = [784, v, v, 10]
            best = float("inf")
            for _ in range(2):
                run, _, _, prepare, targets = make_trainer(framework, cfg)
                x, y = prepare(x_all), targets(labels)
                order = np.random.default_rng([0, 1]).permutation(len(labels))
                t0 = time.perf_counter()
                run(x, y, order)
                best = min(best, time.perf_counter() - t0)
            out[key].append(best * n_epoch / n_sweep)
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


def matmul_limit(threads: int, quick: bool) -> dict:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    with threadpool_limits(limits=threads):
        n = 1024 if quick else 2048
        a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
        c = np.empty_like(a)
        square = 2 * n**3 / _best_time(lambda: np.matmul(a, b, out=c), seconds=1.0) / 1e9
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


def spawn(args: list[str], threads: int) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark worker {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--quick", action="store_true", help="10,000 training images and small sweeps (~1 minute)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS / PyTorch threads for everyone (default 2)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per network (the median is reported; ≥ 3)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="measure everything this many times and keep each pair's faster round "
                             "(default 2, 1 with --quick)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n_train = 10_000 if args.quick else None
    n_sweep = 2_000 if args.quick else 10_000
    predict_calls = 1000 if args.quick else 3000

    if args.worker:  # inside a worker process: one measurement, JSON on the last line of stdout
        kind, framework = args.worker[0], args.worker[1]
        _limiter = limit_threads(args.threads, framework)  # noqa: F841 (kept for the whole process)
        if kind == "train":
            result = worker_train(framework, args.worker[2], args.epochs, n_train, predict_calls)
        else:
            result = worker_scaling(framework, n_sweep, int(args.worker[2]))
        print(json.dumps(result))
        return

    args.rounds = args.rounds or (1 if args.quick else 2)
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
    # On a shared machine a burst of someone else's work can slow any one measurement: every
    # (network, framework) pair is measured in each of --rounds rounds, and the round with the
    # lower median epoch is kept (all medians are in the JSON).
    runs = {}
    for round_ in range(args.rounds):
        for config in CONFIGS:
            for fw in FRAMEWORKS:
                print(f"round {round_ + 1}/{args.rounds}: training {config} with {NAMES[fw]} ...", file=sys.stderr)
                result = spawn(["--threads", str(args.threads), "--epochs", str(args.epochs),
                                *(["--quick"] if args.quick else []), "--worker", "train", fw, config], args.threads)
                medians = runs.get((config, fw), {}).get("round_medians", []) + [result["median_seconds"]]
                if (config, fw) not in runs or result["median_seconds"] < runs[(config, fw)]["median_seconds"]:
                    runs[(config, fw)] = result
                runs[(config, fw)]["round_medians"] = medians
    scaling = {}
    for fw in FRAMEWORKS:
        print(f"scaling sweep with {NAMES[fw]} ...", file=sys.stderr)
        scaling[fw] = spawn(["--threads", str(args.threads), *(["--quick"] if args.quick else []),
                             "--worker", "scaling", fw, str(n_epoch_images)], args.threads)

    report = assemble(runs, scaling, limit, args, n_epoch_images, n_sweep)
    report["benchmark_seconds"] = time.time() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from glassnet.modelfile import atomic_write_bytes

    atomic_write_bytes(args.out, (json.dumps(report, indent=2) + "\n").encode())
    png = args.out.with_suffix(".png")
    atomic_write_bytes(png, plot(report))
    print(markdown(report))
    print(f"\nwrote {args.out} and {png}", file=sys.stderr)


def assemble(runs, scaling, limit, args, n_epoch_images, n_sweep) -> dict:
    configs = {}
    for name, cfg in CONFIGS.items():
        flops, needed = epoch_flops(cfg["sizes"], n_epoch_images), needed_flops(cfg["sizes"], n_epoch_images)
        fws = {fw: runs[(name, fw)] for fw in FRAMEWORKS}
        g = fws["glassnet"]["median_seconds"]
        bound = flops / (limit["square_gflops"] * 1e9)
        strict_bound = needed / (limit["square_gflops"] * 1e9)
        shape_bound = needed / (limit["training_shapes_gflops"][name] * 1e9)
        configs[name] = {**cfg, "images_per_epoch": n_epoch_images, "flops_per_epoch": flops,
                         "needed_flops_per_epoch": needed, "lower_bound_seconds": bound,
                         "strict_bound_seconds": strict_bound, "shape_bound_seconds": shape_bound,
                         "glassnet_over_bound": g / bound, "glassnet_over_strict_bound": g / strict_bound,
                         "glassnet_over_shape_bound": g / shape_bound,
                         "glassnet_over_numpy": g / fws["numpy"]["median_seconds"],
                         "torch_over_glassnet": fws["torch"]["median_seconds"] / g,
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
    pred = {fw: {k: runs[(PREDICT_CONFIG, fw)][k] for k in ("predict_one_us", "predict_calls", "test_images_per_second")}
            for fw in FRAMEWORKS}
    c = configs
    targets = [
        *[{"target": f"glassnet epoch ≤ 1.15 × NumPy floor ({n})", "ratio": c[n]["glassnet_over_numpy"],
           "met": c[n]["glassnet_over_numpy"] <= 1.15} for n in CONFIGS],
        {"target": "3b1b batch 32: PyTorch / glassnet ≥ 4", "ratio": c["3b1b-b32"]["torch_over_glassnet"],
         "met": c["3b1b-b32"]["torch_over_glassnet"] >= 4},
        {"target": "large net: PyTorch / glassnet ≥ 1.2", "ratio": c["large-b128"]["torch_over_glassnet"],
         "met": c["large-b128"]["torch_over_glassnet"] >= 1.2},
        {"target": "one-image prediction: glassnet / PyTorch < 0.5",
         "ratio": pred["glassnet"]["predict_one_us"] / pred["torch"]["predict_one_us"],
         "met": pred["glassnet"]["predict_one_us"] / pred["torch"]["predict_one_us"] < 0.5},
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
            "quick": args.quick, "threads": args.threads, "epochs": args.epochs, "rounds": args.rounds,
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
             f" (faster of {r['rounds']} rounds)"
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
