"""Make `keras.datasets.fashion_mnist.load_data()` work verbatim without network.

Keras looks for the four Fashion-MNIST files in `<keras home>/datasets/fashion-mnist/`. We fill that cache
from Debian's `dataset-fashion-mnist` package (installing it when we are root on Debian), and only where
neither is possible let Keras download them as it usually would.
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


def ensure_fashion_mnist(home=None, debian_dir=DEBIAN_DIR, allow_apt=True):
    """Return the cache folder holding the four files, filling it first if needed."""
    cache = Path(home or keras_home()) / "datasets" / "fashion-mnist"
    missing = _missing(cache)
    if not missing:
        return cache
    if not debian_dir.is_dir() and allow_apt:
        _apt_install()
    if not _missing(debian_dir):
        cache.mkdir(parents=True, exist_ok=True)
        for name in missing:
            shutil.copyfile(debian_dir / name, cache / name)
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


if __name__ == "__main__":
    try:
        print(f"Fashion-MNIST ready in {ensure_fashion_mnist()}")
    except DataUnavailableError as error:
        sys.exit(f"error: {error}")
