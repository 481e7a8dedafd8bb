"""The quiz widget in Chromium: each kind by mouse and keyboard, feedback and its live region, scoring,
persistence, corrupt storage, no JavaScript, instant navigation, CSP, content tabs, injected markup, axe-core."""

import gzip
import json
import re
import shutil

import markdown
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from conftest import CHROMIUM_FLAGS, ROOT
from macros_env import FakeEnv
from quiz_pages import (ITEMS, KEY, LESSON, REVIEW, axe_violations, follow_instant_navigation, import_progress,
                        store, stored, use_palette)
from sitebuild import quiz, quiz_bank, quiz_html, results
from sitebuild.pages import mkdocs_config

ASSETS = ROOT / "docs" / "assets"
WIDGET = quiz.ASSETS["widget"]  # what a page with a quiz loads for it


def focused(page):
    return page.evaluate("document.activeElement.textContent.trim() || document.activeElement.id")


def test_recall_reveal_is_a_disclosure_and_grades_by_mouse(page):
    page.goto(REVIEW)
    card = page.locator("#quiz-why-freeze-layers")
    reveal = card.locator(".quiz-toggle")
    answer = card.get_by_text("We freeze layers to keep the learned features intact")
    expect(reveal).to_have_text("Click to reveal answer")
    expect(reveal).to_have_attribute("aria-expanded", "false")
    expect(answer).to_be_hidden()
    reveal.click()
    expect(reveal).to_have_attribute("aria-expanded", "true")
    expect(reveal).to_have_text("Hide answer")  # the label says what a click does now
    expect(answer).to_be_visible()
    reveal.click()
    expect(reveal).to_have_text("Click to reveal answer")
    expect(answer).to_be_hidden()
    reveal.click()
    card.get_by_role("button", name="Knew it").click()
    expect(card.get_by_role("status")).to_have_text("You knew it. Box 2, next review in 2 days.")
    assert stored(page)["why-freeze-layers"]["box"] == 2


