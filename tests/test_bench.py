"""The bench harness on tiny stand-ins (`python -m bench --smoke`), so it cannot rot; not the goals themselves."""

import json
import subprocess
import sys

import pytest

from bench import checks
from bench.harness import COLUMNS, VERDICTS, BenchError, side_by_side, write_readme_table
from conftest import ROOT

MEASURES = ("warm `make test`, total", "… tests/test_snippets.py", "slowest code block, in the suite",
            "`mkdocs build --strict` ÷ plain",
            "quiz JS + CSS on a quiz page", "quiz JS + CSS on a page without a quiz", "quiz JS + CSS ÷ mkdocs-quiz",
            "Lighthouse desktop /", "prebuilt run, quick profile")


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


def test_slowest_block_names_the_block_and_lists_those_over_ten_seconds():
    slow = checks.slowest_block({"a.py": 2.0, "b.py:train": 12.5, "b.py:tune": 11.0}, "tests/test_snippets.py")
    assert slow["verdict"] == "falls short" and slow["measured"] == "12.5 s (b.py:train)"
    assert slow["details"]["blocks_over_10_s"] == {"b.py:train": 12.5, "b.py:tune": 11.0}
    assert checks.slowest_block({"a.py": 9.9}, "tests/test_snippets.py")["verdict"] == "meets"
    with pytest.raises(BenchError, match="no code block was timed"):
        checks.slowest_block({}, "tests/test_snippets.py")
