"""The one stand-in for mkdocs-macros' `env` that the tests use: it collects the macros a module registers and
knows the page being rendered and the site's configuration, as the real plugin does."""

from pathlib import PurePosixPath
from types import SimpleNamespace

import jinja2

from sitebuild.pages import DOCS, mkdocs_config


def page_url(src_uri):
    """The URL mkdocs gives a page with directory URLs: lessons/3-x.md -> lessons/3-x/, index.md -> ''."""
    path = PurePosixPath(src_uri)
    if path.stem == "index":
        return "" if str(path.parent) == "." else f"{path.parent}/"
    return f"{path.with_suffix('')}/"


class FakeEnv:
    """`env` for a page whose Markdown source is `src_uri` (relative to docs/)."""

    def __init__(self, src_uri="index.md", url=None):
        self.macros, self.variables = {}, {}
        self.env = jinja2.Environment(undefined=jinja2.StrictUndefined)  # the plugin's: the macros are its globals
        self.page = SimpleNamespace(file=SimpleNamespace(src_uri=src_uri),
                                    url=page_url(src_uri) if url is None else url)
        self.conf = {**mkdocs_config(), "docs_dir": str(DOCS), "use_directory_urls": True}

    def macro(self, function, name=None):
        self.macros[name or function.__name__] = self.env.globals[name or function.__name__] = function
        return function

    def render(self, markdown, force_rendering=False):
        """The text with its macros run, as the plugin's `env.render` does."""
        return self.env.from_string(markdown).render(**self.variables)
