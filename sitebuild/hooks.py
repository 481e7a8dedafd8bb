"""mkdocs hooks (mkdocs.yml `hooks`): publish the pretrained base model beside the pages so readers can download
it, and keep the notebook pages from loading anything from another host."""

import re
from pathlib import Path

from mkdocs.structure.files import File

MODELS = Path(__file__).resolve().parent.parent / "models"
# nbconvert's script loaders, useless here: Mermaid (imported from a CDN when a notebook holds a diagram) and
# MathJax (mkdocs.yml points it at an empty data: URL, as no notebook has maths).
LOADERS = re.compile(r'<script type="module">(?:(?!</script>).)*?https://cdnjs\.cloudflare\.com.*?</script>'
                     r"|<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)


def on_files(files, config):
    for model in sorted(MODELS.glob("*.keras")):
        files.append(File.generated(config, f"models/{model.name}", abs_src_path=str(model)))
    return files


def on_page_content(content, page, config, files):
    """The site makes no request to another host, not even a latent one."""
    return LOADERS.sub("", content) if page.file.src_uri.endswith(".ipynb") else content
