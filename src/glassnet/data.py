"""Data: the MNIST digits (shipped inside the package), other IDX data sets, and users' pictures.

MNIST comes as four IDX files: a big-endian header (a magic number that names the element type and
the number of dimensions, then one 32-bit size per dimension) followed by the raw bytes. We read
them ourselves because the format is the lesson's raw material and is only a few lines of code.

Layout of the arrays handed to the rest of glassnet:
- ``images``: uint8, shape (N, 28, 28), 0 = background, 255 = ink (exactly as stored);
- ``labels``: uint8, shape (N,);
- ``pixels``: the images as rows, uint8 (N, 784), a view (training reads these: a quarter of the bytes);
- ``x``: the network's input, float32, shape (N, 784), pixels scaled to 0..1 (``to_inputs``);
- ``y``: the labels again (the network turns them into one-hot targets itself).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DataError

EMBEDDED_MNIST = Path(__file__).parent / "datasets" / "mnist"
FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist
VALIDATION_SIZE = 10_000  # held out of the training set, as in Nielsen's book (50,000 + 10,000)

# The four files of an IDX data set, by role, and the name stems they go by.
ROLES = {
    "train_images": "train-images",
    "train_labels": "train-labels",
    "test_images": "t10k-images",
    "test_labels": "t10k-labels",
}

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# Fashion-MNIST as published by Zalando Research: md5 of each .gz file (pinned, checked by pooch).
FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}

_IDX_TYPES = {0x08: np.uint8}  # MNIST-style data sets only use unsigned bytes


# ----------------------------------------------------------------------------------------------
# IDX files


def read_idx(path: str | Path, ndim: int | None = None) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into a NumPy array, checking every header field."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise DataError(f"{name}: the gzip data is damaged or truncated ({exc})") from None
    if len(raw) < 4:
        raise DataError(f"{name}: truncated: {len(raw)} bytes, too short for an IDX header")
    zero, dtype_code, dims = raw[0] << 8 | raw[1], raw[2], raw[3]
    if zero != 0 or dtype_code not in _IDX_TYPES or not 1 <= dims <= 4:
        magic = int.from_bytes(raw[:4], "big")
        raise DataError(f"{name}: wrong magic number 0x{magic:08x}: not an IDX file of unsigned bytes")
    if ndim is not None and dims != ndim:
        raise DataError(f"{name}: has {dims} dimensions, expected {ndim} "
                        f"({'images' if ndim == 3 else 'labels'} file)")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DataError(f"{name}: truncated inside the header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    expected = int(np.prod(shape))
    actual = len(raw) - header
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise DataError(f"{name}: {what}: the header says {' x '.join(map(str, shape))} = "
                        f"{expected:,} values but the file holds {actual:,}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_checksums(folder: Path) -> dict[str, str]:
    """The sha256 of each .gz file, from a CHECKSUMS file (md5, sha256 raw, sha256 gz, name)."""
    sums = {}
    for line in (folder / "CHECKSUMS").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and not line.startswith("#"):
            sums[parts[3]] = parts[2]
    return sums


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _find_files(folder: Path) -> dict[str, Path]:
    """Find the four IDX files of a folder whatever their spelling (`-idx3-ubyte`, `.idx3-ubyte`, `.gz`)."""
    if not folder.is_dir():
        raise DataError(f"{folder}: no such data folder")
    found = {}
    for role, stem in ROLES.items():
        matches = sorted(p for p in folder.iterdir() if p.name.startswith(stem) and "ubyte" in p.name)
        if not matches:
            raise DataError(f"{folder}: no {stem}*ubyte[.gz] file (an IDX data folder needs "
                            "train-images, train-labels, t10k-images and t10k-labels)")
        found[role] = matches[0]
    return found


# ----------------------------------------------------------------------------------------------
# Data sets


def to_inputs(pixels, dtype=np.float32) -> np.ndarray:
    """Raw pixel bytes (0..255) as the network's input: pixel / 255, in 0..1."""
    x = np.asarray(pixels).astype(dtype)
    x /= np.asarray(255, dtype)
    return x


@dataclass(frozen=True)
class Split:
    """One part of a data set: images and their labels."""

    images: np.ndarray  # uint8 (N, 28, 28)
    labels: np.ndarray  # uint8 (N,)

    def __len__(self) -> int:
        return len(self.labels)

    @functools.cached_property
    def x(self) -> np.ndarray:
        """The network's input: float32 (N, 784) in 0..1."""
        return to_inputs(self.pixels)

    @property
    def pixels(self) -> np.ndarray:
        """The images as rows of raw bytes, uint8 (N, 784): a view, no copy (what training reads)."""
        return self.images.reshape(len(self.images), int(np.prod(self.images.shape[1:])))

    @property
    def y(self) -> np.ndarray:
        return self.labels

    def take(self, n: int) -> "Split":
        """The first n examples (tests and quick runs train on small slices)."""
        return Split(self.images[:n], self.labels[:n])


