"""The Recall & Review page in Chromium: Leitner scheduling over simulated days, lesson answers counting,
export and import, refused imports, keyboard-only use, axe-core, and the home page's progress."""

import json
import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from quiz_pages import (ITEMS, LESSON, REVIEW, axe_violations, follow_instant_navigation, import_progress, store,
                        stored, use_palette)
from sitebuild.pages import lesson_pages
from sitebuild.quiz_bank import load_bank

START = datetime(2026, 3, 2, 9, 0)
DUE = "To review today"  # the first heading: answered cards stay under it


def due_status(page):
    return page.locator(".quiz-review-status")


def on_day(page, day):
    """Reload the review page `day` days after START."""
    page.clock.set_fixed_time(START + timedelta(days=day))
    page.goto(REVIEW)


def knew_it(page, item_id, knew=True):
    card = page.locator(f"#quiz-{item_id}")
    reveal = card.locator(".quiz-toggle")
    if reveal.get_attribute("aria-expanded") == "false":
        reveal.click()
    card.get_by_role("button", name="Knew it" if knew else "Not yet").click()


def test_leitner_boxes_over_simulated_days(page):
    on_day(page, 0)
    expect(due_status(page)).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    expect(page.locator(".quiz-cards > h2")).to_have_text([DUE])
    knew_it(page, "why-freeze-layers")  # box 1 -> 2: back in 2 days
    expect(due_status(page)).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator(".quiz-cards > h2")).to_have_text([DUE])  # the card stays put: the heading still holds
    knew_it(page, "why-freeze-layers")  # not due yet: a second hit the same day changes nothing
    assert stored(page)["why-freeze-layers"]["box"] == 2

    on_day(page, 1)
    expect(due_status(page)).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator(".quiz-cards > h2")).to_have_text([DUE, "Coming up"])
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
    expect(page.locator("#quiz-make-layer-non-trainable [role=status]")).to_contain_text(
        "Box 2, next review in 2 days.")
    knew_it(page, "freeze-in-tensorflow", knew=False)
    page.locator("#quiz-freeze-in-tensorflow .quiz-meta a").click()
    expect(page).to_have_url(re.compile(LESSON + "$"))
    expect(page.locator("#quiz-freeze-in-tensorflow [role=status]")).to_have_text(
        "Not yet. Box 1, next review tomorrow.")
    assert page.evaluate("window.sameDocument") is True


def _export(page):
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    return json.loads(open(download.value.path()).read())


def _progress_file(items):
    return json.dumps({"format": "fine-tuning-quiz-progress", "version": 1, "items": items}).encode()


def test_export_clear_import_round_trip_keeps_every_card_of_the_site(page):
    page.goto(REVIEW)
    store(page, '{"left-the-bank": {"box": 4, "due": 1}}')  # kept in storage though no page shows it
    knew_it(page, "why-freeze-layers")
    page.locator("#quiz-fine-tuning-steps textarea").fill("My own answer.")
    before = stored(page)
    exported = _export(page)
    assert exported == {"format": "fine-tuning-quiz-progress", "version": 1, "items": before}
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(due_status(page)).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    import_progress(page, json.dumps(exported).encode())
    expect(due_status(page)).to_have_text(f"Imported 2 cards from progress.json. Ignored 1 card this site doesn't "
                                          f"have. {ITEMS - 1} of {ITEMS} cards due today.")
    del before["left-the-bank"]
    assert stored(page) == before
    expect(page.locator("#quiz-fine-tuning-steps textarea")).to_have_value("My own answer.")


def test_import_merges_entries_without_times_keeping_the_further_state_and_the_text(page):
    """Entries stored before review and edit times were kept."""
    page.goto(REVIEW)
    store(page, json.dumps({"why-freeze-layers": {"box": 3, "due": 5},
                            "batchnorm-after-unfreezing": {"box": 1, "due": 5},
                            "why-better-than-scratch": {"box": 1, "due": 5, "text": "Mine."}}))
    items = {"why-freeze-layers": {"box": 2, "due": 9}, "batchnorm-after-unfreezing": {"box": 4, "due": 2},
             "fine-tuning-steps": {"box": 2, "due": 3}, "why-better-than-scratch": {"box": 2, "due": 6}}
    import_progress(page, _progress_file(items))
    expect(due_status(page)).to_have_text(f"Imported 3 cards from progress.json. Already up to date here: 1 card. "
                                          f"{ITEMS} of {ITEMS} cards due today.")
    assert stored(page) == {"why-freeze-layers": {"box": 3, "due": 5},
                            "batchnorm-after-unfreezing": {"box": 4, "due": 2},
                            "fine-tuning-steps": {"box": 2, "due": 3},
                            "why-better-than-scratch": {"box": 2, "due": 6, "text": "Mine."}}  # not emptied
    expect(page.locator("#quiz-why-better-than-scratch textarea")).to_have_value("Mine.")


