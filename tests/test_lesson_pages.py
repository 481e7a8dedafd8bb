"""The lesson pages as a reader meets them: old URLs still lead to them, each answers its opening card in its
first screen, and the menu never shows a notebook under its lesson's name."""

import html
import posixpath
import re

import pytest

from sitebuild.pages import lesson_pages, mkdocs_config

# Pages renamed when lesson 5 was split in two: where each old URL must now lead.
MOVED = {
    "lessons/5-recompile-low-learning-rate/": "lessons/5-compile-again/",
    "lessons/6-batchnorm/": "lessons/7-batchnorm/",
    "lessons/7-end-to-end/": "lessons/8-end-to-end/",
    "notebooks/5-recompile-low-learning-rate/": "notebooks/5-compile-again/",
    "notebooks/6-batchnorm/": "notebooks/7-batchnorm/",
    "notebooks/7-end-to-end/": "notebooks/8-end-to-end/",
}
FIRST_SCREEN = {"width": 1280, "height": 800}


@pytest.mark.parametrize("old", MOVED)
def test_an_old_url_leads_to_its_new_page(old, page, site_url, built_site):
    new = MOVED[old]
    assert (built_site / new / "index.html").is_file(), f"{new} is not built"
    page.goto(f"{old}#test-yourself")
    page.wait_for_url(f"{site_url}{new}#test-yourself")  # the anchor comes along
    assert page.title() == _built_title(built_site, new)


def _built_title(built_site, url):
    return html.unescape(re.search(r"<title>(.*?)</title>", (built_site / url / "index.html").read_text())[1])


LESSON_URLS = [f"lessons/{path.stem}/" for path in lesson_pages()]


@pytest.mark.parametrize("url", LESSON_URLS)
def test_each_lesson_answers_its_card_in_its_first_screen(url, page):
    """The paragraph marked `{ .card-answer }` follows the opening card and is whole on screen at 1280×800."""
    page.set_viewport_size(FIRST_SCREEN)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    answer = page.locator("article .card-answer")
    assert answer.count() == 1, f"{url}: one paragraph of the page must be marked {{ .card-answer }}"
    card = page.locator("article [data-quiz-item]").first
    assert card.evaluate("(card, answer) => !!(card.compareDocumentPosition(answer) & 4)", answer.element_handle()), \
        f"{url}: the answer comes before the card"
    box = answer.bounding_box()
    assert box["y"] + box["height"] <= FIRST_SCREEN["height"], \
        f"{url}: the card's answer ends {box['y'] + box['height']:.0f} px down, below the first screen"


def _nav_titles(section):
    return [title for entry in mkdocs_config()["nav"] if section in entry for item in entry[section]
            for title in item]


def test_notebooks_are_named_as_notebooks_in_the_menu():
    lessons, notebooks = _nav_titles("Lessons"), _nav_titles("Notebooks")
    assert len(lessons) == len(notebooks) == len(lesson_pages())
    for lesson, notebook in zip(lessons, notebooks):
        number, title = lesson.split(". ", 1)
        assert notebook == f"Notebook {number}: {title}"


def test_previous_and_next_links_name_notebooks_as_notebooks(built_site):
    """Material's footer names the neighbouring pages by their titles: a notebook's must not be its lesson's."""
    pages = ["review/"] + [f"{folder}/{path.stem}/" for folder in ("lessons", "notebooks") for path in lesson_pages()]
    for url in pages:
        text = (built_site / url / "index.html").read_text(encoding="utf-8")
        links = re.findall(r'<a href="([^"]+)" class="md-footer__link[^"]*" aria-label="(?:Previous|Next): ([^"]+)"',
                           text)
        assert links, f"{url}: no Previous/Next links"
        for href, title in links:
            target = posixpath.normpath(posixpath.join(url, href))
            assert title.startswith("Notebook ") == target.startswith("notebooks/"), (url, target, title)
