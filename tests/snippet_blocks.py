"""Run a snippet file block by block, as a reader runs its page's blocks, and keep what each block printed.

tests/test_snippets.py calls `run_blocks` in its own process; for a snippet that needs the most set-up it runs this
file as a script instead, in a fresh process with an empty HOME:

    PYTHONPATH=<checkout> python tests/snippet_blocks.py SANDBOX SNIPPET OUTPUT.json

which points every tool at the folder SANDBOX (sitebuild/sandbox.py), sets up the reader's folder (the current
one) as sitebuild/reader.py does, runs the blocks and writes what `run_blocks` returns to OUTPUT.json.
"""

import contextlib
import io
import json
import socket
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

from sitebuild.notebooks import ANSI_CODES
from sitebuild.pages import file_blocks


def _no_network(*args, **kwargs):
    raise OSError("a snippet tried to reach the network; readers' code must run offline here")


def run_blocks(snippet):
    """Run `snippet` as `__main__` in the current folder, section by section in one namespace, with the network
    blocked; return what each section printed (stdout, stderr and warnings, as a notebook shows them, by section
    name, None for a file told in one block) and each block's name and seconds."""
    namespace = {"__name__": "__main__", "__file__": str(snippet)}
    printed, seconds = {}, []
    # As in a notebook's kernel: each warning shows the first time only, in the output of the block that raised it.
    with warnings.catch_warnings(record=True) as raised, mock.patch.object(socket.socket, "connect", _no_network):
        warnings.simplefilter("default")
        for block in file_blocks(snippet):
            # Blank lines in front keep the file's line numbers in tracebacks.
            code = compile("\n" * (block.first_line - 1) + block.code, str(snippet), "exec")
            output, already_raised = io.StringIO(), len(raised)
            start = time.perf_counter()
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                exec(code, namespace)
            seconds.append((block.name, time.perf_counter() - start))
            shown = "".join(warnings.formatwarning(warning.message, warning.category, warning.filename, warning.lineno)
                            for warning in raised[already_raised:])
            printed[block.section] = ANSI_CODES.sub("", output.getvalue() + shown)
    return printed, seconds


if __name__ == "__main__":
    sandbox_folder, snippet, output_file = sys.argv[1:]
    from sitebuild import sandbox

    sandbox.use(sandbox_folder)
    from sitebuild.reader import prepare_reader_folder

    prepare_reader_folder(".", Path(snippet).read_text(encoding="utf-8"))
    printed, seconds = run_blocks(Path(snippet))
    # JSON keys are strings: the one block of a file without sections goes under "".
    Path(output_file).write_text(json.dumps({"printed": {key or "": text for key, text in printed.items()},
                                             "seconds": seconds}))
