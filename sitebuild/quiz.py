"""The question bank: validate quizzes/*.yml, render its items as HTML, and the page macros that embed them.

Every problem in the bank is reported with its file, line and item id, and fails the build: no item is dropped.
"""

import difflib
import html
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import markdown
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

BANK = Path(__file__).resolve().parent.parent / "quizzes"
SCHEMA_COMMENT = "# yaml-language-server: $schema=schema.json"
KIND_LABELS = {"recall": "Recall card", "choice": "Question", "explain": "Explain"}
YAML_TYPES = {"object": "a mapping", "array": "a list", "string": "text", "boolean": "true or false"}


class BankError(PluginError):
    """The question bank, or a page's use of it, is invalid; the message lists every problem."""


# --- loading and validation ---------------------------------------------------------------------------------


def load_bank(files=None, schema=BANK / "schema.json"):
    """Return {lesson stem: [item, ...]} from the bank files (default: quizzes/*.yml), or raise BankError."""
    files = sorted(BANK.glob("*.yml")) if files is None else files
    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text()))
    bank, problems, first_seen = {}, [], {}
    for path in files:
        items = _load_file(path, validator, problems)
        for item, location in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(item_id, str) and item_id in first_seen:
                problems.append(f"{location}: item '{item_id}': duplicate id '{item_id}' "
                                f"(first defined at {first_seen[item_id]})")
            elif isinstance(item_id, str):
                first_seen[item_id] = location
        bank[path.stem] = [item for item, _ in items]
    if not bank:
        problems.append(f"{_display(BANK)}: no *.yml bank files")
    if problems:
        raise BankError("invalid quiz bank:\n  " + "\n  ".join(problems))
    return bank


def _load_file(path, validator, problems):
    """Parse and check one file; append its problems; return [(item, 'file:line')]."""
    name = _display(path)
    text = path.read_text(encoding="utf-8")
    if not re.match(r"# yaml-language-server: \$schema=\S*schema\.json\n", text):
        problems.append(f"{name}:1: the file must start with the line '{SCHEMA_COMMENT}'")
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root else None
    except yaml.YAMLError as error:
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        started = f" ({error.context} at line {context.line + 1})" if context else ""
        problems.append(f"{name}:{mark.line + 1 if mark else 1}: YAML syntax error: "
                        f"{getattr(error, 'problem', None) or error}{started}")
        return []
    finally:
        loader.dispose()
    if not isinstance(data, list) or not data:
        problems.append(f"{name}:1: the file must be a non-empty list of items")
        return []

    def where(index, line):
        item = data[index]
        label = f"item '{item['id']}'" if isinstance(item, dict) and isinstance(item.get("id"), str) else \
            f"item {index + 1}"
        return f"{name}:{line}: {label}"

    found = []  # (line, message), reported in file order
    for index, node in enumerate(root.value):
        for key in _duplicate_keys(node):
            found.append((key.start_mark.line + 1, index, f"duplicate key '{key.value}'"))
    for error in validator.iter_errors(data):
        index, *field_path = error.absolute_path
        for field_path, message in _explain(error, field_path):
            field = _field_name(field_path)
            found.append((_line(root, [index, *field_path]), index, f"{field + ': ' if field else ''}{message}"))
    broken = {index for _, index, _ in found}
    for index, item in enumerate(data):
        if index not in broken and item["kind"] == "choice":
            correct = sum(choice.get("correct", False) for choice in item["choices"])
            line = _line(root, [index, "choices"])
            if not item.get("multiple") and correct != 1:
                found.append((line, index, "choices: a single-choice item needs exactly one choice with "
                                           f"'correct: true', found {correct} (set 'multiple: true' for several)"))
            elif correct == 0:
                found.append((line, index, "choices: no choice has 'correct: true'"))
    problems.extend(f"{where(index, line)}: {message}" for line, index, message in sorted(found))
    return [(item, f"{name}:{_line(root, [index])}") for index, item in enumerate(data)]


