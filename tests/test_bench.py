"""The bench harness on tiny stand-ins (`python -m bench --smoke`), so it cannot rot; not the goals themselves."""

import gzip
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from bench import checks
from bench.__main__ import SERVE
from bench.harness import COLUMNS, VERDICTS, BenchError, side_by_side, write_readme_table
from conftest import ROOT
from sitebuild.static_server import serving

MEASURES = ("warm `make test`, total", "… tests/test_snippets.py", "slowest code block, in the suite",
            "our `mkdocs build --strict` ÷ Material + mkdocs-jupyter alone",
            "`mkdocs serve`: a lesson's Markdown saved",
            "quiz JS + CSS on a quiz page", "quiz JS + CSS on a page without a quiz", "quiz JS + CSS ÷ mkdocs-quiz",
            "Lighthouse /lessons/one/", "prebuilt run, quick profile")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    result = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout, json.loads(out.read_text())


def test_smoke_prints_one_table_with_a_verdict_per_row(smoke):
    stdout, results = smoke
    lines = stdout.strip().splitlines()
    assert lines[0] == "| " + " | ".join(COLUMNS) + " |"
    cells = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]
    assert len(cells) == len(results["rows"]) and all(len(line) == len(COLUMNS) for line in cells)
    assert {line[-1] for line in cells} <= set(VERDICTS)
    assert "meets" in {line[-1] for line in cells} and "falls short" in {line[-1] for line in cells}
    for measure in MEASURES:
        assert any(line[0].startswith(measure) for line in cells), f"no row for {measure!r}"


def test_smoke_results_json_has_the_machine_versions_and_date(smoke):
    _, results = smoke
    assert {"command", "mode", "date", "machine", "versions", "columns", "rows"} <= set(results)
    assert results["mode"] == "smoke"
    assert {"cpu_model", "cores", "memory_gib", "load_average_at_start"} <= set(results["machine"])
    assert results["machine"]["cores"] >= 1 and results["machine"]["memory_gib"] > 0
    assert {"python", "mkdocs", "mkdocs-material", "tensorflow-cpu", "keras"} <= set(results["versions"])
    for row in results["rows"]:
        assert set(row) == {"measure", "goal", "measured", "verdict", "details"}


def _page(path, html):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)


def test_page_assets_counts_external_and_inline_and_rejects_other_hosts(tmp_path):
    _page(tmp_path / "assets" / "quiz.css", "a{}" * 100)
    _page(tmp_path / "page" / "index.html",
          '<link rel="stylesheet" href="../assets/quiz.css?v=2"><script src="data:text/javascript,f%28%29"></script>'
          '<script>let x = 1;</script><p>text</p>')
    assets = checks.page_assets(tmp_path, "page/index.html")
    assert [(a["name"], a["raw"]) for a in assets] == [
        ("assets/quiz.css", 300), ("data: URL data:text/javascript,f%28%29", 3), ("inline <script> #0", 10)]
    assert checks.quiz_bytes(tmp_path, "page/index.html")["raw"] == 300
    assert assets[0]["gzip"] < 300  # repetitive CSS compresses
    _page(tmp_path / "cdn.html", '<script src="https://cdn.example.org/x.js"></script>')
    with pytest.raises(BenchError, match=r"cdn\.html: loads https://cdn\.example\.org/x\.js from another host"):
        checks.page_assets(tmp_path, "cdn.html")
    _page(tmp_path / "broken.html", '<script src="gone.js"></script>')
    with pytest.raises(BenchError, match=r"broken\.html: references gone\.js, which is not in the built site"):
        checks.page_assets(tmp_path, "broken.html")


def test_added_assets_subtract_what_the_page_has_without_the_plugin():
    def asset(content):
        return {"name": content, "content": content.encode()}
    added = checks.added_assets([asset("theme"), asset("theme"), asset("plugin")], [asset("theme"), asset("other")])
    assert [a["name"] for a in added] == ["theme", "plugin"]  # a second identical copy is added bytes too


