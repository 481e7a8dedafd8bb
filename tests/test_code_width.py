"""Every code line a lesson shows fits a desktop code block without sideways scrolling: at most CODE_LINE (79)
characters in each line of the snippets, and of the outputs stored in the notebooks that the pages show under the
code. tests/test_reading.py checks in Chromium that a desktop code block holds that many.

Keras's `summary()` is as wide as the terminal allows, less 4 characters, and a notebook's kernel has no terminal
(80 columns), so the stored tables fit without a `line_length`; this test fails if one does not. One kind of line
is exempt: the first line of a Python warning (`<file>:<line>: <Category>Warning: <message>`), Keras's text that
no snippet can shorten. The page wraps outputs (docs/assets/site.css), and tests/test_reading.py checks that every
character of them is on screen, on a desktop and on a phone.
"""

import re

import pytest

from sitebuild.outputs import stored_output
from sitebuild.pages import CODE_LINE, ROOT, SNIPPETS, lesson_pages, page_snippets

WARNING = re.compile(r"^\S+:\d+: \w*Warning: ")
LESSONS = [page for page in lesson_pages() if page_snippets(page)]


def too_long(text):
    return [(number, len(line)) for number, line in enumerate(text.splitlines(), start=1)
            if len(line) > CODE_LINE and not WARNING.match(line)]


@pytest.mark.parametrize("snippet", sorted(SNIPPETS.glob("*.py")), ids=lambda path: path.name)
def test_every_snippet_line_fits_a_desktop_code_block(snippet):
    lines = [(number, length) for number, length in too_long(snippet.read_text(encoding="utf-8"))]
    assert not lines, "\n".join(f"{snippet.relative_to(ROOT)}:{number}: {length} characters, more than "
                                f"{CODE_LINE}" for number, length in lines)


@pytest.mark.parametrize("page", LESSONS, ids=[page.stem for page in LESSONS])
def test_every_stored_output_line_fits_a_desktop_code_block(page):
    found = [f"{block.name}, line {number} of its output: {length} characters, more than {CODE_LINE}"
             for block in page_snippets(page) for number, length in too_long(stored_output(page, block))]
    assert not found, "\n".join(found)


def test_a_long_line_is_found_and_only_warnings_are_exempt():
    assert too_long("x" * CODE_LINE + "\n" + "y" * (CODE_LINE + 1)) == [(2, CODE_LINE + 1)]
    warning = ".../keras/src/trainers/epoch_iterator.py:74: UserWarning: " + "z" * CODE_LINE
    assert too_long(warning) == [] and too_long("not " + warning) != []
