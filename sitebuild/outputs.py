"""The `output` page macro: what a code block printed when its lesson's notebook ran, shown under the block, on
TensorFlow and on JAX.

`{{ output("l3_layers.py") }}` or `{{ output("l8_end_to_end.py:train_head") }}` shows the TensorFlow output (the
notebook's) and a line on what the same block printed on JAX (docs/notebooks/<page>.jax.json), when the two agree
by sitebuild/backends.py's rule. Where they do not, the page shows each in a tab, "TensorFlow" and "JAX" (tabs of
that name switch together across the site), and under them the author's one sentence on the difference:
`{{ output("l5_recompile_rule.py", difference="On JAX, `fit()` ... raises instead.") }}`. The build fails on a
`difference` where the outputs agree, and on none where they do not. A block whose snippet imports TensorFlow
itself runs on TensorFlow only, and the line under it says so.

tests/test_output_claims.py checks what the prose says about these outputs, on both backends.
"""

import base64
import functools
import html
import re
from pathlib import Path

from sitebuild.backends import NAMES, agree, agreement, backends_of
from sitebuild.notebooks import jax_outputs_path, notebook_path, printed, read_jax_outputs
from sitebuild.pages import DOCS, Block, PageError, relative

TENSORFLOW_ONLY = "imports TensorFlow itself, so it runs on the TensorFlow backend only; the tests run it there."


def tensorflow_only(block):
    """The line under a block whose snippet imports TensorFlow: a section may not import it, its file does."""
    subject = "This code" if block.section is None else f"This block's program, `{block.file.name}`,"
    return f"{subject} {TENSORFLOW_ONLY}"


class OutputError(ValueError):
    """A page asks for a snippet's output that its lesson's notebook (or its JAX record) does not hold."""


class BackendSentenceError(ValueError):
    """A page's `difference` sentence where the backends' outputs agree, or none where they differ."""


def _stored_cell(page, block):
    path, where = notebook_path(page), f"{relative(page)}: output of {block.name}"
    if not path.is_file():
        raise OutputError(f"{where}: {relative(path)} does not exist: run `make notebooks`")
    source = block.code.rstrip("\n")
    for cell in _notebook(path, path.stat().st_mtime_ns).cells:
        if cell.cell_type == "code" and cell.source == source:
            failed = [output for output in cell.outputs if output.output_type == "error"]
            if failed:
                raise OutputError(f"{where}: the cell failed when the notebook ran: {failed[0].get('evalue')}")
            return cell
    raise OutputError(f"{where}: {relative(path)} has no cell with this snippet's current code: "
                      "run `make notebooks`")


def stored_output(page, block, backend="tensorflow"):
    """What a Block printed on this backend when its lesson's notebook ran (the notebook tests keep it fresh)."""
    if backend == "tensorflow":
        return printed(_stored_cell(page, block))
    path, where = jax_outputs_path(page), f"{relative(page)}: JAX output of {block.name}"
    record = read_jax_outputs(page)
    if record is None:
        raise OutputError(f"{where}: {relative(path)} does not exist: run `make notebooks`")
    stored = record["outputs"].get(block.name)
    if stored is None or stored["code"] != block.code.rstrip("\n"):
        raise OutputError(f"{where}: {relative(path)} has no output of this snippet's current code: "
                          "run `make notebooks`")
    return stored["printed"]


def stored_images(page, block):
    """The PNG images (bytes) a Block showed when its lesson's notebook ran on TensorFlow, e.g. a matplotlib plot."""
    return [base64.b64decode(output.data["image/png"]) for output in _stored_cell(page, block).outputs
            if "image/png" in output.get("data", {})]


# The plots of the pages being built: {path in the site: PNG bytes}, written by `write_plots` after the build. A
# plot is a file of its own beside its page, not a data: URL in the page: a phone downloads it only when the
# reader scrolls near it (loading="lazy"), and lesson 9's page, gzipped, is a quarter of the size.
PLOTS = {}


