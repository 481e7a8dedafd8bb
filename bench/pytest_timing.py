"""pytest plugin for the bench: seconds per test file (collection, set-up, call, tear-down), the outcomes, the
seconds of each code block that tests/test_snippets.py reports (its `block_seconds` properties), and the seconds the
tests took on each backend: a JAX twin (tests/jax_session.py) counts what its test took in the background session
(its `jax_seconds`), not its wait for it.

Loaded with `-p bench.pytest_timing`; with pytest-xdist the controller, which gets every test's report, writes JSON
to the file named by $BENCH_TIMING_OUT at the end of the session (the workers' collection is not counted).
"""

import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

seconds_per_file = defaultdict(float)
outcomes = Counter()
phases = []  # (seconds, "node id (set-up|call|tear-down)"), like pytest --durations
block_seconds = {}  # "l8_end_to_end.py:train_head": seconds
seconds_per_backend = defaultdict(float)
failed = []  # "node id (phase)" of each failure, for the row's details


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    start = time.perf_counter()
    yield
    if isinstance(collector, pytest.Module):  # importing the module (e.g. TensorFlow) counts for its file
        seconds_per_file[collector.nodeid] += time.perf_counter() - start


def pytest_runtest_logreport(report):
    properties = dict(report.user_properties)
    backend = "jax" if "jax_seconds" in properties else "tensorflow"
    # A twin's call is its wait for the background session: count what its test took there instead.
    seconds = properties["jax_seconds"] if backend == "jax" and report.when == "call" else report.duration
    seconds_per_file[report.nodeid.split("::")[0]] += seconds
    seconds_per_backend[backend] += seconds
    phases.append((seconds, f"{report.nodeid} ({report.when})"))
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.outcome] += 1
    if report.failed:
        failed.append(f"{report.nodeid} ({report.when})")
    block_seconds.update(value for key, value in report.user_properties if key == "block_seconds")


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    result = {"seconds_per_file": dict(seconds_per_file), "seconds_per_backend": dict(seconds_per_backend),
              "outcomes": dict(outcomes), "failed": failed, "exit_status": int(exitstatus),
              "slowest": [[round(seconds, 2), name] for seconds, name in sorted(phases, reverse=True)[:15]],
              "block_seconds": block_seconds}
    Path(os.environ["BENCH_TIMING_OUT"]).write_text(json.dumps(result, indent=1))
