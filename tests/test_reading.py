"""Reading in the browser, at 1280×800 and 390×844, in both palettes: snippet outputs, legible code text, a
desktop code block's width in characters, and axe-core on every page of the built site (Material's code-copy
buttons included)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from quiz_pages import follow_instant_navigation, use_palette

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LINE = 79  # characters a shown code line may hold (the snippets and stored outputs keep to it)
LEGIBLE_PX = 12  # Lighthouse's font-size audit: text under 12 px is not legible


def site_pages(built_site):
    """Every page of the built site, as a URL relative to the site's root."""
    return sorted("" if index.parent == built_site else f"{index.parent.relative_to(built_site)}/"
                  for index in built_site.glob("**/index.html"))


def pages_with(built_site, marker):
    return [url for url in site_pages(built_site) if marker in (built_site / url / "index.html").read_text()]


# The palettes differ only in colour: every rule runs in the light one, axe's colour rules in the dark one too.
COLOUR_RULES = {"runOnly": ["color-contrast", "link-in-text-block"]}


def test_every_page_passes_axe_in_both_palettes_code_copy_buttons_included(page, built_site):
    page.set_viewport_size(DESKTOP)
    copy_buttons = 0
    for url in site_pages(built_site):
        page.goto(url)
        copy_buttons += page.locator(".md-code__nav").count()
        for scheme, options in (("default", None), ("slate", COLOUR_RULES)):
            use_palette(page, scheme)
            violations = Axe().run(page, options=options).response["violations"]  # nothing excluded
            assert [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations] == [], (url, scheme)
    assert copy_buttons > 0  # the copy buttons were on the pages axe checked


def test_code_copy_buttons_are_no_landmarks_after_instant_navigation(page, site_url):
    follow_instant_navigation(page, site_url)
    page.goto("lessons/1-what-is-fine-tuning/")
    page.locator("a.md-footer__link--next").click()  # Material swaps the page in without reloading it
    page.wait_for_url("**/lessons/2-*/")
    assert page.locator(".md-code__nav").count() > 1
    results = Axe().run(page, options={"runOnly": ["landmark-unique"]}).response
    assert results["violations"] == []


# Characters of `root`'s text that are off screen, clipped or under another element (the copy button), after
# scrolling each line to the middle of the viewport (clear of the sticky header).
HIDDEN_CHARACTERS = """(root) => {
    const hidden = [], range = document.createRange(), walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        for (let i = 0; i < node.length; i++) {
            if (!node.data[i].trim()) continue;
            range.setStart(node, i); range.setEnd(node, i + 1);
            let box = range.getBoundingClientRect();
            if (box.top < innerHeight / 3 || box.bottom > innerHeight * 2 / 3) {
                scrollBy(0, box.top - innerHeight / 2);
                box = range.getBoundingClientRect();
            }
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const shown = box.left >= 0 && box.right <= innerWidth && root.contains(document.elementFromPoint(x, y));
            if (!shown) hidden.push(node.data.slice(Math.max(0, i - 20), i + 20));
        }
    }
    return hidden;
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_character_of_every_output_is_on_screen_and_uncovered(page, built_site, viewport):
    page.set_viewport_size(viewport)
    checked = 0
    for url in pages_with(built_site, 'class="snippet-output"'):
        page.goto(url)
        for output in page.locator("pre.snippet-output > code").all():
            if output.is_visible():
                hidden = output.evaluate(HIDDEN_CHARACTERS)
                assert hidden == [], (url, hidden[:3])
                checked += 1
    assert checked > 10


SMALL_TEXT = f"""() => {{
    const small = new Set(), walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {{
        const element = node.parentElement;
        if (!node.data.trim() || !element.getClientRects().length) continue;
        const size = parseFloat(getComputedStyle(element).fontSize);
        if (size < {LEGIBLE_PX}) small.add(`${{element.tagName}} ${{size}}px: ${{node.data.trim().slice(0, 30)}}`);
    }}
    return [...small];
}}"""

# How many characters of a code block's own font fit on its first lines (beside the copy button) and on the
# lines below, measured by filling the block with long lines of zeros; the block's text is put back after.
CODE_CAPACITY = """(code) => {
    const saved = code.innerHTML, range = document.createRange();
    code.textContent = "0".repeat(200) + "\\n" + "0".repeat(200) + "\\n" + "0".repeat(200);
    code.scrollIntoView({block: "center"});
    const text = code.firstChild, lines = [];
    for (let start = 0; start < text.length; start = text.data.indexOf("\\n", start) + 1 || text.length) {
        range.setStart(text, start); range.setEnd(text, start + 1);
        const top = range.getBoundingClientRect().top, right = code.getBoundingClientRect().right;
        let fit = 0;
        for (let i = start; text.data[i] === "0"; i++, fit++) {
            range.setStart(text, i); range.setEnd(text, i + 1);
            const box = range.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            if (Math.abs(box.top - top) > 1 || box.right > right || !code.contains(document.elementFromPoint(x, y)))
                break;
        }
        lines.push(fit);
    }
    code.innerHTML = saved;
    return lines;
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_code_text_is_legible_and_a_desktop_code_line_holds_79_characters(page, built_site, viewport):
    page.set_viewport_size(viewport)
    blocks = 0
    for url in site_pages(built_site):
        page.goto(url)
        assert page.evaluate(SMALL_TEXT) == [], url
        if viewport is DESKTOP:
            for code in page.locator(".md-content pre > code").all():
                if code.is_visible():
                    assert min(code.evaluate(CODE_CAPACITY)) >= LINE, (url, code.inner_text()[:80])
                    blocks += 1
    assert viewport is PHONE or blocks > 10
