"""pytest plugin: the `evidence` fixture a claim's check records its measurements with, and `--record-evidence FILE`
(`make evidence`), which writes what every check measured for the Evidence page (sitebuild/evidence.py)."""

import datetime
import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the checks read besides their own test files: a change to any of these makes the record stale
# (tests/test_evidence.py).
SOURCES = ("experiments/*.py", "experiments/results/*.json", "docs/notebooks/*.ipynb", "models/*.keras")
_RECORDED = pytest.StashKey[dict]()


def pytest_addoption(parser):
    parser.addoption("--record-evidence", metavar="FILE", help="write what every claim check measured to FILE "
                     "(`make evidence`; run with -m claim)")


def pytest_configure(config):
    config.addinivalue_line("markers", "claim(*ids): the test is the check of the site's claims with these ids")
    config.stash[_RECORDED] = {}


@pytest.fixture
def evidence(request):
    """`evidence(label, value)`: record what the check measured (a JSON value, rounded where it is a float)."""
    def record(label, value):
        request.node.user_properties.append(("evidence", [label, value]))
        return value
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    marker = item.get_closest_marker("claim")
    if marker and (report.when == "call" or report.failed):
        path, _, name = item.nodeid.partition("::")
        item.config.stash[_RECORDED][f"{path}::{name.split('[')[0]}"] = {
            "claims": list(marker.args), "outcome": report.outcome,
            "measured": [value for key, value in item.user_properties if key == "evidence"]}
    return report


def source_hashes(root=ROOT):
    """sha256 of the test files that hold checks and of every file the checks read."""
    from sitebuild.evidence import checks

    test_files = sorted({file for backed in checks().values() for file, _, _ in backed})
    paths = [root / file for file in test_files] + [path for pattern in SOURCES for path in sorted(root.glob(pattern))]
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def installed_versions():
    import keras

    found = {"python": platform.python_version(), "keras": keras.__version__}
    for name in ("tensorflow-cpu", "tensorflow", "jax", "numpy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def pytest_sessionfinish(session):
    destination = session.config.getoption("record_evidence")
    if not destination:
        return
    import keras

    record = {"recorded": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "backend": keras.backend.backend(), "versions": installed_versions(),
              "machine": f"{platform.machine()}, {platform.system()}", "sources": source_hashes(),
              "checks": dict(sorted(session.config.stash[_RECORDED].items()))}
    Path(destination).parent.mkdir(parents=True, exist_ok=True)
    Path(destination).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
