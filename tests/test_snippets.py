"""Every snippets/*.py runs as a reader would run it, in one process (TensorFlow is imported once).

Each snippet runs as `__main__` in a fresh folder that holds what a reader of its lesson has:
fashion_base.keras, plus the per-lesson set-up of sitebuild.notebooks.READER_SETUP (lesson 8: ImageNet
weights for MobileNetV2, stand-ins in CI, and a folder of example images). The network is blocked.
A file told in sections runs section by section, in order, in one namespace, as a reader runs the page's
blocks; each block's seconds go into the test report for `make bench` (goal: at most 10 s a block).
"""

import socket
import time

import pytest

from sitebuild.notebooks import prepare_reader_folder
from sitebuild.pages import SNIPPETS, file_blocks

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def _no_network(*args, **kwargs):
    raise OSError("a snippet tried to reach the network; readers' code must run offline here")


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=[path.name for path in SNIPPET_FILES])
def test_snippet_runs(snippet, keras, tmp_path, monkeypatch, record_property):
    prepare_reader_folder(tmp_path, [snippet.name])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    keras.backend.clear_session()
    namespace = {"__name__": "__main__", "__file__": str(snippet)}
    for block in file_blocks(snippet):
        # Blank lines in front keep the file's line numbers in tracebacks.
        code = compile("\n" * (block.first_line - 1) + block.code, str(snippet), "exec")
        start = time.perf_counter()
        exec(code, namespace)
        record_property("block_seconds", [block.name, time.perf_counter() - start])


def test_snippets_exist_and_are_named_by_lesson():
    assert SNIPPET_FILES, "no snippets"
    misnamed = [path.name for path in SNIPPET_FILES if path.name[:3] not in {f"l{n}_" for n in range(1, 9)}]
    assert not misnamed, f"snippets must be named l<lesson>_<what>.py: {misnamed}"


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=[path.name for path in SNIPPET_FILES])
def test_training_snippets_are_seeded(snippet):
    code = snippet.read_text(encoding="utf-8")
    if ".fit(" in code:
        assert "keras.utils.set_random_seed(0)" in code, f"{snippet.name} trains without a fixed seed"
