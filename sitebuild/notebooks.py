"""Build docs/notebooks/<N>-<stem>.ipynb for each lesson from the snippets its page shows, and run them.

`python -m sitebuild.notebooks` (`make notebooks`) rebuilds the notebooks whose snippets, headings or base
model changed; `--all` rebuilds every one. Each notebook stores the sha256 of its sources, so
tests/test_notebooks.py can tell when one is stale. Never edit a notebook by hand.

Also here: the `output` page macro (a snippet's stored output under its code block) and an mkdocs hook
for the notebook pages.
"""

import argparse
import hashlib
import html
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from sitebuild import data
from sitebuild.pages import DOCS, ROOT, Block, PageError, fences, lesson_pages, mkdocs_config, page_snippets, relative

NOTEBOOKS = DOCS / "notebooks"
MODEL = ROOT / "models" / "fashion_base.keras"
HEADING = re.compile(r"^#{2,3}\s+(?P<text>.+?)\s*#*\s*$")
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")  # the colours of Keras's rich-printed summary()
INSTALL_FOLDER = re.compile(r"/\S*/site-packages/")


def _lesson_8(folder):
    data.provide_standin_imagenet_weights()  # the ImageNet weights the page asks for (stand-ins in CI)
    data.make_example_images(folder)  # the folder of "your own images" the page asks for


# What a reader has in the working folder besides fashion_base.keras, by snippet-name prefix. The snippet
# tests and the notebooks both set up exactly this, so nothing hidden makes a snippet work.
READER_SETUP = {"l8_": _lesson_8}


def prepare_reader_folder(folder, snippet_names):
    """Put in `folder` what a reader of these snippets has: the base model, plus any per-lesson set-up."""
    shutil.copy(MODEL, folder)
    for prefix, setup in READER_SETUP.items():
        if any(name.startswith(prefix) for name in snippet_names):
            setup(folder)


def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def notebook_path(page):
    return NOTEBOOKS / f"{page.stem}.ipynb"


def lesson_url(page):
    return f"{mkdocs_config()['site_url']}lessons/{page.stem}/"


def _title(page):
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page.relative_to(ROOT)}: no '# ' title line")


def _sections(page):
    """(heading above the fence, Block) for every fence of the page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    result = []
    for fence, block in zip(fences(page), page_snippets(page)):
        above = lines[:fence.line - 1] if fence.page == page else []
        heading = next((match["text"] for match in map(HEADING.match, reversed(above)) if match), None)
        result.append((heading, block))
    return result


def expected_metadata(page):
    """What a fresh notebook of this lesson records about its sources."""
    return {
        "lesson": page.relative_to(ROOT).as_posix(),
        "model": file_hash(MODEL),  # the outputs depend on the base model too
        "snippets": {block.file.relative_to(ROOT).as_posix(): file_hash(block.file) for _, block in _sections(page)},
    }


def build(page):
    """The (unexecuted) notebook of one lesson page."""
    import nbformat.v4 as nbf

    title, model_url = _title(page), f"{mkdocs_config()['site_url']}models/fashion_base.keras"
    sections = _sections(page)
    standalone = ("Every cell also runs on its own." if all(block.section is None for _, block in sections)
                  else "Run the cells in order: each step builds on the one before.")
    cells = [nbf.new_markdown_cell(
        f"# {title}\n\n"
        f"The code of the lesson [{title}]({lesson_url(page)}), one cell per code block, in page order. "
        f"{standalone}\n\n"
        f"Before you run it, download the pretrained base model [fashion_base.keras]({model_url}) and put it "
        "in the same folder as this notebook (in Colab: upload it with the Files panel on the left)."
    )]
    previous = None
    for heading, block in sections:
        if heading and heading != previous:
            cells.append(nbf.new_markdown_cell(f"## {heading}"))
            previous = heading
        cells.append(nbf.new_code_cell(block.code.rstrip("\n")))
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["sitebuild"] = expected_metadata(page)
    return notebook


def execute(notebook, snippet_names):
    """Run every cell in a fresh folder set up as a reader's, storing the outputs."""
    from nbconvert.preprocessors import ExecutePreprocessor

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the kernel inherits it: no C++ log lines in outputs
    with tempfile.TemporaryDirectory() as folder:
        prepare_reader_folder(Path(folder), snippet_names)
        runner = ExecutePreprocessor(timeout=600, kernel_name="python3")
        runner.preprocess(notebook, {"metadata": {"path": folder}})
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            _plain(output)
    return notebook


