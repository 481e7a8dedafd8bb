"""`python -m experiments.figures`: draw every figure from the results files alone (no training).

Each figure comes in two palettes, `<name>.svg` (light) and `<name>-dark.svg`, drawn from the same points (the
ones its table prints, `experiments.figure_specs`). Each SVG records the sha256 of the results file it was
drawn from in its metadata (dc:source) and is byte-for-byte reproducible on any machine: the values drawn are
rounded well below what the file prints, and matplotlib's ids, which hash full-precision floats (the clip box
differs in its last bits from one CPU to another), are renumbered in order of appearance.
"""

import argparse
import collections
import hashlib
import io
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
# matplotlib's font cache goes inside the checkout (git-ignored), not the user's home; nor is a user's
# matplotlibrc read from there.
os.environ.setdefault("MPLCONFIGDIR", str(ROOT / ".cache" / "matplotlib"))

import matplotlib  # noqa: E402

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from experiments.contract import RESULTS, ResultsError, format_value, load, results_path  # noqa: E402
from experiments.figure_specs import (BASE_LABELS, FIGURES, FINE_TUNING, HEAD, HEAD_DISCARDED,  # noqa: E402
                                      METHOD_LABELS, PALETTES, WIDTH, svg_name)

FIGURES_DIR = ROOT / "docs" / "figures"
DRAWN_DIGITS = 6  # significant digits of every value drawn: noise in the results below that cannot show


class Palette(NamedTuple):
    background: str  # Material's page background in that palette
    text: str
    muted: str  # reference lines
    colors: dict  # colour role -> colour, each at least 3:1 against the background


# Okabe-Ito colours (distinct for colour-blind readers); on the dark page the lighter variants.
COLORS = {
    "light": Palette("#ffffff", "#222222", "#767676", {"blue": "#0072B2", "green": "#009E73",
                                                      "vermillion": "#D55E00", "purple": "#CC79A7"}),
    "dark": Palette("#1e2129", "#e2e4e9", "#9aa0a6", {"blue": "#56B4E9", "green": "#3DC99B",
                                                     "vermillion": "#F07838", "purple": "#E09CC4"}),
}
ROLE = {"feature_extraction": "blue", "fine_tuning": "green", "scratch": "vermillion",
        "fine_tuning_augmented": "purple", "scratch_augmented": "blue",
        "bn_training": "vermillion", "bn_training_false": "purple", "bn_frozen": "blue"}
MARKERS = {"feature_extraction": "o", "fine_tuning": "s", "scratch": "^"}
SERIES = ("blue", "vermillion", "green", "purple")  # one line per training-set size
# On matplotlib's defaults (whatever a matplotlibrc says). Text stays glyph paths (the same on every machine);
# 12 pt on a figure WIDTH (5 in = 360 pt) wide shows at 12 × 358 / 360 = 11.9 CSS px in a 390 px phone's column.
STYLE = {"svg.fonttype": "path", "svg.hashsalt": "fine-tuning-lessons", "font.size": 12, "axes.grid": True,
         "grid.alpha": 0.3, "errorbar.capsize": 3, "legend.frameon": False}


def style(palette):
    colors = COLORS[palette]
    return {**STYLE, "figure.facecolor": colors.background, "axes.facecolor": colors.background,
            "savefig.facecolor": colors.background, "text.color": colors.text, "axes.labelcolor": colors.text,
            "axes.edgecolor": colors.text, "xtick.color": colors.text, "ytick.color": colors.text,
            "grid.color": colors.text}


def drawn(value, scale=1):
    """A value as drawn: scaled, then rounded to DRAWN_DIGITS significant digits."""
    return float(f"{value * scale:.{DRAWN_DIGITS}g}")


def means(summaries, scale=1):
    return [drawn(stats["mean"], scale) for stats in summaries]


def spreads(summaries, scale=1):
    return [drawn(stats["std"], scale) for stats in summaries]


