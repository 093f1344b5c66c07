"""The fast path: the same maths as `Network.forward`/`backprop` and the optimizers, with no waste.

Read `network.py` and `train.py` to learn what a network does; this module only does it faster,
and `tests/test_fast.py` checks that both give the same numbers (to float32 rounding). Training
(`train.train_epoch`) and inference (`Network.feedforward`, hence `predict`) run this code; the
readable `forward`/`backprop` are what every inspection tool calls and what the tests check
against finite differences.

Where the time goes in a small network is not the arithmetic but the bookkeeping around it: with
784-16-16-10 and batches of 10, one step is ~34 NumPy calls on tiny arrays, so every temporary
array, dtype conversion and Python object per batch shows. The tricks, each a plain NumPy idiom:

- every array a step needs is made once per epoch (`Workspace`) and written into with ``out=`` /
  in-place operators: no memory is allocated per batch, which for the wide networks also saves
  the page faults of fresh megabyte-sized arrays;
- parameters, gradients and optimizer state each live in one flat array during an epoch, so an
  update is a few calls on one vector; weight matrices are held transposed and, past the first
  layer, activations one column per example (as in Nielsen's network.py), the layouts BLAS and
  softmax run fastest in (`Workspace` says why);
- a bias is a weight on an input that is always 1: each hidden layer's activations carry a row of
  ones, so the next layer's W·a + b is one product, and so are its weight and bias gradients;
- training reads the images as raw bytes (uint8, a quarter of the memory traffic of float32) and
  the first layer applies their 1/255 scale to its 16 sums instead of to 784 inputs;
- the 1/N of the average, and for plain SGD the learning rate too, are folded into the output
  error δ_L once: backprop is linear in δ, so every gradient comes out already scaled and the update
  is a single subtraction;
- σ(z) = ½·tanh(z/2) + ½ (as in network.py: float32-safe, never overflows) done in place, and
  σ'(z) = a(1 − a) from the activation already at hand;
- a helper thread copies the next batches out of the training set while this one trains (for the
  small networks, where that copying costs as much as the arithmetic: see `_gathered_ahead`).
"""

from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np

# ----------------------------------------------------------------------------------------------
# In-place activations: `out` receives f(z) (out may be z itself). Each is looked up by name once
# per epoch (`Workspace`), not on every call.

# Constants as 0-d float32 arrays: NumPy turns a Python float into an array on every call, which
# costs as much as the arithmetic on a 16-unit layer. (0, 0.5 and 1 are exact in any precision.)
_ZERO, _HALF, _ONE = np.array(0, np.float32), np.array(0.5, np.float32), np.array(1, np.float32)
_255 = np.array(255, np.float32)  # pixel bytes are 0..255; the network's inputs are pixel / 255


def _sigmoid(z, out):  # σ(z) = ½·tanh(z/2) + ½
    np.multiply(z, _HALF, out=out)
    np.tanh(out, out=out)
    out *= _HALF
    out += _HALF
    return out


def _tanh(z, out):
    return np.tanh(z, out=out)


def _relu(z, out):
    return np.maximum(z, _ZERO, out=out)