def _plain(output):
    """Keep what Keras's rich printing shows as plain text: its HTML copy's inline colours are too faint.
    Warnings name the file that raised them: keep the path from site-packages on, not this machine's folders."""
    if output.get("output_type") == "stream":
        output["text"] = INSTALL_FOLDER.sub(".../site-packages/", output["text"])
    data = output.get("data", {})
    if "text/plain" in data and data.get("text/html", "").startswith("<pre style="):
        del data["text/html"]
        data["text/plain"] = ANSI_CODES.sub("", data["text/plain"])


def _markdown(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def is_fresh(page, path=None):
    """Whether the notebook was built from the page's current snippets, headings and base model."""
    import nbformat

    path = path or notebook_path(page)
    if not path.is_file():
        return False
    notebook = nbformat.read(path, as_version=4)
    return (notebook.metadata.get("sitebuild") == expected_metadata(page)
            and _markdown(notebook) == _markdown(build(page)))



class OutputError(ValueError):
    """A page asks for a snippet's output that its lesson's notebook does not hold."""


def _printed(output, where):
    if output.output_type == "stream":
        return output.text
    if output.output_type in ("display_data", "execute_result"):
        return output.data.get("text/plain", "").rstrip("\n") + "\n"
    raise OutputError(f"{where}: the cell failed when the notebook ran: {output.get('evalue')}")


def stored_output(page, block):
    """What a Block printed when its lesson's notebook ran (the notebook tests keep it fresh)."""
    import nbformat

    path, where = notebook_path(page), f"{relative(page)}: output of {block.name}"
    if not path.is_file():
        raise OutputError(f"{where}: {relative(path)} does not exist: run `make notebooks`")
    source = block.code.rstrip("\n")
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code" and cell.source == source:
            return ANSI_CODES.sub("", "".join(_printed(output, where) for output in cell.outputs))
    raise OutputError(f"{where}: {relative(path)} has no cell with this snippet's current code: "
                      "run `make notebooks`")


def register_macros(env):
    @env.macro
    def output(block_name):
        """The stored output of a code block ("l3_layers.py" or "l8_end_to_end.py:train_head"), shown under it."""
        page = DOCS / env.page.file.src_uri
        try:
            text = stored_output(page, Block.named(block_name))
        except (OutputError, PageError) as error:  # a stale notebook, or a section the snippet lacks
            # Not fatal to the build, so a snippet being edited does not block everyone's site;
            # tests/test_notebooks.py fails on the stale notebook until `make notebooks` runs.
            message = html.escape(str(error))
            return f'<p class="snippet-output-missing"><strong>Output not stored:</strong> {message}</p>'
        return ('<details class="example snippet-output" open><summary>What it printed when the notebook ran'
                f'</summary><pre class="snippet-output"><code>{html.escape(text.rstrip())}</code></pre></details>')


# nbconvert's script loaders, useless here: Mermaid (imported from a CDN when a notebook holds a diagram) and
# MathJax (mkdocs.yml points it at an empty data: URL, as no notebook has maths).
LOADERS = re.compile(r'<script type="module">(?:(?!</script>).)*?https://cdnjs\.cloudflare\.com.*?</script>'
                     r"|<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)


def on_page_content(content, page, config, files):
    """mkdocs hook (mkdocs.yml `hooks`): the site makes no request to another host, not even a latent one."""
    return LOADERS.sub("", content) if page.file.src_uri.endswith(".ipynb") else content


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="rebuild every notebook, not only stale ones")
    options = parser.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    for page in lesson_pages():
        if not _sections(page):
            print(f"skip {page.name}: the page shows no code yet")
            continue
        if is_fresh(page) and not options.all:
            print(f"fresh {notebook_path(page).name}")
            continue
        print(f"build {notebook_path(page).name} ...", flush=True)
        notebook = execute(build(page), [block.file.name for _, block in _sections(page)])
        nbformat.validate(notebook)
        nbformat.write(notebook, notebook_path(page))


if __name__ == "__main__":
    sys.exit(main())
