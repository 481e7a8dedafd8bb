"""mkdocs-macros entry point: each part of the site registers its own macros here."""

from sitebuild import evidence, outputs, quiz, reader, results


def define_env(env):
    env.variables.update(reader.page_variables())
    quiz.register_macros(env)
    results.register_macros(env)
    outputs.register_macros(env)
    evidence.register_macros(env)


def on_pre_page_macros(env):
    """A notebook page's source is the notebook's JSON, which mkdocs-jupyter renders itself: it holds no macros,
    and a `{{` in a stored output must not be read as one."""
    if env.page.file.src_uri.endswith(".ipynb"):
        env.page.meta["render_macros"] = False


def on_post_build(env):
    outputs.write_plots(env.conf["site_dir"])
