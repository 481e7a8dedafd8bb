"""The bank's items as HTML that reads whole without JavaScript; docs/assets/quiz.js enhances it.

What a reader reveals (an answer, a hint, the answer key) sits in a region behind a button, and every control
shows, in the HTML as quiz.js leaves them: the script only wires them up, and a page's first layout is its last.
Without scripting, docs/assets/quiz.css hides the controls (no dead buttons) and shows every region.

Text fields are Markdown; raw HTML in them shows as text and links keep only safe schemes.
"""

from functools import cache
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

KIND_LABELS = {"recall": "Recall card", "choice": "Question", "explain": "Explain"}
# On Back after a full load, a browser restores a page's form values over what quiz.js showed from storage: an
# older answer, which the next keystroke would save over the newer one. A control with autocomplete off is not
# restored.
NOT_RESTORED = ' autocomplete="off"'


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


@cache  # the review page shows every item a lesson page shows: each text is converted once per process
def _block(text):
    return _markdown.reset().convert(text)


def _inline(text):
    """Markdown for a spot that only takes a line of text (a legend, a label)."""
    rendered = _block(text).removeprefix("<p>").removesuffix("</p>")
    return rendered.replace("</p>\n<p>", "<br>")


def one_line(fragment):
    """Macro output must stay one line so it also works indented, e.g. inside content tabs."""
    return fragment.replace("\n", "&#10;")


def badge(level):
    return f'<span class="quiz-level quiz-level-{level}">{level.capitalize()}</span>'


def render_item(item, lesson_link=""):
    """One item as semantic HTML whose answers, explanations and concepts all read without JavaScript."""
    uid = f"quiz-{item['id']}"
    kind, level = item["kind"], item["level"]
    meta = f'<p class="quiz-meta">{badge(level)} {KIND_LABELS[kind]}{lesson_link}</p>'
    body, after_feedback = {"recall": _recall, "choice": _choice, "explain": _explain}[kind](item, _Regions(uid))
    status = f'<p class="quiz-feedback" role="status" id="{uid}-status"></p>'
    return (f'<div class="quiz-item quiz-{kind}" id="{uid}" data-quiz-item="{item["id"]}">'
            f'{meta}{body}{status}{after_feedback}</div>')


# Each kind's HTML: (what comes before the feedback, what comes after it).


def _recall(item, regions):
    described = regions.described
    grades = (f'<p class="quiz-grade"><button type="button" data-grade="1"{described}>Knew it</button> '
              f'<button type="button" data-grade="0"{described}>Not yet</button></p>')
    return (f'<p class="quiz-question" id="{regions.uid}-prompt">{_inline(item["question"])}</p>'
            f'{regions.next("Click to reveal answer", "Hide answer", _block(item["answer"]) + grades)}'), ""


def _choice(item, regions):
    uid = regions.uid
    kind = "checkbox" if item.get("multiple") else "radio"
    options, key = [], []
    for index, choice in enumerate(item["choices"]):
        input_id = f"{uid}-{index}"
        options.append(f'<label class="quiz-option" for="{input_id}"><input type="{kind}" id="{input_id}" '
                       f'name="{uid}" value="{index}"{NOT_RESTORED}> {_inline(choice["text"])}</label>')
        verdict = "✓ Right:" if choice.get("correct") else "✗ Wrong:"
        key.append(f'<li data-choice="{index}"{" data-correct" if choice.get("correct") else ""}>'
                   f'<strong>{verdict}</strong> {_inline(choice["text"])}'
                   f'<div class="quiz-why">{_block(choice["explanation"])}</div></li>')
    several = " (choose all that apply)" if item.get("multiple") else ""
    before = (f'<fieldset class="quiz-options"><legend id="{uid}-prompt">{_inline(item["question"])}{several}</legend>'
              f'{"".join(options)}</fieldset>'
              f'<p class="quiz-actions"><button type="button" class="quiz-check"{regions.described}>Check</button></p>')
    # The key's button shows once the reader has answered (quiz.js).
    answer_key = regions.next("Show the answer and explanations", "Hide the answer and explanations",
                              f'<ul>{"".join(key)}</ul>', kind="quiz-key", hidden=True)
    return before, answer_key