def test_recall_by_keyboard_only(page):
    page.goto(REVIEW)
    card = page.locator("#quiz-why-freeze-layers")
    card.locator(".quiz-meta a").focus()
    page.keyboard.press("Tab")
    assert focused(page) == "Click to reveal answer"
    page.keyboard.press("Enter")
    expect(card.get_by_role("button", name="Hide answer")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "Not yet"
    page.keyboard.press("Space")
    expect(card.get_by_role("status")).to_have_text("Not yet. Box 1, next review tomorrow.")


def test_choice_checks_by_mouse_with_feedback_in_a_live_region_and_retry(page):
    page.goto(REVIEW)
    item = page.locator("#quiz-what-freezing-means")
    status = item.get_by_role("status")
    expect(status).to_have_count(1)  # the live region is there, empty, before any answer
    expect(status).to_have_text("")
    key = item.locator("button.quiz-key")
    expect(key).to_be_hidden()  # the answer key waits for a first answer
    item.get_by_label("They are removed from the model.").check()
    expect(status).to_have_text("")  # choosing alone does not submit
    item.get_by_role("button", name="Check").click()
    # What a screen reader announces: words and sentences apart, not "✗ IncorrectFrozen layers…"
    expect(status).to_have_text(re.compile(r"^✗ Incorrect\. Frozen layers stay in the model .* Lesson 7\)\. "
                                           r"Box 1, next review tomorrow\.$"))
    item.get_by_label("Their weights are not updated during training.").check()
    item.get_by_role("button", name="Check").click()
    expect(status).to_contain_text("✓ Correct")
    expect(status).to_contain_text("Freezing layers means setting them so their weights do not change")
    expect(status).not_to_contain_text("Frozen layers stay")


def test_after_a_miss_the_right_answer_and_why_are_one_click_away(page):
    page.goto(REVIEW)
    item = page.locator("#quiz-what-freezing-means")
    item.get_by_label("The data skips them to make training faster.").check()
    item.get_by_role("button", name="Check").click()
    expect(item.get_by_role("status")).to_contain_text("✗ Incorrect.")
    item.get_by_role("button", name="Show the answer and explanations").click()  # no second guess needed
    key = item.locator("button.quiz-key")
    right = item.locator("li[data-correct]")
    expect(right).to_be_visible()
    expect(right).to_contain_text("✓ Right: Their weights are not updated during training.")
    expect(right).to_contain_text("Freezing layers means setting them so their weights do not change during training.")
    expect(key).to_have_text("Hide the answer and explanations")
    expect(key).to_have_attribute("aria-expanded", "true")
    key.click()
    expect(right).to_be_hidden()
    expect(key).to_have_text("Show the answer and explanations")


def test_choice_by_keyboard_only_arrow_keys_do_not_submit(page):
    page.goto(REVIEW)
    item = page.locator("#quiz-make-layer-non-trainable")
    status = item.get_by_role("status")
    item.locator("input").first.focus()
    page.keyboard.press("ArrowDown")  # selects the second choice: `layer.freeze()`
    expect(item.locator("input").nth(1)).to_be_checked()
    ring = item.locator("input").nth(1).evaluate("input => [getComputedStyle(input).outlineStyle, "
                                                 "parseFloat(getComputedStyle(input).outlineWidth)]")
    assert ring[0] == "solid" and ring[1] >= 1, ring  # the focused option shows where the keyboard is
    expect(status).to_have_text("")
    page.keyboard.press("Tab")
    assert focused(page) == "Check"
    page.keyboard.press("Enter")
    expect(status).to_contain_text("✗ Incorrect")
    expect(status).to_contain_text("AttributeError")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(status).to_contain_text("✓ Correct")


def test_explain_keeps_the_answer_scores_concepts_and_survives_reload(page):
    page.goto(REVIEW)
    item = page.locator("#quiz-fine-tuning-steps")
    expect(item.locator(".quiz-label")).to_have_text("Your answer (kept on this device only)")
    item.get_by_label("Your answer").fill("Load a base, freeze it, add a head, train.")
    item.get_by_role("button", name="Hint").click()
    expect(item.get_by_text("Think about what you keep")).to_be_visible()
    item.get_by_role("button", name="Show key concepts").click()
    boxes = item.get_by_role("checkbox")
    expect(boxes).to_have_count(5)
    status = item.get_by_role("status")
    item.get_by_role("button", name="Record my score").click()  # nothing ticked: a miss, and it says so
    expect(status).to_have_text("Recorded: 0 of 5 concepts. Box 1, next review tomorrow.")
    for index in range(3):
        boxes.nth(index).focus()
        page.keyboard.press("Space")
    expect(boxes.nth(2)).to_be_checked()
    expect(status).to_have_text("Recorded: 0 of 5 concepts. Box 1, next review tomorrow.")  # ticks are no score
    reviewed = stored(page)["fine-tuning-steps"]["reviewed"]
    boxes.nth(3).check()
    boxes.nth(3).uncheck()
    # nor a review: an import's "more recent review" is an answer's, not a tick's
    assert stored(page)["fine-tuning-steps"]["reviewed"] == reviewed
    page.reload()
    item.get_by_role("button", name="Show key concepts").click()
    expect(item.get_by_label("Your answer")).to_have_value("Load a base, freeze it, add a head, train.")
    expect(boxes.nth(2)).to_be_checked()
    item.get_by_role("button", name="Record my score").click()
    expect(status).to_have_text("Recorded: 3 of 5 concepts. Box 1, next review tomorrow.")
    boxes.nth(3).check()
    boxes.nth(4).check()
    item.get_by_role("button", name="Record my score").click()  # every concept: a hit (not due: still box 1)
    expect(status).to_have_text("Recorded: 5 of 5 concepts. Box 1, next review tomorrow.")


def test_each_control_is_described_by_its_question(page):
    """A page holds many "Check" and "Hint" buttons: each names its question to a screen reader."""
    page.goto(REVIEW)
    explain = page.locator("#quiz-fine-tuning-steps")
    prompt = "Explain the steps involved in fine-tuning a pre-trained model using TensorFlow."
    expect(explain.get_by_label("Your answer")).to_have_accessible_description(prompt)
    for name in ("Hint", "Show key concepts", "Record my score"):
        expect(explain.get_by_role("button", name=name, include_hidden=True)).to_have_accessible_description(prompt)
    choice = page.locator("#quiz-what-freezing-means")
    question = choice.locator("legend").inner_text()
    for button in choice.get_by_role("button", include_hidden=True).all():  # Check, and the answer key's
        expect(button).to_have_accessible_description(question)
    recall = page.locator("#quiz-why-freeze-layers")
    question = recall.locator(".quiz-question").inner_text()
    for button in recall.get_by_role("button", include_hidden=True).all():  # the reveal, Knew it, Not yet
        expect(button).to_have_accessible_description(question)


END_TO_END = "lessons/8-end-to-end/"  # fine-tuning-steps (explain), why-a-test-folder (choice), 7 items in all


def answer_end_to_end(page, text, choice):
    """On END_TO_END or the review page: type `text` as the explain prompt's answer, check choice `choice`."""
    page.locator("#quiz-fine-tuning-steps textarea").fill(text)
    question = page.locator("#quiz-why-a-test-folder")
    question.locator("input").nth(choice).check()
    question.get_by_role("button", name="Check").click()


def test_back_after_full_loads_shows_the_newer_answer_not_the_form_as_it_was(page):
    """Chromium restores a page's form values on Back: not over what storage holds."""
    page.goto(END_TO_END)
    answer_end_to_end(page, "First version.", 1)  # wrong
    page.goto(REVIEW)  # a full load, as from a bookmark
    answer_end_to_end(page, "Second version.", 0)  # right
    page.go_back()
    expect(page).to_have_url(re.compile(END_TO_END + "$"))
    page.wait_for_load_state("networkidle")
    text = page.locator("#quiz-fine-tuning-steps textarea")
    expect(text).to_have_value("Second version.")
    expect(page.locator("#quiz-why-a-test-folder input").first).to_be_checked()
    expect(page.locator("#quiz-why-a-test-folder [role=status]")).to_contain_text("✓ Correct.")
    text.press("End")
    page.keyboard.type("!")
    assert stored(page)["fine-tuning-steps"]["text"] == "Second version.!"


def test_back_from_the_back_forward_cache_shows_what_storage_holds(browser, site_url):
    """Playwright turns the back/forward cache off, and the headless shell has none: the whole Chromium (Debian's,
    else Playwright's), with the cache on."""
    debian = "/usr/bin/chromium"
    full = browser.browser_type.launch(executable_path=debian if shutil.which(debian) else None, channel="chromium",
                                       args=CHROMIUM_FLAGS, ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = full.new_page(base_url=site_url)
        errors = []
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(END_TO_END)
        answer_end_to_end(page, "First version.", 1)
        page.evaluate("window.sameDocument = true")  # kept by the cache, not by a new load
        page.wait_for_load_state("networkidle")  # a request still open (Material's sitemap.xml) bars the cache
        page.goto(REVIEW)
        answer_end_to_end(page, "Second version.", 0)
        page.go_back(wait_until="commit")  # a page back from the cache fires no load event
        assert page.evaluate("window.sameDocument") is True, page.evaluate(
            "JSON.stringify(performance.getEntriesByType('navigation')[0].notRestoredReasons)")
        text = page.locator("#quiz-fine-tuning-steps textarea")
        expect(text).to_have_value("Second version.")
        expect(page.locator("#quiz-why-a-test-folder [role=status]")).to_contain_text("✓ Correct.")
        expect(page.locator(".quiz-score")).to_have_text("Answered 1 of 7; 0 right at the first try; 0 of 5 concepts.")
        # Chromium hands a page back from the cache the storage events it missed; where a browser does not, the
        # page shows what storage holds on pageshow. As if: storage changed, and no storage event came.
        page.evaluate("""key => {
            const all = JSON.parse(localStorage.getItem(key));
            all["fine-tuning-steps"].text = "Third version.";
            localStorage.setItem(key, JSON.stringify(all));  // the page that writes gets no storage event
            dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
        }""", KEY)
        expect(text).to_have_value("Third version.")
        assert errors == []
    finally:
        full.close()


def test_two_tabs_show_each_others_answers_and_save_over_none(page):
    other = page.context.new_page()
    other.on("pageerror", lambda error: page.problems.append(f"page error in the other tab: {error}"))
    for tab in (page, other):
        tab.goto(END_TO_END)
    page.locator("#quiz-fine-tuning-steps textarea").fill("Typed in the first tab.")
    text = other.locator("#quiz-fine-tuning-steps textarea")
    expect(text).to_have_value("Typed in the first tab.")
    text.press("End")
    other.keyboard.type("!")  # a keystroke in the other tab adds to the answer, not to what it showed before
    assert stored(page)["fine-tuning-steps"]["text"] == "Typed in the first tab.!"
    expect(page.locator("#quiz-fine-tuning-steps textarea")).to_have_value("Typed in the first tab.!")
    question = other.locator("#quiz-why-a-test-folder")
    question.locator("input").first.check()
    question.get_by_role("button", name="Check").click()
    expect(page.locator("#quiz-why-a-test-folder [role=status]")).to_contain_text("✓ Correct.")
    expect(page.locator("#quiz-why-a-test-folder input").first).to_be_checked()
    expect(page.locator(".quiz-score")).to_have_text("Answered 1 of 7; 1 right at the first try; 0 of 5 concepts.")


def test_corrupt_storage_is_ignored_and_valid_entries_survive(page):
    page.goto(REVIEW)
    store(page, "{not json")
    expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    store(page, '{"why-freeze-layers": {"box": 3, "due": 0, "ok": true}, "what-freezing-means": {"box": 9},'
                ' "batchnorm-after-unfreezing": "junk", "left-the-bank": {"box": 4, "due": 0},'
                ' "not-a-benefit": {"box": 1, "due": 0, "ok": false, "picks": [9]},'  # a choice the bank no longer has
                ' "fine-tuning-steps": {"box": 1, "due": 0, "ticks": [0, 8], "scored": [0, 8]}}')
    expect(page.locator("#quiz-fine-tuning-steps [role=status]")).to_have_text("Recorded: 1 of 5 concepts.")
    expect(page.locator("#quiz-not-a-benefit [role=status]")).to_have_text("")
    expect(page.locator("#quiz-why-freeze-layers").get_by_role("status")).to_have_text(
        "You knew it. Box 3, next review today.")
    page.locator("#quiz-what-freezing-means").get_by_label("They are removed from the model.").check()
    page.locator("#quiz-what-freezing-means").get_by_role("button", name="Check").click()
    progress = stored(page)
    assert progress["why-freeze-layers"]["box"] == 3 and progress["left-the-bank"]["box"] == 4
    assert progress["what-freezing-means"]["box"] == 1 and "batchnorm-after-unfreezing" not in progress
    store(page, "[1, 2]")
    expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")


def test_lesson_page_summary_counts_first_tries_across_instant_navigation(page, site_url):
    follow_instant_navigation(page, site_url)
    page.goto(LESSON)
    items = page.locator(".quiz-item")
    count = items.count()
    assert count >= 2
    card = page.locator("#quiz-freeze-in-tensorflow")  # the opening card and the end-of-page quiz share storage
    card.get_by_role("button", name="Click to reveal answer").click()
    card.get_by_role("button", name="Knew it").click()
    question = page.locator("#quiz-make-layer-non-trainable")
    question.get_by_label("layer.freeze()").check()
    question.get_by_role("button", name="Check").click()
    summary = page.locator(".quiz-summary")
    expect(summary).to_contain_text(f"Answered 2 of {count}; 1 right at the first try.")
    question.get_by_label("layer.trainable = False").check()
    question.get_by_role("button", name="Check").click()
    expect(question.get_by_role("status")).to_contain_text("✓ Correct")
    expect(summary).to_contain_text(f"Answered 2 of {count}; 1 right at the first try.")  # wrong, then right

    page.evaluate("window.sameDocument = true")  # survives instant navigation, not a full load
    page.get_by_role("link", name="Recall & Review").first.click()
    expect(page).to_have_url(re.compile(REVIEW + "$"))
    expect(page.locator("#quiz-make-layer-non-trainable").get_by_role("status")).to_contain_text("✓ Correct")
    assert page.evaluate("window.sameDocument") is True
    page.locator("#quiz-make-layer-non-trainable .quiz-meta a").click()
    expect(page).to_have_url(re.compile(LESSON + "$"))
    assert page.evaluate("window.sameDocument") is True
    expect(page.locator("#quiz-make-layer-non-trainable input").first).to_be_checked()
    expect(page.locator(".quiz-summary")).to_contain_text(f"Answered 2 of {count}; 1 right at the first try.")
    reveal = page.locator("#quiz-freeze-in-tensorflow .quiz-toggle")
    expect(reveal).to_have_count(1)  # set up once, not once per visit
    reveal.click()
    expect(reveal).to_have_attribute("aria-expanded", "true")


def test_reset_asks_first_says_what_it_resets_and_announces_it(page):
    page.goto(LESSON)
    store(page, '{"left-the-bank": {"box": 4, "due": 0}}')
    count = page.locator(".quiz-item").count()
    question = page.locator("#quiz-make-layer-non-trainable")
    question.get_by_label("layer.freeze()").check()
    question.get_by_role("button", name="Check").click()
    before = stored(page)
    asked = []

    def answer(accept):
        def reply(dialog):
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
        page.once("dialog", reply)
        page.get_by_role("button", name="Reset this page's answers").click()

    answer(accept=False)
    assert asked == [("Reset every card on this page? Each goes back to box 1, due today, and loses your choices, "
                      "ticked concepts and typed answer.")]
    expect(page.locator(".quiz-summary")).to_contain_text(f"Answered 1 of {count}; 0 right at the first try.")
    assert stored(page) == before
    answer(accept=True)
    expect(page.locator(".quiz-summary").get_by_role("status")).to_have_text(
        "Reset done: every card on this page is back in box 1, its answers cleared.")
    expect(page.locator(".quiz-summary")).to_contain_text(f"Answered 0 of {count}; 0 right at the first try.")
    expect(question.locator("input").nth(1)).not_to_be_checked()
    expect(question.get_by_role("status")).to_have_text("")
    assert stored(page) == {"left-the-bank": {"box": 4, "due": 0}}


# Storage blocked for the quiz's own scripts (docs/assets/*.js), as blocked storage or a sandboxed frame would do.
# Not for Material's: its inline script reads localStorage outside a try and would throw, which is not ours to fix.
BLOCKED_STORAGE = """
const real = Object.getOwnPropertyDescriptor(window, "localStorage").get;
Object.defineProperty(window, "localStorage", {get() {
    if (/\\/assets\\/\\w+\\.js/.test(new Error().stack)) {
        throw new DOMException("The operation is insecure.", "SecurityError");
    }
    return real.call(window);
}});"""
FULL_STORAGE = """Storage.prototype.setItem = function () {
    throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };"""
NOTICE = ("This browser can't keep your progress. Its storage is blocked or full: your answers count only until you "
          "reload or close this page. To keep them, use Export progress on the Recall & Review page.")
NOTICE_ON_REVIEW = NOTICE.replace("on the Recall & Review page.", "below.")  # not a link to the page it is on


def test_blocked_storage_keeps_progress_for_the_page_and_says_so_once(page, site_url):
    page.add_init_script(BLOCKED_STORAGE)
    follow_instant_navigation(page, site_url)
    page.goto(LESSON)
    notice = page.locator(".quiz-notice")
    expect(notice).to_have_text(NOTICE)  # told before any work is done, once for the page
    expect(notice).to_be_visible()
    count = page.locator(".quiz-item").count()
    question = page.locator("#quiz-make-layer-non-trainable")
    question.get_by_label("layer.trainable = False").check()
    question.get_by_role("button", name="Check").click()
    expect(question.get_by_role("status")).to_contain_text("✓ Correct. ")
    expect(question.get_by_role("status")).to_contain_text("Box 2, next review in 2 days.")
    expect(page.locator(".quiz-summary")).to_contain_text(f"Answered 1 of {count}; 1 right at the first try.")
    expect(page.locator(".quiz-notice:visible")).to_have_count(1)
    for scheme in ("default", "slate"):
        use_palette(page, scheme)
        assert axe_violations(page, within=[".quiz-notice", ".quiz"]) == [], scheme

    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Recall & Review").first.click()  # the same page life: the same progress
    expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator("#quiz-make-layer-non-trainable").get_by_role("status")).to_contain_text("Box 2")
    expect(page.locator(".quiz-notice:visible")).to_have_text(NOTICE_ON_REVIEW)
    explain = page.locator("#quiz-fine-tuning-steps")
    assert explain.locator(".quiz-label").inner_text() == "Your answer"  # not "kept on this device only"
    assert page.evaluate("window.sameDocument") is True

    page.once("dialog", lambda dialog: dialog.accept())  # leaving asks first (test_leaving_asks_first…)
    page.reload()  # as the notice said
    expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")


@pytest.mark.parametrize("storage", [BLOCKED_STORAGE, FULL_STORAGE], ids=["blocked", "full"])
def test_leaving_asks_first_once_progress_is_held_in_memory_only(page, site_url, storage):
    page.add_init_script(storage)
    follow_instant_navigation(page, site_url)
    page.goto(LESSON)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))  # dismissed: stay
    page.locator("#quiz-make-layer-non-trainable").get_by_label("layer.freeze()").check()
    page.reload()  # nothing recorded: nothing to lose, nothing asked
    assert asked == []
    expect(page.locator(".quiz-item:not([data-ready])")).to_have_count(0)
    question = page.locator("#quiz-make-layer-non-trainable")
    question.get_by_label("layer.freeze()").check()
    question.get_by_role("button", name="Check").click()
    with pytest.raises(PlaywrightTimeoutError):
        page.reload(timeout=2000)  # the reader said stay: no reload
    assert asked == ["beforeunload"]
    expect(question.get_by_role("status")).to_contain_text("✗ Incorrect.")  # the work is still there
    page.locator(".quiz-notice").get_by_role("link", name="Recall & Review").click()  # as the notice says
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    assert json.loads(open(download.value.path()).read())["items"]["make-layer-non-trainable"]["picks"] == [1]
    assert asked == ["beforeunload"]  # instant navigation: the same page life, nothing lost, nothing asked


