"""The prose's claims about what the snippets print (tests/output_checks.py) hold for the outputs stored in the
notebooks, which the pages show under the code. tests/test_snippets.py runs the same checks on fresh output."""

import pytest

from output_checks import CHECKS
from sitebuild.outputs import stored_output
from sitebuild.pages import SNIPPETS, Block, lesson_pages, page_snippets

SHOWN_ON = {block: page for page in lesson_pages() for block in page_snippets(page)}
CASES = [(snippet, check) for snippet, checks in CHECKS.items() for check in checks]


@pytest.mark.parametrize("snippet, check", CASES, ids=[check.__name__ for _, check in CASES])
def test_stored_output(snippet, check):
    def printed(section=None):
        block = Block(SNIPPETS / snippet, section or None)
        assert block in SHOWN_ON, f"no lesson shows {block.name}, whose output tests/output_checks.py checks"
        return stored_output(SHOWN_ON[block], block)

    check(printed)