def test_mkdocs_quiz_markdown_marks_the_correct_choice_and_each_explanation():
    item = {"question": "Q?", "choices": [{"text": "yes", "correct": True, "explanation": "because"},
                                          {"text": "no", "explanation": "line one\nline two"}]}
    assert checks.mkdocs_quiz_markdown([item]) == (
        "# Quiz\n\n<quiz>\nQ?\n- [x] yes\n> because\n- [ ] no\n> line one\n> line two\n</quiz>\n")


def test_side_by_side_needs_five_rounds():
    with pytest.raises(BenchError, match="at least 5 rounds"):
        side_by_side(([sys.executable, "-c", "pass"], ROOT), ([sys.executable, "-c", "pass"], ROOT), rounds=4)


def test_prebuilt_run_rejects_a_missing_or_foreign_summary(tmp_path):
    summary = tmp_path / "run.json"
    with pytest.raises(BenchError, match=r"run\.json: missing"):
        checks.prebuilt_run(summary)
    summary.write_text(json.dumps({"profile": "full", "wall_seconds": 1.0}))
    with pytest.raises(BenchError, match=r"run\.json: expected a quick-profile run"):
        checks.prebuilt_run(summary)


def test_readme_table_is_replaced_between_the_markers_only(tmp_path, smoke):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n")
    write_readme_table(readme, smoke[1])
    text = readme.read_text()
    assert text.startswith("# Title\n\n<!-- bench:start -->\nMeasured ")
    assert text.endswith("<!-- bench:end -->\nafter\n")
    assert "old" not in text and "| measure | goal | measured | verdict |" in text
    readme.write_text("# no markers\n")
    with pytest.raises(BenchError, match="no '<!-- bench:start -->'"):
        write_readme_table(readme, smoke[1])


def test_quiz_pages_without_quiz_assets_are_an_error_not_zero_bytes(tmp_path):
    _page(tmp_path / "lessons" / "one" / "index.html", "<p>No quiz here yet.</p>")
    with pytest.raises(BenchError, match=r"no quiz page \(lessons/one/index\.html\) loads an assets/quiz\.\* file"):
        checks.quiz_weight(tmp_path, ["lessons/one/index.html"], [])


def test_prebuilt_run_reports_the_grid_and_pretraining_apart(tmp_path):
    summary = tmp_path / "run.json"
    summary.write_text(json.dumps({"profile": "quick", "wall_seconds": 1000.0, "experiments": ["pretrain", "blocks"],
                                   "load_average": [2.0]}))
    (tmp_path / "pretrain.json").write_text(json.dumps({"provenance": {"wall_seconds": 160.0}}))
    [measured] = checks.prebuilt_run(summary)
    assert measured["verdict"] == "meets" and measured["details"]["seconds"] == 840.0
    assert "14.0 min" in measured["measured"] and "16.7 min" in measured["measured"]


def test_progress_scripts_are_weighed_apart_from_the_widget(tmp_path):
    for name in ("store.js", "review.js", "quiz.js"):
        _page(tmp_path / "assets" / name, "var x = 1;" * 20)
    _page(tmp_path / "lessons" / "one" / "index.html", '<script src="../../assets/store.js"></script>'
          '<script src="../../assets/quiz.js"></script>')
    _page(tmp_path / "index.html", '<script src="assets/store.js"></script><script src="assets/review.js"></script>')
    _page(tmp_path / "plain.html", "<p>text</p>")
    *_, without, progress = checks.quiz_weight(tmp_path, ["lessons/one/index.html"], ["plain.html"], ["index.html"])
    assert without["verdict"] == "meets"
    assert progress["details"]["files"] == ["assets/store.js", "assets/review.js"] and progress["verdict"] == "—"


def test_the_suite_row_says_how_busy_the_cores_were_and_counts_work_done_in_between(smoke):
    [suite_row] = [row for row in smoke[1]["rows"] if row["measure"] == "warm `make test`, total"]
    assert re.search(r"cores \d+% busy: \d+ CPU-seconds", suite_row["measured"]), suite_row["measured"]
    # user, nice, system, idle, iowait, irq, softirq, steal, ...: idle, iowait and steal are not busy
    assert checks.busy_cpu_seconds("cpu  100 2 30 4000 50 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n") == \
        145 / os.sysconf("SC_CLK_TCK")
    before, cpu = checks.busy_cpu_seconds(), time.process_time()
    while time.process_time() - cpu < 0.3:  # this process alone keeps one core busy for 0.3 s
        pass
    assert checks.busy_cpu_seconds() - before >= 0.25


