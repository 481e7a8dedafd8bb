"""Read the site's Markdown pages the way the build sees them: code fences, snippet includes and prose.

Used by the fence guard, the snippet tests, the prose-number check and the notebook generator, so all of them
agree on what a page shows.

A code block shows one snippet file whole, or one named section of it (pymdownx.snippets'
`# --8<-- [start:name]` ... `# --8<-- [end:name]` lines, which the page does not show). A file split into
sections is one program told in steps: its sections cover every line of it, and a page that shows one of them
shows all of them, in order.

Include lines and section markers are recognised with pymdownx.snippets' own patterns, so a line means here
what it means to the build.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pymdownx.snippets import SnippetPreprocessor

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
LESSONS = DOCS / "lessons"

# pymdownx.snippets' include line, e.g. `--8<-- "snippets/l3_freeze.py"` (or a bare `--8<--` of a block include).
INCLUDE = SnippetPreprocessor.RE_ALL_SNIPPETS
# Its section marker, e.g. `# --8<-- [start:load_images]`: the build hides every line it matches.
SECTION_MARKER = SnippetPreprocessor.RE_SNIPPET_SECTION
# How it splits an include's path into the file, line ranges and section: "snippets/l7_x.py:train_head".
INCLUDE_PATH = SnippetPreprocessor.RE_SNIPPET_FILE
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
# Characters of a shown code line: what a desktop code block holds without sideways scrolling (about 79 with the
# theme's code font; tests/test_reading.py measures it in Chromium, tests/test_code_width.py holds snippets and
# stored outputs to it).
CODE_LINE = 79


class PageError(ValueError):
    """A page breaks the rule that every code block is one whole, tested snippet file, or a section of one."""

    def __init__(self, path, line, message):
        super().__init__(f"{relative(path)}:{line}: {message}")


def include_of(line):
    """(path, line ranges, section) of a line the build replaces by a file, e.g. ("snippets/x.py", None, "a");
    (None, None, None) for a block include's bare `--8<--`; None for any other line, an escaped `;--8<--` too."""
    match = INCLUDE.match(line)
    if match is None or match["escape"]:
        return None
    if match["snippet"] is None:
        return None, None, None
    path, lines, section = INCLUDE_PATH.match(match["snippet"][1:-1].strip()).groups()
    return path, lines, section and section[1:]


def section_marker(path, number, line):
    """(kind, name) of a section marker line, None for any other line; a PageError for a marker the build
    would treat differently from what the file says."""
    marker = SECTION_MARKER.match(line) if "8<-" in line else None  # pymdownx's own shortcut
    if marker is None:
        return None
    text = line.strip()
    if marker["escape"]:
        raise PageError(path, number, f"escaped section marker {text!r}: the page would show it without its first "
                                      "';', unlike the file; write the comment another way")
    if marker["type"] not in ("start", "end"):
        raise PageError(path, number, f"section marker {text!r}: pymdownx.snippets hides this line but only reads "
                                      f"a lower-case [start:...] or [end:...]; write [{marker['type'].lower()}:...]")
    if not re.fullmatch(r"[ \t]*#[ \t]*", marker["pre"]) or marker["post"].strip():
        raise PageError(path, number, f"section marker {text!r} shares its line with other text, which the page "
                                      "would not show (pymdownx.snippets hides the whole line): put the marker "
                                      "alone on its line, as `# --8<-- [start:name]`")
    return marker["type"], marker["name"]


@dataclass(frozen=True)
class Block:
    """What one code block shows: a snippet file whole (section None) or one named section of it."""

    file: Path
    section: str | None = None

    @classmethod
    def named(cls, name):
        """The block called `name`: "l3_layers.py" or "l8_end_to_end.py:train_head"."""
        file, _, section = name.partition(":")
        return cls(SNIPPETS / file, section or None)

    @property
    def name(self):
        return f"{self.file.name}:{self.section}" if self.section else self.file.name

    @property
    def first_line(self):
        return 1 if self.section is None else sections(self.file)[self.section][0]  # file_blocks' sections exist

    @property
    def code(self):
        """The code as the page shows it and the tests run it."""
        if self.section is None:
            return self.file.read_text(encoding="utf-8").strip("\n") + "\n"
        found = sections(self.file)
        if self.section not in found:
            raise PageError(self.file, 1, f"no section {self.section!r}; it has: {', '.join(found) or 'none'}")
        return found[self.section][1]