def test_an_import_held_in_memory_only_asks_before_leaving(page):
    page.add_init_script(BLOCKED_STORAGE)
    page.goto(REVIEW)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))  # dismissed: stay
    items = {"why-freeze-layers": {"box": 2, "due": 3}}
    import_progress(page, json.dumps({"format": "fine-tuning-quiz-progress", "version": 1, "items": items}).encode())
    expect(page.locator(".quiz-review-status")).to_contain_text("Stored nothing from progress.json")
    with pytest.raises(PlaywrightTimeoutError):
        page.reload(timeout=2000)
    assert asked == ["beforeunload"]


def test_full_storage_keeps_progress_for_the_page_and_never_says_it_was_stored(page):
    page.goto(REVIEW)
    earlier = '{"why-freeze-layers": {"box": 3, "due": 0, "ok": true}}'
    store(page, earlier)  # an earlier visit's progress, readable
    page.add_init_script(FULL_STORAGE)
    page.reload()
    notice = page.locator(".quiz-notice")
    expect(notice).to_be_visible()  # known at load (a write of what storage holds failed), before any work
    expect(notice).to_have_text(NOTICE_ON_REVIEW)
    assert page.locator("#quiz-fine-tuning-steps .quiz-label").inner_text() == "Your answer"
    expect(page.locator("#quiz-why-freeze-layers").get_by_role("status")).to_have_text(
        "You knew it. Box 3, next review today.")  # what it holds still shows
    question = page.locator("#quiz-what-freezing-means")
    question.get_by_label("Their weights are not updated during training.").check()
    question.get_by_role("button", name="Check").click()
    expect(question.get_by_role("status")).to_contain_text("Box 2, next review in 2 days.")
    expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS - 1} of {ITEMS} cards due today.")
    expect(page.locator("#quiz-why-freeze-layers").get_by_role("status")).to_contain_text("Box 3")  # not lost
    page.locator("#quiz-fine-tuning-steps textarea").fill("Mine.")
    assert page.locator("#quiz-fine-tuning-steps .quiz-label").inner_text() == "Your answer"
    expect(page.locator(".quiz-notice")).to_have_count(1)

    exported = {"format": "fine-tuning-quiz-progress", "version": 1,
                "items": {"batchnorm-after-unfreezing": {"box": 4, "due": 0}}}
    import_progress(page, json.dumps(exported).encode())
    expect(page.locator(".quiz-review-status")).to_have_text(
        "Stored nothing from progress.json: this browser can't keep progress, so what it holds (1 card) counts only "
        f"until you reload or close this page. {ITEMS - 1} of {ITEMS} cards due today.")
    assert stored(page) == json.loads(earlier)  # nothing said to be kept was, nothing kept was lost