def results_sha256(experiment, results=None):
    return hashlib.sha256(results_path(experiment, results).read_bytes()).hexdigest()


def source_line(experiment, results=None):
    """The metadata line naming the results a figure was drawn from; the freshness test compares it."""
    return f"experiments/results/{experiment}.json sha256:{results_sha256(experiment, results)}"


def _log_sizes(axes, sizes):
    axes.set_xscale("log")
    axes.set_xticks(sizes, [str(n) for n in sizes])
    axes.minorticks_off()
    axes.set_xlabel("training examples per class (log scale)")


def _method_lines(figure, points, colors, scale):
    axes = figure.subplots()
    for method in dict.fromkeys(point.method for point in points):
        line = [point for point in points if point.method == method]
        stats = [point.value for point in line]
        axes.errorbar([point.n for point in line], means(stats, scale), yerr=spreads(stats, scale),
                      marker=MARKERS[method], color=colors.colors[ROLE[method]], label=METHOD_LABELS[method])
    _log_sizes(axes, sorted({point.n for point in points}))
    return axes


def draw_data_size(figure, points, colors):
    axes = _method_lines(figure, points, colors, 100)
    axes.axhline(20, color=colors.muted, linestyle=":", label="chance (5 classes)")
    axes.set_ylabel("test accuracy (%)")
    figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center")


def draw_gap(figure, points, colors):
    axes = _method_lines(figure, points, colors, 100)
    axes.set_ylabel("train − test accuracy (points)")
    figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center")


def draw_timing(figure, points, colors):
    axes = figure.subplots()
    stats = [point.seconds for point in points]
    axes.bar([str(point.blocks) for point in points], means(stats), yerr=spreads(stats),
             color=colors.colors["blue"], ecolor=colors.text)
    axes.xaxis.grid(False)
    axes.set_xlabel("blocks of the base unfrozen (0 = frozen)")
    axes.set_ylabel("seconds per epoch")


def draw_lr_sweep(figure, points, colors):
    axes = figure.subplots()
    for n, role in zip(dict.fromkeys(point.n for point in points), SERIES):
        line = [point for point in points if point.n == n]
        stats = [point.accuracy for point in line]
        axes.errorbar([drawn(point.learning_rate) for point in line], means(stats, 100),
                      yerr=spreads(stats, 100), marker="o", color=colors.colors[role],
                      label=f"{n} examples per class")
    rates = sorted({drawn(point.learning_rate) for point in points})
    axes.set_xscale("log")
    axes.set_xticks(rates, [f"{rate:.0e}".replace("e-0", "e-") for rate in rates])  # as the pages write rates
    axes.minorticks_off()
    axes.set_xlabel("learning rate of the fine-tuning phase (log scale)")
    axes.set_ylabel("test accuracy (%)")
    figure.legend(loc="outside lower center")


def draw_two_phase(figure, points, colors):
    """The head's epochs, then fine-tuning branching off at the head's best epoch (the weights it kept); the
    head's epochs after that are dotted."""
    axes = figure.subplots()
    head = [point for point in points if point.phase == HEAD]
    best = head[-1]
    later = [best, *(point for point in points if point.phase == HEAD_DISCARDED)]
    tuning = [best, *(point for point in points if point.phase == FINE_TUNING)]
    for field, label, role in (("train_accuracy", "train", "blue"),
                               ("validation_accuracy", "validation", "vermillion")):
        for line, style in ((head, {"marker": "o", "label": label}), (later, {"linestyle": ":", "alpha": 0.7}),
                            (tuning, {"marker": "o"})):
            axes.plot([point.epoch for point in line], [drawn(getattr(point, field), 100) for point in line],
                      color=colors.colors[role], markersize=4, **style)
    if len(later) > 1:
        axes.plot([], [], color=colors.muted, linestyle=":", label="head after its best epoch (not kept)")
    axes.axvline(best.epoch, color=colors.text, linestyle="--", linewidth=1)
    axes.annotate(f"fine-tuning starts\nfrom head epoch {best.epoch}", (best.epoch, 0.04),
                  xycoords=("data", "axes fraction"), xytext=(5, 0), textcoords="offset points", ha="left")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("accuracy (%)")
    figure.legend(loc="outside lower center")


