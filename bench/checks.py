"""The measurements. Each takes its inputs (commands, folders, pages) and returns table rows, so `--smoke` can run
the same code on tiny stand-ins."""

import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bench.harness import ROOT, BenchError, row, run, side_by_side
from sitebuild.pages import mkdocs_config
from sitebuild.static_server import serving

KIB = 1024
QUIZ_ASSET = re.compile(r"(^|/)assets/(quiz\.[^/]+|store\.js)$")  # the widget: docs/assets/quiz.*, store.js
PROGRESS_ASSET = re.compile(r"(^|/)assets/(store|review)\.js$")  # what the home page's progress column loads
MKDOCS_QUIZ = "mkdocs-quiz==1.7.1"
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")
LIGHTHOUSE_GOALS = {"mobile": dict(zip(LIGHTHOUSE_CATEGORIES, (90, 100, 100))),
                    "desktop": dict(zip(LIGHTHOUSE_CATEGORIES, (98, 100, 100)))}

# --- warm `make test` --------------------------------------------------------------------------------------------


def test_suite(command, cwd, work, runs=1, snippet_file="tests/test_snippets.py"):
    """Time the test command `runs` times (wall clock, with the load average before each run) and each test file
    within the run of median time (our pytest plugin)."""
    timed = sorted((_time_tests(command, cwd, work) for _ in range(runs)), key=lambda run: run["seconds"])
    median = timed[len(timed) // 2]
    measured, total = median["timing"], median["seconds"]
    files = dict(sorted(measured["seconds_per_file"].items(), key=lambda item: -item[1]))
    problems = Counter()
    for each in timed:
        problems.update({outcome: n for outcome, n in each["timing"]["outcomes"].items()
                         if outcome not in ("passed", "skipped")})
    notes = "".join(f", {n} {outcome}" for outcome, n in problems.items())
    loads = ", ".join(f"{each['load_average_before']:.1f}" for each in timed)
    spread = f"median of {runs}, spread {timed[0]['seconds']:.0f}–{timed[-1]['seconds']:.0f} s; " * (runs > 1)
    cores = os.cpu_count()  # every core /proc/stat counts
    busy = (f"; the machine's {cores} cores {median['busy_cpu_seconds'] / (total * cores):.0%} busy: "
            f"{median['busy_cpu_seconds']:.0f} CPU-seconds")
    rows = [row("warm `make test`, total", "≤ 150 s",
                f"{total:.0f} s ({spread}load average before: {loads}{busy}{notes})",
                total <= 150, seconds=[each["seconds"] for each in timed], median_seconds=total,
                busy_cpu_seconds=[each["busy_cpu_seconds"] for each in timed],
                load_average_before=[each["load_average_before"] for each in timed],
                outcomes=measured["outcomes"],
                exit_status=[each["exit_status"] for each in timed],
                failed=[each["timing"]["failed"] for each in timed], slowest_phases=measured["slowest"])]
    for backend, which in (("tensorflow", "TensorFlow (every test)"),
                           ("jax", "JAX (the `both_backends` tests again, in the background)")):
        seconds = measured["seconds_per_backend"].get(backend, 0)
        rows.append(row(f"… tests on {which}", "—", f"{seconds:.0f} s", seconds=seconds))
    if snippet_file not in files:
        raise BenchError(f"`{' '.join(command)}` ran no {snippet_file}; files timed: {', '.join(files) or 'none'}")
    for name, seconds in files.items():
        goal, met = ("≤ 60 s", seconds <= 60) if name == snippet_file else ("—", None)
        rows.append(row(f"… {name}", goal, f"{seconds:.1f} s", met, seconds=seconds))
    return rows + [slowest_block(measured["block_seconds"], snippet_file)]


def _time_tests(command, cwd, work):
    timing = work / "test-timing.json"
    timing.unlink(missing_ok=True)
    addopts = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p bench.pytest_timing --ignore=tests/test_bench.py".strip()
    env = dict(os.environ, PYTHONPATH=str(ROOT), BENCH_TIMING_OUT=str(timing), PYTEST_ADDOPTS=addopts)
    load = os.getloadavg()[0]
    busy_before, start = busy_cpu_seconds(), time.perf_counter()
    finished = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds, busy = time.perf_counter() - start, busy_cpu_seconds() - busy_before
    if not timing.exists():
        raise BenchError(f"`{' '.join(command)}` wrote no timing ({timing}); its output:\n{finished.stdout[-3000:]}"
                         f"{finished.stderr[-2000:]}")
    return {"seconds": seconds, "busy_cpu_seconds": busy, "load_average_before": load,
            "exit_status": finished.returncode, "timing": json.loads(timing.read_text())}


def busy_cpu_seconds(stat=None):
    """The CPU time all the machine's cores have spent busy since it booted, from the first line of Linux's
    /proc/stat (or of `stat`, its text): user, nice, system, irq and softirq; not idle, waiting for I/O or stolen
    by the host. Unlike wall time, it does not depend on how many cores shared the work; it counts every process on
    the machine, not only the suite's."""
    user, nice, system, _idle, _iowait, irq, softirq = map(int, (stat or Path("/proc/stat").read_text()).split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def slowest_block(block_seconds, snippet_file):
    """The slowest code block a reader runs, as timed inside the suite (after TensorFlow is imported)."""
    if not block_seconds:
        raise BenchError(f"{snippet_file} reported no block_seconds: no code block was timed")
    name, seconds = max(block_seconds.items(), key=lambda item: item[1])
    over = {block: round(took, 1) for block, took in block_seconds.items() if took > 10}
    return row("slowest code block, in the suite", "≤ 10 s", f"{seconds:.1f} s ({name})", seconds <= 10,
               seconds=seconds, block=name, blocks_over_10_s=over,
               all_blocks={block: round(took, 2) for block, took in sorted(block_seconds.items())})


# --- what our build costs over Material and mkdocs-jupyter alone ---------------------------------------------------


def plain_copy(work):
    """The same docs/ (notebooks included) with an mkdocs.yml of Material and mkdocs-jupyter alone, set as ours: our
    theme settings, nav, search and mkdocs-jupyter settings; none of our macros, hooks, overrides or Markdown
    extensions, nor the redirects plugin. Macro lines and snippet includes stay as literal text (nothing reads them
    without the macros plugin and pymdownx.snippets). Its .cache/ (mkdocs-jupyter's) is kept between runs."""
    plain = work / "plain"
    shutil.rmtree(plain / "docs", ignore_errors=True)
    shutil.copytree(ROOT / "docs", plain / "docs")
    ours = mkdocs_config()
    jupyter = [plugin for plugin in ours["plugins"] if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin]
    config = {"site_name": ours["site_name"], "site_url": ours["site_url"], "nav": ours["nav"],
              "theme": {key: value for key, value in ours["theme"].items() if key != "custom_dir"},
              "plugins": ["search", *jupyter]}
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return plain


def build_ratio(ours, plain, rounds):
    """`ours` and `plain` are (argv, cwd); after one untimed run each (caches warm, as a maintainer's are), they run
    alternately and the ratio is ours ÷ plain per round."""
    for command in (ours, plain):
        run(*command)
    timing = side_by_side(ours, plain, rounds)
    median, (low, high) = timing["ratio_median"], timing["ratio_spread"]
    measured = (f"{median:.2f}× ({timing['seconds_a_median']:.1f} s vs {timing['seconds_b_median']:.1f} s; "
                f"median of {rounds} rounds, spread {low:.2f}–{high:.2f}; {load_average()})")
    return [row("our `mkdocs build --strict` ÷ Material + mkdocs-jupyter alone, same docs", "≤ 1.3", measured,
                median <= 1.3, **timing)]


# --- the `mkdocs serve` loop ----------------------------------------------------------------------------------------


def checkout_copy(work):
    """A copy of the checkout for `mkdocs serve` to rebuild, so the timed saves never touch the real lesson (without
    .git, .venv, .cache/, site/ and bench/)."""
    copy = work / "checkout"
    shutil.rmtree(copy, ignore_errors=True)
    left_out = shutil.ignore_patterns(".git", ".venv", ".cache", "site", "bench", "__pycache__")
    shutil.copytree(ROOT, copy, ignore=left_out)
    return copy


def serve_loop(command, cwd, source, page, rounds):
    """Start `command` (a server that rebuilds on change; "{port}" in it becomes a free port) in `cwd`, wait for
    `page` (a URL path), then `rounds` times: append a line to `source` and time until the served page shows it.
    `source` is restored afterwards. The server's log ("Documentation built in N seconds") gives the rebuilds."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/{page}"
    original = source.read_text(encoding="utf-8")
    log = cwd / "serve.log"
    with open(log, "w") as output:
        server = subprocess.Popen([part.replace("{port}", str(port)) for part in command], cwd=cwd,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for(url, lambda body: True, server, log, timeout=300)
        seconds = []
        for number in range(rounds):
            time.sleep(1)  # saves land at any point of the server's watching cycle
            marker = f"Serve loop check {number} {time.time()}."
            start = time.perf_counter()
            source.write_text(f"{original}\n{marker}\n", encoding="utf-8")
            _wait_for(url, lambda body: marker in body, server, log, timeout=60)
            seconds.append(time.perf_counter() - start)
    finally:
        source.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    rebuilds = [float(seconds) for seconds in re.findall(r"Documentation built in ([\d.]+) seconds",
                                                        log.read_text())][1:]  # not the first build
    median = statistics.median(seconds)
    rebuild = f"; rebuild {statistics.median(rebuilds):.2f} s" if rebuilds else ""
    measured = (f"{median:.2f} s (median of {rounds}, spread {min(seconds):.2f}–{max(seconds):.2f}{rebuild}; "
                f"{load_average()})")
    return [row(f"`mkdocs serve`: a lesson's Markdown saved → its page served (/{page})", "≤ 1 s", measured,
                median <= 1, seconds=seconds, rebuild_seconds=rebuilds,
                command=[Path(command[0]).name, *command[1:]])]  # no path of this machine in the results


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url, ready, server, log, timeout):
    """Poll `url` every 20 ms until its body satisfies `ready`; an error when the server exits or time runs out."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server exited {server.returncode}; its log ({log}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                if ready(response.read().decode("utf-8", "replace")):
                    return
        except OSError:  # not listening yet, or 404 while it first builds
            pass
        time.sleep(0.02)
    raise BenchError(f"{url}: not served as expected within {timeout} s; the server's log ({log}):\n"
                     f"{log.read_text()[-3000:]}")


def load_average():
    return f"load average {os.getloadavg()[0]:.1f}"


# --- bytes of JS and CSS on a page ---------------------------------------------------------------------------------


class _Assets(HTMLParser):
    """A page's scripts and style sheets: external ones by URL, inline ones by their text."""

    def __init__(self):
        super().__init__()
        self.external, self.inline, self._open, self._text = [], [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.external.append(attrs["src"])
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.external.append(attrs["href"])
        elif tag in ("script", "style"):
            self._open, self._text = tag, []

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._open:
            self.inline.append((tag, "".join(self._text)))
            self._open = None


def page_assets(site, page):
    """Every script and style sheet `page` (a path inside `site`) loads: [{name, raw, gzip, content}], bytes."""
    html_file = site / page
    if not html_file.is_file():
        raise BenchError(f"{html_file}: no such page in the built site")
    parser = _Assets()
    parser.feed(html_file.read_text(encoding="utf-8"))
    assets = []
    for url in parser.external:
        parts = urlsplit(url)
        if parts.scheme == "data":  # inline content in the URL itself
            assets.append(_sized(f"data: URL {url[:40]}", unquote(url.split(",", 1)[-1]).encode()))
            continue
        if parts.scheme or parts.netloc:
            raise BenchError(f"{html_file}: loads {url} from another host")
        target = (site / parts.path.lstrip("/")) if parts.path.startswith("/") else (html_file.parent / parts.path)
        if not target.is_file():
            raise BenchError(f"{html_file}: references {url}, which is not in the built site")
        name = target.resolve().relative_to(site.resolve()).as_posix()
        assets.append(_sized(name, target.read_bytes()))
    assets += [_sized(f"inline <{tag}> #{n}", text.encode()) for n, (tag, text) in enumerate(parser.inline)]
    return assets


def _sized(name, content):
    return {"name": name, "raw": len(content), "gzip": len(gzip.compress(content, 9, mtime=0)), "content": content}


def total(assets):
    return {"raw": sum(a["raw"] for a in assets), "gzip": sum(a["gzip"] for a in assets),
            "files": [a["name"] for a in assets]}


def quiz_bytes(site, page, pattern=QUIZ_ASSET):
    return total([a for a in page_assets(site, page) if pattern.search(a["name"])])


def heaviest_quiz_page(site, quiz_pages):
    """(page, its quiz_bytes) of the quiz page carrying the most gzipped quiz bytes; an error when none has any."""
    sizes = {page: quiz_bytes(site, page) for page in quiz_pages}
    if not any(size["raw"] for size in sizes.values()):
        raise BenchError(f"{site}: no quiz page ({', '.join(quiz_pages) or 'none'}) loads an assets/quiz.* file")
    page = max(sizes, key=lambda name: sizes[name]["gzip"])
    return page, sizes[page]


def quiz_weight(site, quiz_pages, other_pages, progress_pages=()):
    """The quiz's JS + CSS on the heaviest quiz page and on the heaviest page without a quiz; the progress
    scripts on pages that show progress but no quiz (the home page)."""
    page, size = heaviest_quiz_page(site, quiz_pages)
    without = {page: quiz_bytes(site, page) for page in other_pages}
    if not without:
        raise BenchError(f"{site}: no page without a quiz to weigh")
    heaviest_other = max(without, key=lambda name: without[name]["raw"])
    other = without[heaviest_other]
    return [row("quiz JS + CSS on a quiz page", "≤ 4 KiB gzipped",
                f"{size['gzip']:,} B gzipped ({size['raw']:,} B raw)", size["gzip"] <= 4 * KIB, page=page, **size),
            row("quiz JS + CSS on a page without a quiz", "0 B", f"{other['raw']:,} B (heaviest of "
                f"{len(without)} pages: /{heaviest_other})", other["raw"] == 0, page=heaviest_other, **other,
                pages_loading_quiz_assets={name: size["files"] for name, size in without.items() if size["raw"]}),
            *[progress_row(site, page) for page in progress_pages]]


def progress_row(site, page):
    """The progress scripts on a page that shows quiz progress but no quiz (the home page): no goal, reported."""
    size = quiz_bytes(site, page, PROGRESS_ASSET)
    files = " + ".join(name.rsplit("/", 1)[-1] for name in size["files"])
    return row(f"progress scripts on /{page} (no quiz there)", "—", f"{size['gzip']:,} B gzipped ({files})", None,
               page=page, **size)


def added_assets(with_plugin, without_plugin):
    """The assets a plugin added to a page: those of `with_plugin` not matched by identical ones in `without_plugin`."""
    unmatched = Counter(asset["content"] for asset in without_plugin)
    added = []
    for asset in with_plugin:
        if unmatched[asset["content"]]:
            unmatched[asset["content"]] -= 1
        else:
            added.append(asset)
    return added


def versus_mkdocs_quiz(site, quiz_pages, reference):
    """Our quiz assets on the heaviest quiz page against what mkdocs-quiz adds for the same questions.

    `reference` is (built with mkdocs-quiz, built without it), each with quiz/index.html and plain/index.html."""
    _, ours = heaviest_quiz_page(site, quiz_pages)
    theirs, theirs_without_quiz = (total(added_assets(page_assets(reference[0], page), page_assets(reference[1], page)))
                                   for page in ("quiz/index.html", "plain/index.html"))
    ratio = {kind: ours[kind] / theirs[kind] for kind in ("gzip", "raw")}
    measured = (f"{ours['gzip']:,} ÷ {theirs['gzip']:,} B gzipped = {ratio['gzip']:.2f} "
                f"(raw {ours['raw']:,} ÷ {theirs['raw']:,} = {ratio['raw']:.2f})")
    return [row("quiz JS + CSS ÷ mkdocs-quiz 1.7.1's, same 5 choice questions", "≤ 1/3, raw and gzipped",
                measured, max(ratio.values()) <= 1 / 3, ratio=ratio, ours=ours, mkdocs_quiz=theirs,
                mkdocs_quiz_on_a_page_without_a_quiz=theirs_without_quiz)]


def mkdocs_quiz_markdown(items):
    """Choice items of our bank in mkdocs-quiz's syntax: `- [x]` the correct choice, `> ` its explanation."""
    blocks = []
    for item in items:
        lines = ["<quiz>", item["question"]]
        for choice in item["choices"]:
            lines.append(f"- [{'x' if choice.get('correct') else ' '}] {choice['text']}")
            lines += [f"> {line}" for line in choice["explanation"].splitlines()]
        blocks.append("\n".join(lines + ["</quiz>"]))
    return "# Quiz\n\n" + "\n\n".join(blocks) + "\n"


MKDOCS_QUIZ_PLUGINS = {"plugins": ["search", "mkdocs_quiz"]}


def mkdocs_quiz_pages(work, items, requirements=(MKDOCS_QUIZ,), with_quiz=MKDOCS_QUIZ_PLUGINS):
    """Build a tiny Material site with the items twice, with the `with_quiz` settings (mkdocs-quiz, from
    `requirements` in a throwaway venv) and without them.

    Returns (built site with the plugin, built site without it); each has quiz/index.html and plain/index.html."""
    python = throwaway_venv(work / "mkdocs-quiz-venv", requirements)
    source = (work / "mkdocs-quiz").absolute()
    shutil.rmtree(source, ignore_errors=True)
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "quiz.md").write_text(mkdocs_quiz_markdown(items))
    (source / "docs" / "plain.md").write_text("# A page without a quiz\n\nText.\n")
    sites = []
    for name, settings in (("with", with_quiz), ("without", {"plugins": ["search"]})):
        config = source / f"mkdocs-{name}.yml"
        config.write_text(yaml.safe_dump({"site_name": "mkdocs-quiz", "theme": {"name": "material", "font": False},
                                          **settings}))
        sites.append(source / f"site-{name}")
        run([str(python), "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(sites[-1])], cwd=source)
    return sites


def throwaway_venv(folder, requirements):
    """The Python of a venv in `folder` that sees this venv's packages (so its mkdocs and Material are the site's
    own) and has `requirements` installed on top, within requirements.lock's pins."""
    folder = folder.absolute()
    python = folder / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", "--without-pip", str(folder)])
        [site_packages] = folder.glob("lib/python*/site-packages")
        ours = [path for path in sys.path if path.endswith("site-packages")]
        (site_packages / "site-packages-of-the-site.pth").write_text("".join(f"{path}\n" for path in ours))
    if requirements:  # pip (ours, seen through the .pth file) installs into the throwaway venv
        run([str(python), "-m", "pip", "install", "-q", *requirements, "-c", str(ROOT / "requirements.lock")])
    return python


# --- Lighthouse ----------------------------------------------------------------------------------------------------


def lighthouse_command():
    """Lighthouse from bench/node_modules, installed from the lock file when missing or another version."""
    package = ROOT / "bench" / "node_modules" / "lighthouse" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != LIGHTHOUSE_VERSION:
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT / "bench")
    return [str(ROOT / "bench" / "node_modules" / ".bin" / "lighthouse")]


def site_pages(site, site_url):
    """Every page of the built site's sitemap.xml (the nav's pages; not the redirects), as URL paths: "", "review/"."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        raise BenchError(f"{sitemap}: missing; the Lighthouse rows take their pages from it")
    return [url.removeprefix(site_url) for url in re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text())]


def lighthouse(command, site, pages, runs, work):
    """Lighthouse's mobile and desktop presets `runs` times each per page, the site served gzipped as it is published:
    median performance, lowest accessibility and best practices; one row per page.

    Each page's last report per preset is kept in work/lighthouse/ for its details (the row carries what cost
    points)."""
    reports_folder = work / "lighthouse"
    reports_folder.mkdir(parents=True, exist_ok=True)
    rows = []
    with serving(site, compress=True) as base:
        for page in pages:
            results, met = {}, True
            for preset, goals in LIGHTHOUSE_GOALS.items():
                report_file = reports_folder / f"{preset}-{page.strip('/').replace('/', '_') or 'home'}.json"
                scores = [_lighthouse_once(command, base + page, preset, report_file) for _ in range(runs)]
                summary = {name: (statistics.median if name == "performance" else min)(s[name] for s in scores)
                           for name in goals}
                met = met and all(summary[name] >= goal for name, goal in goals.items())
                results[preset] = {"summary": summary, "scores": scores, "report": str(report_file.relative_to(work)),
                                   **shortfalls(json.loads(report_file.read_text()))}
            measured = ", ".join(f"{preset} {_scores_text(result['summary'], result['scores'])}"
                                 for preset, result in results.items())
            rows.append(row(f"Lighthouse /{page}: performance / accessibility / best practices",
                            "mobile ≥ 90, desktop ≥ 98 / 100 / 100", f"{measured}; {load_average()}", met,
                            load_average=os.getloadavg()[0], **results))
    return rows


def _scores_text(summary, scores):
    text = " / ".join(f"{summary[name]:g}" for name in summary)
    if len(scores) > 1:
        performance = [s["performance"] for s in scores]
        text += f" ({min(performance)}–{max(performance)} over {len(scores)} runs)"
    return text


def _lighthouse_once(command, url, preset, report_file):
    options = [f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}", "--output=json", f"--output-path={report_file}",
               "--quiet", "--chrome-flags=--headless --no-sandbox --disable-gpu"]
    if preset == "desktop":
        options.append("--preset=desktop")  # without a preset, Lighthouse emulates a mid-range phone on slow 4G
    run(command + [url] + options, env=dict(os.environ, CHROME_PATH="/usr/bin/chromium"), timeout=180)
    categories = json.loads(report_file.read_text())["categories"]
    return {name: round(categories[name]["score"] * 100) for name in LIGHTHOUSE_CATEGORIES}


def shortfalls(report):
    """What costs points: each scored audit below 1, and each opportunity with savings (from one report)."""
    below = {}
    for category in report["categories"].values():
        for reference in category["auditRefs"]:
            audit = report["audits"][reference["id"]]
            if reference["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                below[reference["id"]] = {"category": category["id"], "score": audit["score"],
                                          "value": audit.get("displayValue", "")}
    opportunities = {name: audit["details"]["overallSavingsMs"] for name, audit in report["audits"].items()
                     if audit.get("details", {}).get("overallSavingsMs")}
    long_tasks = report["audits"].get("long-tasks", {}).get("details", {}).get("items", [])
    return {"audits_below_full_score": below, "opportunities_ms": opportunities,
            "long_tasks_ms": [[task["url"].split("/", 3)[-1], round(task["duration"])] for task in long_tasks],
            "cpu_benchmark_index": report.get("environment", {}).get("benchmarkIndex")}


# --- the prebuilt run ----------------------------------------------------------------------------------------------


def prebuilt_run(summary):
    """The quick profile's grid time as experiments/results/run.json recorded it (pretraining, when the same
    invocation rebuilt the base, reported beside it from pretrain.json)."""
    if not summary.is_file():
        raise BenchError(f"{summary}: missing; a whole `make run` (quick profile) writes it when it finishes")
    state = json.loads(summary.read_text())
    if state.get("profile") != "quick" or "wall_seconds" not in state:
        raise BenchError(f"{summary}: expected a quick-profile run with 'wall_seconds', got profile "
                         f"{state.get('profile')!r} and keys {sorted(state)}")
    total, load = state["wall_seconds"], statistics.mean(state.get("load_average") or [0])
    pretrain = 0
    if "pretrain" in state.get("experiments", []):
        pretrain = json.loads((summary.parent / "pretrain.json").read_text())["provenance"]["wall_seconds"]
    seconds = total - pretrain
    also = f"; + {pretrain / 60:.1f} min pretraining the base in the same run: {total / 60:.1f} min" * bool(pretrain)
    return [row("prebuilt run, quick profile: the grid (every figure)", "≤ 15 min",
                f"{seconds / 60:.1f} min (mean load average {load:.1f}{also})", seconds <= 15 * 60, seconds=seconds,
                pretrain_seconds=pretrain, cpu_seconds=state.get("cpu_seconds"), started=state.get("started"),
                finished_at=state.get("finished_at"), mean_load_average=load)]
