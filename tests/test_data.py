"""The loaders against the facts in shared/datasets/mnist/README.md, and every kind of bad data file."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest
from PIL import Image

from glassnet.data import EMBEDDED_MNIST, load_dataset, to_inputs, load_idx_folder, preprocess_image, read_idx
from glassnet.errors import DataError


def test_mnist_facts(mnist):
    assert mnist.train.images.shape == (50_000, 28, 28) and mnist.train.images.dtype == np.uint8
    assert mnist.validation.images.shape == (10_000, 28, 28)
    assert mnist.test.images.shape == (10_000, 28, 28)
    all_train = np.concatenate([mnist.train.labels, mnist.validation.labels])
    assert np.bincount(all_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    pixels = np.concatenate([mnist.train.images, mnist.validation.images]).astype(np.float64)
    assert pixels.mean() == pytest.approx(33.318, abs=5e-4)
    assert pixels.std() == pytest.approx(78.567, abs=5e-4)
    assert mnist.train.labels[0] == 5 and mnist.test.labels[0] == 7
    assert mnist.classes == tuple("0123456789")


def test_scaled_view(mnist):
    x = mnist.test.x
    assert x.dtype == np.float32 and x.shape == (10_000, 784)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x[0], mnist.test.images[0].reshape(-1) / np.float32(255))


def test_pixels_are_a_view_of_the_images_and_to_inputs_makes_x(mnist):
    pixels = mnist.test.pixels
    assert pixels.dtype == np.uint8 and pixels.shape == (10_000, 784)
    assert np.shares_memory(pixels, mnist.test.images)  # no copy
    assert np.array_equal(to_inputs(pixels[:500]), mnist.test.x[:500])  # the same floats, bit for bit
    assert to_inputs(pixels[:2], np.float64).dtype == np.float64


def test_validation_split_is_held_out_of_training(mnist):
    # The last 10,000 training images are the validation set, never trained on.
    raw = read_idx(EMBEDDED_MNIST / "train-images-idx3-ubyte.gz", ndim=3)
    np.testing.assert_array_equal(mnist.validation.images, raw[50_000:])
    np.testing.assert_array_equal(mnist.train.images, raw[:50_000])


@pytest.fixture
def idx_copy(tmp_path):
    """A writable copy of the embedded MNIST folder (damage it at will)."""
    folder = tmp_path / "mnist"
    shutil.copytree(EMBEDDED_MNIST, folder)
    return folder


def _rewrite(path, transform):
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(transform(raw)))


def test_data_dir_loads_any_idx_folder(tmp_path):
    # uncompressed files with the other common spelling, no CHECKSUMS
    folder = tmp_path / "plain"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (folder / name.replace("-idx", ".idx")).write_bytes(gzip.decompress((EMBEDDED_MNIST / f"{name}.gz").read_bytes()))
    data = load_dataset("mnist", data_dir=folder, validation=1000)
    assert len(data.train) == 59_000 and len(data.validation) == 1000 and data.test.labels[0] == 7


def test_hash_mismatch_names_the_file(idx_copy):
    _rewrite(idx_copy / "t10k-labels-idx1-ubyte.gz", lambda raw: raw[:-1] + bytes([(raw[-1] + 1) % 10]))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: hash mismatch"):
        load_idx_folder(idx_copy)


def test_truncated_gzip(idx_copy):
    path = idx_copy / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    (idx_copy / "CHECKSUMS").unlink()
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: the gzip data is damaged or truncated"):
        load_idx_folder(idx_copy)


def test_truncated_idx_payload(idx_copy):
    (idx_copy / "CHECKSUMS").unlink()
    _rewrite(idx_copy / "t10k-images-idx3-ubyte.gz", lambda raw: raw[:-784])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte.gz: truncated: the header says 10000 x 28 x 28"):
        load_idx_folder(idx_copy)


def test_wrong_magic_number(idx_copy):
    (idx_copy / "CHECKSUMS").unlink()
    _rewrite(idx_copy / "train-labels-idx1-ubyte.gz", lambda raw: b"\x00\x00\x0d\x01" + raw[4:])
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte.gz: wrong magic number 0x00000d01"):
        load_idx_folder(idx_copy)


def test_count_disagrees_with_file_size(idx_copy):
    (idx_copy / "CHECKSUMS").unlink()
    # claim 10,001 labels in a file holding 10,000
    _rewrite(idx_copy / "t10k-labels-idx1-ubyte.gz", lambda raw: raw[:4] + (10_001).to_bytes(4, "big") + raw[8:])
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: truncated: the header says 10001 = 10,001 values"):
        load_idx_folder(idx_copy)


def test_images_file_where_labels_expected(idx_copy):
    (idx_copy / "CHECKSUMS").unlink()
    shutil.copy(idx_copy / "t10k-images-idx3-ubyte.gz", idx_copy / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(DataError, match=r"has 3 dimensions, expected 1"):
        load_idx_folder(idx_copy)


def test_missing_folder_and_files(tmp_path):
    with pytest.raises(DataError, match="no such data folder"):
        load_dataset("mnist", data_dir=tmp_path / "nope")
    with pytest.raises(DataError, match="no train-images"):
        load_dataset("mnist", data_dir=tmp_path)
    with pytest.raises(DataError, match="unknown dataset 'cifar'"):
        load_dataset("cifar")


def test_fashion_mnist_from_debian():
    from glassnet.data import FASHION_SYSTEM_DIR

    if not FASHION_SYSTEM_DIR.is_dir():
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    data = load_dataset("fashion-mnist")
    assert len(data.train) + len(data.validation) == 60_000 and len(data.test) == 10_000
    assert data.classes[9] == "Ankle boot"
    assert np.bincount(data.test.labels).tolist() == [1000] * 10


# -- a user's picture -> an MNIST input ---------------------------------------------------------


def _paper_digit(mnist_image, size=(300, 200), margin=(60, 40)):
    """An MNIST digit redrawn as dark ink on white paper, larger and off-centre, as a user's photo."""
    ink = Image.fromarray(255 - mnist_image).resize((120, 120), Image.BILINEAR)
    page = Image.new("L", size, 255)
    page.paste(ink, margin)
    return page


