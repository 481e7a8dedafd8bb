"""Read the site's Markdown pages the way the build sees them: code fences, snippet includes and prose.

Used by the fence guard, the prose-number check and the notebook generator, so all three agree on what a
page shows.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
LESSONS = DOCS / "lessons"

# pymdownx.snippets' include line, e.g. `--8<-- "snippets/l3_freeze.py"`.
INCLUDE = re.compile(r"""^[ \t]*-+8<-+(?:[ \t]+(?P<quote>["'])(?P<path>.+?)(?P=quote))?[ \t]*$""")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")


class PageError(ValueError):
    """A page breaks the rule that every code block is one whole, tested snippet file."""

    def __init__(self, path, line, message):
        super().__init__(f"{relative(path)}:{line}: {message}")


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
        include = INCLUDE.match(line)
        if include:
            found.extend(_included_fences(page, number, include["path"]))
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
    """The snippet file a fence shows whole, or a PageError saying why the fence is not one."""
    body = [line for line in fence.body if line.strip()]
    include = INCLUDE.match(body[0]) if len(body) == 1 else None
    if include is None or include["path"] is None:
        raise PageError(fence.page, fence.line,
                        "code block is not exactly one snippet include like --8<-- \"snippets/<name>.py\"; "
                        "every code block on a page must be a whole snippet file that the tests run")
    path = include["path"]
    target = ROOT / path
    if target.parent != SNIPPETS or target.suffix != ".py":
        raise PageError(fence.page, fence.line, f"{path} is not a whole snippets/<name>.py file "
                        "(no line ranges or sections: show the whole file)")
    if not target.is_file():
        raise PageError(fence.page, fence.line, f"included snippet {path} does not exist")
    return target


def page_snippets(page):
    """The snippet files a page shows, in page order."""
    return [snippet_of(fence) for fence in fences(page)]


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
