"""No hand-typed result numbers in the lessons' prose: measurements come from the results files via macros.

Code, macros (`{{ result(...) }}`), inline code, comments, link targets and HTML tags are blanked out first
(sitebuild.pages.prose); what is left is what the author typed. Settings such as "20 images per class" or
"classes 5-9" are allowed; measured-looking numbers are not.
"""

import re

import pytest

from sitebuild.pages import DOCS, ROOT, lesson_pages, prose

UNITS = r"(?:ms|s|sec|secs|seconds?|minutes?|mins?|hours?|h)"
COMPARATIVES = r"(?:faster|slower|more|less|fewer|better|worse|longer|shorter|larger|smaller|higher|lower|as)"
HAND_TYPED = {
    "percentage": r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:%|percent\b|per cent\b|percentage points?\b)",
    "ratio": rf"\b\d+(?:\.\d+)?\s*(?:x|×|times)\s+{COMPARATIVES}\b",
    "ratio in words": rf"\b(?:twice|half|(?:two|three|four|five|six|seven|eight|nine|ten)\s+times)\s+{COMPARATIVES}\b",
    "duration": rf"\b\d+(?:\.\d+)?\s*{UNITS}\b",
    "parameter count": r"\b\d[\d,]*\s+(?:trainable\s+|non-trainable\s+)?(?:parameters|params|weights)\b",
    "score": r"\b(?:accuracy|loss|gap|error)\s+(?:of|is|was|were|at|reached|=|:)\s+(?:about\s+|around\s+)?\d"
             r"|\b(?:reach(?:es|ed)?|scores?|scored|achieves?|achieved|gets|got)\s+(?:about\s+|around\s+|roughly\s+"
             r"|nearly\s+|over\s+|under\s+|only\s+)?\d",
}
HAND_TYPED["decimal number"] = r"(?<![\w.])\d*\.\d+(?![\w.])"  # last: the kinds above name it better
PATTERN = re.compile("|".join(f"(?P<{name.replace(' ', '_')}>{regex})" for name, regex in HAND_TYPED.items()),
                     re.IGNORECASE)


def hand_typed_numbers(text):
    """(line, kind, text) for every measured-looking number typed into the prose of a Markdown text."""
    found = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        for match in PATTERN.finditer(line):
            found.append((number, match.lastgroup.replace("_", " "), match.group().strip()))
    return found


PAGES = [DOCS / "index.md", *lesson_pages()]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_no_hand_typed_result_numbers(page):
    found = hand_typed_numbers(page.read_text(encoding="utf-8"))
    assert not found, "hand-typed result numbers (use the result macros instead):\n" + "\n".join(
        f"{page.relative_to(ROOT)}:{line}: {kind}: {text!r}" for line, kind, text in found)


BAD = {
    "Fine-tuning reaches 87.5 % on the test set.": "percentage",
    "That is 12 percent better.": "percentage",
    "The test accuracy was 0.87 after fine-tuning.": "score",
    "After fine-tuning, 0.87 on the test set.": "decimal number",
    "It scored .87 there.": "decimal number",
    "Freezing made training 3 times faster.": "ratio",
    "an epoch is 2.5× faster": "ratio",
    "Training is twice as fast with a frozen base.": "ratio in words",
    "One epoch took 4 s on two cores.": "duration",
    "The base has 93,344 parameters.": "parameter count",
    "It has 645 trainable parameters.": "parameter count",
    "with an accuracy of 91 on the test set": "score",
    "the model reaches about 74 on five classes": "score",
}
GOOD = [
    "Lesson 3 freezes the first 2 blocks of a 28 × 28 image model.",
    "The new task is classes 5–9, with 20 images per class and 1,000 test images.",
    "Fine-tuning reaches {{ result('data_size', 'fine_tuning', n=20) }} on the test set.",
    "Use a learning rate like `1e-4` or `0.0001`, lower than before.",
    "Tested with TensorFlow {{ site_versions.tensorflow }} and Keras {{ site_versions.keras }}.",
    "```python\nprint(f'{acc:.3f} 87.5 %')\n```",
    "See [the figure](../figures/lr_sweep.svg) and <img src=\"a-0.5.svg\" alt=\"x\">.",
    '--8<-- "snippets/l1_fine_tune.py"',
    "Keras 3 needs compile() again; step 2 of the workflow.",
]


@pytest.mark.parametrize("sample", BAD)
def test_catches_hand_typed_numbers(sample):
    assert BAD[sample] in [kind for _, kind, _ in hand_typed_numbers(sample)]


@pytest.mark.parametrize("sample", GOOD)
def test_leaves_settings_code_and_macros_alone(sample):
    assert hand_typed_numbers(sample) == []


def test_reports_file_line():
    found = hand_typed_numbers("# Title\n\nFirst line.\n\nIt gained 5 % over scratch.\n")
    assert found == [(5, "percentage", "5 %")]