def test_preprocess_matches_mnist_conventions(mnist, tmp_path):
    page = _paper_digit(mnist.test.images[0])
    path = tmp_path / "seven.jpg"
    page.convert("RGB").save(path, quality=95)
    x = preprocess_image(path)
    assert x.shape == (28, 28) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    rows, cols = np.nonzero(x > 0.1)
    assert rows.max() - rows.min() <= 20 and cols.max() - cols.min() <= 20  # fits the 20x20 box
    total = x.sum()
    cy, cx = (x.sum(1) @ np.arange(28)) / total, (x.sum(0) @ np.arange(28)) / total
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0  # centred by centre of mass
    # the background is black and the ink bright, like MNIST
    assert x[0].max() == 0 and x.max() > 0.9


def test_preprocess_output_is_recognised(mnist, small_net):
    """Redrawn test digits, after preprocessing, are still classified like the originals."""
    idx = np.arange(40)
    inputs = np.stack([preprocess_image(_paper_digit(mnist.test.images[i])).reshape(-1) for i in idx])
    agree = np.mean(small_net.predict(inputs) == mnist.test.labels[idx])
    assert agree >= 0.8


def test_preprocess_light_on_dark_and_transparent(mnist):
    light = preprocess_image(mnist.test.images[0])  # already light-on-dark: not inverted
    assert light[0].max() == 0 and light.max() > 0.9
    rgba = np.zeros((100, 100, 4), dtype=np.uint8)  # canvas: black strokes on a transparent background
    rgba[20:80, 45:55, 3] = 255
    x = preprocess_image(rgba)
    assert x[:, 14].max() > 0.9 and x[0].max() == 0


def test_preprocess_bad_images(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    with pytest.raises(DataError, match="blank"):
        preprocess_image(blank)
    text = tmp_path / "notes.png"
    text.write_text("this is not an image")
    with pytest.raises(DataError, match="not a readable image"):
        preprocess_image(text)
    with pytest.raises(DataError, match="no such file"):
        preprocess_image(tmp_path / "missing.png")
    with pytest.raises(DataError, match="not a readable image"):
        preprocess_image(b"\x89PNG\r\n\x1a\n truncated")
    black = np.zeros((40, 40))
    black[5:35, 5:35] = 255
    with pytest.raises(DataError, match="mostly ink"):
        preprocess_image(black)
