"""Build docs/notebooks/<N>-<stem>.ipynb for each lesson from the snippets its page shows, and run them.

`python -m sitebuild.notebooks` (`make notebooks`) rebuilds the notebooks whose snippets, headings, warnings, base
model or tested versions changed; `--all` rebuilds every one. Each notebook stores the sha256 of its sources, so
tests/test_notebooks.py can tell when one is stale. Never edit a notebook by hand.

A notebook opens with what its code needs (sitebuild/reader.py) and a first code cell that installs the tested
TensorFlow and Keras (for Colab; tagged `skip-execution`, so the build runs offline), then has one cell per code
block of the page, under the page's headings, with the page's warning admonitions where they stand on the page.

Notebooks run on TensorFlow, Colab's default. The same command runs each notebook a second time on JAX
(`KERAS_BACKEND=jax`, every cell but those of a snippet that imports TensorFlow itself) and writes what each block
printed there to docs/notebooks/<N>-<stem>.jax.json, with the same record of its sources; the pages compare the
two (sitebuild/outputs.py). Never edit that file by hand either.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import urljoin

from sitebuild import sandbox
from sitebuild.backends import backends_of
from sitebuild.evidence import CLAIM
from sitebuild.pages import DOCS, ROOT, fences, lesson_pages, mkdocs_config, page_snippets
from sitebuild.reader import MODEL, needs_text, page_variables, prepare_reader_folder, tested_versions

NOTEBOOKS = DOCS / "notebooks"
HEADING = re.compile(r"^#{2,3}\s+(?P<text>.+?)\s*#*\s*$")
WARNING = re.compile(r'^(?:!!!|\?\?\?\+?)[ \t]+warning(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")  # the colours of Keras's rich-printed summary()
INSTALL_FOLDER = re.compile(r"/\S*/site-packages/")
# TensorFlow's C++ start-up log, which TF_CPP_MIN_LOG_LEVEL does not silence: e.g. "oneDNN custom operations are on",
# printed only on CPUs with AVX-512 VNNI.
TF_LOG_LINE = re.compile(r"^(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
                         r"STDERR|[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)(?:\n|$)", re.MULTILINE)
SKIP = "skip-execution"  # nbclient's default tag for a cell it does not run


def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def notebook_path(page):
    return NOTEBOOKS / f"{page.stem}.ipynb"


def jax_outputs_path(page):
    return NOTEBOOKS / f"{page.stem}.jax.json"


def lesson_url(page):
    return f"{mkdocs_config()['site_url']}lessons/{page.stem}/"


def _title(page):
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page.relative_to(ROOT)}: no '# ' title line")


def _for_notebook(text, page):
    """Page Markdown as a notebook shows it: the versions filled in, links made absolute, claims as plain sentences
    (their markup is for the site's Evidence page)."""
    import jinja2

    text = CLAIM.sub(lambda claim: claim["sentence"], text)
    text = jinja2.Template(text, undefined=jinja2.StrictUndefined).render(page_variables())
    folder = urljoin(mkdocs_config()["site_url"], page.parent.relative_to(DOCS).as_posix() + "/")

    def absolute(match):
        path, hash_mark, anchor = match["target"].partition("#")
        if not path:
            return f"]({lesson_url(page)}#{anchor})"
        if path.endswith(".md"):  # the page's URL, with mkdocs' directory URLs
            path = (path.removesuffix(".md") + "/").removesuffix("index/")
        return f"]({urljoin(folder, path)}{hash_mark}{anchor})"

    return LINK.sub(absolute, text)


def _warnings(lines):
    """(line number, Markdown) of each warning admonition of a page, as a quote headed by its title."""
    found = []
    for number, line in enumerate(lines, start=1):
        match = WARNING.match(line)
        if match is None:
            continue
        body = []
        for text in lines[number:]:
            if text.strip() and not text.startswith("    "):
                break
            body.append(text[4:])
        quoted = "\n".join(f"> {text}".rstrip() for text in "\n".join(body).strip("\n").splitlines())
        found.append((number, f"> **Warning: {match['title'] or 'Warning'}**\n>\n{quoted}"))
    return found


def _page_order(page):
    """("heading" | "warning" | "code", Markdown or Block) in page order: each code block under the heading above
    it (when that heading is not the previous block's), and each warning admonition where it stands."""
    lines = page.read_text(encoding="utf-8").splitlines()
    warnings = _warnings(lines)
    headings = [(number, match["text"]) for number, match in enumerate(map(HEADING.match, lines), start=1) if match]
    items, previous_line, previous_heading = [], 0, None
    for fence, block in zip(fences(page), page_snippets(page)):
        line = fence.line if fence.page == page else previous_line  # a fence of an included page: no line here
        found = [(number, "warning", text) for number, text in warnings if previous_line < number < line]
        heading = next((heading for heading in reversed(headings) if heading[0] < line), None)
        if heading and heading[1] != previous_heading:
            found.append((heading[0], "heading", heading[1]))
            previous_heading = heading[1]
        items += [(kind, content) for _, kind, content in sorted(found)] + [("code", block)]
        previous_line = line
    return items + [("warning", text) for number, text in warnings if number > previous_line]


def expected_metadata(page):
    """What a fresh notebook of this lesson records about its sources."""
    return {
        "lesson": page.relative_to(ROOT).as_posix(),
        "model": file_hash(MODEL),  # the outputs depend on the base model too
        "snippets": {block.file.relative_to(ROOT).as_posix(): file_hash(block.file) for block in page_snippets(page)},
        "versions": tested_versions(),
    }


def build(page):
    """The (unexecuted) notebook of one lesson page."""
    import nbformat.v4 as nbf

    title, blocks, versions = _title(page), page_snippets(page), tested_versions()
    standalone = ("Every cell also runs on its own." if all(block.section is None for block in blocks)
                  else "Run the cells in order: each step builds on the one before.")
    needs = needs_text("".join(block.code for block in blocks), mkdocs_config()["site_url"], lesson_url(page))
    # The heading in plain text: mkdocs-jupyter's table of contents drops inline code from a heading's anchor while
    # the heading keeps it, and Material's "Skip to content" link would point at an anchor that does not exist.
    intro = (f"# {_for_notebook(title, page).replace('`', '')}\n\n"
             f"The code of the lesson [{_for_notebook(title, page)}]({lesson_url(page)}), one cell per code block, in "
             f"page order. {standalone}\n\n"
             f"The first code cell installs TensorFlow {versions['tensorflow']} and Keras {versions['keras']}, the "
             "versions the outputs below come from (in Colab, they replace the preinstalled ones)."
             + f"\n\n{needs}" * bool(needs))
    install = nbf.new_code_cell(f"%pip install -q tensorflow=={versions['tensorflow']} keras=={versions['keras']}",
                                metadata={"tags": [SKIP]})
    cells = [nbf.new_markdown_cell(intro), install]
    for kind, content in _page_order(page):
        if kind == "code":
            cells.append(nbf.new_code_cell(content.code.rstrip("\n")))
        else:
            cells.append(nbf.new_markdown_cell(_for_notebook(f"## {content}" if kind == "heading" else content, page)))
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["sitebuild"] = expected_metadata(page)
    return notebook


def code_cells(notebook):
    """The notebook's cells of lesson code: every code cell but the install cell."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and SKIP not in cell.metadata.get("tags", [])]


def execute(notebook, backend="tensorflow"):
    """Run every cell but the install cell in a fresh folder set up as a reader's, on this Keras backend, storing the
    outputs."""
    from nbconvert.preprocessors import ExecutePreprocessor

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the kernel inherits it: no C++ log lines in outputs
    with tempfile.TemporaryDirectory() as folder, mock.patch.dict(os.environ, KERAS_BACKEND=backend):
        prepare_reader_folder(folder, "".join(cell.source for cell in code_cells(notebook)))
        runner = ExecutePreprocessor(timeout=600, kernel_name="python3", skip_cells_with_tag=SKIP)
        runner.preprocess(notebook, {"metadata": {"path": folder}})
    for cell in code_cells(notebook):
        cell.outputs = [output for output in map(_plain, cell.outputs) if output is not None]
        cell.metadata.pop("execution", None)  # the kernel's timestamps: a rebuild of the same code changes nothing
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"  # not nbformat's random ids, for the same reason
    return notebook


def _plain(output):
    """The output as this machine's details would not change it (None when nothing is left). Keep what Keras's rich
    printing shows as plain text: its HTML copy's inline colours are too faint. Warnings name the file that raised
    them: keep the path from site-packages on, not this machine's folders. Drop TensorFlow's C++ log lines."""
    if output.get("output_type") == "stream":
        output["text"] = TF_LOG_LINE.sub("", INSTALL_FOLDER.sub(".../site-packages/", output["text"]))
        return output if output["text"] else None
    data = output.get("data", {})
    if "text/plain" in data and data.get("text/html", "").startswith("<pre style="):
        del data["text/html"]
        data["text/plain"] = ANSI_CODES.sub("", data["text/plain"])
    return output


def printed(cell):
    """What a code cell printed, as a page shows it: its streams and the plain text of its results, uncoloured."""
    texts = [output.text if output.output_type == "stream" else output.data.get("text/plain", "").rstrip("\n") + "\n"
             for output in cell.outputs if output.output_type in ("stream", "display_data", "execute_result")
             and "image/png" not in output.get("data", {})]  # a plot is shown as an image, not as its repr
    return ANSI_CODES.sub("", "".join(texts))


def jax_outputs(page):
    """Run the lesson's notebook on JAX: {block name: {"code", "printed"}} of every block that runs there."""
    notebook, blocks = build(page), page_snippets(page)
    cells = code_cells(notebook)
    for cell, block in zip(cells, blocks):
        if "jax" not in backends_of(block.file):
            cell.metadata["tags"] = [SKIP]
    execute(notebook, backend="jax")
    return {block.name: {"code": cell.source, "printed": printed(cell)}
            for cell, block in zip(cells, blocks) if "jax" in backends_of(block.file)}


def read_jax_outputs(page, path=None):
    """The stored record of a lesson's JAX outputs, or None when there is none."""
    path = path or jax_outputs_path(page)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def jax_outputs_are_fresh(page, path=None):
    """Whether the JAX outputs were recorded from the page's current snippets, base model and versions."""
    record = read_jax_outputs(page, path)
    return record is not None and record["sitebuild"] == expected_metadata(page)


def _markdown(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def is_fresh(page, path=None):
    """Whether the notebook was built from the page's current snippets, headings, warnings, base model and
    versions."""
    import nbformat

    path = path or notebook_path(page)
    if not path.is_file():
        return False
    notebook = nbformat.read(path, as_version=4)
    return (notebook.metadata.get("sitebuild") == expected_metadata(page)
            and _markdown(notebook) == _markdown(build(page)))


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="rebuild every notebook, not only stale ones")
    options = parser.parse_args(argv)
    sandbox.use()  # the kernels' Keras, Jupyter and IPython files stay in the checkout
    NOTEBOOKS.mkdir(exist_ok=True)
    for page in lesson_pages():
        if not page_snippets(page):
            print(f"skip {page.name}: the page shows no code yet")
            continue
        if is_fresh(page) and not options.all:
            print(f"fresh {notebook_path(page).name}")
        else:
            print(f"build {notebook_path(page).name} ...", flush=True)
            notebook = execute(build(page))
            nbformat.validate(notebook)
            nbformat.write(notebook, notebook_path(page))
        if jax_outputs_are_fresh(page) and not options.all:
            print(f"fresh {jax_outputs_path(page).name}")
        else:
            print(f"run {notebook_path(page).name} on JAX ...", flush=True)
            record = {"sitebuild": expected_metadata(page), "backend": "jax", "outputs": jax_outputs(page)}
            jax_outputs_path(page).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                              encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
