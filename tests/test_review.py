"""The Recall & Review page in Chromium: Leitner scheduling over simulated days, lesson answers counting,
export and import, refused imports, keyboard-only use, axe-core, and the home page's progress."""

import json
import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from quiz_pages import ITEMS, LESSON, REVIEW, axe_violations, follow_instant_navigation, store, stored, use_palette

START = datetime(2026, 3, 2, 9, 0)


def due_status(page):
    return page.locator(".quiz-review-status")


def on_day(page, day):
    """Reload the review page `day` days after START."""
    page.clock.set_fixed_time(START + timedelta(days=day))
    page.goto(REVIEW)


def knew_it(page, item_id, knew=True):
    card = page.locator(f"#quiz-{item_id}")
    reveal = card.get_by_role("button", name="Click to reveal answer")
    if reveal.get_attribute("aria-expanded") == "false":
        reveal.click()
    card.get_by_role("button", name="Knew it" if knew else "Not yet").click()


def test_leitner_boxes_over_simulated_days(page):
    on_day(page, 0)
    expect(due_status(page)).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    expect(page.locator(".quiz-cards > h2")).to_have_text(["Due today"])
    knew_it(page, "why-freeze-layers")  # box 1 -> 2: back in 2 days
    expect(due_status(page)).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    knew_it(page, "why-freeze-layers")  # not due yet: a second hit the same day changes nothing
    assert stored(page)["why-freeze-layers"]["box"] == 2

    on_day(page, 1)
    expect(due_status(page)).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator(".quiz-cards > h2")).to_have_text(["Due today", "Coming up"])
    expect(page.locator(".quiz-cards > .quiz-item").last).to_have_id("quiz-why-freeze-layers")

    on_day(page, 2)
    expect(due_status(page)).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    knew_it(page, "why-freeze-layers")  # box 3: 4 days
    expect(page.locator("#quiz-why-freeze-layers [role=status]")).to_have_text(
        "You knew it. Box 3, next review in 4 days.")
    today = stored(page)["why-freeze-layers"]["due"] - 4
    store(page, json.dumps({"why-freeze-layers": {"box": 5, "due": today}}))  # later, in the last box and due
    knew_it(page, "why-freeze-layers")  # box 5 is the last: 16 days
    expect(page.locator("#quiz-why-freeze-layers [role=status]")).to_have_text(
        "You knew it. Box 5, next review in 16 days.")
    knew_it(page, "why-freeze-layers", knew=False)  # a miss: back to box 1, tomorrow
    expect(page.locator("#quiz-why-freeze-layers [role=status]")).to_have_text(
        "Not yet. Box 1, next review tomorrow.")


def test_answers_count_across_lesson_and_review_pages(page, site_url):
    follow_instant_navigation(page, site_url)
    page.goto(LESSON)
    question = page.locator("#quiz-make-layer-non-trainable")
    question.get_by_label("layer.trainable = False").check()
    question.get_by_role("button", name="Check").click()
    page.evaluate("window.sameDocument = true")  # survives instant navigation, not a full load
    page.get_by_role("link", name="Recall & Review").first.click()
    expect(due_status(page)).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator("#quiz-make-layer-non-trainable [role=status]")).to_contain_text("Box 2, next review in 2 days.")
    knew_it(page, "freeze-in-tensorflow", knew=False)
    page.locator("#quiz-freeze-in-tensorflow .quiz-meta a").click()
    expect(page).to_have_url(re.compile(LESSON + "$"))
    expect(page.locator("#quiz-freeze-in-tensorflow [role=status]")).to_have_text("Not yet. Box 1, next review tomorrow.")
    assert page.evaluate("window.sameDocument") is True


def _export(page):
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    return json.loads(open(download.value.path()).read())


def _import(page, payload, name="progress.json"):
    page.get_by_label("Import progress from a file").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": payload})


