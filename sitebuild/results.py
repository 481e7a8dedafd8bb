"""The prebuilt run's results, read with the standard library only: loading, validation, summary statistics
(the one place the figures, the page macros and the claims tests take their numbers from) and page macros."""

import html
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "experiments" / "results"
SCHEMA_VERSION = 1
REQUIRED = ("schema_version", "experiment", "profile", "complete", "provenance", "settings", "runs")
PROVENANCE = ("hardware", "accelerator", "backend", "versions", "git_commit", "profile", "seeds", "date",
              "wall_seconds")
RUN = ("configuration", "method", "seed", "test_accuracy")


class ResultsError(ValueError):
    """A results file is missing, unreadable, from another schema version or lacks required keys."""


def path_of(experiment, partial=False):
    return RESULTS / f"{experiment}{'.partial' if partial else ''}.json"


def validate(data, path):
    """Raise ResultsError naming `path` unless `data` is a results document of this schema version."""
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: expected a JSON object at the top level, got {type(data).__name__}")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ResultsError(f"{path}: schema_version is {data.get('schema_version')!r}, this code reads "
                           f"version {SCHEMA_VERSION}; rerun `make run` to regenerate it")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise ResultsError(f"{path}: missing required key(s) {', '.join(missing)}")
    missing = [key for key in PROVENANCE if key not in data["provenance"]]
    if missing:
        raise ResultsError(f"{path}: provenance lacks {', '.join(missing)}")
    for index, run in enumerate(data["runs"]):
        missing = [key for key in RUN if key not in run]
        if missing:
            raise ResultsError(f"{path}: runs[{index}] lacks {', '.join(missing)}")
    return data


