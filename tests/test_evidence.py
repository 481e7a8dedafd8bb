"""The Evidence page's contract (sitebuild/evidence.py): every claim on a page has a check, every check backs a
claim some page makes, and what `make evidence` recorded is fresh, complete and passed."""

import re

from evidence_record import installed_versions, source_hashes
from sitebuild import evidence
from sitebuild.backends import BACKENDS
from sitebuild.pages import DOCS, markdown_pages, relative


def page_claims():
    """{claim id: page} over the site's Markdown sources; an id used twice fails."""
    found = {}
    for page in markdown_pages():
        for claim_id in evidence.claim_ids(page.read_text(encoding="utf-8")):
            assert claim_id not in found, f"claim id {claim_id!r} on {relative(page)} and {relative(found[claim_id])}"
            found[claim_id] = page
    return found


def test_every_claim_has_a_check_and_every_check_backs_a_claim():
    claims, checks = page_claims(), evidence.checks()
    assert claims, "no page marks a claim"
    without_check = {claim_id: str(relative(page)) for claim_id, page in claims.items() if claim_id not in checks}
    assert not without_check, f"claims with no test marked @pytest.mark.claim(...): {without_check}"
    orphans = {claim_id: where for claim_id, where in checks.items() if claim_id not in claims}
    assert not orphans, f"checks of claims no page makes (remove the marker or the test): {orphans}"


def test_a_claim_span_that_the_pattern_misses_fails():
    """A typo in the markup would silently drop a claim from the Evidence page: every `claim-` id is a claim."""
    for page in markdown_pages():
        text = page.read_text(encoding="utf-8")
        assert len(re.findall(r'id="claim-', text)) == len(evidence.claim_ids(text)), relative(page)


def test_the_recorded_measurements_are_fresh_complete_and_passed():
    records = evidence.records()
    for backend in BACKENDS:
        assert backend in records, f"no {relative(evidence.RECORDS)}/{backend}.json: run `make evidence`"
        assert records[backend]["backend"] == backend, f"{backend}.json was recorded on {records[backend]['backend']}"
    checks = {f"{file}::{name}" for backed in evidence.checks().values() for file, name, _ in backed}
    current = source_hashes()
    for backend, record in records.items():
        where = f"{relative(evidence.RECORDS)}/{backend}.json"
        changed = sorted(set(record["sources"].items()) ^ set(current.items()))
        assert not changed, f"{where} is stale ({', '.join(sorted({path for path, _ in changed}))} changed): " \
                            "run `make evidence`"
        assert set(record["checks"]) == checks, f"{where} lacks or has extra checks: run `make evidence`"
        failed = [name for name, entry in record["checks"].items() if entry["outcome"] != "passed"]
        assert not failed, f"{where}: checks that did not pass when recorded: {failed}"
        if backend == installed_backend():
            assert record["versions"] == installed_versions(), f"{where} was recorded with other versions"


def installed_backend():
    import keras

    return keras.backend.backend()


def test_the_evidence_page_lists_every_claim_linked_to_where_it_stands(built_site):
    page = (built_site / "evidence" / "index.html").read_text(encoding="utf-8")
    claims = page_claims()
    listed = re.findall(r'<li id="evidence-([a-z0-9-]+)">', page)
    assert sorted(listed) == sorted(claims)
    for claim_id, source in claims.items():
        target = built_site / source.relative_to(DOCS).with_suffix("") / "index.html"
        assert f'id="claim-{claim_id}"' in target.read_text(encoding="utf-8"), (claim_id, target)
        assert re.search(rf'<li id="evidence-{claim_id}"><p><a href="[^"]*#claim-{claim_id}">', page), claim_id
    assert "<strong>no check</strong>" not in page


