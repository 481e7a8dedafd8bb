"""mkdocs-macros entry point: each part of the site registers its own macros here."""


def define_env(env):
    env.variables["site_versions"] = _versions()


def _versions():
    """The TensorFlow and Keras versions the site is built (and tested) with, read without importing them."""
    from importlib.metadata import version

    return {"tensorflow": version("tensorflow-cpu"), "keras": version("keras")}
