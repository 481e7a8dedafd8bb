"""The `output` page macro: what a code block printed when its lesson's notebook ran, shown under the block.

`{{ output("l3_layers.py") }}` or `{{ output("l8_end_to_end.py:train_head") }}`; tests/test_output_claims.py checks
what the prose says about these outputs.
"""

import functools
import html

from sitebuild.notebooks import ANSI_CODES, notebook_path
from sitebuild.pages import DOCS, Block, PageError, relative


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
    path, where = notebook_path(page), f"{relative(page)}: output of {block.name}"
    if not path.is_file():
        raise OutputError(f"{where}: {relative(path)} does not exist: run `make notebooks`")
    source = block.code.rstrip("\n")
    for cell in _notebook(path, path.stat().st_mtime_ns).cells:
        if cell.cell_type == "code" and cell.source == source:
            return ANSI_CODES.sub("", "".join(_printed(output, where) for output in cell.outputs))
    raise OutputError(f"{where}: {relative(path)} has no cell with this snippet's current code: "
                      "run `make notebooks`")


@functools.lru_cache(maxsize=16)
def _notebook(path, mtime_ns):
    """A notebook read once per build, not once per output shown (mtime_ns: a rewritten one is read again)."""
    import nbformat

    return nbformat.read(path, as_version=4)


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
