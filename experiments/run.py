"""`python -m experiments.run --profile quick|full [--experiment NAME ...] [--workers N]`: the prebuilt run.

Resumable: each finished configuration is saved atomically to experiments/results/<exp>.partial.json and the
run's own progress to run.partial.json; run the same command again after an interruption and only the
configurations in flight are redone. A finished experiment replaces experiments/results/<exp>.json; a run of the
whole grid also records its end-to-end time in run.json and draws the figures. The grid fine-tunes
models/fashion_base.keras; `--experiment pretrain` rebuilds that base (not part of a default run).

Parallel: experiments share runs only within one (n, seed) (grid.Target.once), so the grid's pending
configurations are grouped by (n, seed) into units, and `--workers` processes (default 2, one per core) take the
units, the heaviest first. This process first rebuilds the lessons' base when asked and pretrains every other
base once, then writes each finished configuration to its experiment's partial file and publishes every
experiment when all its configurations are in.
"""

import argparse
import concurrent.futures
import datetime
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tqdm import tqdm  # noqa: E402

from experiments import figures, grid  # noqa: E402
from experiments.contract import RESULTS, RUN_SUMMARY, ResultsError, results_path, write_atomically  # noqa: E402
from experiments.profiles import ONE_COMPUTE_THREAD, PROFILES  # noqa: E402
from experiments.store import Results  # noqa: E402


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m experiments.run", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", help=f"one of: {', '.join(PROFILES)}")
    parser.add_argument("--experiment", action="append", help=f"one of: {', '.join(grid.EXPERIMENTS)} "
                        "(repeatable; default: every experiment but pretrain, which rebuilds the base model)")
    parser.add_argument("--results", default=RESULTS, type=Path, help="folder of the results files")
    parser.add_argument("--workers", default=2, type=int, help="processes training at once (default: 2)")
    arguments = parser.parse_args(argv)
    if arguments.profile not in PROFILES:
        parser.error(f"unknown profile {arguments.profile!r}; choose one of: {', '.join(PROFILES)}")
    unknown = [name for name in arguments.experiment or [] if name not in grid.EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment {', '.join(map(repr, unknown))}; choose from: "
                     f"{', '.join(grid.EXPERIMENTS)}")
    return arguments


class RunState:
    """The run's own progress (run.partial.json): the experiments finished, its time (end to end, over every
    session of a resumed run), its CPU time (all processes) and load. Resumed by a run of the same profile and
    experiments; any other run starts afresh."""

    def __init__(self, profile, experiments, results, workers):
        self.path = results / "run.partial.json"
        self.data = self._resume(profile, experiments)
        if self.data is None:
            for experiment in experiments:  # a new run redoes everything: drop what an older run left half done
                results_path(experiment, results, partial=True).unlink(missing_ok=True)
            self.data = {"profile": profile, "experiments": experiments, "finished": [], "started": _now(),
                         "workers": workers, "wall_seconds": 0.0, "cpu_seconds": 0.0, "load_average": []}
            write_atomically(self.path, self.data)
        self.earlier, self.start = self.data["wall_seconds"], time.perf_counter()

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

    def add(self, cpu_seconds):
        self.data["wall_seconds"] = self.earlier + time.perf_counter() - self.start
        self.data["cpu_seconds"] += cpu_seconds
        self.data["load_average"].append(round(os.getloadavg()[0], 2))
        write_atomically(self.path, self.data)

    def finish(self, experiment):
        self.data["finished"].append(experiment)
        write_atomically(self.path, self.data)

    def close(self):
        """The whole run is done: its state file goes; returns what it recorded."""
        self.add(0.0)
        self.path.unlink()
        return {**self.data, "finished_at": _now()}


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _key(n, seed):
    return f"n={n},seed={seed}"


def _timed(function, *arguments):
    """function(*arguments), its wall and CPU seconds."""
    start, cpu_start = time.perf_counter(), time.process_time()
    value = function(*arguments)
    return value, time.perf_counter() - start, time.process_time() - cpu_start


_lab = None  # a worker process's own lab, its runs shared across the units it takes


def _start_worker(profile, bases):
    """A worker process: the profile, and the bases this process pretrained (each pretrained once)."""
    global _lab
    _lab = grid.Lab(profile)
    _lab.target.preset(bases)