def test_export_clear_import_round_trip_loses_nothing(page):
    page.goto(REVIEW)
    store(page, '{"left-the-bank": {"box": 4, "due": 1}}')  # kept though no page shows it
    knew_it(page, "why-freeze-layers")
    page.locator("#quiz-fine-tuning-steps textarea").fill("My own answer.")
    before = stored(page)
    exported = _export(page)
    assert exported == {"format": "fine-tuning-quiz-progress", "version": 1, "items": before}
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(due_status(page)).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    _import(page, json.dumps(exported).encode())
    expect(due_status(page)).to_have_text(
        f"Imported 3 cards from progress.json. {ITEMS - 1} of {ITEMS} cards due today.")
    assert stored(page) == before
    expect(page.locator("#quiz-fine-tuning-steps textarea")).to_have_value("My own answer.")


def test_import_merges_keeping_the_further_state_of_each_card(page):
    page.goto(REVIEW)
    store(page, '{"why-freeze-layers": {"box": 3, "due": 5}, "batchnorm-after-unfreezing": {"box": 1, "due": 5}}')
    items = {"why-freeze-layers": {"box": 2, "due": 9}, "batchnorm-after-unfreezing": {"box": 4, "due": 2},
             "fine-tuning-steps": {"box": 2, "due": 3}}
    _import(page, json.dumps({"format": "fine-tuning-quiz-progress", "version": 1, "items": items}).encode())
    expect(due_status(page)).to_contain_text("Imported 3 cards")
    assert stored(page) == {"why-freeze-layers": {"box": 3, "due": 5}, "batchnorm-after-unfreezing": {"box": 4, "due": 2},
                            "fine-tuning-steps": {"box": 2, "due": 3}}


def test_bad_imports_say_why_and_change_nothing(page):
    page.goto(REVIEW)
    store(page, '{"why-freeze-layers": {"box": 3, "due": 5}}')
    foreign = {"format": "something-else", "version": 1, "items": {}}
    malformed = {"format": "fine-tuning-quiz-progress", "version": 1, "items": {"why-freeze-layers": {"box": 7}}}
    cases = [
        (b"{not json", "it is not valid JSON"),
        (json.dumps(foreign).encode(), "it is not a progress file exported from this site"),
        (json.dumps([1, 2]).encode(), "it is not a progress file exported from this site"),
        (json.dumps(malformed).encode(), "the entry for \u201cwhy-freeze-layers\u201d is malformed"),
        (b" " * 1_000_001, "it is larger than any progress file (1 MB)"),
    ]
    for payload, reason in cases:
        _import(page, payload, name="bad.json")
        expect(due_status(page)).to_have_text(f"bad.json was not imported: {reason}. Nothing was changed.")
        assert stored(page) == {"why-freeze-layers": {"box": 3, "due": 5}}


def test_review_by_keyboard_only(page):
    page.goto(REVIEW)
    page.locator("h1").click()  # start from the top of the content, then only the keyboard
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Export progress":
            break
    with page.expect_download():
        page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # A native file input: Space or Enter opens the system's file dialog, which is outside the page.
    assert page.evaluate("[document.activeElement.id, document.activeElement.type]") == ["quiz-import", "file"]
    page.locator("#quiz-import:focus").set_input_files(
        {"name": "empty.json", "mimeType": "application/json", "buffer": b"{}"})
    expect(due_status(page)).to_contain_text("empty.json was not imported")


def test_review_page_axe_both_palettes_after_sorting(page):
    page.goto(REVIEW)
    knew_it(page, "why-freeze-layers")
    page.reload()
    expect(page.locator(".quiz-cards > h2")).to_have_text(["Due today", "Coming up"])
    for scheme in ("default", "slate"):
        use_palette(page, scheme)
        assert axe_violations(page) == [], scheme


def test_home_page_shows_each_lessons_progress(page):
    page.goto(REVIEW)
    store(page, json.dumps({"why-freeze-layers": {"box": 3, "due": 0}, "what-freezing-means": {"box": 5, "due": 0},
                            "what-is-fine-tuning": {"box": 2, "due": 0}}))
    page.goto("")
    expect(page.locator(".quiz-progress")).to_have_count(8)  # one per lesson
    lesson_1, lesson_2 = (page.locator(f'.quiz-progress[data-items~="{item}"]') for item in ("not-a-benefit", "why-freeze-layers"))
    expect(lesson_1).to_have_text("0 of 2 cards in box 3 or higher")
    expect(lesson_2).to_have_text("2 of 2 cards in box 3 or higher")
