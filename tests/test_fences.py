"""The guard: every code block a reader sees is one whole snippet file, and tests/test_snippets.py runs them all.

Checked twice: in the Markdown (every fence, whatever its info string, after following includes) and in the
built HTML (every <pre> on a Markdown page), which also catches indented code blocks and raw HTML.
"""

import re
from html.parser import HTMLParser

import pytest

from sitebuild.pages import ROOT, SNIPPETS, PageError, fences, markdown_pages, page_snippets, snippet_of

PAGES = markdown_pages()


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_fence_is_a_whole_snippet(page):
    for fence in fences(page):
        snippet_of(fence)  # raises PageError naming the page, the line and what is wrong


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_no_code_in_raw_html(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    raw = [number for number, line in enumerate(lines, start=1) if re.search(r"<(pre|code)\b", line, re.I)]
    assert not raw, f"{page.relative_to(ROOT)}:{raw[0]}: code in raw HTML; use a snippet include"


def test_every_snippet_is_shown_on_a_page():
    shown = {snippet for page in PAGES for snippet in page_snippets(page)}
    unshown = sorted(path.name for path in SNIPPETS.glob("*.py") if path not in shown)
    assert not unshown, f"snippets no page shows: {unshown}"


GOOD = {
    "plain": '```python\n--8<-- "snippets/{name}"\n```\n',
    "title and indent": '!!! example\n\n    ```python title="Try it"\n    --8<-- "snippets/{name}"\n    ```\n',
    "tildes": '~~~~py\n\n--8<-- \'snippets/{name}\'\n\n~~~~\n',
}
BAD = {
    "shell fence": ("Intro\n\n```bash\npip install keras\n```\n", 3, "not exactly one snippet include"),
    "code typed in": ('```python title="x.py"\nimport keras\n```\n', 1, "not exactly one snippet include"),
    "no info string": ("```\nprint(1)\n```\n", 1, "not exactly one snippet include"),
    "include plus code": ('```python\n--8<-- "snippets/{name}"\nprint(1)\n```\n', 1, "not exactly one"),
    "line range": ('```python\n--8<-- "snippets/{name}:1:3"\n```\n', 1, "not a whole snippets/<name>.py"),
    "escaped include": ('```python\n;--8<-- "snippets/{name}"\n```\n', 1, "not exactly one snippet include"),
    "block include": ('```python\n--8<--\nsnippets/{name}\n--8<--\n```\n', 1, "not exactly one"),
    "missing snippet": ('```python\n--8<-- "snippets/nope.py"\n```\n', 1, "does not exist"),
    "not under snippets": ('```python\n--8<-- "sitebuild/pages.py"\n```\n', 1, "not a whole snippets/"),
    "unclosed": ('Text\n\n```python\n--8<-- "snippets/{name}"\n', 3, "never closed"),
    "include outside a fence": ('Text\n\n--8<-- "snippets/{name}"\n', 3, "outside a code fence"),
    "indented in a tab": ('=== "A"\n\n    ```console\n    $ ls\n    ```\n', 3, "not exactly one snippet include"),
}


@pytest.fixture
def snippet_name():
    snippets = sorted(SNIPPETS.glob("*.py"))
    assert snippets, "no snippets yet"
    return snippets[0].name


@pytest.mark.parametrize("case", GOOD)
def test_guard_accepts_whole_includes(case, snippet_name, tmp_path):
    page = tmp_path / "page.md"
    page.write_text(GOOD[case].format(name=snippet_name))
    assert [snippet_of(fence) for fence in fences(page)] == [SNIPPETS / snippet_name]


@pytest.mark.parametrize("case", BAD)
def test_guard_rejects(case, snippet_name, tmp_path):
    text, line, message = BAD[case]
    page = tmp_path / "page.md"
    page.write_text(text.format(name=snippet_name))
    with pytest.raises(PageError) as error:
        for fence in fences(page):
            snippet_of(fence)
    assert f"page.md:{line}: " in str(error.value) and message in str(error.value)


class _PreTexts(HTMLParser):
    """The text of every <pre> element, except the stored outputs the `output` macro shows."""

    def __init__(self):
        super().__init__()
        self.texts, self._depth = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self._depth += 1
            if self._depth == 1:
                self.texts.append(None if "snippet-output" in (dict(attrs).get("class") or "") else "")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth and self.texts[-1] is not None:
            self.texts[-1] += data


def test_built_pages_show_only_snippets(built_site):
    snippets = {path.read_text(encoding="utf-8").strip("\n") for path in SNIPPETS.glob("*.py")}
    checked = 0
    for page in PAGES:
        html = built_site / page.relative_to(ROOT / "docs").with_suffix("") / "index.html"
        if page.name == "index.md":
            html = built_site / page.relative_to(ROOT / "docs").with_suffix(".html")
        parser = _PreTexts()
        parser.feed(html.read_text(encoding="utf-8"))
        for text in [text for text in parser.texts if text is not None]:
            assert text.strip("\n") in snippets, f"{html.relative_to(built_site)} shows code that is no " \
                                                 f"snippet file:\n{text[:300]}"
            checked += 1
    assert checked == sum(len(page_snippets(page)) for page in PAGES)
