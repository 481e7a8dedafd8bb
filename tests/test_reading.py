"""Reading in the browser: axe-core on every page of the built site in both palettes (Material's code-copy
buttons included)."""

from axe_playwright_python.sync_playwright import Axe

from quiz_pages import follow_instant_navigation, use_palette

DESKTOP = {"width": 1280, "height": 800}


def site_pages(built_site):
    """Every page of the built site, as a URL relative to the site's root."""
    return sorted("" if index.parent == built_site else f"{index.parent.relative_to(built_site)}/"
                  for index in built_site.glob("**/index.html"))


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
