"""Notebook pages without the style rules that cannot apply to them.

mkdocs-jupyter puts JupyterLab's whole style sheet in every notebook page: 570 KB, five sixths of the page's bytes
and most of a phone's style work on it (Lighthouse). `trim_styles` keeps, of each `<style>` in a page's HTML, the
rules that can match it: a rule stays when one of its selectors names only classes the page has, not counting
what stands in parentheses or brackets (`:not(.x)`, `[type="a.b"]`) and counting Material's `md-*` classes as
present (its script adds some). Selectors that put `:root`, `html` or `body` inside another element never match,
and go. At-rules other than @media and @supports stay as they are. Every element of every notebook page had the
same computed style before and after, in both palettes, at 1280 and 390 px wide, when this was written.

Parsing the sheet takes a noticeable part of a build, so each trimmed page is kept in .cache/notebook-css/, named
by the hash of the HTML it came from (mkdocs-jupyter caches its own conversion the same way).
"""

import functools
import hashlib
import re

import tinycss2

from sitebuild.pages import ROOT

CACHE = ROOT / ".cache" / "notebook-css"
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL)
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NOT_CLASSES = re.compile(r"\([^()]*\)|\[[^\]]*\]")  # `:not(.x)`, `[data-mime-type="a.b"]`
NEVER_INSIDE = re.compile(r"\S\s*(?::root|(?<![\w.#-])(?:html|body)\b)")  # `.x :root`, `.x body`


def trim_styles(html):
    """`html` with its style sheets cut to the rules that can apply to it."""
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    cached = CACHE / f"{key}.html"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    classes = frozenset(name for match in CLASS_ATTRIBUTE.finditer(STYLE.sub("", html))
                        for name in match[1].split())
    trimmed = STYLE.sub(lambda match: match[1] + _trimmed(match[2], classes) + match[3], html)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(trimmed, encoding="utf-8")
    return trimmed


def _trimmed(css, classes):
    return "".join(_kept(_rules(css), classes))


@functools.lru_cache(maxsize=8)
def _rules(css):
    """The sheet's rules, parsed once per build (the same sheet is in every notebook page)."""
    return tuple(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


def _kept(rules, classes):
    """The rules that can apply, as CSS text."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if any(_can_match(selector, classes) for selector in tinycss2.serialize(rule.prelude).split(",")):
                kept.append(tinycss2.serialize([rule]))
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            inner = _kept(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True), classes)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def _can_match(selector, classes):
    outside = NOT_CLASSES.sub("", selector.strip())
    return not NEVER_INSIDE.search(outside) and all(
        name in classes or name.startswith("md-") for name in CLASS.findall(outside))
