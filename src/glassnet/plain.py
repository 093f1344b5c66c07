"""One helper shared by every interface: make results JSON-ready."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def plain(value):
    """NumPy scalars and arrays as Python numbers and lists, NaN and infinity as None, paths as strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value