def _explain(item, regions):
    uid = regions.uid
    concepts = "".join(
        f'<label class="quiz-option" for="{uid}-{index}"><input type="checkbox" id="{uid}-{index}" '
        f'value="{index}"{NOT_RESTORED}> {_inline(concept)}</label>' for index, concept in enumerate(item["concepts"]))
    return (f'<p class="quiz-question" id="{uid}-prompt">{_inline(item["prompt"])}</p>'
            f'<label class="quiz-label" for="{uid}-answer">Your answer'
            '<span class="quiz-kept" hidden> (kept on this device only)</span></label>'
            f'<textarea id="{uid}-answer" rows="4"{regions.described}{NOT_RESTORED}></textarea>'
            f'{regions.next("Hint", "Hide hint", _block(item["hint"]))}'
            + regions.next("Show key concepts", "Hide key concepts",
                           f'<fieldset class="quiz-options"><legend>Tick the concepts your answer covers</legend>'
                           f'{concepts}</fieldset><p class="quiz-actions">'
                           f'<button type="button" class="quiz-check"{regions.described}>Record my score</button>'
                           '</p>')), ""


class _Regions:
    """An item's revealable regions, numbered in order: <item id>-more0, -more1...; `described` is the attribute
    that gives a control its question (<item id>-prompt) as its description: a page has many "Check" buttons."""

    def __init__(self, uid):
        self.uid, self.count = uid, 0
        self.described = f' aria-describedby="{uid}-prompt"'

    def next(self, label, open_label, content, kind="quiz-disclose", hidden=False):
        """A closed region holding `content`, behind a button labelled `label`; quiz.js labels it `open_label`
        while the region is open."""
        region = f"{self.uid}-more{self.count}"
        self.count += 1
        return (f'<button type="button" class="quiz-toggle {kind}" aria-expanded="false" aria-controls="{region}" '
                f'data-hide="{open_label}"{self.described}{" hidden" if hidden else ""}>{label}</button>'
                f'<div class="quiz-more" id="{region}" hidden>{content}</div>')


def summary():
    """The page's score (first tries) and a reset that asks first and announces what it did (run by quiz.js)."""
    confirm = ("Reset every card on this page? Each goes back to box 1, due today, and loses your choices, "
               "ticked concepts and typed answer.")
    done = "Reset done: every card on this page is back in box 1, its answers cleared."
    return ('<div class="quiz-summary"><p><span class="quiz-score"></span> '
            f'<button type="button" class="quiz-reset" data-confirm="{confirm}" data-done="{done}">'
            'Reset this page\'s answers</button></p><p class="quiz-feedback" role="status"></p></div>')


def storage_notice(where_export_is):
    """Shown by quiz.js, once per page, when this browser cannot store progress (styled as Material's warning).

    `where_export_is` ("below", or "on the <a>Recall & Review</a> page") points to the review page's Export
    progress, which saves to a file what the page holds in memory (instant navigation keeps it); leaving the page
    some other way asks first (store.js)."""
    return ('<div class="quiz-notice" role="alert" hidden><div class="admonition warning">'
            '<p class="admonition-title">This browser can\'t keep your progress.</p> '
            '<p>Its storage is blocked or full: your answers count only until you reload or close this page. '
            f'To keep them, use Export progress {where_export_is}.</p></div></div>')


def review_tools():
    """The review page's due count, export and import (run by review.js; hidden where scripting is off)."""
    return ('<p class="quiz-review-status" role="status"></p><p class="quiz-tools">'
            '<button type="button" class="quiz-export">Export progress</button> '
            '<label for="quiz-import">Import progress from a file</label> '
            '<input type="file" id="quiz-import" accept=".json,application/json"></p>')
