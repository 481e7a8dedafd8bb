"""The lesson notebooks: generated from the snippets each page shows, executed, fresh, and published; and the
record of what each block printed when the notebook ran on JAX, fresh too.

A notebook is stale when a snippet it was built from, or the base model, changed since: `make notebooks`.
"""

import json
import re

import jinja2
import nbformat
import pytest

from sitebuild.backends import backends_of
from sitebuild.notebooks import (NOTEBOOKS, build, code_cells, expected_metadata, is_fresh, jax_outputs_are_fresh,
                                 jax_outputs_path, notebook_path, read_jax_outputs)
from sitebuild.outputs import OutputError, stored_output
from sitebuild.pages import ROOT, lesson_pages, mkdocs_config, page_snippets

REPOSITORY = mkdocs_config()["extra"]["repository"]
LESSONS = [page for page in lesson_pages() if page_snippets(page)]
IDS = [page.stem for page in LESSONS]


def _read(page):
    path = notebook_path(page)
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `make notebooks`"
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_notebook_is_fresh(page):
    _read(page)
    assert is_fresh(page), f"{notebook_path(page).relative_to(ROOT)} is stale (the page's snippets, headings or " \
                           "warnings, the base model or the tested versions changed since it was built): run " \
                           "`make notebooks`"


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_notebook_code_is_the_pages_snippets_all_run(page):
    cells = code_cells(_read(page))
    assert [cell.source + "\n" for cell in cells] == \
        [block.code.rstrip("\n") + "\n" for block in page_snippets(page)]
    for cell in cells:
        assert cell.execution_count is not None, f"{page.stem}: a cell was never run"
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"{page.stem}: a cell failed: {errors[0].get('evalue')}"


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_first_code_cell_installs_the_tested_versions_and_the_build_skips_it(page):
    import keras
    import tensorflow

    first = next(cell for cell in _read(page).cells if cell.cell_type == "code")
    assert first.source == f"%pip install -q tensorflow=={tensorflow.__version__} keras=={keras.__version__}"
    assert "skip-execution" in first.metadata.get("tags", []) and first.execution_count is None


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_notebook_opens_with_what_its_code_needs(page):
    notebook = _read(page)
    intro, code = notebook.cells[0].source, "".join(cell.source for cell in code_cells(notebook))
    for needed, used_as in (("fashion_base.keras", '"fashion_base.keras"'), ("`my_images`", '"my_images"'),
                            ("Keras downloads the pretrained ImageNet weights", 'weights="imagenet"')):
        assert (needed in intro) == (used_as in code), f"{page.stem}: the intro and the code disagree on {needed}"


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_notebook_carries_the_pages_warnings(page):
    import keras
    import tensorflow

    versions = {"site_versions": {"tensorflow": tensorflow.__version__, "keras": keras.__version__}}
    titles = [jinja2.Template(title).render(versions) for title in
              re.findall(r'^!!! warning "(.*)"$', page.read_text(encoding="utf-8"), re.MULTILINE)]
    markdown = [cell.source for cell in _read(page).cells if cell.cell_type == "markdown"]
    assert [line for cell in markdown for line in cell.splitlines() if line.startswith("> **Warning: ")] == \
        [f"> **Warning: {title}**" for title in titles]


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_outputs_name_no_folder_of_the_machine_that_ran_them(page):
    text = notebook_path(page).read_text(encoding="utf-8")
    assert not re.search(r"/[^\s\"]+/site-packages/", text), f"{notebook_path(page).name} shows a local path"


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_jax_outputs_are_fresh_and_hold_every_block_that_runs_on_jax(page):
    path = jax_outputs_path(page)
    assert jax_outputs_are_fresh(page), f"{path.relative_to(ROOT)} is missing or stale (the page's snippets, the " \
                                        "base model or the tested versions changed since it was recorded): run " \
                                        "`make notebooks`"
    record = read_jax_outputs(page)
    blocks = [block for block in page_snippets(page) if "jax" in backends_of(block.file)]
    assert record["backend"] == "jax"
    assert {name: stored["code"] + "\n" for name, stored in record["outputs"].items()} == \
        {block.name: block.code.rstrip("\n") + "\n" for block in blocks}
    assert not re.search(r"/[^\s\"]+/site-packages/", path.read_text(encoding="utf-8")), f"{path.name}: a local path"


def test_no_orphan_notebooks():
    expected = {notebook_path(page) for page in LESSONS} | {jax_outputs_path(page) for page in LESSONS}
    orphans = sorted(path.name for path in NOTEBOOKS.iterdir() if path not in expected)
    assert not orphans, f"notebooks (or JAX outputs) with no lesson page showing code: {orphans}"


def test_changed_sources_make_the_jax_outputs_stale(tmp_path):
    page, path = LESSONS[0], tmp_path / "outputs.json"
    record = {"sitebuild": expected_metadata(page), "backend": "jax", "outputs": {}}
    path.write_text(json.dumps(record))
    assert jax_outputs_are_fresh(page, path)
    record["sitebuild"]["model"] = "0" * 64
    path.write_text(json.dumps(record))
    assert not jax_outputs_are_fresh(page, path)
    assert not jax_outputs_are_fresh(page, tmp_path / "missing.json")