def _annotate_bars(axes, bars, summaries, metric, scale=1):
    """Each bar's mean as the pages print it, above its whisker (bars drawn at `scale`)."""
    tops = [mean + spread for mean, spread in zip(means(summaries, scale), spreads(summaries, scale))]
    for bar, mean, top in zip(bars, means(summaries), tops):
        axes.annotate(format_value(metric, mean), (bar.get_x() + bar.get_width() / 2, top),
                      xytext=(0, 3), textcoords="offset points", ha="center", va="bottom")
    axes.margins(y=0.2)
    axes.xaxis.grid(False)


def draw_recompile(figure, points, colors):
    axes = figure.subplots()
    stats = [point.weights_moved for point in points]
    bars = axes.bar([textwrap.fill(METHOD_LABELS[point.method], 16) for point in points], means(stats),
                    yerr=spreads(stats), color=colors.colors["blue"], ecolor=colors.text)
    _annotate_bars(axes, bars, stats, "base_weights_moved")
    axes.set_ylabel("largest change of\nany base weight")


def _grouped_bars(axes, points, field, colors, scale=1):
    """One group of bars per training-set size, one bar per method in it; returns the bars, group by group."""
    sizes = sorted({point.n for point in points})
    methods = list(dict.fromkeys(point.method for point in points))
    width = 0.8 / len(methods)
    groups = []
    for offset, method in enumerate(methods):
        stats = [getattr(next(point for point in points if (point.method, point.n) == (method, n)), field)
                 for n in sizes]
        groups.append((axes.bar([position + offset * width for position in range(len(sizes))],
                                means(stats, scale), width, yerr=spreads(stats, scale), ecolor=colors.text,
                                color=colors.colors[ROLE[method]], label=METHOD_LABELS[method]), stats))
    axes.set_xticks([position + width * (len(methods) - 1) / 2 for position in range(len(sizes))],
                    [str(n) for n in sizes])
    return groups


def _two_bar_panels(figure, points, colors, top, bottom):
    """Grouped bars in two panels over one x axis, the top one's bars labelled with their means; `top` and
    `bottom` are (point field, metric, scale, y label)."""
    upper, lower = figure.subplots(2, 1, sharex=True)
    field, metric, scale, label = top
    for bars, stats in _grouped_bars(upper, points, field, colors, scale):
        _annotate_bars(upper, bars, stats, metric, scale)
    upper.set_ylabel(label)
    field, _, scale, label = bottom
    _grouped_bars(lower, points, field, colors, scale)
    lower.xaxis.grid(False)
    lower.set_ylabel(label)
    lower.set_xlabel("training examples per class")
    figure.legend(*upper.get_legend_handles_labels(), loc="outside lower center")


def draw_bn_modes(figure, points, colors):
    _two_bar_panels(figure, points, colors,
                    ("statistics_moved", "bn_statistics_moved", 1, "largest change of\na moving statistic"),
                    ("accuracy", "test_accuracy", 100, "test accuracy (%)"))


def draw_blocks(figure, points, colors):
    accuracy, gap = figure.subplots(2, 1, sharex=True)
    blocks = [point.blocks for point in points]
    for axes, field, role, label in ((accuracy, "accuracy", "green", "test accuracy (%)"),
                                     (gap, "gap", "vermillion", "train − test gap\n(points)")):
        stats = [getattr(point, field) for point in points]
        axes.errorbar(blocks, means(stats, 100), yerr=spreads(stats, 100), marker="o",
                      color=colors.colors[role])
        axes.set_ylabel(label)
    gap.set_xticks(blocks)
    gap.set_xlabel("top blocks unfrozen (0 = base frozen)")