def test_import_merges_per_card_the_more_recent_review_and_the_newer_text(page):
    page.goto(REVIEW)
    now, hour = page.evaluate("Date.now()"), 3_600_000
    mine = {
        "why-freeze-layers": {"box": 3, "due": 5},  # stored without times: older than any entry with
        "what-freezing-means": {"box": 2, "due": 7, "ok": True, "first": True, "picks": [0],
                                "reviewed": now - 2 * hour},
        "fine-tuning-steps": {"box": 2, "due": 6, "ok": False, "first": False, "ticks": [0], "reviewed": now - 3 * hour,
                              "text": "Mine, newer.", "edited": now - hour},
        "why-better-than-scratch": {"box": 1, "due": 6, "text": "Mine, older.", "edited": now - 5 * hour},
        "batchnorm-after-unfreezing": {"box": 4, "due": 9, "reviewed": now - hour},
    }
    theirs = {
        "why-freeze-layers": {"box": 1, "due": 8, "ok": False, "first": False, "reviewed": now - 4 * hour},
        "what-freezing-means": {"box": 1, "due": 8, "ok": False, "first": False, "picks": [1],
                                "reviewed": now - 3 * hour},  # an older review: mine stays
        "fine-tuning-steps": {"box": 3, "due": 9, "ok": True, "first": False, "ticks": [0, 1, 2, 3, 4],
                              "scored": [0, 1, 2, 3, 4],
                              "reviewed": now - 2 * hour},  # a newer review without text: my newer text stays
        "why-better-than-scratch": {"box": 1, "due": 6, "text": "Theirs, newer.", "edited": now - 4 * hour},
        "batchnorm-after-unfreezing": {"box": 4, "due": 9, "reviewed": now - hour},
        "left-the-bank": {"box": 5, "due": 9}, "never-in-the-bank": "anything",  # ignored, whatever they hold
    }
    store(page, json.dumps(mine))
    import_progress(page, _progress_file(theirs))
    expect(due_status(page)).to_have_text(
        "Imported 4 cards from progress.json. The file's newer typed answer replaced yours on 1 card. Already up "
        f"to date here: 1 card. Ignored 2 cards this site doesn't have. {ITEMS} of {ITEMS} cards due today.")
    assert stored(page) == {
        "why-freeze-layers": theirs["why-freeze-layers"],
        # my review is the more recent, but the first try there was wrong: not right at the first try
        "what-freezing-means": {**mine["what-freezing-means"], "first": False},
        "fine-tuning-steps": {**theirs["fine-tuning-steps"], "text": "Mine, newer.", "edited": now - hour},
        "why-better-than-scratch": theirs["why-better-than-scratch"],
        "batchnorm-after-unfreezing": mine["batchnorm-after-unfreezing"],
    }
    expect(page.locator("#quiz-fine-tuning-steps textarea")).to_have_value("Mine, newer.")
    expect(page.locator("#quiz-fine-tuning-steps [role=status]")).to_have_text(
        "Recorded: 5 of 5 concepts. Box 3, next review today.")


def test_an_import_sorts_the_list_anew_in_lesson_order(page):
    """A card the file makes due joins today's list in its lesson's place, not at its end."""
    page.goto(REVIEW)
    order = page.locator(".quiz-cards > .quiz-item").evaluate_all("cards => cards.map(card => card.id)")
    first, last = order[0].removeprefix("quiz-"), order[-1].removeprefix("quiz-")
    store(page, json.dumps({first: {"box": 2, "due": 10**6}}))  # not due: after today's list
    page.reload()
    expect(page.locator(".quiz-cards > .quiz-item").last).to_have_id(f"quiz-{first}")
    now = page.evaluate("Date.now()")
    # a due date an import accepts (within 17 days), in store.js's days
    later = page.evaluate("Math.floor((Date.now() - new Date().getTimezoneOffset() * 6e4) / 864e5) + 10")
    import_progress(page, _progress_file({first: {"box": 1, "due": 0, "reviewed": now},
                                          last: {"box": 2, "due": later, "reviewed": now}}))
    expect(page.locator(".quiz-cards > h2")).to_have_text([DUE, "Coming up"])
    expect(page.locator(".quiz-cards > .quiz-item").first).to_have_id(f"quiz-{first}")
    expect(page.locator(".quiz-cards > .quiz-item").last).to_have_id(f"quiz-{last}")


