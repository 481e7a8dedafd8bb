"""The Evidence page: every claim the site makes, the check it rests on, and what that check measured.

A **claim** is a sentence of a page that states how Keras or TensorFlow behaves, or what the prebuilt run
measured, wrapped in the page's Markdown as

    <span class="claim" id="claim-frozen-batchnorm-inference">A frozen BatchNormalization layer …</span>

A **check** is a test marked with the ids of the claims it backs, `@pytest.mark.claim("frozen-batchnorm-inference")`,
which records what it measured through the `evidence` fixture: `evidence("moving mean moved", False)`. Every place
a page states a behaviour is a claim of its own, with its own id; one check may back several of them, and a claim
may rest on several checks. What a check records must not depend on float noise (booleans, counts, names, values
rounded), so that another CPU records the same.
`make evidence` runs every check on each backend, TensorFlow and JAX, and writes what each one measured, with the
versions, backend, machine, date and the sha256 of every file the checks read, to docs/evidence/<backend>.json
(tests/evidence_record.py); tests/test_evidence.py fails when a backend's record is missing or stale, when a claim
has no check, or a check backs no claim.

The page itself is docs/evidence.md, whose `{{ evidence() }}` placeholder is replaced, once every page has been
rendered, by the list built here (mkdocs hooks `on_page_content` and `on_env`).
"""

import ast
import html
import json
import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from sitebuild.backends import BACKENDS, NAMES
from sitebuild.pages import DOCS, ROOT