def draw_pretraining_source(figure, points, colors):
    """Per base and method, the lead over scratch against n; the base by line style, the method by colour."""
    axes = figure.subplots()
    styles = ("-", "--", "-.", ":")
    bases = list(dict.fromkeys(point.base for point in points if point.versus_scratch))
    for base, linestyle in zip(bases, styles):
        for method in dict.fromkeys(point.method for point in points if point.base == base):
            line = [point for point in points if (point.base, point.method) == (base, method)]
            stats = [point.versus_scratch for point in line]
            axes.errorbar([point.n for point in line], means(stats, 100), yerr=spreads(stats, 100),
                          marker=MARKERS[method], linestyle=linestyle, color=colors.colors[ROLE[method]],
                          label=textwrap.fill(f"{METHOD_LABELS[method]}, {BASE_LABELS[base]}", 48))
    axes.axhline(0, color=colors.text, linewidth=1)
    # below the zero line, mid-way, where no line of this figure's runs passes
    axes.annotate("from scratch", (0.5, 0), xycoords=("axes fraction", "data"), xytext=(0, -4),
                  textcoords="offset points", ha="center", va="top", color=colors.muted)
    _log_sizes(axes, sorted({point.n for point in points}))
    axes.set_ylabel("test accuracy minus\nfrom scratch (points)")
    figure.legend(loc="outside lower center")


def draw_augmentation(figure, points, colors):
    _two_bar_panels(figure, points, colors, ("accuracy", "test_accuracy", 100, "test accuracy (%)"),
                    ("gap", "gap", 100, "train − test gap\n(points)"))


DRAW = {"data_size": draw_data_size, "gap": draw_gap, "timing": draw_timing, "lr_sweep": draw_lr_sweep,
        "two_phase": draw_two_phase, "recompile": draw_recompile, "bn_modes": draw_bn_modes,
        "blocks": draw_blocks, "pretraining_source": draw_pretraining_source, "augmentation": draw_augmentation}
# matplotlib's ids of clip paths (p…), markers (m…) and path collections (C…_…_…): a prefix, then 10 hex digits
# of a hash.
HASHED_ID = re.compile(r'(?<=["#])((?:[A-Za-z]+|C[0-9a-f]+_[0-9a-f]+_)[0-9a-f]{10})(?=[")])')


def stable_ids(svg):
    """Replace each hashed id by its prefix and its rank among the ids with that prefix, in order of appearance."""
    renamed, counts = {}, collections.Counter()

    def rename(match):
        old = match.group(1)
        if old not in renamed:
            prefix = old[:-10]
            counts[prefix] += 1
            renamed[old] = f"{prefix}{counts[prefix]}"
        return renamed[old]

    return HASHED_ID.sub(rename, svg)


def svg(name, data, source, palette):
    """The SVG text of figure `name` drawn from the results document `data`, in `palette`."""
    spec = FIGURES[name]
    with plt.style.context(["default", style(palette)]):
        figure = plt.figure(figsize=(WIDTH, spec.height), layout="constrained")
        DRAW[name](figure, spec.points(data), COLORS[palette])
        text = io.StringIO()
        figure.savefig(text, format="svg", metadata={"Date": None, "Title": name, "Source": source})
        plt.close(figure)
    return stable_ids(text.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m experiments.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=RESULTS, type=Path, help="folder of the results files")
    parser.add_argument("--out", default=FIGURES_DIR, type=Path, help="folder the SVG files go to")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    for name, spec in FIGURES.items():
        data, source = load(spec.experiment, arguments.results), source_line(spec.experiment, arguments.results)
        for palette in PALETTES:
            (arguments.out / svg_name(name, palette)).write_bytes(svg(name, data, source, palette).encode())
    print(f"drew {len(FIGURES)} figures in {len(PALETTES)} palettes into {arguments.out}")


if __name__ == "__main__":
    try:
        main()
    except ResultsError as error:
        sys.exit(f"error: {error}")
