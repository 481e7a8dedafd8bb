"""Every snippets/*.py runs as a reader would run it, in one process (Keras is imported once), and prints what the
prose says it prints, on TensorFlow and, in the background session of tests/jax_session.py, on JAX (all but the
snippets that import TensorFlow itself, which run on TensorFlow only).

Each snippet runs as `__main__` in a fresh folder that holds what a reader of it has (sitebuild/reader.py: the base
model, a folder of example images, ImageNet weights, stand-ins in CI, in the tests' own Keras home). The network is
blocked. A file told in sections runs section by section, in order, in one namespace, as a reader runs the page's
blocks; each block's seconds go into the test report for `make bench` (goal: at most 10 s a block). What each block
prints (stdout, stderr and warnings, as a notebook shows them) goes through the checks of tests/output_checks.py
for the backend it ran on.
"""

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
import warnings

import pytest

from output_checks import CHECKS, checks_on
from sitebuild import data, sandbox
from sitebuild.backends import backends_of
from sitebuild.notebooks import ANSI_CODES
from sitebuild.pages import ROOT, SNIPPETS, file_blocks
from sitebuild.reader import needs, prepare_reader_folder

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def _no_network(*args, **kwargs):
    raise OSError("a snippet tried to reach the network; readers' code must run offline here")


@pytest.mark.both_backends
@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=[path.name for path in SNIPPET_FILES])
def test_snippet_runs_and_prints_what_the_page_says(snippet, keras, tmp_path, monkeypatch, record_property):
    backend = keras.backend.backend()
    if backend not in backends_of(snippet):
        pytest.skip(f"{snippet.name} imports TensorFlow itself: it runs on the TensorFlow backend only")
    prepare_reader_folder(tmp_path, snippet.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    keras.backend.clear_session()
    namespace = {"__name__": "__main__", "__file__": str(snippet)}
    printed = {}
    # As in a notebook's kernel: each warning shows the first time only, in the output of the block that raised it.
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("default")
        for block in file_blocks(snippet):
            # Blank lines in front keep the file's line numbers in tracebacks.
            code = compile("\n" * (block.first_line - 1) + block.code, str(snippet), "exec")
            output, already_raised = io.StringIO(), len(raised)
            start = time.perf_counter()
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exec(code, namespace)
            seconds = time.perf_counter() - start
            record_property("block_seconds", [block.name + f" on {backend}" * (backend != "tensorflow"), seconds])
            shown = "".join(warnings.formatwarning(warning.message, warning.category, warning.filename, warning.lineno)
                            for warning in raised[already_raised:])
            printed[block.section] = ANSI_CODES.sub("", output.getvalue() + shown)
    for check in checks_on(snippet.name, backend):
        check(lambda section=None: printed[section or None])


def test_snippets_exist_and_are_named_by_lesson():
    assert SNIPPET_FILES, "no snippets"
    misnamed = [path.name for path in SNIPPET_FILES if path.name[:3] not in {f"l{n}_" for n in range(1, 10)}]
    assert not misnamed, f"snippets must be named l<lesson>_<what>.py: {misnamed}"


def test_every_output_check_is_of_a_snippet():
    assert set(CHECKS) <= {path.name for path in SNIPPET_FILES}, "tests/output_checks.py checks unknown snippets"


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=[path.name for path in SNIPPET_FILES])
def test_training_snippets_are_seeded(snippet):
    code = snippet.read_text(encoding="utf-8")
    if ".fit(" in code:
        assert "keras.utils.set_random_seed(0)" in code, f"{snippet.name} trains without a fixed seed"


def test_keras_keeps_its_files_in_the_checkout(keras):
    from keras.src.backend.config import keras_home

    assert keras_home() == os.environ["KERAS_HOME"] == str(sandbox.CACHE / "keras")


# The snippets that need the most set-up: the reader's images and stand-in ImageNet weights.
IMAGENET_SNIPPETS = [path for path in SNIPPET_FILES if "ImageNet weights" in needs(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("snippet", IMAGENET_SNIPPETS, ids=[path.name for path in IMAGENET_SNIPPETS])
def test_set_up_and_run_write_nothing_in_home(snippet, tmp_path):
    """With HOME an empty folder, the reader set-up (stand-in weights made anew) and the snippet write nothing
    there: everything lands in the sandbox."""
    home, folder, cache = tmp_path / "home", tmp_path / "reader", tmp_path / "cache"
    home.mkdir()
    folder.mkdir()
    # Fashion-MNIST from the tests' own Keras home, so the run needs no network and no Debian package.
    data.ensure_fashion_mnist(cache / "keras", copy_from=[sandbox.CACHE / "keras" / "datasets" / "fashion-mnist"])
    script = ("import runpy, sys\n"
              "from sitebuild import sandbox\n"
              "sandbox.use(sys.argv[1])\n"
              "from sitebuild.reader import prepare_reader_folder\n"
              "prepare_reader_folder('.', open(sys.argv[2]).read())\n"
              "runpy.run_path(sys.argv[2], run_name='__main__')\n")
    variables = sandbox.environment()
    env = {name: value for name, value in os.environ.items() if name not in variables} | {
        "HOME": str(home), "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-c", script, str(cache), str(snippet)], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(path.relative_to(home).as_posix() for path in home.rglob("*")) == []
    assert data.imagenet_weights_path().name in {path.name for path in (cache / "keras" / "models").iterdir()}