def read(path):
    """Load and validate one results file; every failure names the file (and the line for bad JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file; run `make run` to produce it") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsError(f"{path}, line {error.lineno}: not valid JSON ({error.msg}); the file is corrupt "
                           f"or was cut short") from None
    return validate(data, path)


def load(experiment, results=None):
    """The completed results of `experiment` (never a partial file)."""
    path = Path(results or RESULTS) / f"{experiment}.json"
    data = read(path)
    if not data["complete"]:
        raise ResultsError(f"{path}: marked incomplete; finish it with `make run`")
    return data


# Summary statistics: the one place the figures, the page macros and the claims tests take numbers from.

def epoch_time(run):
    """Seconds per epoch of a run: its fastest epoch after the first (which includes tracing). On a shared
    machine other processes only ever slow an epoch down, so the fastest is the least disturbed."""
    return min(run["epoch_seconds"][1:] or run["epoch_seconds"])


def best_validation_accuracy(run):
    """Validation accuracy at the epoch early stopping kept."""
    return run["curves"]["val_accuracy"][run["best_epoch"] - 1]


METRICS = {  # name: how one run yields the number
    "test_accuracy": lambda run: run["test_accuracy"],
    "train_accuracy": lambda run: run["train_accuracy"],
    "gap": lambda run: run["gap"],
    "source_test_accuracy": lambda run: run["source_test_accuracy"],
    "epoch_seconds": epoch_time,
    "validation_accuracy": best_validation_accuracy,
    "best_epoch": lambda run: run["best_epoch"],
    "base_weights_moved": lambda run: run["base_weights_moved"],
    "bn_statistics_moved": lambda run: run["bn_statistics_moved"],
}
BN_METHODS = ["bn_training", "bn_training_false", "bn_frozen"]


def select(data, **where):
    """The runs of a results document whose fields equal every `where` item; an error when there are none."""
    chosen = [run for run in data["runs"] if all(run.get(key) == value for key, value in where.items())]
    if not chosen:
        condition = ", ".join(f"{key}={value!r}" for key, value in where.items())
        raise ResultsError(f"results of experiment {data['experiment']!r}: no run has {condition}")
    return chosen


def summary(data, metric="test_accuracy", **where):
    """Mean, sample standard deviation, min, max and count of `metric` over the seeds of the chosen runs."""
    if metric not in METRICS:
        raise ResultsError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    runs = select(data, **where)
    seeds = [run["seed"] for run in runs]
    if len(set(seeds)) != len(seeds):
        condition = ", ".join(f"{key}={value!r}" for key, value in where.items())
        raise ResultsError(f"results of experiment {data['experiment']!r}: {condition} matches several runs "
                           f"per seed; name the method, n, learning_rate or blocks too")
    return _stats([METRICS[metric](run) for run in runs])


def _stats(values):
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "count": len(values), "values": values}


def paired_difference(data, metric, first, second):
    """Seed by seed, `metric` of the `first` runs minus that of the `second` (dicts of run fields)."""
    by_seed = {run["seed"]: METRICS[metric](run) for run in select(data, **second)}
    firsts = select(data, **first)
    if sorted(run["seed"] for run in firsts) != sorted(by_seed):
        raise ResultsError(f"results of experiment {data['experiment']!r}: {first} and {second} were not run "
                           f"with the same seeds")
    return _stats([METRICS[metric](run) - by_seed[run["seed"]] for run in firsts])


def chosen_learning_rate(data, n):
    """The fine-tuning learning rate with the best mean validation accuracy at `n` (never the test set)."""
    rates = sorted({run["learning_rate"] for run in select(data, n=n)})
    return max(rates, key=lambda rate: summary(data, "validation_accuracy", n=n, learning_rate=rate)["mean"])


def _by_method_and_n(data, metric, methods):
    return [[method, n, summary(data, metric, method=method, n=n)]
            for method in methods for n in sorted({run["n"] for run in select(data, method=method)})]


def _two_phase(data, n=100, seed=0):
    run = select(data, method="fine_tuning", n=n, seed=seed)[0]
    head, tune = run["head_curves"], run["curves"]
    rows = [[epoch, "head (base frozen)", train, val]
            for epoch, (train, val) in enumerate(zip(head["accuracy"], head["val_accuracy"]), start=1)]
    start = len(rows)
    rows += [[start + epoch, "fine-tuning", train, val]
             for epoch, (train, val) in enumerate(zip(tune["accuracy"], tune["val_accuracy"]), start=1)]
    return rows


def _group(data, metric, key, **where):
    return [[value, summary(data, metric, **where, **{key: value})]
            for value in sorted({run[key] for run in select(data, **where)})]


# Each figure: the experiment it is drawn from, its table (columns, then a function of the results document
# giving the rows; a summary dict in a row prints as "mean ± sd"), alt text and caption.
FIGURES = {
    "data_size": {
        "experiment": "data_size", "columns": ["method", "examples per class", "test accuracy"],
        "rows": lambda data: _by_method_and_n(data, "test_accuracy",
                                              ["feature_extraction", "fine_tuning", "scratch"]),
        "alt": "Line chart of test accuracy against examples per class (log scale) for feature extraction, "
               "fine-tuning and training from scratch.",
        "caption": "Test accuracy on the 5,000 target test images against training examples per class.",
    },
    "gap": {
        "experiment": "data_size", "columns": ["method", "examples per class", "train-test gap"],
        "rows": lambda data: _by_method_and_n(data, "gap", ["feature_extraction", "fine_tuning", "scratch"]),
        "alt": "Line chart of the train-test accuracy gap against examples per class for a frozen base "
               "(feature extraction), fine-tuning and training from scratch.",
        "caption": "Train accuracy minus test accuracy: how much each method overfits its training examples.",
    },
    "timing": {
        "experiment": "blocks", "columns": ["blocks unfrozen", "seconds per epoch"],
        "rows": lambda data: _group(data, "epoch_seconds", "blocks"),
        "alt": "Bar chart of seconds per training epoch with 0, 1, 2 and 3 blocks of the base unfrozen.",
        "caption": "Wall time per epoch (the fastest of each run's epochs after the first) with {sizes} "
                   "examples per class, batches of 32.",
    },
    "lr_sweep": {
        "experiment": "lr_sweep", "columns": ["examples per class", "learning rate", "test accuracy"],
        "rows": lambda data: [[n, rate, stats] for n in sorted({run["n"] for run in data["runs"]})
                              for rate, stats in _group(data, "test_accuracy", "learning_rate", n=n)],
        "alt": "Line chart of test accuracy after fine-tuning the top block against the learning rate of "
               "the fine-tuning phase, one line per training-set size.",
        "caption": "Fine-tuning the top block at learning rates from 1e-5 to 1e-1, after the same trained head.",
    },
    "two_phase": {
        "experiment": "data_size", "columns": ["epoch", "phase", "train accuracy", "validation accuracy"],
        "rows": _two_phase,
        "alt": "Learning curves of train and validation accuracy per epoch: first the head with the base "
               "frozen, then fine-tuning after a vertical marker.",
        "caption": "One run (100 examples per class, seed 0): the head is trained first, then the top block "
                   "is unfrozen, the model recompiled (learning rate chosen on validation images) and trained on.",
    },
    "recompile": {
        "experiment": "recompile", "columns": ["variant", "base weights moved (largest change, any seed)",
                                               "test accuracy"],
        "rows": lambda data: [[method, summary(data, "base_weights_moved", method=method)["max"],
                               summary(data, "test_accuracy", method=method)]
                              for method in ("no_recompile", "recompile", "freeze_before_first_fit")],
        "alt": "Bar chart of how far the base's weights moved during training: zero without recompiling "
               "after unfreezing, non-zero after compile().",
        "caption": "Unfreezing the base after fit: without compile() its weights do not change.",
    },
    "bn_modes": {
        "experiment": "bn_modes", "columns": ["BatchNorm", "examples per class", "test accuracy",
                                              "largest change of a moving statistic (any seed)"],
        "rows": lambda data: [row + [summary(data, "bn_statistics_moved", method=row[0], n=row[1])["max"]]
                              for row in _by_method_and_n(data, "test_accuracy", BN_METHODS)],
        "alt": "Grouped bar chart of test accuracy with the whole base unfrozen, for each training-set size run: "
               "BatchNorm layers trainable under a plain base(x), trainable under base(x, training=False), "
               "and frozen.",
        "caption": "The whole base unfrozen, BatchNorm layers left trainable (plain call, or training=False) "
                   "or frozen; the table's last column is the largest absolute change of any moving mean or "
                   "variance during the fit, over all seeds (0: none changed).",
    },
    "blocks": {
        "experiment": "blocks", "columns": ["blocks unfrozen", "test accuracy", "train-test gap"],
        "rows": lambda data: [[blocks, stats, summary(data, "gap", blocks=blocks)]
                              for blocks, stats in _group(data, "test_accuracy", "blocks")],
        "alt": "Chart of test accuracy and train-test gap against the number of top blocks unfrozen.",
        "caption": "Fine-tuning with the top 0 to 3 blocks unfrozen (0: the base stays frozen).",
    },
}


def figure_rows(name, results=None):
    spec = FIGURES[name]
    return spec["rows"](load(spec["experiment"], results))


# Page macros: numbers and figures as the pages print them.

def format_value(metric, value):
    if metric in ("test_accuracy", "train_accuracy", "validation_accuracy", "source_test_accuracy"):
        return f"{value * 100:.1f} %"
    if metric == "gap":
        return f"{value * 100:.1f} points"
    if metric == "epoch_seconds":
        return f"{value:.2f} s"
    if metric in ("base_weights_moved", "bn_statistics_moved"):
        return "0" if value == 0 else f"{value:.3g}"
    return f"{value:.1f}"


# How a method reads in figure legends and in the tables of numbers under them.
METHOD_LABELS = {"feature_extraction": "feature extraction (frozen base)",
                  "fine_tuning": "fine-tuning (top block, LR by validation)", "scratch": "from scratch",
                  "bn_training": "base(x), BatchNorm trainable",
                  "bn_training_false": "base(x, training=False), BatchNorm trainable",
                  "bn_frozen": "BatchNorm layers frozen", "no_recompile": "unfreeze, no compile()",
                  "recompile": "unfreeze, compile()", "freeze_before_first_fit": "freeze after compile(), before fit"}


def _cell(value, metric):
    if isinstance(value, dict):  # a summary
        return f"{format_value(metric, value['mean'])} ± {format_value(metric, value['std'])}"
    if isinstance(value, float):
        return format_value(metric, value) if metric else f"{value:g}"
    return METHOD_LABELS.get(value, str(value))


# Every table column: the metric whose format its numbers take, or None for a setting or a label. A column
# missing here is an error, so renaming one in FIGURES alone cannot silently drop its format.
METRIC_OF_COLUMN = {"test accuracy": "test_accuracy", "train-test gap": "gap", "seconds per epoch":
                    "epoch_seconds", "train accuracy": "test_accuracy", "validation accuracy": "test_accuracy",
                    "base weights moved (largest change, any seed)": "base_weights_moved",
                    "largest change of a moving statistic (any seed)": "bn_statistics_moved",
                    "examples per class": None, "learning rate": None, "blocks unfrozen": None, "epoch": None,
                    "method": None, "phase": None, "variant": None, "BatchNorm": None}


def provenance_text(data):
    """One sentence saying where and how a results file was produced."""
    source = data["provenance"]
    versions = ", ".join(f"{name} {number}" for name, number in source["versions"].items())
    seeds = ", ".join(map(str, source["seeds"]))
    return (f"Experiment {data['experiment']}, profile {source['profile']}, seeds {seeds}; {source['hardware']}, "
            f"accelerator: {source['accelerator']}; backend {source['backend']} ({versions}); "
            f"{source['date']}, {source['wall_seconds']:.0f} s, commit {source['git_commit'][:10]}"
            + " with uncommitted code changes" * source["git_commit"].endswith("-dirty") + ".")


def figure_markdown(name, page_path, results=None):
    """The figure (an image link relative to the page's Markdown file), its caption and its numbers."""
    if name not in FIGURES:
        raise ResultsError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    spec = FIGURES[name]
    data = load(spec["experiment"], results)
    image = "../" * page_path.count("/") + f"figures/{name}.svg"
    caption = spec["caption"].format(sizes=" and ".join(map(str, data["settings"]["sizes"])))
    header = "".join(f"<th>{html.escape(column)}</th>" for column in spec["columns"])
    rows = spec["rows"](data)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(value, METRIC_OF_COLUMN[column]))}</td>"
                                    for column, value in zip(spec["columns"], row)) + "</tr>"
                   for row in rows)
    over_seeds = any(isinstance(value, dict) for row in rows for value in row)  # summaries, not one run
    kind = "mean ± standard deviation over seeds" if over_seeds else "one run"
    return (f'<figure class="result-figure" markdown>\n\n![{spec["alt"]}]({image})\n\n'
            f"<figcaption>{html.escape(caption)} {html.escape(provenance_text(data))}</figcaption>\n"
            f"</figure>\n\n<details class=\"result-numbers\"><summary>The numbers behind this figure "
            f"({kind})</summary>\n<table><thead><tr>{header}</tr></thead>"
            f"<tbody>{body}</tbody></table>\n</details>\n")


