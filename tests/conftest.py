"""Shared fixtures: the site built once per test run, a local server for it, and a headless Chromium.

Every tool the tests run keeps its files in the checkout's .cache/ (sitebuild/sandbox.py), set here before any test
module imports Keras.
"""

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.profiles import ONE_COMPUTE_THREAD
from sitebuild import sandbox
from sitebuild.static_server import serving

sandbox.use()
# `make test` runs three Keras processes on the machine's cores, two pytest-xdist workers and the JAX session
# (tests/jax_session.py), and each computes on one thread (README: Both backends).
os.environ.update(ONE_COMPUTE_THREAD)

# The `evidence` fixture and `--record-evidence`; the tests marked `both_backends` run on JAX too.
pytest_plugins = ["evidence_record", "jax_session"]

ROOT = Path(__file__).resolve().parent.parent
# Debian's build of Chromium's headless shell, what Playwright itself runs headless: the same engine as the browser,
# without its window machinery, which made each new browser context cost about 1.1 s of CPU more.
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def copy_of_checkout(destination):
    """A copy of the checkout's files that git does not ignore (not .venv, nor .cache, where tmp_path lives)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


@contextlib.contextmanager
def one_at_a_time(lock_file):
    """Hold an exclusive lock on `lock_file` (made if missing): pytest-xdist's workers take turns."""
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build_site(destination, config="mkdocs.yml"):
    """Run `mkdocs build --strict`, one build at a time (mkdocs-jupyter writes its cache in .cache/ with no lock, and
    a build that reads a half-written file fails); return the finished process (the caller asserts on it)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "-d", str(destination)]
    with one_at_a_time(sandbox.CACHE / "build.lock"):
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def pytest_collection_modifyitems(items):
    """The snippets' runs on TensorFlow first: pytest-xdist hands the tests out in this order, and lesson 8's run
    (about 30 s) near the end kept one worker busy long after the other had finished."""
    first = "test_snippet_runs_and_prints_what_the_page_says"
    items.sort(key=lambda item: getattr(item, "originalname", None) != first)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built once per test run: the first pytest-xdist worker to ask builds it where every worker finds it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder; each worker's own is inside it
    site, built = shared / "site", shared / "site.built"
    with one_at_a_time(shared / "site.lock"):
        if not built.exists():
            result = build_site(site)
            assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
            built.touch()
    return site


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 and return its base URL (ending in '/')."""
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's where it exists; else the one `playwright install chromium` fetched.
        path = CHROMIUM if shutil.which(CHROMIUM) else None
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh browser context and page; fails the test on a console error or a request to another host."""
    context = browser.new_context(base_url=site_url)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def guard(route):
        url = route.request.url
        if url.startswith(site_url) or url.startswith("data:") or url.startswith("blob:"):
            return route.continue_()
        problems.append(f"request to another host: {url}")
        return route.abort()

    context.route("**/*", guard)
    page.problems = problems
    yield page
    # A route handler still running when the context closes (Material fetches sitemap.xml late) would raise its
    # error into the next test's first browser call: let such handlers fail quietly.
    page.unroute_all(behavior="ignoreErrors")
    context.unroute_all(behavior="ignoreErrors")
    context.close()
    assert not problems, "\n".join(problems)
