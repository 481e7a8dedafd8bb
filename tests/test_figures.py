"""Figures: one per name in sitebuild.results.FIGURES, drawn from the committed results and still matching them."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from experiments import figures
from sitebuild import results
from macros_env import FakeEnv

NAMES = list(results.FIGURES)


def source_of(svg_text):
    """The dc:source metadata line the figure was drawn with."""
    match = re.search(r"<dc:source>(.*?)</dc:source>", svg_text)
    assert match, "the SVG carries no dc:source metadata"
    return match.group(1)


@pytest.mark.parametrize("name", NAMES)
def test_each_figure_matches_the_results_it_was_drawn_from(name):
    path = figures.FIGURES_DIR / f"{name}.svg"
    assert path.is_file(), f"{path} is missing: run `make figures`"
    experiment = results.FIGURES[name]["experiment"]
    assert source_of(path.read_text()) == figures.source_line(experiment), (
        f"{path} was drawn from other results than experiments/results/{experiment}.json: run `make figures`")


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    figures.main(["--out", str(folder)])
    return folder


@pytest.mark.parametrize("name", NAMES)
def test_figures_are_exactly_what_the_results_draw(redrawn, name):
    """Byte for byte: the committed SVG is what `make figures` makes now (deterministic output)."""
    assert (redrawn / f"{name}.svg").read_bytes() == (figures.FIGURES_DIR / f"{name}.svg").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_figures_have_an_opaque_white_background_and_no_date(name):
    text = (figures.FIGURES_DIR / f"{name}.svg").read_text()
    assert "<dc:date>" not in text
    root = ElementTree.fromstring(text)
    first_patch = root.find(".//{http://www.w3.org/2000/svg}g[@id='patch_1']/{http://www.w3.org/2000/svg}path")
    assert "fill: #ffffff" in first_patch.get("style")


def test_a_changed_result_makes_the_figure_stale(tmp_path):
    for path in results.RESULTS.glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    experiment = results.FIGURES["lr_sweep"]["experiment"]
    before = figures.source_line(experiment, tmp_path)
    changed = tmp_path / f"{experiment}.json"
    changed.write_text(changed.read_text().replace('"test_accuracy": 0.', '"test_accuracy": 0.0', 1))
    assert figures.source_line(experiment, tmp_path) != before


@pytest.mark.parametrize("name", NAMES)
def test_the_figure_macro_gives_image_alt_caption_provenance_and_numbers(name):
    env = FakeEnv("lessons/6-learning-rate.md")
    results.register_macros(env)
    markdown = env.macros["figure"](name)
    spec = results.FIGURES[name]
    assert f"![{spec['alt']}](../figures/{name}.svg)" in markdown
    data = results.load(spec["experiment"])
    assert data["provenance"]["hardware"] in markdown and data["provenance"]["date"] in markdown
    assert markdown.count("<tr>") == len(results.figure_rows(name)) + 1  # the header, then one row per point
    assert "<details" in markdown and "<figcaption>" in markdown
