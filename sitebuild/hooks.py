"""mkdocs hooks (mkdocs.yml `hooks`): publish the pretrained base model and the snippets beside the pages so
readers can download them, keep the notebook pages from loading anything from another host and out of the search
index, and keep the theme's compiled templates between builds."""

import itertools
import re
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from sitebuild.notebook_css import trim_styles

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
SNIPPETS = ROOT / "snippets"
COMPILED_TEMPLATES = ROOT / ".cache" / "jinja"
# nbconvert's script loaders, useless here: Mermaid (imported from a CDN when a notebook holds a diagram) and
# MathJax (mkdocs.yml points it at an empty data: URL, as no notebook has maths).
LOADERS = re.compile(r'<script type="module">(?:(?!</script>).)*?https://cdnjs\.cloudflare\.com.*?</script>'
                     r"|<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)

# Pygments wraps each name, operator, punctuation mark and run of spaces in a code block in a <span> of its own: most
# of a lesson's elements, each styled and laid out again every time Material re-measures the page while a phone
# loads it, and each checked again for contrast by axe-core in the tests. Names, operators and punctuation are drawn
# in the code's own colour (Material's --md-code-hl-name-color is --md-code-fg-color; docs/assets/site.css gives
# operators and punctuation the same in both palettes, docs/assets/notebook.css does for notebooks;
# tests/test_reading.py checks it) and spaces in none, so their text can stand bare.
PLAIN_TOKENS = re.compile(r'<span class="[nwop]">([^<]*)</span>')

# Each code block's copy button, in the page as built rather than added by Material's script (mkdocs.yml leaves its
# content.code.copy feature off): Material inserted the buttons one block at a time while a phone loaded the page,
# and each insertion made the browser lay the page out again before the next block (Lighthouse: blocking time). The
# markup is Material's own, the same clipboard code of Material copies the block; the <nav> it comes in is no
# landmark (axe: landmark-unique), so role="none".
CODE_BLOCK = re.compile(r'(<pre(?![^>]*\bmermaid\b)[^>]*>(?:<span></span>)?)<code\b')
COPY_BUTTON = ('<nav class="md-code__nav" role="none"><button class="md-code__button" title="Copy to clipboard" '
               'data-clipboard-target="#{id}" data-md-type="copy"></button></nav><code id="{id}"')


# A heading as nbconvert writes it in a notebook page: its id, then its text and an anchor link.
NOTEBOOK_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="anchor-link"', re.DOTALL)


def contents_as_headed(page, content):
    """mkdocs-jupyter builds a notebook page's contents from the notebook's Markdown, where a heading's inline code
    is lost ("a `tf.data` pipeline" becomes "a pipeline", linked to an id no heading has): give each entry, in
    order, the id and text of its heading as nbconvert wrote it."""
    headings = iter(NOTEBOOK_HEADING.findall(content))

    def mend(entries):
        for entry in entries:
            level, entry.id, title = next(headings, (None, None, None))
            if level is None or int(level) != entry.level:
                raise PluginError(f"{page.file.src_uri}: the contents entry {entry.title!r} has no heading of its "
                                  "level on the page")
            entry.title = re.sub(r"<[^>]+>", "", title).strip()
            mend(entry.children)
    mend(page.toc)


def with_copy_buttons(content):
    numbers = itertools.count()
    return CODE_BLOCK.sub(lambda match: match[1] + COPY_BUTTON.format(id=f"__copy_{next(numbers)}"), content)


def on_files(files, config):
    """The base model and every snippet, published as files a reader can download (lesson 8 links its program)."""
    for folder, pattern in ((MODELS, "*.keras"), (SNIPPETS, "*.py")):
        for path in sorted(folder.glob(pattern)):
            files.append(File.generated(config, f"{folder.name}/{path.name}", abs_src_path=str(path)))
    return files


def on_page_content(content, page, config, files):
    """Code without the spans that change nothing (PLAIN_TOKENS), each block with its copy button (COPY_BUTTON). The
    site makes no request to another host, not even a latent one; a notebook page carries only the style rules that
    apply to it (sitebuild/notebook_css.py).
    A notebook repeats its lesson's text and code, so search finds the lesson only: results are not doubled, and
    the index every page loads is a third smaller (and the build faster: the index parses each page's HTML)."""
    content = with_copy_buttons(PLAIN_TOKENS.sub(r"\1", content))
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    page.meta["search"] = {"exclude": True}
    contents_as_headed(page, content)
    return trim_styles(LOADERS.sub("", content))


def on_env(env, config, files):
    """Material's templates are compiled on every build, `mkdocs serve`'s rebuilds included (a quarter of a rebuild):
    keep the compiled code in .cache/jinja/; jinja compiles a template again when its source changes."""
    COMPILED_TEMPLATES.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(COMPILED_TEMPLATES))
    return env
