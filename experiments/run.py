"""`python -m experiments.run --profile quick|full [--experiment NAME ...]`: the prebuilt run.

Resumable: each finished configuration is saved atomically to experiments/results/<exp>.partial.json and the
run's own progress to run.partial.json; run the same command again after an interruption and only the
configuration in flight is redone. A finished experiment replaces experiments/results/<exp>.json; a run of the
whole grid also records its end-to-end time in run.json and draws the figures. The grid fine-tunes
models/fashion_base.keras; `--experiment pretrain` rebuilds that base (not part of a default run).
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tqdm import tqdm  # noqa: E402

from experiments import figures, grid  # noqa: E402
from experiments.contract import RESULTS, ResultsError, results_path, write_atomically  # noqa: E402
from experiments.profiles import PROFILES  # noqa: E402
from experiments.store import Results  # noqa: E402


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m experiments.run", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", help=f"one of: {', '.join(PROFILES)}")
    parser.add_argument("--experiment", action="append", help=f"one of: {', '.join(grid.EXPERIMENTS)} "
                        "(repeatable; default: every experiment but pretrain, which rebuilds the base model)")
    parser.add_argument("--results", default=RESULTS, type=Path, help="folder of the results files")
    arguments = parser.parse_args(argv)
    if arguments.profile not in PROFILES:
        parser.error(f"unknown profile {arguments.profile!r}; choose one of: {', '.join(PROFILES)}")
    unknown = [name for name in arguments.experiment or [] if name not in grid.EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment {', '.join(map(repr, unknown))}; choose from: "
                     f"{', '.join(grid.EXPERIMENTS)}")
    return arguments


class RunState:
    """The run's own progress (run.partial.json): the experiments finished, its time and load. Resumed by a
    run of the same profile and experiments; any other run starts afresh."""

    def __init__(self, profile, experiments, results):
        self.path = results / "run.partial.json"
        self.data = self._resume(profile, experiments)
        if self.data is None:
            for experiment in experiments:  # a new run redoes everything: drop what an older run left half done
                results_path(experiment, results, partial=True).unlink(missing_ok=True)
            self.data = {"profile": profile, "experiments": experiments, "finished": [], "started": _now(),
                         "wall_seconds": 0.0, "cpu_seconds": 0.0, "load_average": []}
            write_atomically(self.path, self.data)

    def _resume(self, profile, experiments):
        if not self.path.exists():
            return None
        try:
            state = json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ResultsError(f"{self.path}: unreadable run state ({error}); delete it to start afresh") from None
        return state if (state["profile"], state["experiments"]) == (profile, experiments) else None

    def pending(self):
        return [name for name in self.data["experiments"] if name not in self.data["finished"]]

    def add(self, seconds, cpu_seconds):
        self.data["wall_seconds"] += seconds
        self.data["cpu_seconds"] += cpu_seconds
        self.data["load_average"].append(round(os.getloadavg()[0], 2))

    def finish(self, experiment):
        self.data["finished"].append(experiment)
        write_atomically(self.path, self.data)

    def close(self):
        """The whole run is done: its state file goes; returns what it recorded."""
        self.path.unlink()
        return {**self.data, "finished_at": _now()}


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def run_experiment(name, lab, profile_name, state, results, bar):
    """Every configuration of one experiment not done yet, each saved as it finishes; then publish it."""
    experiment = grid.EXPERIMENTS[name]
    configurations = experiment.configurations(lab.profile)
    produced = Results(name, profile_name, experiment.description, experiment.settings(lab.profile),
                       sorted({seed for _, seed in configurations}), results)
    for n, seed in configurations:
        key = f"n={n},seed={seed}"
        bar.set_description(f"{name} {key}")
        if not produced.done(key):
            start, cpu_start = time.perf_counter(), time.process_time()
            runs = [{**run, "configuration": key} for run in experiment.function(lab, n, seed)]
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            produced.add(key, runs, seconds, cpu_seconds)
            state.add(seconds, cpu_seconds)
        bar.update(1)
    produced.publish()
    state.finish(name)


def main(argv=None):
    arguments = parse(argv)
    profile_name, results = arguments.profile, arguments.results
    experiments = arguments.experiment or grid.GRID
    lab = grid.Lab(PROFILES[profile_name])
    state = RunState(profile_name, experiments, results)
    pending = state.pending()
    total = sum(len(grid.EXPERIMENTS[name].configurations(lab.profile)) for name in pending)
    with tqdm(total=total, unit="config", dynamic_ncols=True) as bar:
        for name in pending:
            run_experiment(name, lab, profile_name, state, results, bar)
    recorded = state.close()
    print(f"{profile_name} run done: {recorded['wall_seconds']:.0f} s")
    if set(grid.GRID) <= set(experiments):  # a run of the whole grid: its time, then the figures
        write_atomically(results / "run.json", recorded)
        figures.main(["--results", str(results)])


if __name__ == "__main__":
    try:
        main()
    except ResultsError as error:
        sys.exit(f"error: {error}")
