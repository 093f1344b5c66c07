"""Question 4: how many weights and biases? Counted from the network, with the arithmetic shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..network import Network


@dataclass
class LayerCount:
    layer: int  # 1 = first hidden layer
    inputs: int
    units: int
    weights: int
    biases: int

    @property
    def parameters(self) -> int:
        return self.weights + self.biases

    @property
    def arithmetic(self) -> str:
        return (f"{self.inputs:,} × {self.units:,} = {self.weights:,} weights + {self.biases:,} biases "
                f"= {self.parameters:,}")

    def to_dict(self) -> dict:
        return {"layer": self.layer, "inputs": self.inputs, "units": self.units, "weights": self.weights,
                "biases": self.biases, "parameters": self.parameters, "arithmetic": self.arithmetic}


def count_parameters(net: Network) -> list[LayerCount]:
    """Each layer's weights (inputs × units: one per connection) and biases (one per unit)."""
    return [LayerCount(l + 1, n_in, n_out, w, b) for l, (n_in, n_out, w, b) in enumerate(net.layer_counts())]


def stored_values(path: str | Path) -> int:
    """How many numbers a model file actually stores (read from its header, not from the network)."""
    from safetensors import safe_open

    total = 0
    with safe_open(str(path), framework="numpy") as f:
        for key in f.keys():
            n = 1
            for d in f.get_slice(key).get_shape():
                n *= d
            total += n
    return total
