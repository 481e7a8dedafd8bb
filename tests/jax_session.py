"""pytest plugin: the tests marked `both_backends` run on JAX as well, in a second pytest session in the background.

Keras picks its backend once, when it is imported, so JAX needs a process of its own. When this session (on
TensorFlow) has collected its tests, it starts `KERAS_BACKEND=jax python -m pytest <the marked tests>` in the
background, which runs them while this session runs everything else, on the machine's other core. Each marked
test gets a twin here, `<test>[jax]` (or `<test>[<parameters>-jax]`, marked `on_jax`), collected after every
other test: it waits for the background session's outcome of the same test and reports it, with its recorded
properties (a snippet's `block_seconds`) and, on failure, the background test's own report.

The background session writes each test's outcome as a JSON line to the file named by `--report-outcomes`, as it
goes. A session that runs on JAX itself (`KERAS_BACKEND=jax pytest`, as `make evidence` does) makes no twins.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKER, TWIN_MARKER = "both_backends", "on_jax"
_BACKGROUND = pytest.StashKey["Background"]()


def pytest_addoption(parser):
    parser.addoption("--report-outcomes", metavar="FILE",
                     help="write each test's outcome to FILE as a JSON line (the background JAX session)")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: run this test on JAX as well, in a background session "
                                       "(tests/jax_session.py)")
    config.addinivalue_line("markers", f"{TWIN_MARKER}: the twin of a `{MARKER}` test, its outcome on JAX "
                                       "(`-m 'not on_jax'` leaves JAX out)")
    if config.getoption("report_outcomes"):
        config.pluginmanager.register(OutcomeWriter(config.getoption("report_outcomes")))


def _session_backend():
    import keras

    return keras.backend.backend()


def twin_name(name):
    return f"{name[:-1]}-jax]" if name.endswith("]") else f"{name}[jax]"


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: they apply to the twins too
def pytest_collection_modifyitems(session, config, items):
    if config.getoption("report_outcomes") or _session_backend() == "jax":
        return
    twins = [OnJax.from_parent(item.parent, name=twin_name(item.name), original=item.nodeid)
             for item in items if item.get_closest_marker(MARKER)]
    for twin in twins:
        twin.add_marker(TWIN_MARKER)
    items += twins


def pytest_collection_finish(session):
    twins = [item for item in session.items if isinstance(item, OnJax)]
    if twins and not session.config.option.collectonly:
        session.config.stash[_BACKGROUND] = Background([twin.original for twin in twins])


def pytest_sessionfinish(session):
    background = session.config.stash.get(_BACKGROUND, None)
    if background is not None:
        background.stop()


class JaxFailure(Exception):
    """The test failed in the background JAX session; the message is that session's report."""


class OnJax(pytest.Item):
    """The twin of a test marked `both_backends`: that test's outcome in the background JAX session."""

    def __init__(self, *, original, **kwargs):
        super().__init__(**kwargs)
        self.original = original

    def runtest(self):
        outcome = self.config.stash[_BACKGROUND].outcome(self.original)
        self.user_properties += [tuple(prop) for prop in outcome["user_properties"]]
        if outcome["outcome"] == "skipped":
            pytest.skip(outcome["message"])
        if outcome["outcome"] == "failed":
            raise JaxFailure(outcome["message"])

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, JaxFailure):
            return f"{self.original} failed on JAX (KERAS_BACKEND=jax, in the background session):\n\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.original} on JAX"


class Background:
    """`KERAS_BACKEND=jax python -m pytest <node ids>`, running in a folder of its own under the temporary folder."""

    def __init__(self, node_ids):
        self.folder = Path(tempfile.mkdtemp(prefix="jax-session-"))
        self.report, self.log = self.folder / "outcomes.jsonl", self.folder / "output.log"
        self.outcomes = {}
        env = {name: value for name, value in os.environ.items() if name != "PYTEST_ADDOPTS"}  # e.g. the bench's
        # One thread: the lessons' small models gain little from a second one, which this session needs.
        env.update(KERAS_BACKEND="jax", XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp",
                   str(self.folder / "tmp"), "--report-outcomes", str(self.report), *node_ids]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def outcome(self, node_id):
        """The background session's outcome of one test, once it has one (waiting for it)."""
        while node_id not in self.outcomes:
            finished = self.process.poll() is not None
            if self.report.exists():
                text = self.report.read_text(encoding="utf-8")
                lines = text[:text.rfind("\n") + 1].splitlines()  # the last line may be half written
                self.outcomes.update((entry["node_id"], entry) for entry in map(json.loads, lines))
            if node_id in self.outcomes:
                break
            if finished:
                raise JaxFailure(f"the background JAX session ended (exit status {self.process.returncode}) without "
                                 f"running it; its output ends:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        return self.outcomes[node_id]

    def stop(self):
        if self.process.poll() is None:  # this session ended first (interrupted, or -x)
            self.process.terminate()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


class OutcomeWriter:
    """In the background session: each test's outcome (failed if any phase failed, else skipped if it was, else
    passed), written when its last phase ends."""

    def __init__(self, path):
        self.path = Path(path)
        self.phases = {}

    def pytest_runtest_logreport(self, report):
        self.phases.setdefault(report.nodeid, []).append(report)
        if report.when != "teardown":
            return
        reports = self.phases.pop(report.nodeid)
        failed = [phase for phase in reports if phase.failed]
        skipped = [phase for phase in reports if phase.skipped]
        if failed:
            outcome, message = "failed", failed[0].longreprtext
        elif skipped:
            outcome, message = "skipped", skipped[0].longrepr[2].removeprefix("Skipped: ")
        else:
            outcome, message = "passed", ""
        entry = {"node_id": report.nodeid, "outcome": outcome, "message": message,
                 "user_properties": report.user_properties}
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")
