"""Helpers shared by the quiz widget and review page browser tests."""

import json
import re

from axe_playwright_python.base import AXE_SCRIPT

from sitebuild.quiz_bank import load_bank

KEY = "fine-tuning-quiz/v1"  # store.js's localStorage key
REVIEW = "review/"
ITEMS = sum(len(items) for items in load_bank().values())  # every item of every bank file
LESSON = "lessons/3-freezing-in-tensorflow/"  # items freeze-in-tensorflow, make-layer-non-trainable, ...


def stored(page):
    """The progress store.js keeps in localStorage, parsed."""
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "{}")


def store(page, value):
    """Put `value` (raw text) in storage and reload, as if left there by an earlier visit."""
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, value])
    page.reload()


def import_progress(page, payload, name="progress.json"):
    """Choose `payload` (bytes) as the file to import on the review page."""
    page.get_by_label("Import progress from a file").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": payload})


def use_palette(page, scheme):
    """Switch Material's palette with its own toggle until the page shows `scheme` ('default' or 'slate')."""
    for _ in range(2):
        if page.locator("body").get_attribute("data-md-color-scheme") == scheme:
            return
        page.locator("label.md-header__button[for^='__palette']:visible").click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == scheme


def axe_violations(page, within=None, rules=None):
    """axe-core's violations on the page (or only within the elements the CSS selectors `within` match; only of the
    axe rules named in `rules`), each with the elements it found.

    Every rule runs on every element; only the elements that pass go unlisted (axe's `resultTypes`): finding a unique
    selector for each of them took half of axe's time.
    """
    context = {"include": [[selector] for selector in within]} if within else None
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    if not page.evaluate("'axe' in window"):  # once per page load: parsing axe-core takes a quarter of a second
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("([context, options]) => axe.run(context ?? document, options)"
                               ".then(results => results.violations)", [context, options])
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in violations]


def follow_instant_navigation(page, site_url):
    """Let Material's instant navigation work on the test server.

    Material only navigates instantly to URLs its sitemap lists, and the sitemap lists the published URLs
    (mkdocs.yml's site_url). Serve it with this server's URLs instead, as the published site would.
    """
    def local_sitemap(route):
        response = route.fetch()
        xml = response.text()
        published_root = min(re.findall(r"<loc>([^<]+)</loc>", xml), key=len)
        route.fulfill(response=response, body=xml.replace(published_root, site_url))

    page.route("**/sitemap.xml", local_sitemap)