def _image(png, alt, name, page_url):
    """An <img> of the PNG, saved as `name` beside the page, with its size (read from the PNG's header) and alt."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    PLOTS[page_url + name] = png
    return (f'<img class="snippet-image" src="{name}" alt="{html.escape(alt)}" width="{width}" height="{height}" '
            'loading="lazy">')


def write_plots(site_dir):
    """Write the plots of the pages just built (`mkdocs serve --dirty` builds only changed ones), then forget them."""
    for path, png in PLOTS.items():
        target = Path(site_dir) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
    PLOTS.clear()


@functools.lru_cache(maxsize=16)
def _notebook(path, mtime_ns):
    """A notebook read once per build, not once per output shown (mtime_ns: a rewritten one is read again); not
    validated against nbformat's schema, which took longer than the rest of the build's reading of notebooks:
    tests/test_notebooks.py reads each one through nbformat, which validates it."""
    import nbformat.v4

    return nbformat.v4.reads(path.read_text(encoding="utf-8"))


# A line of a table drawn with box-drawing characters, as model.summary() prints one.
TABLE_LINE = re.compile(r"^[\u2500-\u257f]", re.MULTILINE)


def _box(text, summary, images=""):
    kind = "snippet-output snippet-output--table" if TABLE_LINE.search(text) else "snippet-output"
    shown = f'<pre class="{kind}"><code>{html.escape(text.rstrip())}</code></pre>' * bool(text.strip())
    return f'<details class="example snippet-output" open><summary>{summary}</summary>{shown}{images}</details>'


def _note(markdown):
    return f"{markdown}\n{{ .backend-note }}"


PLOT_NOTE = "The plot is TensorFlow's: the tests compare what a block prints, not what it draws."


def _agreement_with_plots(shown, images):
    """The line under outputs that agree; the stored JAX outputs hold only what a block printed, not its plots."""
    if images and not shown["tensorflow"].strip():
        return "On JAX it ran too, and printed nothing. " + PLOT_NOTE
    return agreement(shown["tensorflow"], shown["jax"]) + f" {PLOT_NOTE}" * bool(images)


def render(block, shown, difference=None, images=""):
    """The Markdown under a block: `shown` is {backend: what it printed there}, in sitebuild.backends' order;
    `images`: the <img> elements of the plots it showed on TensorFlow."""
    if set(shown) == {"tensorflow"}:
        if difference:
            raise BackendSentenceError(f"{block.name} runs on TensorFlow only: it has no JAX output to differ from")
        return (_box(shown["tensorflow"], "What it printed when the notebook ran", images) + "\n\n"
                + _note(tensorflow_only(block)))
    if agree(shown["tensorflow"], shown["jax"]):
        if difference:
            raise BackendSentenceError(
                f"{block.name}: the TensorFlow and JAX outputs agree (equal once their measured numbers are masked), "
                f"so the page shows one output and says so; drop difference={difference!r}")
        return (_box(shown["tensorflow"], "What it printed when the notebook ran", images) + "\n\n"
                + _note(_agreement_with_plots(shown, images)))
    if not difference:
        raise BackendSentenceError(
            f"{block.name}: TensorFlow and JAX printed different things, beyond their measured numbers: the page shows "
            f"both, in tabs, and says how they differ in one sentence: "
            f"{{{{ output({block.name!r}, difference=\"...\") }}}}")
    tabs = "\n\n".join(f"/// tab | {NAMES[backend]}\n\n"
                        f"{_box(text, f'What it printed on {NAMES[backend]}', images * (backend == 'tensorflow'))}"
                        "\n\n///" for backend, text in shown.items())
    return f"{tabs}\n\n" + _note(f"**{NAMES['tensorflow']} and {NAMES['jax']} differ here.** {difference}")


def register_macros(env):
    runs_on = functools.cache(backends_of)  # each snippet parsed once per build (this runs on every build)

    @env.macro
    def output(block_name, difference=None, alt=None):
        """The stored outputs of a code block ("l3_layers.py" or "l8_end_to_end.py:train_head"), shown under it;
        `difference`: the sentence on how its TensorFlow and JAX outputs differ, where they do; `alt` describes the
        images it showed (a plot), if any."""
        page = DOCS / env.page.file.src_uri
        try:
            block = Block.named(block_name)
            shown = {backend: stored_output(page, block, backend) for backend in runs_on(block.file)}
            images = stored_images(page, block)
        except (OutputError, PageError) as error:  # a stale notebook, or a section the snippet lacks
            # Not fatal to the build, so a snippet being edited does not block everyone's site;
            # tests/test_notebooks.py fails on the stale notebook until `make notebooks` runs.
            message = html.escape(str(error))
            return f'<p class="snippet-output-missing"><strong>Output not stored:</strong> {message}</p>'
        if images and not alt:
            raise ValueError(f"{env.page.file.src_uri}: output({block_name!r}) shows an image: describe it with "
                             "alt=\"...\"")
        # e.g. l9_augmentation-layers-1.png: the block's snippet and section, and the plot's number in its output
        stem = "-".join(filter(None, (block.file.stem, block.section)))
        return render(block, shown, difference, "".join(_image(png, alt, f"{stem}-{number}.png", env.page.url)
                                                        for number, png in enumerate(images, start=1)))