def sections(path):
    """{name: (first line, code)} of a snippet file's sections, in file order; {} for a file without any."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    markers = [section_marker(path, number, line) for number, line in enumerate(lines, start=1)]
    if not any(markers):
        return {}
    found, opened = {}, None  # opened: (name, line number of its start marker)
    for number, (line, marker) in enumerate(zip(lines, markers), start=1):
        if marker is None:
            if opened is None and line.strip():
                raise PageError(path, number, "code outside every section: in a file with sections, every line "
                                              "belongs to one, so the sections shown add up to the whole file")
            continue
        kind, name = marker
        if kind == "start" and opened is None and name not in found:
            opened = (name, number)
        elif kind == "end" and opened is not None and name == opened[0]:
            body = lines[opened[1]:number - 1]
            blank_lead = next((i for i, text in enumerate(body) if text.strip()), len(body))
            found[name] = (opened[1] + 1 + blank_lead, "\n".join(body).strip("\n") + "\n")
            opened = None
        else:
            raise PageError(path, number, f"unexpected section marker [{kind}:{name}]: sections open and close "
                                          "in turn, one at a time, each with its own name")
    if opened is not None:
        raise PageError(path, opened[1], f"section {opened[0]} is never closed")
    return found


def file_blocks(path):
    """The blocks that show the whole of a snippet file: its sections in order, or the file itself."""
    return [Block(path, name) for name in sections(path)] or [Block(path)]


@dataclass
class Fence:
    page: Path
    line: int  # 1-based line of the opening fence
    info: str
    body: list


def relative(path):
    path = Path(path)
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def fences(page, text=None):
    """Every fenced block of a Markdown page, following Markdown includes outside fences."""
    page = Path(page)
    lines = (page.read_text(encoding="utf-8") if text is None else text).splitlines()
    found, opened = [], None
    for number, line in enumerate(lines, start=1):
        if opened is not None:
            close = FENCE.match(line)
            if close and close["marker"][0] == opened[1][0] and len(close["marker"]) >= len(opened[1]) \
                    and not close["info"].strip():
                found.append(Fence(page, opened[0], opened[2], lines[opened[0]:number - 1]))
                opened = None
            continue
        start = FENCE.match(line)
        if start:
            opened = (number, start["marker"], start["info"].strip())
            continue
        include = include_of(line)
        if include:
            found.extend(_included_fences(page, number, include[0]))
    if opened is not None:
        raise PageError(page, opened[0], "code fence is never closed")
    return found


def _included_fences(page, number, path):
    if path is None:
        raise PageError(page, number, "block-style snippet include: include one file per fence instead")
    target = ROOT / path
    if target.suffix != ".md":
        raise PageError(page, number, f"{path} is included outside a code fence")
    if not target.is_file():
        raise PageError(page, number, f"included file {path} does not exist")
    return fences(target)


def snippet_of(fence):
    """The Block a fence shows, or a PageError saying why the fence is not one."""
    body = [line for line in fence.body if line.strip()]
    include = include_of(body[0]) if len(body) == 1 else None
    if include is None or include[0] is None:
        raise PageError(fence.page, fence.line,
                        "code block is not exactly one snippet include like --8<-- \"snippets/<name>.py\"; "
                        "every code block on a page must be a whole snippet file that the tests run")
    path, lines, section = include
    target = ROOT / path
    if target.parent != SNIPPETS or target.suffix != ".py" or lines:
        raise PageError(fence.page, fence.line, f"{body[0].strip()} is not a whole snippets/<name>.py file "
                        "or a named section of one (no line ranges)")
    if not target.is_file():
        raise PageError(fence.page, fence.line, f"included snippet {path} does not exist")
    try:
        names = sections(target)
    except PageError as error:
        raise PageError(fence.page, fence.line, f"{path} is malformed: {error}") from None
    if section and section not in names:
        raise PageError(fence.page, fence.line, f"{path} has no section {section!r}; it has: {', '.join(names)}")
    if names and not section:
        raise PageError(fence.page, fence.line, f"{path} is told in sections ({', '.join(names)}): show them, "
                        "one per code block")
    return Block(target, section or None)


def page_snippets(page):
    """The blocks a page shows, in page order; a file told in sections must be shown whole, in order."""
    shown_fences = fences(page)
    blocks = [snippet_of(fence) for fence in shown_fences]
    for file in dict.fromkeys(block.file for block in blocks if block.section):
        shown = [(block, fence) for block, fence in zip(blocks, shown_fences) if block.file == file]
        if [block for block, _ in shown] != file_blocks(file):
            raise PageError(shown[0][1].page, shown[0][1].line,
                            f"{relative(file)}: the page shows sections {[b.section for b, _ in shown]}, but the "
                            f"file is {[b.section for b in file_blocks(file)]}; show every section once, in order")
    return blocks


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml may hold tags such as !!python/name; we only need plain settings, so they read as None."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_config():
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)


def lesson_pages():
    return sorted(LESSONS.glob("[0-9]-*.md"))


def markdown_pages():
    return sorted(DOCS.rglob("*.md"))


_NOT_PROSE = re.compile(
    r"```.*?^[ \t]*```|~~~.*?^[ \t]*~~~"  # fenced code
    r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"  # macros
    r"|<!--.*?-->"  # comments
    r"|`[^`\n]+`"  # inline code
    r"|\]\([^)\s]*\)|^\[[^\]]+\]:.*?$"  # link targets
    r"|<[^>\n]+>"  # HTML tags and their attributes
    r"|^[ \t]*[-;]+8<-.*?$",  # include lines
    re.DOTALL | re.MULTILINE,
)


def prose(text):
    """The page's text with code, macros, comments, link targets and tags blanked out, lines kept in place."""
    return _NOT_PROSE.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)