def run_unit(n, seed, names, lab=None):
    """Every named experiment's configuration (n, seed) on `lab` (default: this worker's):
    (n, seed, [(experiment, runs, wall s, CPU s)])."""
    lab = lab or _lab
    return n, seed, [(name, *_timed(grid.EXPERIMENTS[name].function, lab, n, seed)) for name in names]


def _one_thread_each():
    """One compute thread per worker: the workers share the cores instead of fighting over them."""
    os.environ.update(ONE_COMPUTE_THREAD, XLA_PYTHON_CLIENT_PREALLOCATE="false")  # several JAX processes, one GPU


def run_grid(names, lab, profile_name, state, results, workers, bar):
    """The pending configurations of the grid experiments `names`, by (n, seed) units on `workers` processes."""
    produced = {name: Results(name, profile_name, grid.EXPERIMENTS[name].description,
                              grid.EXPERIMENTS[name].settings(lab.profile),
                              sorted({seed for _, seed in grid.EXPERIMENTS[name].configurations(lab.profile)}),
                              results) for name in names}
    units = {}
    for name in names:
        for n, seed in grid.EXPERIMENTS[name].configurations(lab.profile):
            if produced[name].done(_key(n, seed)):
                bar.update(1)
            else:
                units.setdefault((n, seed), []).append(name)
    ordered = sorted(units.items(), key=lambda item: -len(item[1]))  # the most experiments first

    def record(n, seed, done):
        for name, runs, seconds, cpu_seconds in done:
            produced[name].add(_key(n, seed), [{**run, "configuration": _key(n, seed)} for run in runs], seconds,
                               cpu_seconds)
            bar.update(1)
        state.add(sum(cpu for *_, cpu in done))

    if workers == 1:  # here, in this process
        for (n, seed), unit_names in ordered:
            record(*run_unit(n, seed, unit_names, lab))
    elif units:
        bases, _, cpu_seconds = _timed(lambda: lab.target.pretrain_bases() if "pretraining_source" in names else {})
        state.add(cpu_seconds)
        _one_thread_each()  # the workers inherit it
        context = multiprocessing.get_context("spawn")  # a fresh Keras in every worker
        with concurrent.futures.ProcessPoolExecutor(workers, context, _start_worker, (lab.profile, bases)) as pool:
            futures = [pool.submit(run_unit, n, seed, unit_names) for (n, seed), unit_names in ordered]
            for future in concurrent.futures.as_completed(futures):
                record(*future.result())
    for name in names:
        produced[name].publish([_key(*configuration) for configuration in
                                grid.EXPERIMENTS[name].configurations(lab.profile)])
        state.finish(name)


def run_in_this_process(name, lab, profile_name, state, results, bar):
    """Every configuration of experiment `name` not done yet, here, one after the other (pretraining)."""
    experiment = grid.EXPERIMENTS[name]
    configurations = experiment.configurations(lab.profile)
    produced = Results(name, profile_name, experiment.description, experiment.settings(lab.profile),
                       sorted({seed for _, seed in configurations}), results)
    for n, seed in configurations:
        if not produced.done(_key(n, seed)):
            runs, seconds, cpu_seconds = _timed(experiment.function, lab, n, seed)
            produced.add(_key(n, seed), [{**run, "configuration": _key(n, seed)} for run in runs], seconds,
                         cpu_seconds)
            state.add(cpu_seconds)
        bar.update(1)
    produced.publish()
    state.finish(name)


def main(argv=None):
    arguments = parse(argv)
    profile_name, results = arguments.profile, arguments.results
    experiments = arguments.experiment or grid.GRID
    lab = grid.Lab(PROFILES[profile_name])
    state = RunState(profile_name, experiments, results, arguments.workers)
    pending = state.pending()
    total = sum(len(grid.EXPERIMENTS[name].configurations(lab.profile)) for name in pending)
    with tqdm(total=total, unit="config", dynamic_ncols=True) as bar:
        if "pretrain" in pending:
            run_in_this_process("pretrain", lab, profile_name, state, results, bar)
        on_target = [name for name in pending if name != "pretrain"]
        if on_target:
            run_grid(on_target, lab, profile_name, state, results, arguments.workers, bar)
    recorded = state.close()
    print(f"{profile_name} run done: {recorded['wall_seconds']:.0f} s")
    if set(grid.GRID) <= set(experiments):  # a run of the whole grid: its time, then the figures
        write_atomically(results / RUN_SUMMARY, recorded)
        figures.main(["--results", str(results)])


if __name__ == "__main__":
    try:
        main()
    except ResultsError as error:
        sys.exit(f"error: {error}")
