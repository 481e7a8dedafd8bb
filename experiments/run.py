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

from experiments import figures, grid, store  # noqa: E402
from experiments.profiles import PROFILES  # noqa: E402
from sitebuild.results import RESULTS, ResultsError  # noqa: E402


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


def configurations(profile, experiment):
    if experiment == "pretrain":
        return [(None, 0)]
    return [(n, seed) for n in profile["sizes"][experiment] for seed in profile["seeds"]]


def settings(profile, experiment):
    """What an experiment's results depend on (a partial file with other settings is not resumed)."""
    return grid.settings(profile, experiment)


def description(experiment):
    if experiment == "pretrain":
        return "A small CNN with BatchNorm pretrained on Fashion-MNIST classes 0-4 (the base the lessons use)"
    return grid.TARGET_EXPERIMENTS[experiment][1]


def run_state(path, name, experiments, results):
    """Resume the progress an interrupted run of the same profile left; else start anew."""
    if path.exists():
        try:
            state = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ResultsError(f"{path}: unreadable run state ({error}); delete it to start afresh") from None
        if state["profile"] == name and state["experiments"] == experiments:
            return state
    for experiment in experiments:  # a new run redoes everything: drop what an older run left half done
        (results / f"{experiment}.partial.json").unlink(missing_ok=True)
    state = {"profile": name, "experiments": experiments, "finished": [],
             "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "wall_seconds": 0.0, "cpu_seconds": 0.0, "load_average": []}
    store.write_atomically(path, state)
    return state


def main(argv=None):
    arguments = parse(argv)
    name, results = arguments.profile, arguments.results
    experiments = arguments.experiment or list(grid.TARGET_EXPERIMENTS)
    profile = PROFILES[name]
    state_path = results / "run.partial.json"
    state = run_state(state_path, name, experiments, results)
    pending = [experiment for experiment in experiments if experiment not in state["finished"]]
    target = None
    with tqdm(total=sum(len(configurations(profile, experiment)) for experiment in pending), unit="config",
              dynamic_ncols=True) as bar:
        for experiment in pending:
            seeds = sorted({seed for _, seed in configurations(profile, experiment)})
            produced = store.Results(experiment, name, description(experiment), settings(profile, experiment),
                                     seeds, results)
            for n, seed in configurations(profile, experiment):
                key = f"n={n},seed={seed}"
                bar.set_description(f"{experiment} {key}")
                if not produced.done(key):
                    start, cpu_start = time.perf_counter(), time.process_time()
                    if experiment == "pretrain":
                        runs = grid.pretrain(profile, seed)
                    else:
                        target = target or grid.Target(profile)
                        runs = grid.TARGET_EXPERIMENTS[experiment][0](target, n, seed)
                    for run in runs:
                        run["configuration"] = key
                    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
                    produced.add(key, runs, seconds, cpu_seconds)
                    state["wall_seconds"] += seconds
                    state["cpu_seconds"] += cpu_seconds
                    state["load_average"].append(round(os.getloadavg()[0], 2))
                bar.update(1)
            produced.publish()
            state["finished"].append(experiment)
            store.write_atomically(state_path, state)
    state["finished_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    state_path.unlink()
    print(f"{name} run done: {state['wall_seconds']:.0f} s")
    if set(grid.TARGET_EXPERIMENTS) <= set(experiments):  # a run of the whole grid: its time, then the figures
        store.write_atomically(results / "run.json", state)
        figures.main(["--results", str(results)])


if __name__ == "__main__":
    try:
        main()
    except ResultsError as error:
        sys.exit(f"error: {error}")
