"""Make `keras.datasets.fashion_mnist.load_data()` work verbatim without network, and stand in for what lesson 8's
readers download or bring (ImageNet weights, a folder of their images).

Keras looks for the four Fashion-MNIST files in `<keras home>/datasets/fashion-mnist/`. We fill that cache
from another cache that has them or from Debian's `dataset-fashion-mnist` package (installing it when we are root
on Debian), and only where neither is possible let Keras download them as it usually would.

`python -m sitebuild.data` (`make`'s data step) fills the user's own Keras cache, and removes the stand-in weights
an earlier version of the tests planted there.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DEBIAN_PACKAGE = "dataset-fashion-mnist"
# The origin Keras's own loader downloads from.
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DataUnavailableError(RuntimeError):
    """Fashion-MNIST is neither cached, nor installable from Debian, nor downloadable."""


def keras_home():
    """Where Keras keeps its cache: $KERAS_HOME, else ~/.keras (as Keras decides at import)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def _missing(folder):
    return [name for name in FILES if not (folder / name).is_file()]


def _apt_install():
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", DEBIAN_PACKAGE]):
        if subprocess.run(command, env=env, stdout=sys.stderr).returncode != 0:
            return False
    return True


def _keras_download(cache, names):
    import keras  # only on this last resort: importing Keras costs seconds

    for name in names:
        keras.utils.get_file(name, origin=KERAS_ORIGIN + name, cache_dir=str(cache.parent.parent),
                             cache_subdir="datasets/fashion-mnist")


def ensure_fashion_mnist(home=None, debian_dir=DEBIAN_DIR, allow_apt=True, copy_from=()):
    """Return the cache folder holding the four files, filling it first if needed: from the first of the
    `copy_from` folders that has them all, else from Debian's package, else by Keras's download."""
    cache = Path(home or keras_home()) / "datasets" / "fashion-mnist"
    missing = _missing(cache)
    if not missing:
        return cache
    sources = [Path(folder) for folder in copy_from if not _missing(Path(folder))]
    if not sources and not debian_dir.is_dir() and allow_apt:
        _apt_install()
    for source in sources + [debian_dir]:
        if not _missing(source):
            cache.mkdir(parents=True, exist_ok=True)
            for name in missing:
                shutil.copyfile(source / name, cache / name)
            return cache
    try:
        _keras_download(cache, missing)
    except Exception as error:
        raise DataUnavailableError(
            f"Fashion-MNIST files {', '.join(missing)} are not in {cache}, {debian_dir} does not have them, "
            f"and Keras could not download them ({error}). Fix it either way: as root on Debian run "
            f"`apt-get install {DEBIAN_PACKAGE}`, or allow network access to {KERAS_ORIGIN} once."
        ) from error
    return cache


# Lesson 8 fine-tunes keras.applications.MobileNetV2 at this width and input size (see snippets/l8_*.py).
MOBILENET_ALPHA = 0.35
MOBILENET_SIZE = 96


def imagenet_weights_path(alpha=MOBILENET_ALPHA, size=MOBILENET_SIZE):
    """Where keras.applications looks for MobileNetV2's ImageNet weights without the top (include_top=False)."""
    name = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{size}_no_top.h5"
    return keras_home() / "models" / name