def _softmax_rows(z, out):  # row by row; shifting by the row's max changes nothing but overflow
    np.subtract(z, np.maximum.reduce(z, axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.add.reduce(out, axis=-1, keepdims=True)
    return out


ACTIVATE = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "softmax": _softmax_rows}


# delta ⊙= f'(z), with the slope written from the activation a = f(z) (scratch: room for it).

def _times_sigmoid_slope(delta, a, scratch):  # σ' = a(1 − a)
    np.subtract(_ONE, a, out=scratch)
    scratch *= a
    delta *= scratch


def _times_tanh_slope(delta, a, scratch):  # tanh' = 1 − a²
    np.multiply(a, a, out=scratch)
    np.subtract(_ONE, scratch, out=scratch)
    delta *= scratch


def _times_relu_slope(delta, a, scratch):  # relu' = 1 where z > 0, i.e. where a > 0
    np.greater(a, _ZERO, out=scratch, casting="unsafe")
    delta *= scratch


TIMES_SLOPE = {"sigmoid": _times_sigmoid_slope, "tanh": _times_tanh_slope, "relu": _times_relu_slope}


# ----------------------------------------------------------------------------------------------
# Inference


def _activate_columns(name, zt, ones, scratch=None):
    """f(z) in place for an output layer held one COLUMN per example (zt: units × examples).

    Softmax needs each example's maximum and sum. Along rows of 10 NumPy pays its per-row cost for
    every example; down the columns the same maximum is one vectorised pass over whole rows, and
    the sums are the product 1ᵀ·zt: several times faster for a batch (see Workspace)."""
    if name != "softmax":
        return ACTIVATE[name](zt, zt)
    zt -= np.maximum.reduce(zt, axis=0, out=scratch)  # shifting by the max changes nothing but overflow
    np.exp(zt, out=zt)
    zt /= np.dot(ones, zt, out=scratch)
    return zt


def feedforward(net, x, activate_output=True):
    """The output activations for one example (784,) or a batch (N, 784): `forward(x).output`
    without keeping every layer's z and activation (each layer's array is reused in place).

    activate_output=False gives the output layer's weighted inputs z instead: what `predict` needs,
    since neither sigmoid nor softmax changes which output is largest. A batch's result is
    (N, units), possibly a transposed view (the output layer is computed one column per example)."""
    a = x
    *hidden, (w_out, b_out) = zip(net.weights, net.biases)
    for w, b in hidden:
        z = np.dot(w, a) if a.ndim == 1 else a @ w.T  # (one image: the matrix-vector product W·a)
        z += b
        a = ACTIVATE[net.activation](z, z)
    if a.ndim == 1:
        z = np.dot(w_out, a)
        z += b_out
        return ACTIVATE[net.output](z, z) if activate_output else z
    zt = w_out @ a.T  # zᵀ = W·aᵀ + b: one column per example
    zt += b_out[:, None]
    if activate_output:
        _activate_columns(net.output, zt, np.ones(len(zt), zt.dtype))
    return zt.T


# ----------------------------------------------------------------------------------------------
# Training


def supports(net, optimizer) -> bool:
    """Whether the fast epoch covers this network and optimizer (anything else takes the readable loop)."""
    from .train import SGD, Adam  # the optimizer classes own the state the fast step updates

    quadratic_softmax = net.cost_name == "quadratic" and net.output == "softmax"  # rare; readable only
    return (type(optimizer) in (SGD, Adam) and not quadratic_softmax
            and net.activation in ("sigmoid", "tanh", "relu") and net.output in ("sigmoid", "softmax"))


class Workspace:
    """Every array an epoch of training touches, made once.

    The parameters, their gradients and the optimizer's state each live in ONE flat array laid out
    W0, b0, W1, b1, ...; the matrices and vectors a step uses are views into it. So an update
    (θ ← θ − ηg, or Adam's dozen operations) is a few NumPy calls on one long vector instead of a few
    per layer. Each weight matrix is held transposed, (inputs × units) rather than the network's
    (units × inputs), with its bias right below it: `wb[l]` = [Wₗᵀ; bₗ], one (inputs + 1) × units
    view. `copy_in` / `copy_out` move parameters and optimizer state between the network's arrays
    and the workspace: plain copies, so nothing is rounded.

    Past the first layer, activations and errors are held one COLUMN per example, as Nielsen's
    network.py holds them, and each hidden layer's activations have a row of ones below them
    (`act[l]` = [aₗ; 1]). Then the next layer's z = W·a + b is the one product [W b]·[a; 1], and its
    gradient [∂C/∂W ∂C/∂b] is the one product δ·[a; 1]ᵀ: on a 16-unit layer a bias add costs as much
    as the product, so this halves the calls. Softmax's maximum and sum per example also run along
    contiguous rows of the batch's length that way. The first layer keeps one row per example
    (x·Wᵀ, the layout BLAS runs the big 784-wide product fastest in) and writes its activations
    transposed.

    `pixels=True`: the batches arrive as raw pixel values 0..255 (cast from the uint8 images, a
    quarter of the bytes to fetch from memory), and the first layer applies the 1/255 itself:
    z = (pixels·Wᵀ)/255 + b, and ∂C/∂W = pixelsᵀ·(δ/255). The same sums, rounded in another order.
    """

    def __init__(self, net, batch_size, pixels=False):
        dt, n = net.dtype, batch_size
        self.shapes = list(zip(net.sizes[:-1], net.sizes[1:]))  # (inputs, units) per layer
        self.size = sum(n_in * n_out + n_out for n_in, n_out in self.shapes)
        self.params, self.grads, self.scratch = (np.empty(self.size, dt) for _ in range(3))
        params, grads = self.views(self.params), self.views(self.grads)
        self.w, self.b, self.gw, self.gb = params[0::2], params[1::2], grads[0::2], grads[1::2]  # w[l] = Wₗᵀ
        self.wb, self.gwb = self.stacked(self.params), self.stacked(self.grads)  # [Wₗᵀ; bₗ]
        self.x, self.y = np.empty((n, net.sizes[0]), dt), np.empty((n, net.sizes[-1]), dt)
        self.pixels = pixels
        self.raw = np.empty((n, net.sizes[0]), np.uint8) if pixels else None  # the batch's bytes, before the cast
        self.units_ones = np.ones(net.sizes[-1], dt)  # 1ᵀ·a: the sum over the output units, as a product
        self.b_out = self.b[-1][:, None]  # the output layer's b, as a column
        self.sizes, self.batch_size = net.sizes, n
        # What the step does, decided once here rather than on every call.
        self.activate, self.times_slope = ACTIVATE[net.activation], TIMES_SLOPE[net.activation]
        self.output, self.quadratic = net.output, net.cost_name == "quadratic"
        self.last = len(self.shapes) - 1  # the output layer's index; layers 0 .. last − 1 are hidden
        self.full = self._buffers(n)

    def _buffers(self, n):
        dt, sizes, hidden = self.params.dtype, self.sizes, self.sizes[1:-1]
        act = [np.empty((units + 1, n), dt) for units in hidden]  # [a; 1], one column per example
        for a in act:
            a[-1] = 1
        return SimpleNamespace(
            act=act, a=[a[:-1] for a in act],  # a: the activations alone (a view)
            z0=np.empty((n, hidden[0]), dt) if hidden else None,  # the first layer's z, one row per example
            delta=[np.empty((units, n), dt) for units in hidden],
            slope=[np.empty((units, n), dt) for units in hidden],
            out_a=np.empty((sizes[-1], n), dt),
            out_delta=np.empty((sizes[-1], n), dt),
            out_slope=np.empty((sizes[-1], n), dt),
            per_example=np.empty(n, dt),
            ones=np.ones(n, dt))  # δ·1: the first layer's bias gradient (δ summed over the batch) as a product

    def rows(self, n):
        """The step's buffers for a batch of n (an epoch's short last batch has its own)."""
        return self.full if n == self.batch_size else self._buffers(n)

    def views(self, flat):
        """[W0ᵀ, b0, W1ᵀ, b1, ...]: views into a flat array of this layout."""
        views, at = [], 0
        for n_in, n_out in self.shapes:
            views.append(flat[at:at + n_in * n_out].reshape(n_in, n_out))
            views.append(flat[at + n_in * n_out:at + n_in * n_out + n_out])
            at += n_in * n_out + n_out
        return views

    def stacked(self, flat):
        """[[W0ᵀ; b0], [W1ᵀ; b1], ...]: each bias is the row right below its weights in the flat layout."""
        views, at = [], 0
        for n_in, n_out in self.shapes:
            views.append(flat[at:at + (n_in + 1) * n_out].reshape(n_in + 1, n_out))
            at += (n_in + 1) * n_out
        return views

    def copy_in(self, arrays, flat=None):
        """Network-layout arrays (W0, b0, ...) into `flat` (default: a new flat array)."""
        flat = np.empty(self.size, self.params.dtype) if flat is None else flat
        for view, a in zip(self.views(flat), arrays):
            view[...] = a.T  # (a 1-d array's .T is itself)
        return flat

    def copy_out(self, flat, arrays):
        for view, a in zip(self.views(flat), arrays):
            a[...] = view.T

    def gradients(self, xb, yb, scale):
        """Backprop for one batch (one row per example) into self.grads: the gradient of the summed
        cost, times `scale` (best a 0-d array of the network's dtype: a Python float is converted on
        every use)."""
        r = self.rows(len(xb))
        f, w, wb, last = self.activate, self.w, self.wb, self.last
        if last:
            z = np.dot(xb, w[0], out=r.z0)  # z = x·Wᵀ + b, one row per example
            if self.pixels:
                z /= _255
            z += self.b[0]
            f(z, r.a[0].T)  # written one column per example
            for l in range(1, last):
                f(np.dot(wb[l].T, r.act[l - 1], out=r.a[l]), r.a[l])  # z = [W b]·[a; 1]
            a = np.dot(wb[last].T, r.act[last - 1], out=r.out_a)
        else:  # no hidden layer: the output layer reads x
            a = np.dot(w[0].T, xb.T, out=r.out_a)
            if self.pixels:
                a /= _255
            a += self.b_out
        _activate_columns(self.output, a, self.units_ones, r.per_example)
        delta = np.subtract(a, yb.T, out=r.out_delta)  # cross-entropy: δ_L = a − y
        if self.quadratic:  # with a sigmoid output: δ_L = (a − y)·σ'(z)
            _times_sigmoid_slope(delta, a, r.out_slope)
        delta *= scale  # backprop is linear in δ: every gradient below comes out scaled
        gwb, times_slope = self.gwb, self.times_slope
        for l in range(last, 0, -1):
            np.dot(r.act[l - 1], delta.T, out=gwb[l])  # [∂C/∂Wᵀ; ∂C/∂b] = [a; 1]·δᵀ
            back = np.dot(w[l], delta, out=r.delta[l - 1])  # Wᵀ·δ, then ⊙ f'(z)
            times_slope(back, r.a[l - 1], r.slope[l - 1])
            delta = back
        np.dot(delta, r.ones, out=self.gb[0])  # ∂C/∂b = Σ δ over the batch
        if self.pixels:  # x = pixels/255, so ∂C/∂W = (pixels/255)ᵀ·δ = pixelsᵀ·(δ/255)
            delta /= _255
        np.dot(xb.T, delta.T, out=self.gw[0])  # ∂C/∂Wᵀ = xᵀ·δᵀ
        return self.grads

    def network_grads(self):
        """The gradients in the network's layout (W0, b0, ...), as copies, for comparing with backprop."""
        return [v.T.copy() for v in self.views(self.grads)]


def train_epoch(net, x, y, order, optimizer, lr, batch_size, weight_decay=0.0, progress=None):
    """One epoch of mini-batch steps in the given order; the same maths as the readable loop in
    `train.train_epoch` (backprop, L2 decay, then the optimizer's step, and `progress` as there).
    x: the inputs, or uint8 pixel rows (read as pixel / 255, as `data.to_inputs` does)."""
    x = np.asarray(x)
    pixels = x.dtype == np.uint8
    if not pixels:
        x = x.astype(net.dtype, copy=False)
    y = net.one_hot(y) if np.ndim(y) == 1 else np.asarray(y, dtype=net.dtype)
    ws = Workspace(net, batch_size, pixels)
    params, state = net.parameters(), _optimizer_state(optimizer)
    ws.copy_in(params, ws.params)
    flat_state = {name: ws.copy_in(arrays) for name, arrays in state.items()}
    plain_sgd = not flat_state and not weight_decay
    decay = None
    if weight_decay:  # L2 on the weights only: λ where the flat array holds a weight, 0 at a bias
        decay = ws.copy_in([np.full_like(p, weight_decay if p.ndim == 2 else 0) for p in params])
    ahead = ws.size <= GATHER_AHEAD_MAX_PARAMS and batch_size <= GATHER_AHEAD_MAX_BATCH and _blas_threads() >= 2
    # The 1/N of the average (and, for plain SGD, the learning rate) scale δ_L once.
    factor = lr if plain_sgd else 1.0
    full_scale = np.array(factor / batch_size, net.dtype)
    try:
        with _blas_limit(1 if ahead else None):
            every, done = progress_interval(len(order), batch_size), 0
            for xb, yb in (_gathered_ahead if ahead else _gathered)(x, y, order, batch_size, ws):
                if progress is not None and done % every == 0:
                    progress(done)
                n = len(xb)
                done += n
                grads = ws.gradients(xb, yb, full_scale if n == batch_size else np.array(factor / n, net.dtype))
                if plain_sgd:  # the gradients already carry η/N: θ ← θ − η·∇C is one subtraction
                    ws.params -= grads
                    continue
                if decay is not None:
                    np.multiply(ws.params, decay, out=ws.scratch)
                    grads += ws.scratch
                _step(optimizer, ws.params, grads, ws.scratch, lr, flat_state)
    finally:  # also when interrupted: the network keeps every step taken, in step with its optimizer
        ws.copy_out(ws.params, params)
        for name, arrays in state.items():
            ws.copy_out(flat_state[name], arrays)


def progress_interval(n_images, batch_size, times=20):
    """Report progress every this many images (a whole number of batches): about `times` an epoch."""
    return batch_size * max(1, -(-n_images // batch_size) // times)


# Feeding the batches. Copying a shuffled batch's rows out of the training set (150 MB for MNIST) is
# memory-bound work that, for the video's small network, costs as much as the step's arithmetic.
# So for a small network in small batches, when BLAS may use two threads or more, one of them is
# given to a helper thread that copies the next chunk of batches while this thread trains on the
# current one (NumPy's take runs without the GIL, so the two really overlap) and BLAS keeps to one
# thread: products of a few dozen rows are too small to gain from a second core. From batches of
# 128 up, the first layer's two products (128 × 784 × 16) run nearly twice as fast on two cores as
# on one, which is worth more than the copying: those keep BLAS's threads and copy batch by batch,
# as wide networks do. With `--threads 1` nothing runs beside the training.
GATHER_AHEAD_MAX_PARAMS = 100_000
GATHER_AHEAD_MAX_BATCH = 64
GATHER_AHEAD_ROWS = 1024  # a chunk: 3 MB of MNIST, which stays in the cache until it is used


def _take_rows(x, batch, out, raw=None):
    """Rows `batch` of x into the first rows of `out`; uint8 pixels are copied into `raw` first, then
    cast (still 0..255). The indices are valid: mode="clip" skips a bounds-checked copy."""
    n = len(batch)
    if raw is None:
        return x.take(batch, axis=0, out=out[:n], mode="clip")
    np.copyto(out[:n], x.take(batch, axis=0, out=raw[:n], mode="clip"), casting="unsafe")
    return out[:n]


def _gathered(x, y, order, batch_size, ws):
    """The epoch's batches (x rows, y rows), each copied into the workspace when it is needed."""
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        yield _take_rows(x, batch, ws.x, ws.raw), y.take(batch, axis=0, out=ws.y[:len(batch)], mode="clip")


def _gathered_ahead(x, y, order, batch_size, ws):
    """The same batches, in the same order, copied a chunk ahead by a helper thread."""
    rows = batch_size * max(1, GATHER_AHEAD_ROWS // batch_size)  # whole batches per chunk
    chunks = [(np.empty((rows, x.shape[1]), ws.x.dtype), np.empty((rows, y.shape[1]), y.dtype)) for _ in range(2)]
    raw = None if ws.raw is None else np.empty((rows, x.shape[1]), np.uint8)  # only the helper uses it

    def gather(k):  # chunk k of the epoch into buffer k % 2
        batch = order[k * rows:(k + 1) * rows]
        cx, cy = chunks[k % 2]
        return _take_rows(x, batch, cx, raw), y.take(batch, axis=0, out=cy[:len(batch)], mode="clip")

    n_chunks = -(-len(order) // rows)
    with ThreadPoolExecutor(1, thread_name_prefix="glassnet-gather") as helper:
        pending = helper.submit(gather, 0)
        for k in range(n_chunks):
            cx, cy = pending.result()
            if k + 1 < n_chunks:  # the other buffer is free: this loop is done with chunk k − 1
                pending = helper.submit(gather, k + 1)
            for start in range(0, len(cx), batch_size):
                yield cx[start:start + batch_size], cy[start:start + batch_size]


_blas = None


def _blas_controller():
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController  # finds the BLAS NumPy loaded, once

        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def _blas_threads() -> int:
    """How many threads BLAS may use now (as `--threads` / threadpoolctl set it)."""
    return min((lib["num_threads"] for lib in _blas_controller().info()), default=1)


def _blas_limit(threads):
    """A context in which BLAS uses at most `threads` threads (None: as it is), restored afterwards."""
    return contextlib.nullcontext() if threads is None else _blas_controller().limit(limits=threads)


def _optimizer_state(optimizer):
    """The optimizer's per-parameter arrays by name (train.SGD: velocity or nothing; train.Adam: m, v)."""
    if hasattr(optimizer, "m"):
        return {"m": optimizer.m, "v": optimizer.v}
    return {"velocity": optimizer.velocity} if optimizer.velocity is not None else {}


def _step(optimizer, p, g, s, lr, state):
    """The optimizer's update (train.SGD, with or without momentum, or train.Adam) of the flat
    parameters p from the flat gradient g, with s as scratch; same order of operations as train.py."""
    if not state:  # SGD: θ ← θ − ηg
        g *= lr
        p -= g
    elif "velocity" in state:  # momentum: v ← μv − ηg, θ ← θ + v
        v = state["velocity"]
        v *= optimizer.momentum
        g *= lr
        v -= g
        p += v
    else:
        optimizer.t += 1
        b1, b2, m, v = optimizer.beta1, optimizer.beta2, state["m"], state["v"]
        step = lr * math.sqrt(1 - b2 ** optimizer.t) / (1 - b1 ** optimizer.t)
        m *= b1
        np.multiply(g, 1 - b1, out=s)
        m += s
        v *= b2
        np.multiply(g, g, out=s)
        s *= 1 - b2
        v += s
        np.sqrt(v, out=s)
        s += optimizer.eps
        np.divide(m, s, out=s)
        s *= step
        p -= s
