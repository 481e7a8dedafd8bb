"""`python -m bench [--full | --smoke | --only CHECKS]`: measure, print the table, write the results JSON (and the
README's table).

--smoke runs the same measuring code on tiny stand-ins in a few seconds (tests/test_bench.py), so it cannot rot.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench import checks
from bench.harness import ROOT, BenchError, report, row, run, table, write_json, write_readme_table
from sitebuild.pages import mkdocs_config

SEED_CHOICE_IDS = ("not-a-benefit", "what-freezing-means", "make-layer-non-trainable", "small-dataset",
                   "after-freezing")  # the 5 choice questions of the seed cards, as the bank names them
SMOKE_QUIZ_HOOK = ROOT / "bench" / "smoke_quiz_hook.py"  # mkdocs-quiz's stand-in
CHECKS = ("test", "build", "serve", "quiz", "lighthouse", "run")  # what --only picks from
# `make serve`'s command (tests/test_bench.py holds the Makefile to it), on a port of the bench's choosing: --dirty
# rebuilds only the pages whose Markdown changed (a full rebuild takes over a second).
SERVE = ("mkdocs", "serve", "--dirty", "-a", "127.0.0.1:{port}")
SERVED_LESSON = "docs/lessons/1-what-is-fine-tuning.md"  # the lesson the serve loop saves, in a copy of the checkout


def real(work, args):
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    wanted, rows = set(args.only), []
    if "test" in wanted:
        print(f"timing `make test` {args.test_runs} times (a few minutes each)…", file=sys.stderr)
        rows += attempt("warm `make test`", "≤ 150 s",
                        lambda: checks.test_suite(["make", "test"], ROOT, work, runs=args.test_runs))

    site = work / "site"
    ours = ([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], ROOT)
    if "build" in wanted:
        print(f"timing our build against Material + mkdocs-jupyter alone, {args.rounds} rounds each…", file=sys.stderr)
        plain = ([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(work / "plain-site")],
                 checks.plain_copy(work))
        rows += attempt("our build ÷ Material + mkdocs-jupyter alone", "≤ 1.3",
                        lambda: checks.build_ratio(ours, plain, args.rounds))
    elif wanted & {"quiz", "lighthouse"}:
        run(*ours)

    if "serve" in wanted:
        print(f"timing the `mkdocs serve` loop, {args.rounds} saves…", file=sys.stderr)
        copy = checks.checkout_copy(work)
        mount = urlsplit(mkdocs_config()["site_url"]).path.lstrip("/")  # mkdocs serve serves under site_url's path
        page = mount + Path(SERVED_LESSON).relative_to("docs").with_suffix("").as_posix() + "/"
        rows += attempt("`mkdocs serve` loop", "≤ 1 s", lambda: checks.serve_loop(
            [sys.executable, "-m", *SERVE], copy, copy / SERVED_LESSON, page, args.rounds))

    if "quiz" in wanted:
        print("weighing the quiz assets, ours and mkdocs-quiz's…", file=sys.stderr)
        pages = sorted(page.relative_to(site).as_posix() for page in site.rglob("*.html") if page.name != "404.html")
        lessons = [page for page in pages if page.startswith("lessons/")]
        others = [page for page in pages if page.split("/")[0] not in ("lessons", "review")]
        progress = [page for page in others if 'class="quiz-progress' in (site / page).read_text(encoding="utf-8")]
        rows += attempt("quiz JS + CSS", "≤ 4 KiB gzipped; 0 B without a quiz", lambda: checks.quiz_weight(
            site, lessons, [page for page in others if page not in progress], progress))
        rows += attempt("quiz JS + CSS ÷ mkdocs-quiz 1.7.1's", "≤ 1/3", lambda: checks.versus_mkdocs_quiz(
            site, lessons, checks.mkdocs_quiz_pages(work, seed_choice_items())))

    if "lighthouse" in wanted:
        def lighthouse_rows():
            pages = checks.site_pages(site, mkdocs_config()["site_url"])
            print(f"Lighthouse, {len(pages)} pages × 2 presets × {args.lighthouse_runs} runs…", file=sys.stderr)
            return checks.lighthouse(checks.lighthouse_command(), site, pages, args.lighthouse_runs, work)
        rows += attempt("Lighthouse", "mobile ≥ 90, desktop ≥ 98 / 100 / 100", lighthouse_rows)

    if "run" in wanted and args.full:
        rows += attempt("prebuilt run, quick profile", "≤ 15 min",
                        lambda: checks.prebuilt_run(ROOT / "experiments" / "results" / "run.json"))
    elif "run" in wanted:
        rows.append(row("prebuilt run, quick profile", "≤ 15 min", "not measured: `make bench FULL=1`"))
    return rows, tool_versions(work)


def attempt(measure, goal, measure_rows):
    """The rows of one check, or a row saying why it could not be measured (the other checks still run)."""
    try:
        return measure_rows()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return [row(measure, goal, f"not measured: {str(error).splitlines()[0][:200]}", False, error=str(error))]


def seed_choice_items():
    from sitebuild.quiz import load_bank  # the bank's own validator: the bench weighs valid items only

    items = {item["id"]: item for bank_file in load_bank().values() for item in bank_file}
    missing = [item_id for item_id in SEED_CHOICE_IDS if items.get(item_id, {}).get("kind") != "choice"]
    if missing:
        raise BenchError(f"quizzes/*.yml: no choice item with id {', '.join(missing)} (bench/__main__.py names the "
                         "seed's 5 choice questions by id)")
    return [items[item_id] for item_id in SEED_CHOICE_IDS]


def tool_versions(work):
    """The versions of the tools outside this venv that the checks used, where they are installed."""
    found = {"node": checks.run(["node", "--version"]).stdout.strip(),
             "chromium": checks.run(["/usr/bin/chromium", "--version"]).stdout.strip()}
    lighthouse = ROOT / "bench" / "node_modules" / "lighthouse" / "package.json"
    if lighthouse.exists():
        found["lighthouse"] = json.loads(lighthouse.read_text())["version"]
    for dist_info in work.glob("mkdocs-quiz-venv/lib/python*/site-packages/mkdocs_quiz-*.dist-info"):
        found["mkdocs-quiz"] = dist_info.name.split("-")[1].removesuffix(".dist")
    return found


def smoke(work):
    """Every check on tiny stand-ins: a two-file test suite, two trivial commands (in the real plain copy), Python's
    own web server in place of `mkdocs serve`, a hand-made site, a throwaway venv building two one-question sites
    with a stand-in for mkdocs-quiz, a stand-in Lighthouse that writes a perfect report, a recorded run of one
    minute."""
    suite = work / "suite"
    (suite / "tests").mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "tests" / "test_snippets.py").write_text(
        "def test_one(record_property):\n    record_property('block_seconds', ['a.py', 0.5])\n")
    (suite / "tests" / "test_other.py").write_text("def test_one():\n    assert True\n")
    rows = checks.test_suite([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], suite, work)

    trivial = ([sys.executable, "-c", "pass"], checks.plain_copy(work))
    rows += checks.build_ratio(trivial, trivial, rounds=5)

    site = work / "site"
    _page(site / "lessons" / "one" / "index.md", "A lesson.")  # served as it is: a rebuild that takes no time
    rows += checks.serve_loop([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "{port}"], site,
                              site / "lessons" / "one" / "index.md", "lessons/one/index.md", rounds=2)
    _page(site / "index.html", '<link rel="stylesheet" href="assets/main.css"><script>var theme;</script>')
    _page(site / "lessons" / "one" / "index.html", '<link rel="stylesheet" href="../../assets/main.css">'
          '<link rel="stylesheet" href="../../assets/quiz.css"><script src="../../assets/quiz.js?v=1"></script>')
    for name, content in {"main.css": "body{}", "quiz.css": ".quiz{color:red}", "quiz.js": "let quiz = 1;"}.items():
        _page(site / "assets" / name, content)
    rows += checks.quiz_weight(site, ["lessons/one/index.html"], ["index.html"])
    reference = checks.mkdocs_quiz_pages(work, seed_choice_items(), requirements=(),
                                         with_quiz={"plugins": ["search"], "hooks": [str(SMOKE_QUIZ_HOOK)]})
    rows += checks.versus_mkdocs_quiz(site, ["lessons/one/index.html"], reference)

    perfect = {"categories": {name: {"id": name, "score": 1, "auditRefs": [{"id": "a", "weight": 1}]}
                              for name in checks.LIGHTHOUSE_CATEGORIES}, "audits": {"a": {"score": 1}}}
    stand_in = ("import json, sys; out = [a for a in sys.argv if a.startswith('--output-path=')][0]; "
                f"open(out.split('=', 1)[1], 'w').write({json.dumps(json.dumps(perfect))})")
    _page(site / "sitemap.xml", "<urlset><url><loc>https://example.org/site/</loc></url>"
          "<url><loc>https://example.org/site/lessons/one/</loc></url></urlset>")
    pages = checks.site_pages(site, "https://example.org/site/")
    rows += checks.lighthouse([sys.executable, "-c", stand_in], site, pages, 2, work)

    run_summary = work / "run.json"
    run_summary.write_text(json.dumps({"profile": "quick", "wall_seconds": 60.0, "load_average": [1.0]}))
    rows += checks.prebuilt_run(run_summary)
    return rows, {}


def _page(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also the prebuilt run's recorded wall time")
    parser.add_argument("--smoke", action="store_true", help="tiny stand-ins only, a few seconds (for the tests)")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results.json, with the README's table; "
                        "--smoke and --only need one and leave the README alone)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the build timing and of the serve loop (≥ 5)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page and preset")
    parser.add_argument("--test-runs", type=int, default=3, help="runs of `make test` (the row shows the median)")
    parser.add_argument("--only", type=lambda text: text.split(","), default=list(CHECKS),
                        help=f"some of the checks, e.g. build,serve (of {','.join(CHECKS)}); needs --out")
    args = parser.parse_args(argv)
    if (args.smoke or set(args.only) != set(CHECKS)) and args.out is None:
        parser.error("--smoke and --only need --out (they must not replace bench/results.json)")
    if set(args.only) - set(CHECKS):
        parser.error(f"--only: unknown checks {', '.join(sorted(set(args.only) - set(CHECKS)))}; known: "
                     f"{', '.join(CHECKS)}")
    load_average_at_start = os.getloadavg()
    defaults = parser.parse_args([])
    command = ("python -m bench" + " --full" * args.full + " --smoke" * args.smoke
               + f" --only {','.join(args.only)}" * (set(args.only) != set(CHECKS))
               + f" --rounds {args.rounds}" * (args.rounds != defaults.rounds)
               + f" --lighthouse-runs {args.lighthouse_runs}" * (args.lighthouse_runs != defaults.lighthouse_runs)
               + f" --test-runs {args.test_runs}" * (args.test_runs != defaults.test_runs))
    try:
        if args.smoke:
            with tempfile.TemporaryDirectory() as work:
                rows, tools = smoke(Path(work))
        else:
            work = ROOT / "bench" / "work"
            work.mkdir(parents=True, exist_ok=True)
            rows, tools = real(work, args)
    except BenchError as error:
        sys.exit(f"bench: {error}")
    mode = "smoke" if args.smoke else "full" if args.full else "default"
    results = report(rows, mode, command, tools, load_average_at_start)
    print(table(rows))
    write_json(args.out or ROOT / "bench" / "results.json", results)
    if not args.smoke and set(args.only) == set(CHECKS):
        write_readme_table(ROOT / "README.md", results)
    if any("error" in line["details"] for line in rows):
        sys.exit("bench: some rows could not be measured (see 'not measured' above)")


if __name__ == "__main__":
    main()
