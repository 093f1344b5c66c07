"""The benchmark's own arithmetic and its lock-step workers (PyTorch is not needed for these)."""

import argparse
import contextlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import run  # noqa: E402  (benchmarks/run.py)


def test_epoch_flops_is_the_issues_count():
    """6 FLOPs per weight per image: 60,000 images of the 3B1B net at 200 GFLOP/s take 'near 0.025 s'."""
    weights = 784 * 16 + 16 * 16 + 16 * 10
    assert run.epoch_flops([784, 16, 16, 10], 60_000) == 6 * weights * 60_000
    assert 0.02 < run.epoch_flops([784, 16, 16, 10], 60_000) / 200e9 < 0.025
    # The strict count leaves out sending δ back to the input: 2 FLOPs per first-layer weight per image.
    assert run.epoch_flops([784, 16, 16, 10], 10) - run.needed_flops([784, 16, 16, 10], 10) == 2 * 784 * 16 * 10


def test_ratios_are_paired_round_by_round():
    """A slow spell that hits both sides of one round cancels out of the paired ratio."""
    glassnet, numpy = [1.0, 2.0, 1.0], [2.0, 4.0, 2.0]  # round 2 was twice as slow for both
    assert run.paired(glassnet, numpy) == 0.5
    assert run.paired([1.0, 1.0, 9.0], [2.0, 2.0, 2.0]) == 0.5  # one bad round does not move the median


def test_turns_rotate_so_no_framework_is_always_first():
    orders = [run.turns(k) for k in range(3)]
    assert all(sorted(o) == sorted(run.FRAMEWORKS) for o in orders)
    assert {o[0] for o in orders} == set(run.FRAMEWORKS)


@pytest.fixture
def quick_args():
    return argparse.Namespace(threads=1, quick=True)


def test_workers_train_in_lock_step(quick_args):
    """Two real worker processes (glassnet and the NumPy floor) answer one request at a time: they
    train the same network from the same weights in the same batch order, so they end at the same
    accuracy, and each epoch is timed in its own process."""
    workers = {fw: run.Worker(fw, quick_args) for fw in ("glassnet", "numpy")}
    try:
        for w in workers.values():
            assert w.ask("setup", config="3b1b-b128", epochs=3)["rss_before_mb"] > 30  # the data is loaded
        for k in range(2):
            for w in workers.values():
                epoch = w.ask("epoch", k=k)
                assert epoch["seconds"] > 0 and epoch["rss_mb"] > 30
        done = {fw: w.ask("finish") for fw, w in workers.items()}
        assert done["glassnet"]["test_accuracy"] > 0.5  # two epochs of 10,000 images really trained it
        assert abs(done["glassnet"]["test_accuracy"] - done["numpy"]["test_accuracy"]) < 0.005
        one = workers["glassnet"].ask("predict_one_block", calls=20)
        assert len(one["us"]) == 20 and min(one["us"]) > 0
        batch = workers["glassnet"].ask("predict_batch", reps=1)
        assert batch["images"] == 10_000 and batch["seconds"] > 0
    finally:
        for w in workers.values():
            w.close()


def test_a_failing_worker_is_reported_not_hung(quick_args):
    worker = run.Worker("glassnet", quick_args)
    try:
        with pytest.raises(SystemExit, match="failed on setup"):
            worker.ask("setup", config="no-such-config", epochs=3)
    finally:
        worker.close()


def test_scaling_keeps_each_frameworks_fastest_of_interleaved_rounds(monkeypatch):
    """Each sweep point is asked of every framework SWEEP_ROUNDS times, one pass per request, in
    rotating order, and the fastest pass is the one plotted: a slow spell on one pass does not count."""
    asked = []

    class FakeWorker:
        def __init__(self, fw):
            self.fw, self.calls = fw, 0

        def ask(self, cmd, key, value, n_epoch):
            assert cmd == "sweep"
            asked.append((self.fw, key, value))
            self.calls += 1
            return {"seconds": {1: 5.0, 2: 2.0, 3: 9.0}[self.calls % 3 or 3] * value}  # the second pass is fastest

    @contextlib.contextmanager
    def fake_workers(args):
        yield {fw: FakeWorker(fw) for fw in run.FRAMEWORKS}

    monkeypatch.setattr(run, "workers", fake_workers)
    monkeypatch.setattr(run, "pause", lambda: None)
    monkeypatch.setattr(run, "SWEEP_BATCHES", [1])
    monkeypatch.setattr(run, "SWEEP_WIDTHS", [16])
    out = run.measure_scaling(argparse.Namespace(), n_epoch=100)
    assert out == {fw: {"batch": [2.0], "width": [32.0]} for fw in run.FRAMEWORKS}
    assert len(asked) == 2 * run.SWEEP_ROUNDS * len(run.FRAMEWORKS)
    firsts = [asked[i][0] for i in range(0, run.SWEEP_ROUNDS * 3, 3)]  # who went first in each round
    assert len(set(firsts)) == run.SWEEP_ROUNDS  # the order rotates between rounds
