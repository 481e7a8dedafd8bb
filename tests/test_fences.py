"""The guard: every code block a reader sees is one whole snippet file or one named section of one, and
tests/test_snippets.py runs them all.

Checked twice: in the Markdown (every fence, whatever its info string, after following includes) and in the
built HTML (every <pre> on a Markdown page), which also catches indented code blocks and raw HTML.
"""

import re
from collections import Counter
from html.parser import HTMLParser

import markdown
import pytest
from pymdownx.snippets import SnippetMissingError

from sitebuild.pages import (ROOT, SNIPPETS, Block, PageError, fences, file_blocks, markdown_pages, mkdocs_config,
                             page_snippets, prose, sections, snippet_of)

PAGES = markdown_pages()


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_fence_is_a_whole_snippet_or_section(page):
    page_snippets(page)  # raises PageError naming the page, the line and what is wrong


NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_a_page_says_when_its_blocks_are_one_program(page):
    """A block of a file told in sections needs the blocks before it (run alone, it stops at a NameError): the page
    says how many blocks make one program, as the home page tells readers to look for."""
    counts = Counter(block.file for block in page_snippets(page) if block.section)
    text = " ".join(prose(page.read_text(encoding="utf-8")).split())
    for file, count in counts.items():
        assert re.search(rf"\b{NUMBER_WORDS[count]} blocks\b[^.]*\bone program\b", text, re.IGNORECASE), \
            f"{page.relative_to(ROOT)} shows {file.name} in {count} blocks but never says they are one program"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_no_code_in_raw_html(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    raw = [number for number, line in enumerate(lines, start=1) if re.search(r"<(pre|code)\b", line, re.I)]
    assert not raw, f"{page.relative_to(ROOT)}:{raw[0]}: code in raw HTML; use a snippet include"


def test_every_snippet_is_shown_on_a_page():
    shown = {block.file for page in PAGES for block in page_snippets(page)}
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
    "unknown section": ('```python\n--8<-- "snippets/{name}:nope"\n```\n', 1, "has no section 'nope'"),
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
    assert [snippet_of(fence).file for fence in fences(page)] == [SNIPPETS / snippet_name]


@pytest.mark.parametrize("case", BAD)
def test_guard_rejects(case, snippet_name, tmp_path):
    text, line, message = BAD[case]
    page = tmp_path / "page.md"
    page.write_text(text.format(name=snippet_name))
    with pytest.raises(PageError) as error:
        for fence in fences(page):
            snippet_of(fence)
    assert f"page.md:{line}: " in str(error.value) and message in str(error.value)


@pytest.fixture
def sectioned():
    """A snippet file told in sections (lesson 8's recipe, for example)."""
    found = [path for path in sorted(SNIPPETS.glob("*.py")) if sections(path)]
    assert found, "no snippet file has sections to test the guard with"
    return found[0]


def _section_page(tmp_path, sectioned, names):
    text = "".join(f'```python\n--8<-- "snippets/{sectioned.name}:{name}"\n```\n\nText.\n\n' for name in names)
    page = tmp_path / "page.md"
    page.write_text(text)
    return page


def test_guard_accepts_every_section_in_order(tmp_path, sectioned):
    blocks = file_blocks(sectioned)
    assert len(blocks) > 1
    assert page_snippets(_section_page(tmp_path, sectioned, [b.section for b in blocks])) == blocks
    assert "".join(block.code for block in blocks).split() == \
        [word for line in sectioned.read_text().splitlines() if "8<-" not in line for word in line.split()]


@pytest.mark.parametrize("change", ["one left out", "two swapped", "one twice"])
def test_guard_rejects_a_sectioned_file_not_shown_whole_in_order(change, tmp_path, sectioned):
    names = [block.section for block in file_blocks(sectioned)]
    names = {"one left out": names[1:], "two swapped": [names[1], names[0], *names[2:]],
             "one twice": [names[0], *names]}[change]
    with pytest.raises(PageError, match=r"page\.md:1: .*show every section once, in order"):
        page_snippets(_section_page(tmp_path, sectioned, names))


def test_guard_rejects_a_sectioned_file_shown_whole(tmp_path, sectioned):
    page = tmp_path / "page.md"
    page.write_text(f'```python\n--8<-- "snippets/{sectioned.name}"\n```\n')
    with pytest.raises(PageError, match=r"page\.md:1: .* is told in sections"):
        page_snippets(page)


MALFORMED = {
    "code outside": ("x = 1\n# --8<-- [start:a]\ny = 2\n# --8<-- [end:a]\n", 1, "code outside every section"),
    "never closed": ("# --8<-- [start:a]\ny = 2\n", 1, "section a is never closed"),
    "nested": ("# --8<-- [start:a]\n# --8<-- [start:b]\n", 2, "unexpected section marker [start:b]"),
    "name twice": ("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n", 3, "unexpected section marker"),
    "escaped": ("# --8<-- [start:a]\n# ;--8<-- [end:a]\n", 2, "escaped section marker"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_sections_name_the_file_and_line(case, tmp_path):
    text, line, message = MALFORMED[case]
    path = tmp_path / "snippet.py"
    path.write_text(text)
    with pytest.raises(PageError) as error:
        sections(path)
    assert f"snippet.py:{line}: " in str(error.value) and message in str(error.value)


# Lines where a copy of pymdownx.snippets' syntax once disagreed with the build. For each, the guard either says
# what the page shows, and it is exactly what pymdownx includes, or refuses the page and names the line.
TWIN_SECTION_FILES = {
    "spaces inside the marker's brackets": ("# --8<-- [ start : a ]\ny = 2\n# --8<-- [ end : a ]\n", None),
    "code before the marker": ("x = 1  # --8<-- [start:a]\ny = 2\n# --8<-- [end:a]\n", "shares its line"),
    "upper-case marker": ("# --8<-- [START:a]\ny = 2\n# --8<-- [END:a]\n", "lower-case [start:...]"),
}


def _pymdownx_fence_bodies(text, base):
    """What pymdownx.snippets, configured as in mkdocs.yml, puts in each code fence of a Markdown text (without
    trailing blank lines, which the page does not show)."""
    config = next(entry["pymdownx.snippets"] for entry in mkdocs_config()["markdown_extensions"]
                  if isinstance(entry, dict) and "pymdownx.snippets" in entry)
    converter = markdown.Markdown(extensions=["pymdownx.snippets"],
                                  extension_configs={"pymdownx.snippets": dict(config, base_path=[str(base)])})
    lines = converter.preprocessors["snippet"].run(text.splitlines())
    return ["\n".join(fence.body).rstrip("\n") + "\n" for fence in fences("page.md", "\n".join(lines))]


@pytest.mark.parametrize("case", TWIN_SECTION_FILES)
def test_guard_reads_section_markers_as_pymdownx_does(case, tmp_path):
    text, refusal = TWIN_SECTION_FILES[case]
    (tmp_path / "snippet.py").write_text(text)
    page = '```python\n--8<-- "snippet.py:a"\n```\n'
    try:
        shown = _pymdownx_fence_bodies(page, tmp_path)
    except SnippetMissingError:
        shown = None  # the build fails on this page
    if refusal is None:
        assert shown == [sections(tmp_path / "snippet.py")["a"][1]] == ["y = 2\n"]
        return
    with pytest.raises(PageError, match=rf"snippet\.py:1: .*{re.escape(refusal)}"):
        sections(tmp_path / "snippet.py")
    assert shown is None or "x = 1" not in shown[0], shown  # pymdownx would hide code the file runs


def test_guard_reads_an_include_line_as_pymdownx_does(tmp_path, snippet_name):
    """Trailing spaces make pymdownx leave an include line as it is: the page would show the line, not the code."""
    text = f'```python\n--8<-- "snippets/{snippet_name}"   \n```\n'
    assert _pymdownx_fence_bodies(text, ROOT) == [f'--8<-- "snippets/{snippet_name}"   \n']
    page = tmp_path / "page.md"
    page.write_text(text)
    with pytest.raises(PageError, match=r"page\.md:1: code block is not exactly one snippet include"):
        snippet_of(fences(page)[0])
    assert _pymdownx_fence_bodies(text.replace("   \n", "\n"), ROOT) == [Block(SNIPPETS / snippet_name).code]


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
    snippets = {block.code.strip("\n") for path in SNIPPETS.glob("*.py") for block in file_blocks(path)}
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
