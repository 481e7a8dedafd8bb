"""mkdocs-macros entry point: each part of the site registers its own macros here."""

from sitebuild import evidence, outputs, quiz, reader, results


def define_env(env):
    env.variables["site_versions"] = reader.tested_versions()
    quiz.register_macros(env)
    results.register_macros(env)
    outputs.register_macros(env)
    evidence.register_macros(env)