def test_slowest_block_names_the_block_and_lists_those_over_ten_seconds():
    slow = checks.slowest_block({"a.py": 2.0, "b.py:train": 12.5, "b.py:tune": 11.0}, "tests/test_snippets.py")
    assert slow["verdict"] == "falls short" and slow["measured"] == "12.5 s (b.py:train)"
    assert slow["details"]["blocks_over_10_s"] == {"b.py:train": 12.5, "b.py:tune": 11.0}
    assert checks.slowest_block({"a.py": 9.9}, "tests/test_snippets.py")["verdict"] == "meets"
    with pytest.raises(BenchError, match="no code block was timed"):
        checks.slowest_block({}, "tests/test_snippets.py")


def test_the_plain_build_is_material_and_mkdocs_jupyter_alone_set_as_ours(tmp_path):
    plain = checks.plain_copy(tmp_path)
    config = yaml.safe_load((plain / "mkdocs.yml").read_text())
    ours = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    jupyter = [plugin for plugin in ours["plugins"] if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin]
    assert config["plugins"] == ["search", *jupyter]
    assert config["theme"] == {key: value for key, value in ours["theme"].items() if key != "custom_dir"}
    assert config["nav"] == ours["nav"] and not {"hooks", "markdown_extensions"} & set(config)
    assert sorted(path.name for path in (plain / "docs" / "notebooks").glob("*.ipynb")) == sorted(
        path.name for path in (ROOT / "docs" / "notebooks").glob("*.ipynb"))


def test_make_serve_runs_the_command_the_bench_times():
    recipe = re.search(r"^serve:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)[1]
    assert recipe.split()[0].endswith("/mkdocs") and recipe.split()[1:] == [
        part.replace("{port}", "8000") for part in SERVE[1:]]


def test_serve_loop_restores_the_page_and_reports_a_server_that_exits(tmp_path):
    source = tmp_path / "page.md"
    source.write_text("original\n")
    with pytest.raises(BenchError, match=r"the server exited 3"):
        checks.serve_loop([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path, source, "page.md", rounds=1)
    assert source.read_text() == "original\n"


def test_the_gzip_server_compresses_text_for_clients_that_accept_it(tmp_path):
    _page(tmp_path / "lessons" / "one" / "index.html", "<p>lesson</p>" * 100)
    _page(tmp_path / "figure.png", "not text")
    with serving(tmp_path, compress=True) as base:
        def get(path, encoding="gzip"):
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(request) as response:
                return response.headers.get("Content-Encoding"), response.read()
        assert get("lessons/one/") == ("gzip", gzip.compress(b"<p>lesson</p>" * 100, compresslevel=6))
        assert get("lessons/one") == get("lessons/one/")  # the redirect to the folder, then the page
        assert get("lessons/one/", encoding="identity") == (None, b"<p>lesson</p>" * 100)
        assert get("figure.png") == (None, b"not text")


def test_lighthouse_pages_are_the_sitemap_s(tmp_path):
    _page(tmp_path / "sitemap.xml", "<urlset><url><loc>https://x.org/a/</loc></url>"
          "<url><loc>https://x.org/a/lessons/one/</loc></url></urlset>")
    assert checks.site_pages(tmp_path, "https://x.org/a/") == ["", "lessons/one/"]
    with pytest.raises(BenchError, match=r"sitemap\.xml: missing"):
        checks.site_pages(tmp_path / "nowhere", "https://x.org/a/")


def test_only_some_checks_need_their_own_results_file():
    def bench(*options):
        return subprocess.run([sys.executable, "-m", "bench", *options], cwd=ROOT, capture_output=True, text=True)
    assert "--only need --out" in bench("--only", "build").stderr
    assert "unknown checks nothing" in bench("--only", "nothing", "--out", "x.json").stderr