def test_a_changed_snippet_makes_its_notebook_stale(tmp_path):
    page = LESSONS[0]
    notebook = build(page)
    path = tmp_path / "fresh.ipynb"
    nbformat.write(notebook, path)
    assert is_fresh(page, path)
    snippet = next(iter(notebook.metadata["sitebuild"]["snippets"]))
    notebook.metadata["sitebuild"]["snippets"][snippet] = "0" * 64
    nbformat.write(notebook, path)
    assert not is_fresh(page, path)
    notebook.metadata["sitebuild"]["snippets"][snippet] = build(page).metadata["sitebuild"]["snippets"][snippet]
    notebook.cells[0].source += " (edited)"
    nbformat.write(notebook, path)
    assert not is_fresh(page, path)


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_notebook_page_offers_download_and_colab(page, built_site):
    folder = built_site / "notebooks" / page.stem
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="{page.stem}.ipynb" download' in html
    assert json.loads((folder / f"{page.stem}.ipynb").read_text()) == json.loads(notebook_path(page).read_text())
    colab = REPOSITORY.replace("https://github.com/", "https://colab.research.google.com/github/")
    assert f'href="{colab}/blob/main/docs/notebooks/{page.stem}.ipynb"' in html


def test_output_macro_names_the_page_and_the_fix(tmp_path, monkeypatch):
    page, block = LESSONS[0], page_snippets(LESSONS[0])[0]
    assert stored_output(page, block).strip(), f"{block.name} printed nothing"
    monkeypatch.setattr("sitebuild.notebooks.NOTEBOOKS", tmp_path)
    missing = rf"{page.name}: output of {block.name}: .* does not exist: run `make notebooks`"
    with pytest.raises(OutputError, match=missing):
        stored_output(page, block)
    notebook = build(page)
    code_cells(notebook)[-1].source = "print('older code')"
    nbformat.write(notebook, tmp_path / f"{page.stem}.ipynb")
    last = page_snippets(page)[-1]
    with pytest.raises(OutputError, match="has no cell with this snippet's current code"):
        stored_output(page, last)
    with pytest.raises(OutputError, match=rf"JAX output of {block.name}: .* does not exist: run `make notebooks`"):
        stored_output(page, block, "jax")
    older = {"outputs": {block.name: {"code": "print('older code')", "printed": "older\n"}}}
    (tmp_path / f"{page.stem}.jax.json").write_text(json.dumps(older))
    with pytest.raises(OutputError, match="no output of this snippet's current code: run `make notebooks`"):
        stored_output(page, block, "jax")


def test_every_shown_output_is_stored(built_site):
    missing = [page.relative_to(built_site).as_posix() for page in built_site.rglob("*.html")
               if "snippet-output-missing" in page.read_text(encoding="utf-8")]
    assert not missing, f"pages showing no stored output (run `make notebooks`): {missing}"


def test_no_page_loads_code_from_another_host(built_site):
    """Static twin of the browser check in test_site.py: also catches loads that only happen in some cases."""
    remote = r"""["']?(?:https?:)?//"""
    script = re.compile(rf"<script[^>]*\ssrc={remote}|import\(\s*{remote}")
    style = re.compile(rf"<link(?=[^>]*\srel=[\"']?(?:stylesheet|preload|modulepreload|icon))[^>]*\shref={remote}")
    pages = [path.relative_to(built_site).as_posix() for path in built_site.rglob("*.html")
             if script.search(text := path.read_text(encoding="utf-8")) or style.search(text)]
    assert not pages, f"pages loading scripts or styles from another host: {pages}"


@pytest.mark.parametrize("page", LESSONS, ids=IDS)
def test_lesson_links_its_notebook(page):
    assert f"](../notebooks/{page.stem}.ipynb)" in page.read_text(encoding="utf-8"), \
        f"{page.relative_to(ROOT)} does not link its notebook ../notebooks/{page.stem}.ipynb"


def test_a_notebook_page_s_json_is_not_read_as_macros():
    """mkdocs-macros would render a notebook's JSON as a template: a `{{` in a stored output would stop the build."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    config = load_config(str(ROOT / "mkdocs.yml"))
    macros = config.plugins["macros"]
    macros.on_config(config)
    source = '{"outputs": ["{{ a stored output, not a macro }}"]}'
    for src_uri in (f"notebooks/{LESSONS[0].stem}.ipynb", f"lessons/{LESSONS[0].stem}.md"):
        page = Page(None, File(src_uri, config.docs_dir, config.site_dir, True), config)
        page.meta, page.title = {}, "A page"
        if src_uri.endswith(".md"):
            with pytest.raises(SystemExit):  # a lesson's source is a template: on_error_fail stops the build
                macros.on_page_markdown(source, page=page, config=config)
        else:
            assert macros.on_page_markdown(source, page=page, config=config) == source