def test_import_ignores_and_counts_ids_the_bank_does_not_have(page):
    page.goto(REVIEW)
    unknown = {f"not-in-the-bank-{n}": {"box": 1, "due": 0} for n in range(20_000)}
    import_progress(page, _progress_file({**unknown, "why-freeze-layers": {"box": 2, "due": 3}}), name="many.json")
    expect(due_status(page)).to_have_text(f"Imported 1 card from many.json. Ignored 20000 cards this site doesn't "
                                          f"have. {ITEMS} of {ITEMS} cards due today.")
    assert stored(page) == {"why-freeze-layers": {"box": 2, "due": 3}}


def test_bad_imports_say_why_and_change_nothing(page):
    page.goto(REVIEW)
    store(page, '{"why-freeze-layers": {"box": 3, "due": 5}}')
    today = page.evaluate("Math.floor((Date.now() - new Date().getTimezoneOffset() * 6e4) / 864e5)")
    now = page.evaluate("Date.now()")
    foreign = {"format": "something-else", "version": 1, "items": {}}
    cases = [
        (b"{not json", "it is not valid JSON"),
        (json.dumps(foreign).encode(), "it is not a progress file exported from this site"),
        (json.dumps([1, 2]).encode(), "it is not a progress file exported from this site"),
        (_progress_file({"why-freeze-layers": {"box": 7}}), "the entry for \u201cwhy-freeze-layers\u201d is malformed"),
        (_progress_file({"what-freezing-means": {"box": 2, "due": today + 99_999_999}}),
         "the entry for \u201cwhat-freezing-means\u201d has an impossible date"),
        (_progress_file({"what-freezing-means": {"box": 2, "due": today + 18}}),  # 16 days is the longest wait
         "the entry for \u201cwhat-freezing-means\u201d has an impossible date"),
        (_progress_file({"what-freezing-means": {"box": 2, "due": today, "reviewed": now + 7 * 864e5}}),
         "the entry for \u201cwhat-freezing-means\u201d has an impossible date"),
        (b" " * 1_000_001, "it is larger than any progress file (1 MB)"),
    ]
    for payload, reason in cases:
        import_progress(page, payload, name="bad.json")
        expect(due_status(page)).to_have_text(f"bad.json was not imported: {reason}. Nothing was changed.")
        assert stored(page) == {"why-freeze-layers": {"box": 3, "due": 5}}
    import_progress(page, _progress_file({"what-freezing-means": {"box": 5, "due": today + 16}}), name="good.json")
    expect(due_status(page)).to_contain_text("Imported 1 card from good.json.")


def test_review_lists_cards_in_lesson_order_due_ones_first(page):
    on_day(page, 0)
    links = page.locator(".quiz-cards > .quiz-item .quiz-meta a")
    lesson_of = "links => links.map(link => +link.pathname.match(/lessons\\/(\\d+)-/)[1])"
    lessons = links.evaluate_all(lesson_of)
    assert lessons[0] == 1 and lessons == sorted(lessons) and set(lessons) == set(range(1, len(lesson_pages()) + 1))
    knew_it(page, "what-is-fine-tuning")  # lesson 1's card, due again in 2 days
    on_day(page, 1)
    lessons = links.evaluate_all(lesson_of)
    assert lessons[:-1] == sorted(lessons[:-1]) and lessons[-1] == 1, lessons
    expect(page.locator(".quiz-cards > .quiz-item").first).to_have_id("quiz-not-a-benefit")
    expect(page.locator(".quiz-cards > .quiz-item").last).to_have_id("quiz-what-is-fine-tuning")


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
    expect(page.locator(".quiz-cards > h2")).to_have_text([DUE, "Coming up"])
    for scheme in ("default", "slate"):
        use_palette(page, scheme)
        assert axe_violations(page) == [], scheme


def test_home_page_shows_each_lessons_progress(page):
    page.goto(REVIEW)
    store(page, json.dumps({"why-freeze-layers": {"box": 3, "due": 0}, "what-freezing-means": {"box": 5, "due": 0},
                            "what-is-fine-tuning": {"box": 2, "due": 0}}))
    page.goto("")
    expect(page.locator(".quiz-progress")).to_have_count(len(lesson_pages()))  # one per lesson
    lesson_1, lesson_2 = (page.locator(f'.quiz-progress[data-items~="{item}"]')
                          for item in ("not-a-benefit", "why-freeze-layers"))
    bank = load_bank()
    expect(lesson_1).to_have_text(f"0 of {len(bank['what-is-fine-tuning'])} cards in box 3 or higher")
    expect(lesson_2).to_have_text(f"2 of {len(bank['why-freeze-layers'])} cards in box 3 or higher")