def test_each_claim_s_checks_unfold_from_a_line_that_says_how_many_and_how_they_ended(built_site):
    page = (built_site / "evidence" / "index.html").read_text(encoding="utf-8")
    entries = dict(re.findall(r'<li id="evidence-([a-z0-9-]+)">(.*?)(?=<li id="evidence-|</ol>)', page, re.DOTALL))
    records = evidence.records()
    differ = results = 0
    for claim_id, backed in evidence.checks().items():
        recorded = [[record["checks"][f"{file}::{name}"] for record in records.values()] for file, name, _ in backed]
        summary = f"Rests on {len(backed)} check{'s' * (len(backed) > 1)}, passed on TensorFlow and JAX"
        if not any(evidence.runs_on_every_backend(file) for file, _, _ in backed):
            summary = summary.replace("on TensorFlow and JAX", "against the prebuilt run&#x27;s results")
            results += 1
        elif any(tensorflow != jax for tensorflow, jax in recorded):
            summary += ", which measured different values"
            differ += 1
        assert f'<details class="success evidence-checks"><summary>{summary}</summary>' in entries[claim_id]
    assert 0 < differ < len(entries)  # the backends differ in some checks (tests/test_live_claims.py), not all
    assert 0 < results < len(entries)  # tests/test_claims.py reads the results, with no Keras to run
    assert "\\u00" not in page  # values as the pages print them ("81.2 % ± 1.7 %"), not JSON escapes


def test_every_link_on_the_evidence_page_leads_to_a_file_of_the_site(built_site):
    """The claims' sentences come from other pages: their relative links are rewritten for this one."""
    page = built_site / "evidence" / "index.html"
    for link in re.findall(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^"#]*)', page.read_text(encoding="utf-8")):
        target = (page.parent / link).resolve()
        assert (target / "index.html" if target.is_dir() else target).is_file(), link


def test_a_check_lists_what_it_measured_once_where_the_backends_agree_and_each_backend_where_they_differ():
    check, key = ("tests/test_live_claims.py", "test_a", 1), "tests/test_live_claims.py::test_a"
    agreed = {"outcome": "passed", "measured": [["inner layers unfrozen", 15]]}
    records = {backend: {"checks": {key: agreed}} for backend in BACKENDS}
    assert evidence._measured(check, records) == \
        "<li>TensorFlow and JAX, passed: inner layers unfrozen: <code>15</code></li>"
    records["tensorflow"]["checks"][key] = {"outcome": "passed", "measured": [["inner layers unfrozen", 0]]}
    assert evidence._measured(check, records) == \
        "<li>TensorFlow, passed: inner layers unfrozen: <code>0</code></li>" \
        "<li>JAX, passed: inner layers unfrozen: <code>15</code></li>"
    assert evidence._verdict([check], records) == \
        (True, "passed on TensorFlow and JAX, which measured different values")
    del records["jax"]["checks"][key]
    assert evidence._measured(check, records).endswith("<li>JAX: not recorded (run <code>make evidence</code>)</li>")


def test_a_check_that_did_not_pass_everywhere_is_named_on_the_folded_line():
    check = ("tests/test_x.py", "test_a", 1)
    records = {"tensorflow": {"checks": {"tests/test_x.py::test_a": {"outcome": "failed"}}}, "jax": {"checks": {}}}
    assert evidence._verdict([check], records) == (False, "TensorFlow: failed; JAX: not recorded")
    assert evidence._verdict([check], {}) == (False, "not recorded (run make evidence)")


def test_a_check_of_the_results_is_listed_once_as_such():
    check, key = ("tests/test_claims.py", "test_b", 1), "tests/test_claims.py::test_b"
    records = {backend: {"checks": {key: {"outcome": "passed", "measured": [["fine-tuning", "81.2 % ± 1.7 %"]]}}}
               for backend in BACKENDS}
    assert evidence._measured(check, records) == \
        "<li>Against the prebuilt run&#x27;s results, passed: fine-tuning: <code>&quot;81.2 % ± 1.7 %&quot;</code></li>"
    assert evidence._verdict([check], records) == (True, "passed against the prebuilt run's results")
