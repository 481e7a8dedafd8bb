"""`python -m experiments.figures`: draw every figure from the results files alone (no training).

Each SVG records the sha256 of the results file it was drawn from in its metadata (dc:source), has an opaque
white background (readable in light and dark palettes) and is byte-for-byte reproducible.
"""

import argparse
import hashlib
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

from sitebuild.results import FIGURES, METHOD_LABELS, RESULTS, ResultsError, figure_rows  # noqa: E402

FIGURES_DIR = Path(__file__).resolve().parent.parent / "docs" / "figures"
COLORS = {"feature_extraction": "#0072B2", "fine_tuning": "#009E73", "scratch": "#D55E00",
          "bn_training": "#D55E00", "bn_training_false": "#E69F00", "bn_frozen": "#0072B2"}
STYLE = {"svg.hashsalt": "fine-tuning-lessons", "figure.facecolor": "white", "axes.facecolor": "white",
         "savefig.facecolor": "white", "font.size": 10, "axes.grid": True, "grid.alpha": 0.3,
         "figure.figsize": (6.4, 3.8)}


def results_sha256(experiment, results=None):
    return hashlib.sha256((Path(results or RESULTS) / f"{experiment}.json").read_bytes()).hexdigest()


def source_line(experiment, results=None):
    """The metadata line naming the results a figure was drawn from; the freshness test compares it."""
    return f"experiments/results/{experiment}.json sha256:{results_sha256(experiment, results)}"


def _lines(axes, rows, percent=True):
    for method in dict.fromkeys(row[0] for row in rows):
        points = [(n, stats) for name, n, stats in rows if name == method]
        scale = 100 if percent else 1
        axes.errorbar([n for n, _ in points], [s["mean"] * scale for _, s in points],
                      yerr=[s["std"] * scale for _, s in points], marker="o", capsize=3,
                      color=COLORS.get(method), label=METHOD_LABELS.get(method, method))
    sizes = sorted({row[1] for row in rows})
    axes.set_xscale("log")
    axes.set_xticks(sizes, [str(n) for n in sizes], minor=False)
    axes.minorticks_off()
    axes.set_xlabel("training examples per class")
    axes.legend()


def draw_data_size(axes, rows):
    axes.axhline(20, color="grey", linestyle=":", label="chance (5 classes)")
    _lines(axes, rows)
    axes.set_ylabel("test accuracy (%)")


def draw_gap(axes, rows):
    _lines(axes, rows)
    axes.set_ylabel("train − test accuracy (points)")


def draw_timing(axes, rows):
    axes.bar([str(blocks) for blocks, _ in rows], [s["mean"] for _, s in rows],
             yerr=[s["std"] for _, s in rows], capsize=3, color="#0072B2")
    axes.set_xlabel("blocks of the base unfrozen (0 = frozen)")
    axes.set_ylabel("seconds per epoch")


def draw_lr_sweep(axes, rows):
    for n in dict.fromkeys(row[0] for row in rows):
        points = [(rate, stats) for size, rate, stats in rows if size == n]
        axes.errorbar([rate for rate, _ in points], [s["mean"] * 100 for _, s in points],
                      yerr=[s["std"] * 100 for _, s in points], marker="o", capsize=3,
                      label=f"{n} examples per class")
    axes.set_xscale("log")
    axes.minorticks_off()
    axes.set_xlabel("learning rate of the fine-tuning phase (Adam)")
    axes.set_ylabel("test accuracy (%)")
    axes.legend()


def draw_two_phase(axes, rows):
    epochs = [row[0] for row in rows]
    axes.plot(epochs, [row[2] * 100 for row in rows], label="train", color="#0072B2")
    axes.plot(epochs, [row[3] * 100 for row in rows], label="validation", color="#D55E00")
    start = max(row[0] for row in rows if row[1] != "fine-tuning") + 0.5
    axes.axvline(start, color="black", linestyle="--")
    axes.annotate("start fine-tuning", (start, 0.05), xycoords=("data", "axes fraction"),
                  xytext=(4, 0), textcoords="offset points")
    axes.set_xlabel("epoch")
    axes.set_ylabel("accuracy (%)")
    axes.legend()


def draw_recompile(axes, rows):
    names = [METHOD_LABELS[row[0]] for row in rows]
    axes.barh(names, [row[1] for row in rows], color="#0072B2")
    for position, row in enumerate(rows):
        axes.annotate(f"{row[1]:.3g}", (row[1], position), xytext=(3, 0), textcoords="offset points",
                      va="center")
    axes.set_xlabel("largest change of any base weight during the fit")
    axes.invert_yaxis()


def draw_bn_modes(axes, rows):
    sizes = sorted({row[1] for row in rows})
    methods = list(dict.fromkeys(row[0] for row in rows))
    width = 0.8 / len(methods)
    for offset, method in enumerate(methods):
        stats = [next(row[2] for row in rows if row[0] == method and row[1] == size) for size in sizes]
        axes.bar([position + offset * width for position in range(len(sizes))],
                 [s["mean"] * 100 for s in stats], width, yerr=[s["std"] * 100 for s in stats], capsize=3,
                 color=COLORS[method], label=METHOD_LABELS[method])
    axes.set_xticks([position + width * (len(methods) - 1) / 2 for position in range(len(sizes))],
                    [str(n) for n in sizes])
    axes.set_xlabel("training examples per class")
    axes.set_ylabel("test accuracy (%)")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))


def draw_blocks(axes, rows):
    blocks = [row[0] for row in rows]
    axes.errorbar(blocks, [row[1]["mean"] * 100 for row in rows], yerr=[row[1]["std"] * 100 for row in rows],
                  marker="o", capsize=3, label="test accuracy", color="#009E73")
    axes.errorbar(blocks, [row[2]["mean"] * 100 for row in rows], yerr=[row[2]["std"] * 100 for row in rows],
                  marker="s", capsize=3, label="train − test gap", color="#D55E00")
    axes.set_xticks(blocks)
    axes.set_xlabel("top blocks unfrozen (0 = base frozen)")
    axes.set_ylabel("percent / points")
    axes.legend()


DRAW = {name: globals()[f"draw_{name}"] for name in FIGURES}


def draw(name, destination, results=None):
    """Draw one figure into `destination` (an .svg path)."""
    experiment = FIGURES[name]["experiment"]
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(layout="constrained")
        DRAW[name](axes, figure_rows(name, results))
        figure.savefig(destination, format="svg", metadata={
            "Date": None, "Title": name, "Source": source_line(experiment, results)})
        plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m experiments.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=RESULTS, type=Path, help="folder of the results files")
    parser.add_argument("--out", default=FIGURES_DIR, type=Path, help="folder the SVG files go to")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    for name in FIGURES:
        draw(name, arguments.out / f"{name}.svg", arguments.results)
    print(f"drew {len(FIGURES)} figures into {arguments.out}")


if __name__ == "__main__":
    try:
        main()
    except ResultsError as error:
        sys.exit(f"error: {error}")
