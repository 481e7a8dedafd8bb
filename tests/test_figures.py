"""Figures: each name in experiments.figure_specs.FIGURES, in both palettes, drawn from the committed results and
still matching them byte for byte, on any machine; each on a lesson page (tests/test_reading.py checks that it is
legible on a phone, sized, lazy-loaded and in the reader's palette there)."""

import itertools
import os
import re
import subprocess
import sys

import pytest

from experiments import figures
from experiments.contract import load
from experiments.figure_specs import FIGURES, PALETTES, WIDTH, figure_points, svg_name
from macros_env import FakeEnv
from sitebuild.results import register_macros

FILES = [(name, palette) for name in FIGURES for palette in PALETTES]
IDS = [svg_name(name, palette) for name, palette in FILES]


def committed(name, palette):
    return figures.FIGURES_DIR / svg_name(name, palette)


def source_of(svg_text):
    """The dc:source metadata line the figure was drawn with."""
    match = re.search(r"<dc:source>(.*?)</dc:source>", svg_text)
    assert match, "the SVG carries no dc:source metadata"
    return match.group(1)


@pytest.mark.parametrize("name, palette", FILES, ids=IDS)
def test_each_figure_matches_the_results_it_was_drawn_from(name, palette):
    path = committed(name, palette)
    assert path.is_file(), f"{path} is missing: run `make figures`"
    experiment = FIGURES[name].experiment
    assert source_of(path.read_text()) == figures.source_line(experiment), (
        f"{path} was drawn from other results than experiments/results/{experiment}.json: run `make figures`")


def test_every_file_in_the_figures_folder_is_a_figure():
    assert sorted(path.name for path in figures.FIGURES_DIR.glob("*.svg")) == sorted(IDS)


@pytest.fixture(scope="module")
def redrawn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    figures.main(["--out", str(folder)])
    return folder


@pytest.mark.parametrize("name, palette", FILES, ids=IDS)
def test_figures_are_exactly_what_the_results_draw(redrawn, name, palette):
    """Byte for byte: the committed SVG is what `make figures` makes now."""
    assert (redrawn / svg_name(name, palette)).read_bytes() == committed(name, palette).read_bytes()


def perturbed(data, relative=1e-12):
    """The results with every measured float moved by a relative ±1e-12 (alternately), as another CPU's last bits
    might move them. Learning rates are settings that runs are selected by, not measurements: kept."""
    factors = itertools.cycle((1 + relative, 1 - relative))

    def walk(value, key=None):
        if isinstance(value, float) and key != "learning_rate":
            return value * next(factors)
        if isinstance(value, list):
            return [walk(item, key) for item in value]
        if isinstance(value, dict):
            return {field: walk(item, field) for field, item in value.items()}
        return value

    return {**data, "runs": walk(data["runs"])}


@pytest.mark.parametrize("name, palette", FILES, ids=IDS)
def test_noise_below_what_the_file_prints_changes_no_byte(monkeypatch, name, palette):
    """Redrawn from results perturbed in memory (so the metadata's sha256 stays that of the file), the figure
    is the committed one, byte for byte. And with another hash salt: matplotlib names clip paths by a hash of
    the clip box's full-precision floats, which differ in the last bits from one CPU to another; a salt changes
    every such hash, so the same bytes mean no id is one."""
    monkeypatch.setitem(figures.STYLE, "svg.hashsalt", "another salt")
    spec = FIGURES[name]
    data = load(spec.experiment)
    noisy = perturbed(data)
    assert noisy["runs"] != data["runs"]
    svg = figures.svg(name, noisy, figures.source_line(spec.experiment), palette)
    assert svg.encode() == committed(name, palette).read_bytes()


@pytest.mark.parametrize("name, palette", FILES, ids=IDS)
def test_figures_have_their_palette_s_opaque_background_and_no_date(name, palette):
    text = committed(name, palette).read_text()
    assert "<dc:date>" not in text
    first_patch = re.search(r'<g id="patch_1">\s*<path d="[^"]*" style="fill: (#[0-9a-f]{6})"', text)
    assert first_patch.group(1) == figures.COLORS[palette].background


def test_a_changed_result_makes_the_figure_stale(tmp_path):
    for path in figures.RESULTS.glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    experiment = FIGURES["lr_sweep"].experiment
    before = figures.source_line(experiment, tmp_path)
    changed = tmp_path / f"{experiment}.json"
    changed.write_text(changed.read_text().replace('"test_accuracy": 0.', '"test_accuracy": 0.0', 1))
    assert figures.source_line(experiment, tmp_path) != before


@pytest.mark.parametrize("name", FIGURES)
def test_the_figure_macro_gives_both_palettes_alt_caption_provenance_and_numbers(name):
    env = FakeEnv("lessons/6-learning-rate.md")
    register_macros(env)
    markdown = env.macros["figure"](name)
    spec = FIGURES[name]
    size = f'width="{round(WIDTH * 96)}" height="{round(spec.height * 96)}"'
    for palette in PALETTES:
        assert f"![{spec.alt}](../figures/{svg_name(name, palette)}#only-{palette}){{ {size} loading=lazy }}" \
            in markdown
    data = load(spec.experiment)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", markdown, re.DOTALL).group(1)
    first_line, provenance = caption.split("\n", 1)
    assert data["provenance"]["hardware"] not in first_line
    folded = re.fullmatch(r'<details class="result-provenance"><summary>[^<]+</summary>(.*)</details>', provenance)
    assert folded, provenance
    for key in ("hardware", "date"):
        assert data["provenance"][key] in folded.group(1)
    assert data["provenance"]["git_commit"][:10] in folded.group(1)
    assert markdown.count("<tr>") == len(figure_points(name)) + 1  # the header, then one row per point


def test_every_figure_is_on_a_lesson_page_in_both_palettes(built_site):
    """tests/test_reading.py checks each figure where a page shows it: here, that every figure is shown."""
    pages = "".join(path.read_text(encoding="utf-8") for path in (built_site / "lessons").glob("*/index.html"))
    missing = [f"{svg_name(name, palette)}#only-{palette}" for name, palette in FILES
               if f"figures/{svg_name(name, palette)}#only-{palette}" not in pages]
    assert missing == []


@pytest.mark.parametrize("name, metric", [("recompile", "base_weights_moved"), ("bn_modes", "bn_statistics_moved")])
def test_a_bar_s_label_is_the_number_the_pages_print(name, metric):
    """One number, one meaning: the value written over each bar (matplotlib keeps each text as a comment) is
    what `result(..., metric=...)` prints on the pages, the mean over seeds."""
    env = FakeEnv("lessons/5-compile-again.md")
    register_macros(env)
    labels = re.findall(r"<!-- (.*?) -->", committed(name, "light").read_text())
    for point in figure_points(name):
        where = {"n": point.n} if hasattr(point, "n") else {}
        assert env.macros["result"](name, point.method, metric=metric, **where) in labels, (point, labels)


def test_drawing_writes_nothing_in_the_user_s_home(tmp_path):
    """matplotlib's font cache and config stay in the checkout (.cache/matplotlib), like every other cache."""
    environment = {key: value for key, value in os.environ.items() if key != "MPLCONFIGDIR"}
    draw = "from experiments import contract, figures; figures.svg('timing', contract.load('blocks'), '', 'light')"
    done = subprocess.run([sys.executable, "-c", draw], cwd=figures.ROOT, env={**environment, "HOME": str(tmp_path)},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.iterdir())