def test_without_javascript_every_answer_explanation_and_concept_is_readable(browser, site_url):
    context = browser.new_context(base_url=site_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(REVIEW)
    buttons = page.locator(":is(.quiz-item, .quiz-summary, .quiz-tools) button")
    assert buttons.count() > 0
    expect(page.locator(":is(.quiz-item, .quiz-summary, .quiz-tools) button:visible")).to_have_count(0)  # none dead
    # What a button reveals with JavaScript shows without a click.
    expect(page.get_by_text("We freeze layers to keep the learned features intact")).to_be_visible()
    expect(page.get_by_text("Frozen layers stay in the model")).to_be_visible()
    expect(page.get_by_text("Train the new head on your data.")).to_be_visible()
    expect(page.locator("#quiz-what-freezing-means [data-correct]")).to_contain_text(
        "Their weights are not updated during training.")
    assert page.locator("#quiz-fine-tuning-steps .quiz-label").inner_text() == "Your answer"  # nothing is kept
    context.close()


def test_lesson_page_axe_finds_no_violations_in_either_palette(page):  # the review page: test_review.py
    page.goto("lessons/2-why-freeze-layers/")  # one lesson stands for all: axe takes seconds per page
    item = page.locator(".quiz-choice").first
    item.locator("input").first.check()
    item.get_by_role("button", name="Check").click()
    page.locator(".quiz-recall").first.get_by_role("button", name="Click to reveal answer").click()
    for scheme in ("default", "slate"):
        use_palette(page, scheme)
        assert axe_violations(page, within=[".quiz-notice", ".quiz"]) == [], scheme


def _fixture_page(body, headers=None):
    """A route handler serving a bare page (no Material) around `body`."""
    def serve(route):
        route.fulfill(content_type="text/html", headers=headers or {},
                      body=f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiz fixture</title>'
                           f'</head><body><main>{body}</main></body></html>')
    return serve


def _site_markdown():
    """The Markdown extensions and settings of mkdocs.yml (read directly: load_config imports every plugin)."""
    entries = mkdocs_config()["markdown_extensions"]
    names = [entry if isinstance(entry, str) else next(iter(entry)) for entry in entries]
    settings = {name: config for entry in entries if isinstance(entry, dict) for name, config in entry.items()}
    return {"extensions": names, "extension_configs": settings}


def _macros_for(url):
    """The page macros as they would run for a page at `url`."""
    env = FakeEnv(url + "index.md", url=url)
    results.register_macros(env)  # the bank's questions about the prebuilt run show its results
    return quiz.Quizzes(env, quiz_bank.load_bank())


def test_quiz_inside_content_tabs_under_a_self_only_csp(page, site_url):
    fragment = _macros_for("fixture/csp/").quiz("why-freeze-layers")
    tabs = markdown.markdown('=== "Read"\n\n    Some text.\n\n=== "Quiz"\n\n    ' + fragment, **_site_markdown())
    assert re.search(r'<div class="tabbed-block">\s*(<p>)?' + re.escape(fragment), tabs)  # a browser drops the <p>
    csp = {"Content-Security-Policy": "default-src 'self'"}
    page.route(site_url + "fixture/csp/", _fixture_page(tabs, csp))
    page.goto("fixture/csp/")  # a blocked inline script or handler would fail the test (console error)
    item = page.locator("#quiz-what-freezing-means")
    item.get_by_label("Their weights are not updated during training.").check()
    item.get_by_role("button", name="Check").click()
    expect(item.get_by_role("status")).to_contain_text("✓ Correct")
    count = len(quiz_bank.load_bank()["why-freeze-layers"])
    expect(page.locator(".quiz-summary")).to_contain_text(f"Answered 1 of {count}; 1 right at the first try.")


def test_script_in_the_bank_renders_as_text_and_runs_nothing(page, site_url):
    attack = {"id": "attack", "kind": "recall", "level": "beginner",
              "question": "<script>window.pwned = 1</script> [x](javascript:window.pwned=1)",
              "answer": '<img src="x" onerror="window.pwned = 1"> <b onclick="window.pwned = 1">bold</b>'}
    macros = _macros_for("fixture/xss/")
    body = macros.assets("widget") + quiz_html.render_item(attack)
    page.route(site_url + "fixture/xss/", _fixture_page(body))
    page.on("dialog", lambda dialog: page.problems.append(f"dialog: {dialog.message}"))
    page.goto("fixture/xss/")
    card = page.locator("#quiz-attack")
    card.get_by_role("button", name="Click to reveal answer").click()
    expect(card.locator(".quiz-question")).to_contain_text("<script>window.pwned = 1</script>")
    expect(card).to_contain_text('<b onclick="window.pwned = 1">bold</b>')
    card.get_by_text("x", exact=True).click()
    assert page.evaluate("window.pwned") is None
    assert card.locator("script, img, b, [onclick], [href^='javascript']").count() == 0


def test_assets_are_small_and_only_on_pages_with_a_quiz(built_site):
    size = sum(len(gzip.compress((ASSETS / name).read_bytes(), 9)) for name in WIDGET)
    assert size <= 4096, f"{' + '.join(WIDGET)} are {size} bytes gzipped"
    pages = list(built_site.rglob("*.html"))
    with_quiz = [p for p in pages if 'class="quiz-item' in p.read_text()]
    assert len(with_quiz) >= 10  # nine lessons and the review page
    for html_page in pages:
        text = html_page.read_text()
        assert ("assets/quiz.js" in text) == ('class="quiz-item' in text), html_page
        assert ("assets/store.js" in text) == ('class="quiz-item' in text or 'class="quiz-progress' in text), html_page
    for html_page in with_quiz:  # no inline event handlers in what the quiz renders (CSP: see the test above)
        quiz_part = html_page.read_text().split('class="quiz', 1)[1]
        assert not re.search(r"<[^>]+\son[a-z]+=", quiz_part.split('<footer', 1)[0]), html_page


def test_each_feature_loads_every_module_its_scripts_import():
    """So the browser fetches them at once, and `make bench` weighs what a page really loads."""
    for feature, names in quiz.ASSETS.items():
        for name in (name for name in names if name.endswith(".js")):
            imported = re.findall(r'^import .* from "\./([\w.]+)";$', (ASSETS / name).read_text(), re.MULTILINE)
            assert set(imported) <= set(names), f"{feature}: {name} imports {imported}"
    assert "store.js" in re.findall(r'from "\./([\w.]+)"', (ASSETS / "quiz.js").read_text())


def test_multiple_answer_choice_uses_checkboxes_and_needs_every_correct_one(page, site_url):
    several = {"id": "several", "kind": "choice", "level": "advanced", "multiple": True,
               "question": "Which calls freeze every layer of `base`?",
               "choices": [{"text": "`base.trainable = False`", "correct": True, "explanation": "It recurses."},
                           {"text": "`for layer in base.layers: layer.trainable = False`", "correct": True,
                            "explanation": "Layer by layer."},
                           {"text": "`base.compile()`", "explanation": "Compiling freezes nothing."}]}
    body = _macros_for("fixture/multiple/").assets("widget") + quiz_html.render_item(several)
    page.route(site_url + "fixture/multiple/", _fixture_page(body))
    page.goto("fixture/multiple/")
    item = page.locator("#quiz-several")
    expect(item.get_by_role("checkbox")).to_have_count(3)
    item.get_by_role("checkbox").first.check()
    item.get_by_role("button", name="Check").click()
    expect(item.get_by_role("status")).to_contain_text("✗ Not complete: 1 of 2 right answers.")
    item.get_by_role("checkbox").nth(2).check()
    item.get_by_role("button", name="Check").click()
    expect(item.get_by_role("status")).to_contain_text("✗ Incorrect")
    item.get_by_role("checkbox").nth(2).uncheck()
    item.get_by_role("checkbox").nth(1).check()
    item.get_by_role("button", name="Check").click()
    expect(item.get_by_role("status")).to_contain_text("✓ Correct")
    expect(item.get_by_role("status")).to_contain_text("It recurses. Layer by layer.")


NOTEBOOK = "notebooks/1-what-is-fine-tuning/"
LATE_ARRIVALS = [(start, target, script) for start, target in [(NOTEBOOK, LESSON), ("", REVIEW), (NOTEBOOK, REVIEW)]
                 for script in ("store.js", "quiz.js", "review.js")]


@pytest.mark.parametrize("start, target, script", LATE_ARRIVALS)
def test_scripts_arriving_late_under_instant_navigation(page, site_url, start, target, script):
    """Material re-inserts a page's scripts together and runs them as they arrive: any order must work."""
    follow_instant_navigation(page, site_url)
    page.goto(start)
    page.wait_for_load_state("networkidle")  # Material navigates instantly once it has the sitemap
    page.evaluate("window.sameDocument = true")  # survives instant navigation, not a full load

    def late(route):
        page.wait_for_timeout(150)
        route.continue_()

    page.route(f"**/assets/{script}", late)
    page.locator(f'a[href$="/{target}"]').first.dispatch_event("click")  # nav entries may be folded away
    expect(page).to_have_url(re.compile(target + "$"))
    items = page.locator(".quiz-item")
    expect(items.first).to_have_attribute("data-ready", "1")
    expect(page.locator(".quiz-item:not([data-ready])")).to_have_count(0)
    if target == REVIEW:
        expect(page.locator(".quiz-review-status")).to_have_text(f"{ITEMS} of {ITEMS} cards due today.")
    else:
        expect(page.locator(".quiz-summary")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    page.wait_for_timeout(300)  # any error from a late script has surfaced
