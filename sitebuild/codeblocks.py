"""The pages as pytest-codeblocks reads them, so `pytest --codeblocks` runs the code a page shows.

A page's code blocks are `--8<--` includes, which pytest-codeblocks would run as Python. `python -m
sitebuild.codeblocks` (`make codeblocks`) writes every docs/ page to .cache/codeblocks/ (git-ignored) with its
includes expanded by pymdownx.snippets itself, set as mkdocs.yml sets it, and with what pytest-codeblocks needs
to run them as a reader does:

- `<!--pytest-codeblocks:cont-->` before each later section of a file told in sections: the file's blocks run as
  one program, one test, as the page's blocks run one after the other;
- `<!--pytest.mark.skip(reason=...)-->` before a block whose code trains a model (calls `fit`), unless `--all`:
  tests/test_snippets.py runs those, on each backend, and running them twice would cost `make test` a minute;

This module is also a pytest plugin (pytest.ini loads it): each block pytest-codeblocks runs, runs in a fresh folder
holding what a reader of it has (sitebuild/reader.py), with every tool's files in the checkout
(sitebuild/sandbox.py) and the network blocked. `make test` runs `pytest --codeblocks` over .cache/codeblocks/ and
README.md beside tests/.
"""

import argparse
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager

import markdown
import pytest

from pytest_codeblocks import CodeBlock

from sitebuild.pages import (DOCS, ROOT, PageError, fences, file_blocks, markdown_pages, mkdocs_config, page_snippets,
                             relative)

FOLDER = ROOT / ".cache" / "codeblocks"
CONTINUED = "<!--pytest-codeblocks:cont-->"
SKIP_TRAINING = ('<!--pytest.mark.skip(reason="trains a model: tests/test_snippets.py runs it '
                 '(python -m sitebuild.codeblocks --all: here too)")-->')


def expander():
    """pymdownx.snippets' preprocessor, with mkdocs.yml's settings and its base paths taken from the checkout."""
    [settings] = [extension["pymdownx.snippets"] for extension in mkdocs_config()["markdown_extensions"]
                  if isinstance(extension, dict) and "pymdownx.snippets" in extension]
    settings = settings | {"base_path": [str(ROOT / base) for base in settings.get("base_path", ["."])]}
    converter = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": settings})
    return converter.preprocessors["snippet"]


def marked_page(page, run_all=False):
    """The page's Markdown with pytest-codeblocks' comments before its code blocks, includes not yet expanded."""
    lines = page.read_text(encoding="utf-8").splitlines()
    shown, previous = fences(page), None
    if any(fence.page != page for fence in shown):
        raise PageError(page, 1, "a code block comes from an included Markdown file: mark it there instead")
    for fence, block in zip(shown, page_snippets(page)):  # a file's sections are shown whole, in order
        mark, skipped = None, ".fit(" in block.file.read_text(encoding="utf-8") and not run_all
        if block != file_blocks(block.file)[0]:
            if previous.file == block.file:
                mark = CONTINUED
            elif skipped:  # another file's block came between: nothing to join, as the whole file is skipped
                mark = SKIP_TRAINING
            else:
                raise PageError(page, fence.line, f"{block.name}: pytest-codeblocks joins a block to the one just "
                                                  "before it, which is not this file's previous section")
        elif skipped:
            mark = SKIP_TRAINING
        if mark:
            line = lines[fence.line - 1]
            lines[fence.line - 1] = f"{line[:len(line) - len(line.lstrip())]}{mark}\n{line}"
        previous = block
    return "\n".join(lines)


def write_pages(folder=FOLDER, run_all=False):
    """Every docs/ page, marked and expanded, under `folder` (replaced)."""
    shutil.rmtree(folder, ignore_errors=True)
    expand = expander()
    for page in markdown_pages():
        target = folder / page.relative_to(DOCS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(expand.run(marked_page(page, run_all).split("\n"))) + "\n", encoding="utf-8")
    return folder


# --- the pytest plugin -------------------------------------------------------------------------------------------


def _no_network(*args, **kwargs):
    raise OSError("a code block tried to reach the network; readers' code must run offline here")


@contextmanager
def reader_folder(code):
    """A fresh working folder holding what a reader of `code` has, the network blocked, for the block's run."""
    from sitebuild import sandbox
    from sitebuild.reader import prepare_reader_folder

    sandbox.use()  # before the block imports Keras (tests/conftest.py has done it when tests/ runs too)
    previous, connect = os.getcwd(), socket.socket.connect
    with tempfile.TemporaryDirectory() as folder:
        prepare_reader_folder(folder, code)
        os.chdir(folder)
        socket.socket.connect = _no_network
        try:
            yield
        finally:
            socket.socket.connect = connect
            os.chdir(previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    block = getattr(item, "obj", None)
    if not isinstance(block, CodeBlock):
        yield
        return
    with reader_folder(block.code):
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sitebuild.codeblocks", description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="no block skipped: run the training ones too")
    args = parser.parse_args(argv)
    print(f"pages for pytest --codeblocks in {relative(write_pages(run_all=args.all))}/")


if __name__ == "__main__":
    main()
