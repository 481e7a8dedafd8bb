"""pytest plugin: the tests marked `both_backends` run on JAX as well, in a second pytest session in the background.

Keras picks its backend once, when it is imported, so JAX needs a process of its own. When the tests are collected,
`KERAS_BACKEND=jax python -m pytest <the marked tests>` starts in the background and runs them alongside the
others. Each marked test gets a twin, `<test>[jax]` (or `<test>[<parameters>-jax]`, marked `on_jax`), collected
after every other test: it waits for the background session's outcome of the same test and reports it, with its
recorded properties (a snippet's `block_seconds`), the seconds it took there (`jax_seconds`, which `make bench`
counts as JAX's share) and, on failure, the background test's own report.

With pytest-xdist (`-n 2`, as `make test` runs) the workers collect and run the twins; each writes the list of
tests its twins stand for, and the controller starts the one background session with the first list it gets, and
stops it at the end. The background session writes each test's outcome as a JSON line to `outcomes.jsonl` in a
folder every process knows, as it goes, and the process that started it writes `exit_status` there when it ends.

A session that runs on JAX itself (`KERAS_BACKEND=jax pytest`, as `make evidence` does) makes no twins.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKER, TWIN_MARKER = "both_backends", "on_jax"
_FOLDER, _BACKGROUND, _OUTCOMES = (pytest.StashKey[Path](), pytest.StashKey["Background"](),
                                   pytest.StashKey["Outcomes"]())


def pytest_addoption(parser):
    parser.addoption("--report-outcomes", metavar="FILE",
                     help="write each test's outcome to FILE as a JSON line (the background JAX session)")


def _is_worker(config):
    return hasattr(config, "workerinput")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: run this test on JAX as well, in a background session "
                                       "(tests/jax_session.py)")
    config.addinivalue_line("markers", f"{TWIN_MARKER}: the twin of a `{MARKER}` test, its outcome on JAX "
                                       "(`-m 'not on_jax'` leaves JAX out)")
    if config.getoption("report_outcomes"):
        config.pluginmanager.register(OutcomeWriter(config.getoption("report_outcomes")))
    elif _is_worker(config):
        config.stash[_FOLDER] = Path(config.workerinput["jax_session_folder"])
    else:  # the one process that starts and stops the background session: the controller, or pytest without -n
        config.stash[_FOLDER] = Path(tempfile.mkdtemp(prefix="jax-session-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, in the controller: tell each worker where the background session writes."""
    node.workerinput["jax_session_folder"] = str(node.config.stash[_FOLDER])


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


@pytest.hookimpl(tryfirst=True)  # a worker writes its list before pytest-xdist tells the controller it collected
def pytest_collection_finish(session):
    originals = [item.original for item in session.items if isinstance(item, OnJax)]
    if _is_worker(session.config):
        _twins_file(session.config, session.config.workerinput["workerid"]).write_text(json.dumps(originals))
    else:
        _start_background(session.config, originals)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """pytest-xdist, in the controller: every worker collects the same tests; the first one's twins start the
    background session."""
    if _BACKGROUND not in node.config.stash:
        originals = json.loads(_twins_file(node.config, node.workerinput["workerid"]).read_text())
        _start_background(node.config, originals)


def _twins_file(config, worker):
    return config.stash[_FOLDER] / f"twins-of-{worker}.json"


def _start_background(config, node_ids):
    if node_ids and not config.option.collectonly and _FOLDER in config.stash:
        config.stash[_BACKGROUND] = Background(config.stash[_FOLDER], node_ids)


def pytest_unconfigure(config):
    if _BACKGROUND in config.stash:
        config.stash[_BACKGROUND].stop()
    if _FOLDER in config.stash and not _is_worker(config):
        shutil.rmtree(config.stash[_FOLDER], ignore_errors=True)


class JaxFailure(Exception):
    """The test failed in the background JAX session; the message is that session's report."""


class OnJax(pytest.Item):
    """The twin of a test marked `both_backends`: that test's outcome in the background JAX session."""

    def __init__(self, *, original, **kwargs):
        super().__init__(**kwargs)
        self.original = original

    def runtest(self):
        stash = self.config.stash
        outcomes = stash[_OUTCOMES] = stash.get(_OUTCOMES, None) or Outcomes(stash[_FOLDER])
        outcome = outcomes.of(self.original)
        self.user_properties += [tuple(prop) for prop in outcome["user_properties"]]
        self.user_properties.append(("jax_seconds", outcome["seconds"]))  # what it took there, not the wait here
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
    """`KERAS_BACKEND=jax python -m pytest <node ids>`, writing in `folder`; a thread writes its exit status there
    when it ends."""

    def __init__(self, folder, node_ids):
        env = {name: value for name, value in os.environ.items() if name != "PYTEST_ADDOPTS"}  # e.g. the bench's
        env.update(KERAS_BACKEND="jax")  # and one thread, as tests/conftest.py sets for every test process
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--basetemp",
                   str(folder / "tmp"), "--report-outcomes", str(folder / "outcomes.jsonl"), *node_ids]
        with open(folder / "output.log", "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        threading.Thread(target=self._write_exit_status, args=(folder / "exit_status",), daemon=True).start()

    def _write_exit_status(self, path):
        path.write_text(str(self.process.wait()))

    def stop(self):
        if self.process.poll() is None:  # the tests ended first (interrupted, or -x)
            self.process.terminate()
        self.process.wait()


class Outcomes:
    """The background session's outcomes, read from its folder as it writes them."""

    def __init__(self, folder):
        self.folder = folder
        self.known = {}

    def of(self, node_id):
        """The outcome of one test, once the background session has one (waiting for it)."""
        report, exit_status = self.folder / "outcomes.jsonl", self.folder / "exit_status"
        while node_id not in self.known:
            finished = exit_status.exists()  # before reading: a session that has ended has written every line
            if report.exists():
                text = report.read_text(encoding="utf-8")
                lines = text[:text.rfind("\n") + 1].splitlines()  # the last line may be half written
                self.known.update((entry["node_id"], entry) for entry in map(json.loads, lines))
            if node_id in self.known:
                break
            if finished:
                log = (self.folder / "output.log").read_text(errors="replace")[-3000:]
                raise JaxFailure(f"the background JAX session ended (exit status {exit_status.read_text()}) without "
                                 f"running it; its output ends:\n{log}")
            time.sleep(0.2)
        return self.known[node_id]


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
                 "user_properties": report.user_properties, "seconds": sum(phase.duration for phase in reports)}
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")
