"""The prose's claims about what the snippets print (tests/output_checks.py) hold for the outputs stored when the
notebooks ran, on TensorFlow and on JAX, which the pages show under the code. tests/test_snippets.py runs the same
checks on fresh output.

The pages show the two backends' outputs as the rule of sitebuild/backends.py says: one output and a line on what
JAX printed where they agree, both in tabs with the author's sentence where they do not, and a line saying so under
a block that runs on TensorFlow only.
"""

import re

import pytest

from macros_env import FakeEnv
from output_checks import CHECKS
from sitebuild.backends import BACKENDS, agree, agreement, backends_of
from sitebuild.outputs import TENSORFLOW_ONLY, BackendSentenceError, register_macros, render, stored_output
from sitebuild.pages import DOCS, SNIPPETS, Block, file_blocks, lesson_pages, page_snippets

SHOWN_ON = {block: page for page in lesson_pages() for block in page_snippets(page)}
CASES = [(snippet, backend, check) for snippet, checks in CHECKS.items() for check in checks
         for backend in check.backends if backend in backends_of(SNIPPETS / snippet)]


def stored(block, backend):
    assert block in SHOWN_ON, f"no lesson shows {block.name}, whose output tests/output_checks.py checks"
    return stored_output(SHOWN_ON[block], block, backend)


@pytest.mark.parametrize("snippet, backend, check", CASES,
                         ids=[f"{check.__name__}-{backend}" for _, backend, check in CASES])
def test_stored_output(snippet, backend, check):
    check(lambda section=None: stored(Block(SNIPPETS / snippet, section or None), backend))


def test_a_backends_own_check_is_of_a_snippet_whose_outputs_differ():
    """Where the prose says something of one backend's output only, the page shows both: the outputs disagree."""
    for snippet, checks in CHECKS.items():
        backends = backends_of(SNIPPETS / snippet)
        if all(set(backends) <= set(check.backends) for check in checks):
            continue
        assert backends == BACKENDS, f"{snippet} runs on TensorFlow only: its checks need no backend"
        assert any(not agree(*(stored(block, backend) for backend in BACKENDS))
                   for block in file_blocks(SNIPPETS / snippet)), \
            f"{snippet}: a check names its backend, but both backends printed the same: check both with one"


def shown_blocks():
    """(block, page, backends it runs on, whether its outputs agree) of every block a lesson shows."""
    for block, page in SHOWN_ON.items():
        backends = backends_of(block.file)
        yield block, page, backends, len(backends) == 1 or agree(*(stored(block, name) for name in backends))


def test_pages_show_tabs_exactly_where_the_backends_differ_and_say_so_elsewhere(built_site):
    for page in lesson_pages():
        html = (built_site / page.relative_to(DOCS).with_suffix("") / "index.html").read_text(encoding="utf-8")
        with_output = set(re.findall(r"\{\{\s*output\(\s*\"([^\"]+)\"", page.read_text(encoding="utf-8")))
        blocks = [(block, backends, agreeing) for block, shown_on, backends, agreeing in shown_blocks()
                  if shown_on == page and block.name in with_output]
        tabs = re.findall(r'<div class="tabbed-labels"><label[^>]*>(.*?)</label><label[^>]*>(.*?)</label></div>', html)
        assert tabs == [("TensorFlow", "JAX")] * sum(not agreeing for _, _, agreeing in blocks), page.name
        lines = html.count("On JAX it printed") + html.count("On JAX it ran too")
        assert lines == sum(agreeing and len(backends) == 2 for _, backends, agreeing in blocks), page.name
        assert html.count("differ here.</strong>") == len(tabs), page.name
        assert html.count(TENSORFLOW_ONLY) == sum(len(backends) == 1 for _, backends, _ in blocks)
        # pymdownx.blocks.tab numbers its tab sets apart from `===` tabs: a page with both would repeat ids
        tab_ids = re.findall(r'\bid="(__tabbed_[\d_]+)"', html)
        assert len(tab_ids) == len(set(tab_ids)), f"{page.name} mixes `===` tabs with the output macro's tabs"


def test_every_agreement_line_names_each_number_jax_printed_otherwise():
    for block, page, backends, agreeing in shown_blocks():
        if agreeing and len(backends) == 2:
            tensorflow, jax = (stored(block, backend) for backend in BACKENDS)
            line = agreement(tensorflow, jax)
            assert (line == "On JAX it printed exactly the same.") == (tensorflow == jax), block.name
            for number in set(re.findall(r"(\S+) instead of", line)):
                assert number in jax, (block.name, number)