@dataclass(frozen=True)
class Dataset:
    """A data set split into training, validation (held out of training) and test parts."""

    name: str
    train: Split
    validation: Split
    test: Split
    classes: tuple[str, ...]
    sha256: str  # identifies the exact files, recorded in every model trained on them
    source: str = ""
    files: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.train.images.shape[1:])


def _build(name, folder, files, classes, validation, checksums=None) -> Dataset:
    hashes = {}
    for role, path in files.items():
        digest = _sha256(path)
        expected = (checksums or {}).get(path.name)
        if expected and digest != expected:
            raise DataError(f"{path}: hash mismatch: sha256 {digest[:12]}… but CHECKSUMS says "
                            f"{expected[:12]}… (the file is damaged or was replaced)")
        hashes[role] = digest
    arrays = _load_arrays(tuple(str(files[r]) for r in ROLES))
    train_x, train_y, test_x, test_y = arrays
    if classes is None:  # an unnamed IDX folder: its classes are the label values it uses
        classes = tuple(str(c) for c in range(max(int(train_y.max(initial=0)), 9) + 1))
    for images, labels, part in ((train_x, train_y, "training"), (test_x, test_y, "test")):
        if len(images) != len(labels):
            raise DataError(f"{folder}: the {part} images ({len(images):,}) and labels "
                            f"({len(labels):,}) disagree in number")
        if labels.size and labels.max() >= len(classes):
            raise DataError(f"{folder}: a {part} label is {labels.max()}, "
                            f"but there are only {len(classes)} classes")
    if not 0 <= validation < len(train_y):
        raise DataError(f"validation size {validation} must be between 0 and {len(train_y) - 1}")
    cut = len(train_y) - validation
    combined = hashlib.sha256("".join(hashes[r] for r in ROLES).encode()).hexdigest()
    return Dataset(
        name=name,
        train=Split(train_x[:cut], train_y[:cut]),
        validation=Split(train_x[cut:], train_y[cut:]),
        test=Split(test_x, test_y),
        classes=classes,
        sha256=combined,
        source=str(folder),
        files={r: str(p) for r, p in files.items()},
    )


@functools.lru_cache(maxsize=4)
def _load_arrays(paths: tuple[str, ...]):
    # Reading and un-gzipping 55 MB takes a moment; a process that loads twice reads once.
    return tuple(read_idx(p, ndim=ndim) for p, ndim in zip(paths, (3, 1, 3, 1)))  # the order of ROLES


def load_mnist(validation: int = VALIDATION_SIZE) -> Dataset:
    """The MNIST digits shipped inside glassnet, their hashes checked against CHECKSUMS."""
    files = _find_files(EMBEDDED_MNIST)
    return _build("mnist", EMBEDDED_MNIST, files, MNIST_CLASSES, validation,
                  _read_checksums(EMBEDDED_MNIST))


def load_idx_folder(folder: str | Path, validation: int = VALIDATION_SIZE,
                    name: str | None = None, classes: tuple[str, ...] | None = None) -> Dataset:
    """Any folder of the four IDX files (checked against its CHECKSUMS file if it has one)."""
    folder = Path(folder).expanduser()
    files = _find_files(folder)
    checksums = _read_checksums(folder) if (folder / "CHECKSUMS").is_file() else None
    return _build(name or folder.name, folder, files, classes, validation, checksums)


def _fashion_folder() -> Path:
    """Debian's copy if installed, else a pinned-hash download into the user cache."""
    if FASHION_SYSTEM_DIR.is_dir():
        return FASHION_SYSTEM_DIR
    import platformdirs
    import pooch

    cache = Path(platformdirs.user_cache_dir("glassnet")) / "fashion-mnist"
    try:
        for fname, md5 in FASHION_MD5.items():
            pooch.retrieve(FASHION_URL + fname, known_hash=f"md5:{md5}", fname=fname,
                           path=cache, progressbar=False)
    except Exception as exc:  # network down, hash mismatch: say so in one line
        raise DataError(f"fashion-mnist: not installed (apt-get install dataset-fashion-mnist) "
                        f"and the download failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                        ) from None
    return cache


DATASETS = ("mnist", "fashion-mnist")


def load_dataset(name: str = "mnist", data_dir: str | Path | None = None,
                 validation: int = VALIDATION_SIZE) -> Dataset:
    """Load a data set by name (`mnist`, `fashion-mnist`) or from an IDX folder (`data_dir`)."""
    if data_dir is not None:
        classes = FASHION_CLASSES if name == "fashion-mnist" else None
        return load_idx_folder(data_dir, validation, name=None if name == "mnist" else name,
                               classes=classes)
    if name == "mnist":
        return load_mnist(validation)
    if name == "fashion-mnist":
        return load_idx_folder(_fashion_folder(), validation, name="fashion-mnist",
                               classes=FASHION_CLASSES)
    raise DataError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)} "
                    "or give an IDX folder with --data-dir")