TESTS = ROOT / "tests"
RECORDS = DOCS / "evidence"
CLAIM_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CLAIM = re.compile(rf'<span class="claim" id="claim-(?P<id>{CLAIM_ID})">(?P<sentence>.*?)</span>', re.DOTALL)
PLACEHOLDER = '<div class="evidence-list"></div>'
# A link the build wrote relative to its page: not to another site, not from the site's root.
RELATIVE_HREF = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/)([^"]*)"')
RESULTS = "against the prebuilt run's results"
_claims = {}  # claim id: (page, sentence as HTML), filled as the build renders each page


def claim_ids(text):
    """The claim ids a page's Markdown (or HTML) source declares, in order."""
    return [match["id"] for match in CLAIM.finditer(text)]


def checks(tests=TESTS):
    """{claim id: [(test file relative to the repository, test function, line)]} from the `claim` markers."""
    found = {}
    for path in sorted(tests.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if "pytest.mark.claim" not in text:  # parsing every test file would be a tenth of the build
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.claim":
                    for argument in decorator.args:
                        found.setdefault(argument.value, []).append(
                            (path.relative_to(ROOT).as_posix(), node.name, node.lineno))
    return found


def records(folder=RECORDS):
    """{backend: record} of what `make evidence` measured on each backend, TensorFlow first."""
    order = {backend: number for number, backend in enumerate(BACKENDS)}
    paths = sorted(folder.glob("*.json"), key=lambda path: (order.get(path.stem, len(order)), path.stem))
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in paths}


def on_pre_build(config):
    """mkdocs hook: `mkdocs serve` rebuilds in the same process; start each build with no claims."""
    _claims.clear()


def on_page_content(content, page, config, files):
    """mkdocs hook: remember every claim of the page (after its macros ran, so its numbers are in it)."""
    for match in CLAIM.finditer(content):
        if match["id"] in _claims and _claims[match["id"]][0].file.src_uri != page.file.src_uri:
            raise PluginError(f"{page.file.src_uri}: claim id {match['id']!r} is also used on "
                              f"{_claims[match['id']][0].file.src_uri}")
        _claims[match["id"]] = (page, match["sentence"])
    return content


def on_env(env, config, files):
    """mkdocs hook: every page is rendered now, so the Evidence page can list them all."""
    evidence_page = files.get_file_from_path("evidence.md")
    if evidence_page and evidence_page.page and evidence_page.page.content:
        page = evidence_page.page
        page.content = page.content.replace(PLACEHOLDER, claims_list(page, config["extra"]["repository"]))
    return env


def runs_on_every_backend(file):
    """Whether a test file's checks run Keras on each backend (marked `both_backends`); the others read the prebuilt
    run's results."""
    return "\npytestmark = pytest.mark.both_backends\n" in (ROOT / file).read_text(encoding="utf-8")


def _entries(check, backend_records):
    """{backend name: what one check recorded there, or None}; a single entry, named "TensorFlow and JAX" (or, for a
    check of the results, "Against the prebuilt run's results"), when every backend recorded the same."""
    key = f"{check[0]}::{check[1]}"
    entries = {NAMES.get(backend, backend): record["checks"].get(key) for backend, record in backend_records.items()}
    if len(entries) > 1 and None not in entries.values() and \
            len({json.dumps(entry, sort_keys=True) for entry in entries.values()}) == 1:
        name = " and ".join(entries) if runs_on_every_backend(check[0]) else RESULTS.capitalize()
        return {name: next(iter(entries.values()))}
    return entries


def _measured(check, backend_records):
    """What one check recorded, as HTML list items: one per backend, or one for all when they agree, so that the
    backends' differences stand out."""
    items = []
    for name, entry in _entries(check, backend_records).items():
        if entry is None:
            items.append(f"<li>{html.escape(name)}: not recorded (run <code>make evidence</code>)</li>")
            continue
        values = "; ".join(f"{html.escape(label)}: <code>{html.escape(json.dumps(value, ensure_ascii=False))}</code>"
                           for label, value in entry["measured"]) or "no value recorded"
        items.append(f"<li>{html.escape(name)}, {html.escape(entry['outcome'])}: {values}</li>")
    return "".join(items)


def _check(check, repository, backend_records):
    file, name, line = check
    link = f'<a href="{html.escape(repository)}/blob/main/{file}#L{line}"><code>{html.escape(name)}</code></a>'
    return f"<li>{link} in <code>{html.escape(file)}</code><ul>{_measured(check, backend_records)}</ul></li>"


def _verdict(backed, backend_records):
    """(whether every check passed on every backend, the line that unfolds the checks: "passed on TensorFlow and
    JAX" (adding ", which measured different values" where they did), "passed against the prebuilt run's results"
    where no check runs Keras, or each backend's outcomes)."""
    outcomes = {NAMES.get(backend, backend): {record["checks"].get(f"{file}::{name}", {}).get("outcome", "not recorded")
                                              for file, name, _ in backed}
                for backend, record in backend_records.items()}
    if outcomes and all(found == {"passed"} for found in outcomes.values()):
        if not any(runs_on_every_backend(file) for file, _, _ in backed):
            return True, f"passed {RESULTS}"
        differ = len(outcomes) > 1 and any(len(_entries(check, backend_records)) > 1 for check in backed)
        return True, "passed on " + " and ".join(outcomes) + ", which measured different values" * differ
    return False, "; ".join(f"{name}: {', '.join(sorted(found))}" for name, found in outcomes.items()) or \
        "not recorded (run make evidence)"


def claims_list(page, repository):
    """The Evidence page's list: each claim, linked to where it stands, its checks and what they measured."""
    by_claim, backend_records = checks(), records()
    entries = []
    for claim_id, (where, sentence) in sorted(_claims.items(), key=lambda item: _page_order(item[1][0])):
        link = get_relative_url(where.url, page.url) + f"#claim-{claim_id}"
        backed = by_claim.get(claim_id, [])
        folded = "<p>Rests on: <strong>no check</strong></p>"
        if backed:  # folded: 96 claims' measurements at once made a page too long to scan, and slow on a phone
            passed, verdict = _verdict(backed, backend_records)
            folded = (f'<details class="{"success" if passed else "warning"} evidence-checks"><summary>Rests on '
                      f'{len(backed)} check{"s" * (len(backed) > 1)}, {html.escape(verdict)}</summary><ul>'
                      + "".join(_check(check, repository, backend_records) for check in backed) + "</ul></details>")
        entries.append(f'<li id="evidence-{claim_id}"><p><a href="{html.escape(link)}">'
                       f"{html.escape(where.title or where.url)}</a>: {_rebased(sentence, where.url, page.url)}</p>"
                       f"{folded}</li>")
    dates = ", ".join(f"{html.escape(NAMES.get(backend, backend))}: {html.escape(record['recorded'])} (Keras "
                      f"{html.escape(record['versions'].get('keras', '?'))})"
                      for backend, record in backend_records.items())
    return (f'<p class="evidence-recorded">Measurements recorded by <code>make evidence</code>: '
            f"{dates or 'none yet'}.</p>"
            f'<ol class="evidence-claims">{"".join(entries)}</ol>')


def _rebased(sentence, source_url, page_url):
    """The sentence's relative links, written for the page at source_url, rewritten for the page at page_url."""
    def rebase(match):
        target, _, fragment = match[1].partition("#")
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source_url), target)) if target else \
            source_url.rstrip("/")
        path = "" if path == "." else path + "/" * (target.endswith("/") or not target)
        return f'href="{get_relative_url(path, page_url)}{"#" * bool(fragment)}{fragment}"'
    return RELATIVE_HREF.sub(rebase, sentence)


def _page_order(page):
    return page.file.src_uri


def register_macros(env):
    @env.macro
    def evidence():
        """Where the Evidence page's table goes (filled in by the on_env hook once every page is rendered)."""
        return PLACEHOLDER
