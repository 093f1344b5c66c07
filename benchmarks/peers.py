"""The two peers glassnet is measured against, each training the same network the same way.

- ``numpy``: a minimal hand-written NumPy loop, written the way one would type it from the
  maths with no library around it: the floor of framework overhead.
- ``torch``: a plain PyTorch CPU loop (nn.Sequential, CrossEntropyLoss, torch.optim).

Both start from glassnet's initial weights, use the same optimizer and learning rate, and visit the
mini-batches in the same order (the `orders` given, one permutation per epoch).
"""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------------------------
# Minimal NumPy


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))  # exp overflows to inf for very negative z, and 1/inf = 0: right anyway


class NumpyLoop:
    def __init__(self, weights, biases, activation, optimizer, lr):
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]
        self.activation, self.optimizer, self.lr = activation, optimizer, lr
        self.m = [np.zeros_like(p) for p in self.W + self.b]
        self.v = [np.zeros_like(p) for p in self.W + self.b]
        self.t = 0

    def f(self, z):
        return _sigmoid(z) if self.activation == "sigmoid" else np.maximum(z, 0)

    def f_prime(self, a):
        return a * (1 - a) if self.activation == "sigmoid" else (a > 0).astype(a.dtype)

    def train_epoch(self, x, y, order, batch_size):
        L = len(self.W)
        with np.errstate(over="ignore"):
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                a = x[idx]
                acts = [a]
                for l in range(L):
                    z = a @ self.W[l].T + self.b[l]
                    if l < L - 1:
                        a = self.f(z)
                    else:
                        e = np.exp(z - z.max(axis=1, keepdims=True))
                        a = e / e.sum(axis=1, keepdims=True)
                    acts.append(a)
                d = (a - y[idx]) / len(idx)  # softmax + cross-entropy
                gW, gb = [None] * L, [None] * L
                for l in range(L - 1, -1, -1):
                    gW[l] = d.T @ acts[l]
                    gb[l] = d.sum(axis=0)
                    if l:
                        d = (d @ self.W[l]) * self.f_prime(acts[l])
                self.update(self.W + self.b, gW + gb)

    def update(self, params, grads):
        if self.optimizer == "sgd":
            for p, g in zip(params, grads):
                p -= self.lr * g
            return
        self.t += 1  # Adam, as in the paper
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m[...] = 0.9 * m + 0.1 * g
            v[...] = 0.999 * v + 0.001 * g * g
            m_hat = m / (1 - 0.9 ** self.t)
            v_hat = v / (1 - 0.999 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)

    def output_z(self, x):
        a = x
        with np.errstate(over="ignore"):
            for l in range(len(self.W) - 1):
                a = self.f(a @ self.W[l].T + self.b[l])
        return a @ self.W[-1].T + self.b[-1]

    def predict(self, x):
        return self.output_z(x).argmax(axis=-1)  # softmax keeps the order: the largest z wins

    def predict_one(self, x):
        a = x
        with np.errstate(over="ignore"):
            for l in range(len(self.W) - 1):
                a = self.f(self.W[l] @ a + self.b[l])
        return (self.W[-1] @ a + self.b[-1]).argmax()


# ----------------------------------------------------------------------------------------------
# PyTorch


class TorchLoop:
    def __init__(self, weights, biases, activation, optimizer, lr):
        import torch
        from torch import nn

        self.torch = torch
        layers = []
        for l, (w, b) in enumerate(zip(weights, biases)):
            linear = nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if l < len(weights) - 1:
                layers.append(nn.Sigmoid() if activation == "sigmoid" else nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.loss = nn.CrossEntropyLoss()
        self.opt = (torch.optim.SGD(self.model.parameters(), lr=lr) if optimizer == "sgd"
                    else torch.optim.Adam(self.model.parameters(), lr=lr))

    def train_epoch(self, x, labels, order, batch_size):
        torch = self.torch
        order = torch.from_numpy(order)
        self.model.train()
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss(self.model(x[idx]), labels[idx])
            loss.backward()
            self.opt.step()

    def predict(self, x):
        with self.torch.inference_mode():
            return self.model(x).argmax(dim=-1)

    def predict_one(self, x):
        with self.torch.inference_mode():
            return int(self.model(x).argmax())
