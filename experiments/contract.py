"""The results contract between the run that writes results and the site that reads them: the schema, reading
(with validation) and the atomic write, the metrics with their units and formats, and the summary statistics
that the figures, the page macros and the claims tests all take their numbers from.

Standard library only: the site build imports it without Keras or matplotlib.
"""

import json
import os
import statistics
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "experiments" / "results"
SCHEMA_VERSION = 1
REQUIRED = ("schema_version", "experiment", "profile", "complete", "provenance", "settings", "runs")
PROVENANCE = ("hardware", "accelerator", "backend", "versions", "git_commit", "profile", "seeds", "date",
              "wall_seconds")
RUN = ("configuration", "method", "seed", "test_accuracy")
RUN_SUMMARY = "run.json"  # the whole run's time (experiments/run.py), not an experiment's results


class ResultsError(ValueError):
    """A results file is missing, unreadable, from another schema version or lacks required keys."""


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


def results_path(experiment, results=None, partial=False):
    """experiments/results/<experiment>.json, or the .partial.json an unfinished run keeps (another folder:
    `results`)."""
    return Path(results or RESULTS) / f"{experiment}{'.partial' if partial else ''}.json"


def experiments_with_results(results=None):
    """The experiments whose results the folder holds: the names `load` takes."""
    return sorted(path.name.removesuffix(".json") for path in Path(results or RESULTS).glob("*.json")
                  if not path.name.endswith(".partial.json") and path.name != RUN_SUMMARY)


def load(experiment, results=None):
    """The completed results of `experiment` (never a partial file)."""
    path = results_path(experiment, results)
    if not path.exists() and (known := experiments_with_results(results)):  # a misspelt name, not a run to make
        raise ResultsError(f"{path}: no such results file; experiments with results: {', '.join(known)}")
    data = read(path)
    if not data["complete"]:
        raise ResultsError(f"{path}: marked incomplete; finish it with `make run`")
    return data


def write_atomically(path, data):
    """Write JSON to a temporary file, then rename it over `path`: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


# Metrics: how one run yields a number, and how that number prints.

def epoch_time(run):
    """Seconds per epoch of a run: its fastest epoch after the first (which includes tracing). On a shared
    machine other processes only ever slow an epoch down, so the fastest is the least disturbed."""
    return min(run["epoch_seconds"][1:] or run["epoch_seconds"])


def best_validation_accuracy(run):
    """Validation accuracy at the epoch early stopping kept."""
    return run["curves"]["val_accuracy"][run["best_epoch"] - 1]


class Metric(NamedTuple):
    value: Callable[[dict], float]  # how one run yields the number
    unit: str  # printed after the number: "%", "points" or "s"; "" for a bare number
    scale: float = 1  # printed number = value × scale
    digits: str = ".3g"  # format spec of the printed number


def _field(name):
    return lambda run: run[name]


METRICS = {
    "test_accuracy": Metric(_field("test_accuracy"), "%", 100, ".1f"),
    "train_accuracy": Metric(_field("train_accuracy"), "%", 100, ".1f"),
    "validation_accuracy": Metric(best_validation_accuracy, "%", 100, ".1f"),
    "validation_loss": Metric(_field("validation_loss"), "", 1, ".3f"),  # at the kept epoch: what choices rank
    "source_test_accuracy": Metric(_field("source_test_accuracy"), "%", 100, ".1f"),
    "gap": Metric(_field("gap"), "points", 100, ".1f"),  # train accuracy minus test accuracy
    "epoch_seconds": Metric(epoch_time, "s", 1, ".2f"),
    "best_epoch": Metric(_field("best_epoch"), "", 1, ".1f"),
    "base_weights_moved": Metric(_field("base_weights_moved"), ""),  # largest absolute change of a weight
    "bn_statistics_moved": Metric(_field("bn_statistics_moved"), "", 1, ".2f"),  # ... of a BatchNorm moving statistic
}


def metric_definition(name):
    if name not in METRICS:
        raise ResultsError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
    return METRICS[name]


def format_number(name, value):
    """`value` of metric `name` as the pages print it, without its unit: 0.743 -> "74.3"."""
    definition = metric_definition(name)
    return f"{value * definition.scale:{definition.digits}}"


def format_value(name, value):
    """With its unit: 0.743 -> "74.3 %"."""
    unit = metric_definition(name).unit
    return format_number(name, value) + (f" {unit}" if unit else "")


def difference_unit(name):
    """The unit of a difference of two values of metric `name`: percentages differ by points."""
    unit = metric_definition(name).unit
    return "points" if unit == "%" else unit


# Summary statistics over seeds.

def select(data, **where):
    """The runs of a results document whose fields equal every `where` item; an error when there are none."""
    chosen = [run for run in data["runs"] if all(run.get(key) == value for key, value in where.items())]
    if not chosen:
        condition = ", ".join(f"{key}={value!r}" for key, value in where.items())
        raise ResultsError(f"results of experiment {data['experiment']!r}: no run has {condition}"
                           + _values_there_are(data, where))
    return chosen


def _values_there_are(data, where):
    """' (method is one of ...)' for each `where` field whose value no run has."""
    hints = []
    for key, value in where.items():
        values = sorted({run[key] for run in data["runs"] if key in run}, key=str)
        if value not in values:
            hints.append(f"{key} is one of {', '.join(map(repr, values))}" if values else f"no run records {key}")
    return f" ({'; '.join(hints)})" if hints else ""


def summary(data, metric="test_accuracy", **where):
    """Mean, sample standard deviation, min, max and count of `metric` over the seeds of the chosen runs."""
    runs = select(data, **where)
    seeds = [run["seed"] for run in runs]
    if len(set(seeds)) != len(seeds):
        condition = ", ".join(f"{key}={value!r}" for key, value in where.items())
        raise ResultsError(f"results of experiment {data['experiment']!r}: {condition} matches several runs "
                           f"per seed; name the method, n, learning_rate or blocks too")
    return _stats(_values(data, metric, runs))


def _values(data, metric, runs):
    """`metric` of each run; an error naming the experiment when its runs do not record it."""
    value = metric_definition(metric).value
    try:
        return [value(run) for run in runs]
    except KeyError:
        raise ResultsError(f"results of experiment {data['experiment']!r}: its runs do not record {metric}") from None


def _stats(values):
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "count": len(values), "values": values}


def paired_difference(data, metric, first, second):
    """Seed by seed, `metric` of the `first` runs minus that of the `second` (dicts of run fields)."""
    seconds = select(data, **second)
    by_seed = dict(zip((run["seed"] for run in seconds), _values(data, metric, seconds)))
    firsts = select(data, **first)
    if sorted(run["seed"] for run in firsts) != sorted(by_seed):
        raise ResultsError(f"results of experiment {data['experiment']!r}: {first} and {second} were not run "
                           f"with the same seeds")
    return _stats([value - by_seed[run["seed"]] for run, value in zip(firsts, _values(data, metric, firsts))])


def chosen_learning_rate(data, n):
    """The learning rate of a sweep with the lowest mean validation loss at `n`, the rule every method's own
    choice follows (grid.choose; never the test set)."""
    rates = sorted({run["learning_rate"] for run in select(data, n=n)})
    return min(rates, key=lambda rate: summary(data, "validation_loss", n=n, learning_rate=rate)["mean"])
