"""Where the tests and the notebook builder keep their files: `.cache/` in the checkout, never the user's home.

`use()` points this process, and every process it starts, at folders of their own there: Keras's home (the
Fashion-MNIST files, copied from the user's Keras cache or Debian's package, lesson 8's stand-in ImageNet weights,
keras.json), matplotlib's, the XDG folders (Chromium's and dconf's leftovers), Jupyter's and IPython's (the
notebook kernels), JAX's cache of compiled programs, and the temporary folder. tests/conftest.py calls it before
anything imports Keras, and so does `make notebooks`; `python -m sitebuild.sandbox COMMAND...` runs any other
command so (the Makefile's prebuilt run and figures).
"""

import os
import sys
import tempfile
from pathlib import Path

from sitebuild import data
from sitebuild.pages import ROOT

CACHE = ROOT / ".cache"


def environment(cache=CACHE):
    """The environment variables that keep every tool's files under `cache`."""
    folders = {
        "KERAS_HOME": "keras",
        "MPLCONFIGDIR": "matplotlib",
        "XDG_CONFIG_HOME": "xdg/config",
        "XDG_CACHE_HOME": "xdg/cache",
        "XDG_DATA_HOME": "xdg/data",  # Jupyter's data and runtime folders too
        "XDG_STATE_HOME": "xdg/state",
        "JUPYTER_CONFIG_DIR": "jupyter",
        "IPYTHONDIR": "ipython",
        "TMPDIR": "tmp",  # pytest's tmp_path folders, Chromium's profiles, every temporary file
        "JAX_COMPILATION_CACHE_DIR": "jax",  # JAX's compiled programs: a second run compiles nothing again
    }
    return {name: str(Path(cache) / folder) for name, folder in folders.items()}


def use(cache=CACHE):
    """Point this process and its children at `cache`, with Fashion-MNIST in its Keras home."""
    variables = environment(cache)
    if "keras" in sys.modules and os.environ.get("KERAS_HOME") != variables["KERAS_HOME"]:
        raise RuntimeError("Keras was imported before sitebuild.sandbox.use(): it reads KERAS_HOME only once")
    users_keras_cache = data.keras_home() / "datasets" / "fashion-mnist"
    # Playwright looks for the browsers `playwright install` put in the user's cache: keep it looking there.
    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH",
                          str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"))
    os.environ.update(variables)
    # Keep every program JAX compiles, not only those that took over a second: the lessons' are small ones.
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    Path(variables["TMPDIR"]).mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again
    data.ensure_fashion_mnist(variables["KERAS_HOME"], copy_from=[users_keras_cache])


if __name__ == "__main__":
    use()
    os.execvp(sys.argv[1], sys.argv[1:])