# ----------------------------------------------------------------------------------------------
# A user's picture -> an MNIST input


def _open_image(source) -> np.ndarray:
    """Any image (path, bytes, PIL image or array) as a float grayscale array, 0 = black, 1 = white."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, np.ndarray):
        arr = np.asarray(source, dtype=np.float64)
        if arr.ndim == 3 and arr.shape[2] in (3, 4):
            if arr.shape[2] == 4:  # transparent parts show the white paper beneath
                scale = 255.0 if arr.max() > 1 else 1.0
                alpha = arr[..., 3:] / scale
                arr = arr[..., :3] * alpha + scale * (1 - alpha)
            arr = arr[..., :3] @ np.array([0.299, 0.587, 0.114])
        if arr.ndim != 2 or min(arr.shape) < 1:
            raise DataError(f"an image array must be 2-D (or H x W x 3/4), got shape {source.shape}")
        if not np.isfinite(arr).all():
            raise DataError("the image array holds NaN or infinite values")
        return arr / 255.0 if arr.max() > 1.0 else arr
    try:
        if isinstance(source, Image.Image):
            img = source
        elif isinstance(source, (bytes, bytearray)):
            img = Image.open(io.BytesIO(source))
        else:
            img = Image.open(os.fspath(source))
        img.load()
    except FileNotFoundError:
        raise DataError(f"{source}: no such file") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        label = "the data" if isinstance(source, (bytes, bytearray)) else str(source)
        raise DataError(f"{label}: not a readable image (PNG, JPEG, ... expected)") from None
    if img.width * img.height > 40_000_000:
        raise DataError(f"image too large ({img.width} x {img.height}); resize it first")
    if img.mode in ("RGBA", "LA", "P", "PA"):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    return np.asarray(img.convert("L"), dtype=np.float64) / 255.0


def preprocess_image(source) -> np.ndarray:
    """Turn any picture of a digit into a 28x28 MNIST input, the way MNIST itself was made.

    grayscale -> ink made bright on black (dark-on-light pictures are inverted) -> cropped to the
    ink -> scaled to fit a 20x20 box keeping its aspect -> placed in 28x28 so that its centre of
    mass sits at the centre. Returns float32 (28, 28) in 0..1.
    """
    from PIL import Image

    gray = _open_image(source)
    # MNIST digits are light ink on a dark background; paper is usually the opposite. The border
    # tells which: if the picture's edge is mostly light, we are looking at dark ink on paper.
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1.0 - gray if np.median(border) > 0.5 else gray.copy()
    ink -= np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]]))  # remove the paper tone
    np.clip(ink, 0, None, out=ink)
    peak = ink.max()
    if peak < 0.15:
        raise DataError("the image is blank: no ink found (draw a digit, dark on light or light on dark)")
    ink /= peak
    rows, cols = np.nonzero(ink > 0.2)
    if len(rows) < 3:
        raise DataError("the image has too little ink to be a digit")
    crop = ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    h, w = crop.shape
    # Strokes leave most of their bounding box empty; a solid blob or a photo fills it.
    if (crop > 0.2).mean() > 0.8 and min(h, w) > 0.5 * max(h, w):
        raise DataError("the image is mostly ink: not a digit drawn in strokes on a plain background")
    scale = 20.0 / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray((crop * 255).astype(np.uint8)).resize((new_w, new_h), Image.LANCZOS)
    small = np.asarray(small, dtype=np.float64) / 255.0
    # Centre of mass -> the middle of the 28x28 frame (MNIST centred this way, not by bounding box).
    total = small.sum()
    cy = (small.sum(axis=1) @ np.arange(new_h)) / total
    cx = (small.sum(axis=0) @ np.arange(new_w)) / total
    top = int(np.clip(round(13.5 - cy), 0, 28 - new_h))
    left = int(np.clip(round(13.5 - cx), 0, 28 - new_w))
    out = np.zeros((28, 28), dtype=np.float32)
    out[top: top + new_h, left: left + new_w] = small
    return np.clip(out, 0.0, 1.0)