def register_macros(env, results=None):
    """`result`, `difference`, `ratio`, `chosen_lr`, `provenance` and `figure` for the pages."""

    @env.macro
    def result(experiment, method=None, metric="test_accuracy", spread=False, **where):
        """A measured number, e.g. result("data_size", "fine_tuning", n=5) -> "74.3 %"."""
        if method is not None:
            where["method"] = method
        stats = summary(load(experiment, results), metric, **where)
        text = format_value(metric, stats["mean"])
        if spread:
            text += f" (± {format_value(metric, stats['std']).replace(' %', '').replace(' points', '')}, " \
                    f"{stats['count']} seeds)"
        return text

    @env.macro
    def difference(experiment, first, second, metric="test_accuracy"):
        """mean(first) - mean(second) in points (accuracies) or seconds, e.g. first={"method": "fine_tuning",
        "n": 5}, second={"method": "scratch", "n": 5}. Taken between the means as `result` prints them, so a
        reader subtracting the two printed numbers gets the same."""
        data = load(experiment, results)
        scale, decimals, unit = (100, 1, "points") if "accuracy" in metric or metric == "gap" else (1, 2, "s")
        printed = [round(summary(data, metric, **where)["mean"] * scale, decimals) for where in (first, second)]
        return f"{printed[0] - printed[1]:.{decimals}f} {unit}"

    @env.macro
    def ratio(experiment, numerator, denominator, metric="epoch_seconds"):
        """mean(numerator) / mean(denominator), e.g. "2.4×"."""
        data = load(experiment, results)
        return f"{summary(data, metric, **numerator)['mean'] / summary(data, metric, **denominator)['mean']:.1f}×"

    @env.macro
    def chosen_lr(n):
        """The fine-tuning learning rate validation picked at n examples per class, e.g. "1e-4" (as the pages
        write rates)."""
        return f"{chosen_learning_rate(load('lr_sweep', results), n):.0e}".replace("e-0", "e-")

    @env.macro
    def provenance(experiment):
        return provenance_text(load(experiment, results))

    @env.macro
    def figure(name):
        return figure_markdown(name, env.page.file.src_uri, results)
