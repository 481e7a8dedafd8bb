"""mkdocs-macros entry point: each part of the site registers its own macros here."""

from importlib.metadata import PackageNotFoundError, version

from sitebuild import evidence, notebooks, quiz, results


def define_env(env):
    env.variables["site_versions"] = _versions()
    quiz.register_macros(env)
    results.register_macros(env)
    notebooks.register_macros(env)
    evidence.register_macros(env)


def _versions():
    """The TensorFlow and Keras versions the site is built (and tested) with, read without importing them."""
    try:
        tensorflow = version("tensorflow-cpu")
    except PackageNotFoundError:  # a GPU install: `tensorflow[and-cuda]`
        tensorflow = version("tensorflow")
    return {"tensorflow": tensorflow, "keras": version("keras")}