def provide_standin_imagenet_weights(alpha=MOBILENET_ALPHA, size=MOBILENET_SIZE):
    """Put same-shaped random weights (seeded, so the same on every machine and backend) where the real ImageNet
    file belongs, unless a file is already there.

    MobileNetV2(weights="imagenet") checks no hash, so it loads these offline. They make lesson 8's code run
    in CI; they know nothing about images. A real (or earlier stand-in) file is never touched. They go only into
    a Keras home named by KERAS_HOME (the tests' own, see sitebuild/sandbox.py), never into the user's ~/.keras,
    where any later MobileNetV2(weights="imagenet") on the machine would load them.
    """
    if "KERAS_HOME" not in os.environ:
        raise RuntimeError("stand-in ImageNet weights go only into a Keras home of the tests' own: call "
                           "sitebuild.sandbox.use() first (it sets KERAS_HOME inside the checkout)")
    path = imagenet_weights_path(alpha, size)
    if path.exists():
        return path
    import h5py
    import keras
    import numpy as np
    from keras.src.legacy.saving import legacy_h5_format  # the HDF5 layout the real file has

    model = keras.applications.MobileNetV2(input_shape=(size, size, 3), alpha=alpha, include_top=False,
                                           weights=None)
    # Keras's initializers draw other numbers on each backend: draw the kernels with NumPy instead, as Keras's
    # glorot_uniform would, so the file is the same whichever backend made it. The other weights start constant.
    random = np.random.default_rng(0)
    for weight in model.weights:
        if weight.path.endswith("kernel"):
            *receptive_field, fan_in, fan_out = weight.shape
            limit = np.sqrt(6 / (np.prod(receptive_field) * (fan_in + fan_out)))
            weight.assign(random.uniform(-limit, limit, weight.shape).astype("float32"))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # each test process (xdist, JAX) its own
    with h5py.File(partial, "w") as weights_file:
        legacy_h5_format.save_weights_to_hdf5_group(weights_file, model)
        weights_file.attrs["stand_in"] = "random weights of the right shapes, not trained on ImageNet"
    os.replace(partial, path)
    return path


def remove_planted_standins(home=None):
    """Delete the stand-in weights (files carrying the `stand_in` attribute) that an earlier version of the tests
    left in a Keras cache; every other file, real weights included, stays. Returns the paths removed."""
    import h5py

    removed = []
    for path in sorted((Path(home or keras_home()) / "models").glob("*.h5")):
        try:
            with h5py.File(path, "r") as weights_file:
                planted = "stand_in" in weights_file.attrs
        except OSError:  # not an HDF5 file: not ours either
            continue
        if planted:
            path.unlink()
            removed.append(path)
    return removed


# The folders lesson 8 asks readers for: one sub-folder per class. Here: Fashion-MNIST images of four target
# classes, 28x28 grayscale PNGs (the loader resizes them and makes them RGB). `my_images` holds training images,
# uneven on purpose (the lesson weighs the classes by their counts): 32 split 24 + 8 into whole batches of 8, so
# Keras traces each training step once, not twice. `my_test_images` holds test images, 4 per class.
EXAMPLE_CLASSES = {"ankle_boot": 9, "bag": 8, "sandal": 5, "sneaker": 7}
EXAMPLE_IMAGES = {"ankle_boot": 10, "bag": 10, "sandal": 8, "sneaker": 4}
EXAMPLE_TEST_IMAGES = dict.fromkeys(EXAMPLE_CLASSES, 4)


def make_example_images(folder, counts=EXAMPLE_IMAGES, name="my_images", test_split=False):
    """Write `folder`/`name`/<class>/<n>.png, `counts[class]` images each (from Fashion-MNIST's test split if
    `test_split`), and return the `name` folder."""
    import keras
    import numpy as np

    train, test = keras.datasets.fashion_mnist.load_data()
    images, labels = test if test_split else train
    root = Path(folder) / name
    for class_name, label in EXAMPLE_CLASSES.items():
        (root / class_name).mkdir(parents=True, exist_ok=True)
        for number, index in enumerate(np.flatnonzero(labels == label)[:counts[class_name]]):
            keras.utils.save_img(root / class_name / f"{number}.png", images[index][:, :, None], scale=False)
    return root


def make_example_test_images(folder):
    """Write `folder`/my_test_images/<class>/<n>.png: test images the training images do not include."""
    return make_example_images(folder, EXAMPLE_TEST_IMAGES, "my_test_images", test_split=True)


if __name__ == "__main__":
    for planted in remove_planted_standins():
        print(f"removed {planted}: random stand-in weights that an earlier version of this project's tests left "
              "in your Keras cache")
    try:
        print(f"Fashion-MNIST ready in {ensure_fashion_mnist()}")
    except DataUnavailableError as error:
        sys.exit(f"error: {error}")