BLOCK = Block(SNIPPETS / "l3_layers.py")


def test_a_block_that_only_draws_is_not_said_to_print_the_same_on_jax():
    """The JAX record holds what a block printed; its plots are drawn on TensorFlow only, and the page says so."""
    image = '<img src="data:,">'
    drawn = render(BLOCK, {"tensorflow": "", "jax": ""}, images=image)
    assert "printed the same" not in drawn and "printed exactly" not in drawn
    assert "On JAX it ran too, and printed nothing. The plot is TensorFlow's" in drawn
    printed_and_drawn = render(BLOCK, {"tensorflow": "mirrored: 3\n", "jax": "mirrored: 3\n"}, images=image)
    assert "On JAX it printed exactly the same. The plot is TensorFlow's" in printed_and_drawn
    assert "The plot" not in render(BLOCK, {"tensorflow": "mirrored: 3\n", "jax": "mirrored: 3\n"})


def test_the_build_refuses_tabs_where_the_outputs_agree_and_one_output_where_they_differ():
    with pytest.raises(BackendSentenceError, match="agree"):
        render(BLOCK, {"tensorflow": "accuracy 0.71\n", "jax": "accuracy 0.69\n"}, difference="JAX scored less.")
    with pytest.raises(BackendSentenceError, match=r"different things.*difference="):
        render(BLOCK, {"tensorflow": "base changed: False\n", "jax": "fit() raised ValueError\n"})


def test_the_output_macro_fails_the_build_on_a_wrong_difference_sentence_or_a_missing_one():
    """The macro, as the build calls it, on a block whose stored outputs agree and on one whose outputs differ."""
    for block, page, backends, agreeing in shown_blocks():
        if len(backends) == 2:
            env = FakeEnv(page.relative_to(DOCS).as_posix())
            register_macros(env)
            with pytest.raises(BackendSentenceError, match="agree" if agreeing else "different things"):
                env.macros["output"](block.name, difference="A sentence." if agreeing else None, alt="A plot.")


def test_tabs_show_each_backends_output_and_the_sentence_on_the_difference():
    markdown = render(BLOCK, {"tensorflow": "base changed: False\n", "jax": "fit() raised ValueError\n"},
                      difference="On JAX, `fit()` raises.")
    tensorflow, jax = markdown.index("/// tab | TensorFlow"), markdown.index("/// tab | JAX")
    assert tensorflow < markdown.index("base changed: False") < jax < markdown.index("fit() raised ValueError")
    assert markdown.endswith("**TensorFlow and JAX differ here.** On JAX, `fit()` raises.\n{ .backend-note }")


def test_one_output_and_what_jax_printed_otherwise_where_they_agree():
    markdown = render(BLOCK, {"tensorflow": "accuracy 0.710, loss 1.2\n", "jax": "accuracy 0.690, loss 1.2\n"})
    assert "accuracy 0.710" in markdown and "accuracy 0.690" not in markdown and "/// tab" not in markdown
    assert "On JAX it printed the same, but for 1 number: 0.690 instead of 0.710." in markdown


def test_a_block_that_imports_tensorflow_runs_on_tensorflow_only_and_its_page_says_so(tmp_path):
    snippet = tmp_path / "l9_pipeline.py"
    snippet.write_text("import keras\nimport tensorflow as tf\n\nprint(tf.data.Dataset.range(3).cardinality())\n")
    assert backends_of(snippet) == ("tensorflow",)
    markdown = render(Block(snippet), {"tensorflow": "3\n"})
    assert f"This code {TENSORFLOW_ONLY}" in markdown and "/// tab" not in markdown
    assert f"This block's program, `l9_pipeline.py`, {TENSORFLOW_ONLY}" in render(Block(snippet, "count"),
                                                                                  {"tensorflow": "3\n"})
    with pytest.raises(BackendSentenceError, match="TensorFlow only"):
        render(Block(snippet), {"tensorflow": "3\n"}, difference="JAX has no tf.data.")
    snippet.write_text("import numpy as np\nimport keras\n\nfrom tensorflow import data\n")
    assert backends_of(snippet) == ("tensorflow",)
    snippet.write_text("import keras\n\nprint('tensorflow')  # import tensorflow\n")
    assert backends_of(snippet) == BACKENDS
