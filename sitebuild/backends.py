"""The Keras backends the lessons' code is tested on, and when their outputs of a block count as the same.

Every snippet runs on TensorFlow and on JAX, except one that imports `tensorflow` itself (a `tf.data` pipeline,
`tf.GradientTape`): that one runs on TensorFlow only, and its page says so.

The rule for two outputs of one block: they **agree** when they are equal once every measured number is masked,
that is every decimal number with its sign (`0.679`, `-0.006`, `2.6%`, `1e-05`) and every duration (`4s`,
`350ms/step`). Counts, shapes, flags, names and error messages must be equal. Where the outputs agree, the page
shows one and says which numbers JAX printed otherwise (`agreement`); where they do not, the page shows both in
tabs with the author's sentence on the difference (sitebuild/outputs.py). What the prose says about the numbers
is checked on both outputs by tests/output_checks.py.
"""

import ast
import re

BACKENDS = ("tensorflow", "jax")
NAMES = {"tensorflow": "TensorFlow", "jax": "JAX"}
# A measured number: a decimal (with a point or an exponent, maybe a percentage), or a duration as Keras's
# progress line prints it.
MEASURED = re.compile(r"(?<![\w.])-?(?:\d+\.\d+(?:e[-+]?\d+)?%?|\d+(?:\.\d+)?e[-+]?\d+|\d+(?:us|ms|s)(?:/step)?\b)")


def imports_tensorflow(code):
    """Whether the code imports TensorFlow itself (anywhere in it: sections of a file share one namespace)."""
    for node in ast.walk(ast.parse(code)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if any(name.split(".")[0] == "tensorflow" for name in names):
            return True
    return False


def backends_of(snippet):
    """The backends a snippet file runs on."""
    return BACKENDS[:1] if imports_tensorflow(snippet.read_text(encoding="utf-8")) else BACKENDS


def masked(text):
    return MEASURED.sub("#", text)


def agree(tensorflow, jax):
    """Whether two outputs of a block agree: equal once the measured numbers are masked."""
    return masked(tensorflow) == masked(jax)


def agreement(tensorflow, jax):
    """The sentence saying what JAX printed, for two outputs that agree."""
    if not agree(tensorflow, jax):
        raise ValueError("the outputs differ beyond their measured numbers")
    changed = [(ours, theirs) for ours, theirs in zip(MEASURED.findall(tensorflow), MEASURED.findall(jax))
               if ours != theirs]
    if not changed:
        return "On JAX it printed exactly the same."
    numbers = ", ".join(f"{theirs} instead of {ours}" for ours, theirs in changed)
    return f"On JAX it printed the same, but for {len(changed)} number{'s' * (len(changed) > 1)}: {numbers}."

