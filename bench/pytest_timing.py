"""pytest plugin for the bench: seconds per test file (collection, set-up, call, tear-down), the outcomes, and the
seconds of each code block that tests/test_snippets.py reports (its `block_seconds` properties).

Loaded with `-p bench.pytest_timing`; writes JSON to the file named by $BENCH_TIMING_OUT at the end of the session.
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


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    start = time.perf_counter()
    yield
    if isinstance(collector, pytest.Module):  # importing the module (e.g. TensorFlow) counts for its file
        seconds_per_file[collector.nodeid] += time.perf_counter() - start


def pytest_runtest_logreport(report):
    seconds_per_file[report.nodeid.split("::")[0]] += report.duration
    phases.append((report.duration, f"{report.nodeid} ({report.when})"))
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.outcome] += 1
    block_seconds.update(value for key, value in report.user_properties if key == "block_seconds")


def pytest_sessionfinish(session, exitstatus):
    result = {"seconds_per_file": dict(seconds_per_file), "outcomes": dict(outcomes), "exit_status": int(exitstatus),
              "slowest": [[round(seconds, 2), name] for seconds, name in sorted(phases, reverse=True)[:15]],
              "block_seconds": block_seconds}
    Path(os.environ["BENCH_TIMING_OUT"]).write_text(json.dumps(result, indent=1))
