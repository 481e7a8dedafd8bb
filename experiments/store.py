"""Producing results files: provenance, resuming from the partial file of an interrupted run, publishing."""

import datetime
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import keras
import numpy as np

from experiments.contract import SCHEMA_VERSION, ResultsError, read, results_path, write_atomically

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _gpu_names():
    try:
        listing = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                 capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return [line.strip() for line in listing.splitlines() if line.strip()]


def _installed(*names):
    for name in names:
        try:
            return version(name)
        except PackageNotFoundError:
            pass
    return None


def hardware():
    """What the run actually ran on: the accelerator only when the Keras backend sees one."""
    uses_gpu = any(device.startswith("gpu") for device in keras.distribution.list_devices())
    gpus = _gpu_names() if uses_gpu else []
    return {"hardware": f"{_cpu_model()} ({os.cpu_count()} logical cores)",
            "accelerator": ", ".join(gpus) if gpus else "none (CPU only)"}


def versions():
    backend = keras.backend.backend()
    found = {"python": platform.python_version(), "keras": keras.__version__, "numpy": np.__version__}
    if backend == "tensorflow":
        found["tensorflow"] = _installed("tensorflow", "tensorflow-cpu")
    elif backend == "jax":
        found["jax"] = _installed("jax")
        found["jaxlib"] = _installed("jaxlib")
    return found


def git_commit():
    """HEAD's sha, with "-dirty" when the run's code (experiments/, sitebuild/) differs from that commit."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        code = ["experiments", "sitebuild", ":(exclude)experiments/results"]
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *code], cwd=ROOT).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + "-dirty" * dirty


class Results:
    """One experiment's results being produced: resumes its partial file, publishes the final one at the end."""

    def __init__(self, experiment, profile, description, settings, seeds, results=None):
        self.final = results_path(experiment, results)
        self.partial = results_path(experiment, results, partial=True)
        self.data = self._resume(experiment, profile, settings) or {
            "schema_version": SCHEMA_VERSION, "experiment": experiment, "description": description,
            "profile": profile, "complete": False, "settings": settings, "done": [], "runs": [],
            "provenance": {**hardware(), "backend": keras.backend.backend(), "versions": versions(),
                           "git_commit": git_commit(), "profile": profile, "seeds": seeds, "date": None,
                           "wall_seconds": 0.0, "cpu_seconds": 0.0, "load_average": []},
        }

    def _resume(self, experiment, profile, settings):
        if not self.partial.exists():
            return None
        data = read(self.partial)
        if (data["experiment"], data["profile"], data["settings"]) != (experiment, profile, settings):
            raise ResultsError(f"{self.partial}: left by a run with other settings (profile "
                               f"{data['profile']!r}); delete it to start this experiment afresh")
        return data

    def done(self, key):
        return key in self.data["done"]

    def add(self, key, runs, seconds, cpu_seconds=0.0):
        """Record one finished configuration (all its runs) and save the partial file atomically."""
        self.data["runs"].extend(runs)
        self.data["done"].append(key)
        self.data["provenance"]["wall_seconds"] += seconds
        self.data["provenance"]["cpu_seconds"] += cpu_seconds
        self.data["provenance"]["load_average"].append(round(os.getloadavg()[0], 2))
        write_atomically(self.partial, self.data)

    def publish(self, order=None):
        """Mark complete and replace the final file; only now is a previous complete result overwritten. `order`:
        the configurations in the order the file lists them (they may have finished in any order)."""
        if order:
            self.data["done"].sort(key=order.index)
            self.data["runs"].sort(key=lambda run: order.index(run["configuration"]))
        self.data["complete"] = True
        self.data["provenance"]["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
        write_atomically(self.final, self.data)
        self.partial.unlink()
