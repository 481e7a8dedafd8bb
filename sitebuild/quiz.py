"""The quiz's page macros: card, quiz, progress, level and review embed the bank (sitebuild/quiz_bank.py) as HTML
(sitebuild/quiz_html.py) with the assets each feature needs, once per page."""

import difflib
import html
import os
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

from sitebuild.pages import relative
from sitebuild.quiz_bank import BANK, BankError, load_bank
from sitebuild.quiz_html import badge, one_line, render_item, review_tools, storage_notice, summary

LESSON_STEM = re.compile(r"(\d+)-(.+)")  # docs/lessons/N-<stem>.md
REVIEW_PAGE = "review.md"  # the page with {{ review() }}
TEXT_FIELDS = ("question", "answer", "prompt", "hint", "concepts", "text", "explanation")  # Markdown, with macros

# What each feature loads, from docs/assets/. The scripts are ES modules; every module one imports is listed too,
# so the browser fetches them together (and `make bench` weighs what the page really loads).
ASSETS = {
    "widget": ("quiz.css", "store.js", "quiz.js"),  # quiz items
    "progress": ("store.js", "review.js"),  # the home page's progress per lesson
    "review": ("quiz.css", "store.js", "quiz.js", "review.js"),  # the review page
}


class Quizzes:
    """What the page macros need: the bank, which items each page shows, and the lesson pages."""

    def __init__(self, env, bank):
        self.env, self.bank = env, bank
        self.items = {item["id"]: (stem, item) for stem, items in bank.items() for item in items}
        self.rendered = {}  # text with macros: its rendering, once per build (a lesson and the review show it)

    def _page_state(self):
        """Item ids and assets already emitted on the page being rendered (kept on the page object)."""
        return vars(self.env.page).setdefault("quiz_emitted", set())

    def assets(self, feature):
        """The tags loading a feature's scripts that this page does not load yet; with the widget's, the notice
        that progress cannot be kept (hidden), so it stands before the page's first quiz item.

        Its style sheets go to the page's `quiz_styles`, which overrides/main.html links in the <head>: a style
        sheet linked in the body holds back the painting of all the text after it until it has loaded."""
        emitted, tags = self._page_state(), []
        styles = vars(self.env.page).setdefault("quiz_styles", [])
        for name in ASSETS[feature]:
            if name not in emitted:
                emitted.add(name)
                if name.endswith(".css"):
                    styles.append(name)
                    continue
                url = get_relative_url(f"assets/{name}", self.env.page.url)
                tags.append(f'<script type="module" src="{url}"></script>')
                if name == "quiz.js":
                    on_review_page = self.env.page.file.src_uri == REVIEW_PAGE
                    tags.append(storage_notice("below" if on_review_page else f"on the {self._link(REVIEW_PAGE)} page"))
        return "".join(tags)

    def _fail(self, message):
        raise BankError(f"{self.env.page.file.src_uri}: {message}")

    def _check_id(self, macro, item_id):
        if item_id not in self.items:
            close = difflib.get_close_matches(item_id, self.items, n=1)
            self._fail(f"{macro}({item_id!r}): no item with this id in {relative(BANK)}/"
                       + (f" (did you mean {close[0]!r}?)" if close else ""))

    def _check_stem(self, macro, stem):
        if stem not in self.bank:
            self._fail(f"{macro}({stem!r}): there is no {relative(BANK)}/{stem}.yml")

    def _render(self, item, lesson_link=""):
        """The item as HTML, its text fields first rendered through the page macros, so that a question about
        the prebuilt run states its current results ({{ result(...) }})."""
        return render_item(self._with_macros(item, item["id"]), lesson_link)

    def _with_macros(self, value, item_id, path=(), key=None):
        if isinstance(value, dict):
            return {name: self._with_macros(entry, item_id, (*path, name), name) for name, entry in value.items()}
        if isinstance(value, list):
            return [self._with_macros(entry, item_id, (*path, index), key) for index, entry in enumerate(value)]
        if key in TEXT_FIELDS and ("{{" in value or "{%" in value):
            if value not in self.rendered:
                self.rendered[value] = self._render_macros(value, item_id, path)
            return self.rendered[value]
        return value

    def _render_macros(self, text, item_id, path):
        """The text with its macros run, or a BankError naming the bank's file, line, item and field. Not through
        `env.render`: on an error it reports the page being rendered and exits, before this could name the bank."""
        try:
            return self.env.env.from_string(text).render(**self.env.variables)
        except Exception as error:  # whatever a macro raises: the author's fix is in this field
            raise BankError(f"{self.bank.locate(item_id, path)}: {type(error).__name__} from its macros: "
                            f"{error}") from error

    def card(self, item_id):
        """One item of the bank, by id (a lesson's opening recall card)."""
        self._check_id("card", item_id)
        self._page_state().add(item_id)
        return one_line(self.assets("widget") + self._render(self.items[item_id][1]))

    def quiz(self, stem):
        """Every item of quizzes/<stem>.yml not already shown on this page, then the page's summary."""
        self._check_stem("quiz", stem)
        shown = self._page_state()
        items = "".join(self._render(item) for item in self.bank[stem] if item["id"] not in shown)
        shown.update(item["id"] for item in self.bank[stem])
        return one_line(f'<div class="quiz" data-quiz="{stem}">{self.assets("widget")}{items}{summary()}</div>')

    def progress(self, stem):
        """A placeholder the review script fills with the lesson's progress; plain text without JavaScript."""
        self._check_stem("progress", stem)
        ids = " ".join(item["id"] for item in self.bank[stem])
        count = len(self.bank[stem])
        return one_line(f'{self.assets("progress")}<span class="quiz-progress" data-items="{ids}">{count} cards</span>')

    def level(self, item_id):
        """An item's level badge, e.g. for a lesson's row on the home page (one line: fits a table cell)."""
        self._check_id("level", item_id)
        return badge(self.items[item_id][1]["level"])

    def review(self):
        """The Recall & Review page: every item of the bank, each linking back to its lesson."""
        lessons = self._lessons()
        for stem in self.bank:
            if stem not in lessons:
                self._fail(f"review(): {relative(BANK)}/{stem}.yml has no lesson page docs/lessons/N-{stem}.md")
        sections = []
        for stem in sorted(self.bank, key=lambda stem: lessons[stem][0]):
            link = f' from {self._link(f"lessons/{lessons[stem][1]}.md")}'
            sections.extend(self._render(item, link) for item in self.bank[stem])
        return one_line(f'<div class="quiz quiz-review">{self.assets("review")}{review_tools()}'
                        f'<div class="quiz-cards">{"".join(sections)}</div></div>')

    def _lessons(self):
        """{stem: (lesson number, N-<stem>)} for docs/lessons/N-<stem>.md."""
        paths = (Path(self.env.conf["docs_dir"]) / "lessons").glob("*.md")
        return {match[2]: (int(match[1]), match[0]) for path in paths if (match := LESSON_STEM.fullmatch(path.stem))}

    def _link(self, src_uri):
        """A link to the page docs/<src_uri> from the page being rendered, its text the page's nav title."""
        stem = src_uri.removesuffix(".md")
        url = f"{stem}/" if self.env.conf["use_directory_urls"] else f"{stem}.html"
        title = dict(_nav_entries(self.env.conf["nav"] or [])).get(src_uri, Path(stem).name)
        return f'<a href="{get_relative_url(url, self.env.page.url)}">{html.escape(title)}</a>'


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