def _explain(error, field_path):
    """Yield (field path, plain message) for one schema error; unknown keys point at the key itself."""
    kind = error.validator
    if kind == "additionalProperties":
        allowed = list(error.schema["properties"])
        for key in sorted(set(error.instance) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            yield [*field_path, (key,)], f"unknown key '{key}'{hint}"
    elif kind == "required":
        missing = re.match(r"('.*?') is a required", error.message).group(1)
        yield field_path, f"missing field {missing}"
    elif kind == "type":
        expected = YAML_TYPES.get(error.validator_value, error.validator_value)
        yield field_path, f"must be {expected}, not {_yaml_type(error.instance)}"
    elif kind == "pattern" and error.validator_value == r"\S":
        yield field_path, "must not be empty"
    elif kind == "pattern":
        yield field_path, f"{error.instance!r} is not a valid id (use lowercase letters, digits and single hyphens)"
    elif kind == "enum" and field_path == ["kind"]:
        yield field_path, f"unknown kind {error.instance!r} (expected one of {', '.join(error.validator_value)})"
    elif kind == "enum":
        yield field_path, f"{error.instance!r} is not one of {', '.join(error.validator_value)}"
    elif kind in ("minItems", "maxItems"):
        limits = error.schema.get("minItems", 0), error.schema.get("maxItems")
        wanted = f"{limits[0]} to {limits[1]}" if limits[1] else f"at least {limits[0]}"
        yield field_path, f"has {len(error.instance)} entries, needs {wanted}"
    elif kind == "uniqueItems":
        yield field_path, "lists the same entry twice"
    else:
        yield field_path, error.message


def _yaml_type(value):
    if value is None:
        return "empty"
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _field_name(field_path):
    name = ""
    for part in field_path:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not isinstance(part, tuple):  # a tuple marks an unknown key: the message names it
            name += f".{part}" if name else part
    return name


def _line(node, path):
    """1-based line of the node at `path` (of its key, for a mapping entry); the nearest parent's if absent."""
    for depth, step in enumerate(path, 1):
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            key = step[0] if isinstance(step, tuple) else step
            match = [(k, v) for k, v in node.value if k.value == key]
            if not match:
                break
            node = match[0][0] if depth == len(path) else match[0][1]
        else:
            break
    return node.start_mark.line + 1


def _duplicate_keys(node):
    """Key nodes repeating an earlier key anywhere under `node` (YAML would keep the last one silently)."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key
            seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _duplicate_keys(child)


def _display(path):
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- Markdown with raw HTML shown as text -------------------------------------------------------------------


class _SafeLinks(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                if urlsplit(element.get(attribute, "")).scheme not in ("", "http", "https", "mailto"):
                    del element.attrib[attribute]


class _NoRawHtml(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


_markdown = markdown.Markdown(extensions=[_NoRawHtml()])


def _block(text):
    return _markdown.reset().convert(text)


def _inline(text):
    """Markdown for a spot that only takes a line of text (a legend, a label)."""
    rendered = _block(text).removeprefix("<p>").removesuffix("</p>")
    return rendered.replace("</p>\n<p>", "<br>")


# --- HTML ------------------------------------------------------------------------------------------------------


def render_item(item, lesson_link=""):
    """One item as semantic HTML whose answers, explanations and concepts all read without JavaScript."""
    uid = f"quiz-{item['id']}"
    kind, level = item["kind"], item["level"]
    meta = f'<p class="quiz-meta">{_badge(level)} {KIND_LABELS[kind]}{lesson_link}</p>'
    body = {"recall": _recall, "choice": _choice, "explain": _explain_prompt}[kind](item, uid)
    status = f'<p class="quiz-feedback" role="status" id="{uid}-status"></p>'
    return (f'<div class="quiz-item quiz-{kind}" id="{uid}" data-quiz-item="{item["id"]}">'
            f'{meta}{body}{status}</div>')


def _badge(level):
    return f'<span class="quiz-level quiz-level-{level}">{level.capitalize()}</span>'


def _recall(item, uid):
    return (f'<p class="quiz-question">{_inline(item["question"])}</p>'
            f'<details class="quiz-disclose"><summary>Click to reveal answer</summary>{_block(item["answer"])}'
            '<p class="quiz-grade" hidden>'
            '<button type="button" data-grade="1">Knew it</button> '
            '<button type="button" data-grade="0">Not yet</button></p></details>')


def _choice(item, uid):
    kind = "checkbox" if item.get("multiple") else "radio"
    options, key = [], []
    for index, choice in enumerate(item["choices"]):
        input_id = f"{uid}-{index}"
        options.append(f'<label class="quiz-option" for="{input_id}"><input type="{kind}" id="{input_id}" '
                       f'name="{uid}" value="{index}"> {_inline(choice["text"])}</label>')
        verdict = "✓ Right:" if choice.get("correct") else "✗ Wrong:"
        key.append(f'<li data-choice="{index}"{" data-correct" if choice.get("correct") else ""}>'
                   f'<strong>{verdict}</strong> {_inline(choice["text"])}'
                   f'<div class="quiz-why">{_block(choice["explanation"])}</div></li>')
    several = " (choose all that apply)" if item.get("multiple") else ""
    return (f'<fieldset class="quiz-options"><legend>{_inline(item["question"])}{several}</legend>'
            f'{"".join(options)}</fieldset>'
            '<p class="quiz-actions" hidden><button type="button" class="quiz-check">Check</button></p>'
            f'<details class="quiz-key"><summary>Answer and explanations</summary><ul>{"".join(key)}</ul></details>')


def _explain_prompt(item, uid):
    concepts = "".join(
        f'<label class="quiz-option" for="{uid}-{index}"><input type="checkbox" id="{uid}-{index}" '
        f'value="{index}"> {_inline(concept)}</label>' for index, concept in enumerate(item["concepts"]))
    return (f'<p class="quiz-question" id="{uid}-prompt">{_inline(item["prompt"])}</p>'
            f'<label class="quiz-label" for="{uid}-answer">Your answer (kept on this device only)</label>'
            f'<textarea id="{uid}-answer" rows="4"></textarea>'
            f'<details class="quiz-disclose"><summary>Hint</summary>{_block(item["hint"])}</details>'
            f'<details class="quiz-disclose"><summary>Show key concepts</summary>'
            f'<fieldset class="quiz-options"><legend>Tick the concepts your answer covers</legend>{concepts}'
            '</fieldset><p class="quiz-actions" hidden>'
            '<button type="button" class="quiz-check">Record my score</button></p></details>')


def _one_line(fragment):
    """Macro output must stay one line so it also works indented, e.g. inside content tabs."""
    return fragment.replace("\n", "&#10;")


# --- macros ----------------------------------------------------------------------------------------------------


class Quizzes:
    """What the page macros need: the bank, which items each page shows, and the lesson pages."""

    def __init__(self, env, bank):
        self.env, self.bank = env, bank
        self.items = {item["id"]: (stem, item) for stem, items in bank.items() for item in items}

    def _page_state(self):
        """Item ids and assets already emitted on the page being rendered (kept on the page object)."""
        return vars(self.env.page).setdefault("quiz_emitted", set())

    def _assets(self, *names):
        emitted, tags = self._page_state(), []
        for name in names:
            if name not in emitted:
                emitted.add(name)
                url = get_relative_url(f"assets/{name}", self.env.page.url)
                tags.append(f'<link rel="stylesheet" href="{url}">' if name.endswith(".css")
                            else f'<script src="{url}" defer></script>')
        return "".join(tags)

    def _fail(self, message):
        raise BankError(f"{self.env.page.file.src_uri}: {message}")

    def _check_id(self, macro, item_id):
        if item_id not in self.items:
            close = difflib.get_close_matches(item_id, self.items, n=1)
            self._fail(f"{macro}({item_id!r}): no item with this id in {_display(BANK)}/"
                       + (f" (did you mean {close[0]!r}?)" if close else ""))

    def card(self, item_id):
        """One item of the bank, by id (a lesson's opening recall card)."""
        self._check_id("card", item_id)
        self._page_state().add(item_id)
        return _one_line(self._assets("quiz.css", "store.js", "quiz.js") + render_item(self.items[item_id][1]))

    def quiz(self, stem):
        """Every item of quizzes/<stem>.yml not already shown on this page, then the page's summary."""
        if stem not in self.bank:
            self._fail(f"quiz({stem!r}): there is no {_display(BANK)}/{stem}.yml")
        shown = self._page_state()
        items = "".join(render_item(item) for item in self.bank[stem] if item["id"] not in shown)
        shown.update(item["id"] for item in self.bank[stem])
        assets = self._assets("quiz.css", "store.js", "quiz.js")
        return _one_line(f'<div class="quiz" data-quiz="{stem}">{assets}{items}'
                         '<p class="quiz-summary" hidden><span></span> '
                         '<button type="button" class="quiz-reset">Reset this page\'s answers</button>'
                         '</p></div>')

    def progress(self, stem):
        """A placeholder the review script fills with the lesson's progress; plain text without JavaScript."""
        if stem not in self.bank:
            self._fail(f"progress({stem!r}): there is no {_display(BANK)}/{stem}.yml")
        ids = " ".join(item["id"] for item in self.bank[stem])
        count = len(self.bank[stem])
        return _one_line(f'{self._assets("store.js", "review.js")}<span class="quiz-progress" data-items="{ids}">'
                         f'{count} cards</span>')

    def level(self, item_id):
        """An item's level badge, e.g. for a lesson's row on the home page (one line: fits a table cell)."""
        self._check_id("level", item_id)
        level = self.items[item_id][1]["level"]
        return _badge(level)

    def review(self):
        """The Recall & Review page: every item of the bank, each linking back to its lesson."""
        lessons = self._lessons()
        sections = []
        for stem, items in self.bank.items():
            if stem not in lessons:
                self._fail(f"review(): {_display(BANK)}/{stem}.yml has no lesson page docs/lessons/N-{stem}.md")
            url, title = lessons[stem]
            link = f' from <a href="{get_relative_url(url, self.env.page.url)}">{html.escape(title)}</a>'
            sections.extend(render_item(item, link) for item in items)
        return _one_line(
            f'<div class="quiz quiz-review">{self._assets("quiz.css", "store.js", "quiz.js", "review.js")}'
            '<p class="quiz-review-status" role="status"></p><p class="quiz-tools" hidden>'
            '<button type="button" class="quiz-export">Export progress</button> '
            '<label for="quiz-import">Import progress from a file</label> '
            '<input type="file" id="quiz-import" accept=".json,application/json"></p>'
            f'<div class="quiz-cards">{"".join(sections)}</div></div>')

    def _lessons(self):
        """{stem: (page url, nav title)} for docs/lessons/N-<stem>.md."""
        titles = dict(_nav_entries(self.env.conf["nav"] or []))
        lessons = {}
        for path in sorted((Path(self.env.conf["docs_dir"]) / "lessons").glob("*-*.md")):
            source = f"lessons/{path.name}"
            url = f"lessons/{path.stem}/" if self.env.conf["use_directory_urls"] else f"lessons/{path.stem}.html"
            lessons[path.stem.split("-", 1)[1]] = (url, titles.get(source, path.stem))
        return lessons


def _nav_entries(nav):
    """(source path, title) pairs from mkdocs.yml's nav."""
    for entry in nav:
        if isinstance(entry, dict):
            for title, value in entry.items():
                if isinstance(value, str):
                    yield value, title
                else:
                    yield from _nav_entries(value)


def register_macros(env):
    folder = Path(os.environ.get("QUIZ_BANK", BANK))  # another bank folder: the tests build with broken ones
    quizzes = Quizzes(env, load_bank(sorted(folder.glob("*.yml"))))
    for name in ("card", "quiz", "progress", "level", "review"):
        env.macro(getattr(quizzes, name), name)
