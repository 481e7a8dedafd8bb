"""The built site: a strict build, the home page's backends, lesson 8's example folders as the data module makes
them, the published base model, search, and builds that fail on a broken link or a missing snippet. (Every page
loads cleanly in Chromium: tests/test_reading.py.)"""

import json
import re

from conftest import ROOT, build_site, copy_of_checkout
from sitebuild import data, reader


def test_build_is_strict_and_complete(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "sitemap.xml").is_file()


def test_home_page_names_the_tested_backends_and_their_versions(built_site):
    text = re.sub(r"<[^>]+>|\s+", " ", (built_site / "index.html").read_text(encoding="utf-8"))
    versions = reader.tested_versions()
    assert f"Keras {versions['keras']} on two backends: TensorFlow {versions['tensorflow']} and JAX " \
           f"{versions['jax']}" in text


def test_lesson_8_says_what_its_example_folders_hold(built_site):
    html = (built_site / "lessons" / "8-end-to-end" / "index.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    said = re.search(r"Fashion-MNIST pictures: (.+?) in my_images .*? and (\d+) of each class in my_test_images", text)
    assert said, "lesson 8 no longer says what its example folders hold"
    counts = {name: int(count) for count, name in re.findall(r"(\d+) ([a-z ]+?)s\b", said[1])}
    assert counts == {name.replace("_", " "): count for name, count in data.EXAMPLE_IMAGES.items()}
    assert {int(said[2])} == set(data.EXAMPLE_TEST_IMAGES.values())


def test_base_model_and_snippets_are_published(built_site):
    for path in [*(ROOT / "models").glob("*.keras"), *(ROOT / "snippets").glob("*.py")]:
        assert (built_site / path.parent.name / path.name).read_bytes() == path.read_bytes()
    lesson = (built_site / "lessons" / "8-end-to-end" / "index.html").read_text()
    assert '<a download href="../../snippets/l8_end_to_end.py">' in lesson


def test_search_finds_each_sentence_once_on_the_home_page_or_its_lesson(built_site):
    """The notebooks, the review page and the evidence page repeat the lessons' text: they stay out of the index
    every page loads."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = {entry["location"].split("#")[0] for entry in index["docs"]}
    lessons = {f"lessons/{page.stem}/" for page in (ROOT / "docs" / "lessons").glob("*.md")}
    assert indexed == {""} | lessons


def test_each_entry_of_a_page_s_contents_leads_to_its_heading(built_site):
    """mkdocs-jupyter dropped a heading's inline code from a notebook page's contents, and linked the entry to an id
    no heading had (sitebuild/hooks.py mends it)."""
    for path in built_site.glob("**/index.html"):
        page = path.read_text(encoding="utf-8")
        headings = {anchor: re.sub(r"<[^>]+>|¶|&para;", "", text).strip() for anchor, text in
                    re.findall(r'<h[1-6] id="([^"]+)"[^>]*>(.*?)</h[1-6]>', page, re.DOTALL)}
        for anchor, title in re.findall(r'<a href="#([^"]+)" class="md-nav__link">\s*<span class="md-ellipsis">'
                                        r"\s*(.*?)\s*</span>", page, re.DOTALL):
            assert anchor in headings, (path.relative_to(built_site).as_posix(), anchor)
            assert re.sub(r"<[^>]+>", "", title) == headings[anchor], (path.relative_to(built_site).as_posix(), title)


def test_broken_link_fails_the_build(tmp_path):
    """Bad input: a broken link must fail `make test`, naming the page."""
    copy = copy_of_checkout(tmp_path / "repo")
    (copy / "docs" / "index.md").write_text("# Home\n\nSee [nowhere](missing-page.md).\n")
    result = build_site(tmp_path / "site", config=str(copy / "mkdocs.yml"))
    assert result.returncode != 0
    assert re.search(r"index\.md.*missing-page\.md", result.stderr), result.stderr[-2000:]


def test_missing_snippet_include_fails_the_build(tmp_path):
    copy = copy_of_checkout(tmp_path / "repo")
    (copy / "docs" / "index.md").write_text('# Home\n\n```python\n--8<-- "snippets/no_such_file.py"\n```\n')
    result = build_site(tmp_path / "site", config=str(copy / "mkdocs.yml"))
    assert result.returncode != 0
    assert "no_such_file.py" in result.stderr, result.stderr[-2000:]
