"""The bench's bookkeeping: rows with a goal and a verdict, side-by-side timing, the machine, the table."""

import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("measure", "goal", "measured", "verdict")
VERDICTS = ("meets", "falls short", "—")  # "—": a measurement shown for context, with no goal of its own
PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-macros-plugin", "mkdocs-jupyter", "pymdown-extensions",
            "pytest", "playwright", "tensorflow-cpu", "keras")


class BenchError(Exception):
    """A measurement could not be made; the message says which input or command and why."""


def row(measure, goal, measured, met=None, **details):
    """One line of the table; `met` None means no goal applies to this line."""
    verdict = "—" if met is None else "meets" if met else "falls short"
    return {"measure": measure, "goal": goal, "measured": measured, "verdict": verdict, "details": details}


def run(command, cwd=ROOT, env=None, timeout=None):
    """Run a command; raise BenchError with its output's tail when it fails."""
    try:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"`{' '.join(map(str, command))}` (in {cwd}) took over {timeout} s") from None
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-3000:]
        raise BenchError(f"`{' '.join(map(str, command))}` (in {cwd}) exited {result.returncode}:\n{output}")
    return result


def timed(command, cwd):
    start = time.perf_counter()
    run(command, cwd)
    return time.perf_counter() - start


def side_by_side(a, b, rounds):
    """Time commands a and b (each (argv, cwd)) alternately, AB then BA, for `rounds` rounds; ratio = a / b."""
    if rounds < 5:
        raise BenchError(f"side-by-side timing needs at least 5 rounds, got {rounds}")
    seconds = {"a": [], "b": []}
    for round_number in range(rounds):
        for which in ("ab" if round_number % 2 == 0 else "ba"):
            seconds[which].append(timed(*(a if which == "a" else b)))
    ratios = [sa / sb for sa, sb in zip(seconds["a"], seconds["b"])]
    return {"rounds": rounds, "ratio_median": statistics.median(ratios), "ratio_spread": [min(ratios), max(ratios)],
            "ratios": ratios, "seconds_a": seconds["a"], "seconds_b": seconds["b"],
            "seconds_a_median": statistics.median(seconds["a"]), "seconds_b_median": statistics.median(seconds["b"])}


def machine():
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    memory_kib = int(re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)[1])
    return {"cpu_model": cpu[1] if cpu else platform.processor(), "cores": len(os.sched_getaffinity(0)),
            "memory_gib": round(memory_kib / 2**20, 1)}


def versions(extra):
    """Python and the site's packages (from this venv), plus the tools a check reported in `extra`."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found | extra


def table(rows):
    """The rows as a Markdown table, goal next to measurement."""
    def cells(values):
        return "| " + " | ".join(str(value).replace("|", "\\|") for value in values) + " |"
    return "\n".join([cells(COLUMNS), cells("---" for _ in COLUMNS)] + [cells(r[c] for c in COLUMNS) for r in rows])


def report(rows, mode, command, extra_versions, load_average_at_start):
    return {"command": command, "mode": mode,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine() | {"load_average_at_start": list(load_average_at_start),
                                    "load_average_at_end": list(os.getloadavg())},
            "versions": versions(extra_versions), "columns": list(COLUMNS), "rows": rows}


def write_readme_table(readme, results):
    """Replace the table between the README's bench markers with these results."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = readme.read_text()
    if start not in text or end not in text:
        raise BenchError(f"{readme}: no '{start}' … '{end}' markers for the Performance table")
    box = results["machine"]
    summary = (f"Measured {results['date'][:10]} by `{results['command']}` on {box['cpu_model']}, {box['cores']} "
               f"cores, {box['memory_gib']} GiB (load average {box['load_average_at_start'][0]:.1f} at the start); "
               "details in `bench/results.json`.")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(f"{before}{start}\n{summary}\n\n{table(results['rows'])}\n{end}{after}")


def write_json(path, results):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
