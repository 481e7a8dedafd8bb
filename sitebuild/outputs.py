"""The `output` page macro: what a code block printed when its lesson's notebook ran, shown under the block.

`{{ output("l3_layers.py") }}` or `{{ output("l8_end_to_end.py:train_head") }}`; tests/test_output_claims.py checks
what the prose says about these outputs.
"""

import base64
import functools
import html

from sitebuild.notebooks import ANSI_CODES, notebook_path
from sitebuild.pages import DOCS, Block, PageError, relative


class OutputError(ValueError):
    """A page asks for a snippet's output that its lesson's notebook does not hold."""


def _printed(output, where):
    if output.output_type == "stream":
        return output.text
    if "image/png" in output.get("data", {}):  # a plot: shown as an image (`stored_images`), not as text
        return ""
    if output.output_type in ("display_data", "execute_result"):
        return output.data.get("text/plain", "").rstrip("\n") + "\n"
    raise OutputError(f"{where}: the cell failed when the notebook ran: {output.get('evalue')}")


def _stored_cell(page, block):
    path, where = notebook_path(page), f"{relative(page)}: output of {block.name}"
    if not path.is_file():
        raise OutputError(f"{where}: {relative(path)} does not exist: run `make notebooks`")
    source = block.code.rstrip("\n")
    for cell in _notebook(path, path.stat().st_mtime_ns).cells:
        if cell.cell_type == "code" and cell.source == source:
            return cell, where
    raise OutputError(f"{where}: {relative(path)} has no cell with this snippet's current code: "
                      "run `make notebooks`")


def stored_output(page, block):
    """What a Block printed when its lesson's notebook ran (the notebook tests keep it fresh)."""
    cell, where = _stored_cell(page, block)
    return ANSI_CODES.sub("", "".join(_printed(output, where) for output in cell.outputs))


def stored_images(page, block):
    """The PNG images (bytes) a Block showed when its lesson's notebook ran, e.g. a matplotlib plot."""
    cell, _ = _stored_cell(page, block)
    return [base64.b64decode(output.data["image/png"]) for output in cell.outputs
            if "image/png" in output.get("data", {})]


def _image(png, alt):
    """An <img> of the PNG, inline, with its size (read from the PNG's header) and alt text."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    source = base64.b64encode(png).decode()
    return (f'<img class="snippet-image" src="data:image/png;base64,{source}" alt="{html.escape(alt)}" '
            f'width="{width}" height="{height}" loading="lazy">')


@functools.lru_cache(maxsize=16)
def _notebook(path, mtime_ns):
    """A notebook read once per build, not once per output shown (mtime_ns: a rewritten one is read again)."""
    import nbformat

    return nbformat.read(path, as_version=4)


def register_macros(env):
    @env.macro
    def output(block_name, alt=None):
        """The stored output of a code block ("l3_layers.py" or "l8_end_to_end.py:train_head"), shown under it;
        `alt` describes the images it showed (a plot), if any."""
        page = DOCS / env.page.file.src_uri
        try:
            text = stored_output(page, Block.named(block_name))
            images = stored_images(page, Block.named(block_name))
        except (OutputError, PageError) as error:  # a stale notebook, or a section the snippet lacks
            # Not fatal to the build, so a snippet being edited does not block everyone's site;
            # tests/test_notebooks.py fails on the stale notebook until `make notebooks` runs.
            message = html.escape(str(error))
            return f'<p class="snippet-output-missing"><strong>Output not stored:</strong> {message}</p>'
        if images and not alt:
            raise ValueError(f"{env.page.file.src_uri}: output({block_name!r}) shows an image: describe it with "
                             "alt=\"...\"")
        printed = f'<pre class="snippet-output"><code>{html.escape(text.rstrip())}</code></pre>' * bool(text.strip())
        return ('<details class="example snippet-output" open><summary>What it printed when the notebook ran'
                f'</summary>{printed}{"".join(_image(png, alt) for png in images)}</details>')
