"""The question bank: the real bank is valid and holds the seed cards verbatim; every broken bank fails clearly."""

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, build_site
from experiments import contract
from macros_env import FakeEnv
from sitebuild import quiz, quiz_bank, quiz_html, results

BROKEN = Path(__file__).parent / "broken_banks"
SEED = ROOT / "quizzes" / "seed-cards.txt"  # the source card set: a line saying so, then the set verbatim
LESSON_STEMS = ["what-is-fine-tuning", "why-freeze-layers", "freezing-in-tensorflow", "pretrained-vs-scratch",
                "compile-again", "learning-rate", "batchnorm", "end-to-end", "augmentation"]


@pytest.fixture(scope="module")
def bank():
    return quiz_bank.load_bank()


def test_one_bank_file_per_lesson_with_at_least_four_items_and_every_kind_used(bank):
    assert sorted(bank) == sorted(LESSON_STEMS)
    for stem in LESSON_STEMS:
        assert list((ROOT / "docs" / "lessons").glob(f"[1-9]-{stem}.md")), stem
        assert len(bank[stem]) >= 4, stem
        assert bank[stem][0]["kind"] == "recall", f"{stem}: the lesson's opening card comes first"
    assert {item["kind"] for items in bank.values() for item in items} == {"recall", "choice", "explain"}


def holds(comparison):
    """Whether a `measured` comparison of the bank (quizzes/schema.json says what each word means) holds in the
    committed results: `above` when the first runs beat the second on every seed and by more than twice the seed
    spread of the differences, `below` the other way round, `tie` when the mean difference is within it."""
    data = contract.load(comparison["experiment"])
    first, second = comparison["compare"]
    difference = contract.paired_difference(data, comparison.get("metric", "test_accuracy"), first, second)
    spread = 2 * difference["std"]
    return {"above": difference["min"] > 0 and difference["mean"] > spread,
            "below": difference["max"] < 0 and -difference["mean"] > spread,
            "tie": abs(difference["mean"]) <= spread}[comparison["is"]]


def measured_items(bank, stem):
    return [item for item in bank[stem] if any("measured" in choice for choice in item.get("choices", []))]


@pytest.mark.parametrize("stem", LESSON_STEMS)
def test_each_lesson_asks_about_the_runs_measurements_and_the_answers_agree_with_the_results(bank, stem):
    """A choice that states something about the prebuilt run says so in `measured`: the correct choice's
    statement holds in experiments/results/, a wrong choice's does not. The text shows the numbers through the
    result macros, so the question follows the results."""
    items = measured_items(bank, stem)
    assert items, f"quizzes/{stem}.yml: no item asks about the prebuilt run's measurements"
    for item in items:
        correct = [choice for choice in item["choices"] if choice.get("correct")]
        assert all("measured" in choice for choice in correct), f"{item['id']}: its correct choice states nothing"
        for choice in item["choices"]:
            if "measured" in choice:
                verdict = all(holds(comparison) for comparison in choice["measured"])
                assert verdict == bool(choice.get("correct")), \
                    f"{item['id']}: the results {'support' if verdict else 'contradict'} {choice['text']!r}"
        assert "{{ result(" in correct[0]["text"], f"{item['id']}: the answer shows no measured number"


def test_a_measured_statement_is_checked_against_the_results():
    """The check can fail: a statement the results contradict is found out, whichever way round."""
    tie = {"experiment": "data_size", "compare": [{"method": "fine_tuning", "n": 5}, {"method": "scratch", "n": 5}]}
    assert holds({**tie, "is": "tie"}) and not holds({**tie, "is": "above"}) and not holds({**tie, "is": "below"})
    gain = {"experiment": "data_size", "compare": [{"method": "fine_tuning", "n": 5},
                                                   {"method": "feature_extraction", "n": 5}]}
    assert holds({**gain, "is": "above"}) and not holds({**gain, "is": "tie"})
    assert holds({**gain, "compare": gain["compare"][::-1], "is": "below"})


def test_measured_items_render_the_current_results(bank):
    quizzes = _fake_env(bank)
    page = quizzes.quiz("pretrained-vs-scratch")
    assert "{{" not in page and "{%" not in page
    printed = quizzes.env.macros["result"]("data_size", "fine_tuning", n=5)
    assert f"{printed}\nfine-tuned" in page or f"{printed} fine-tuned" in page, page


def _seed():
    """The 12 seed items: 5 recall cards, 5 choice questions, 2 explain prompts."""
    lines = SEED.read_text(encoding="utf-8").splitlines()[2:]  # past our line and the set's title
    cards = [lines[i:i + 4] for i in range(0, 20, 4)]
    choices = [lines[i:i + 3] for i in range(20, 35, 3)]
    prompts = [lines[i:i + 3] for i in range(35, 41, 3)]
    assert all(card[3] == "Click to reveal answer" for card in cards)
    assert all(choice[1] == "✗ Incorrect" for choice in choices)
    return cards, choices, prompts


def test_seed_items_are_in_the_bank_verbatim_and_in_place(bank):
    cards, choices, prompts = _seed()
    where = {}
    for stem, items in bank.items():
        for item in items:
            where[item.get("question") or item["prompt"]] = (stem, item)
    for lesson, (level, question, answer, _) in zip(LESSON_STEMS, cards):
        stem, item = where[question]
        assert (stem, item["kind"], item["level"], item["answer"]) == (lesson, "recall", level, answer)
    placement = ["why-freeze-layers", "pretrained-vs-scratch", "freezing-in-tensorflow",
                 "compile-again", "what-is-fine-tuning"]
    for lesson, (question, _, explanation) in zip(placement, choices):
        stem, item = where[question]
        correct = [choice for choice in item["choices"] if choice.get("correct")]
        assert (stem, item["kind"], [c["explanation"] for c in correct]) == (lesson, "choice", [explanation])
        assert 3 <= len(item["choices"]) <= 5
    for lesson, (prompt, hint, score) in zip(["end-to-end", "pretrained-vs-scratch"], prompts):
        stem, item = where[prompt]
        concepts = int(re.search(r"/(\d+)", score).group(1))
        assert (stem, item["kind"], item["hint"], len(item["concepts"])) == (lesson, "explain", hint, concepts)


def _cases():
    for path in sorted(BROKEN.iterdir()):
        files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
        yield pytest.param(files, id=path.stem)


@pytest.mark.parametrize("files", _cases())
def test_broken_bank_names_file_line_item_and_problem(files, monkeypatch):
    """Each broken bank fails when it is read or, for a macro in its text, when the pages show it; an expected
    message's "…" stands for any text (a path outside the checkout, a list that grows with the results)."""
    monkeypatch.chdir(ROOT)
    expected = [line.removeprefix("# expect: ") for path in files  # not-utf8.yml is not UTF-8 on purpose
                for line in path.read_bytes().decode(errors="replace").splitlines() if line.startswith("# expect: ")]
    assert expected, "each broken bank states the message it must produce"
    with pytest.raises(quiz_bank.BankError) as error:
        bank = quiz_bank.load_bank(files)
        quizzes = _fake_env(bank)
        for stem in bank:
            quizzes.quiz(stem)
    for message in expected:
        pattern = re.escape(message).replace("…", ".*")
        assert re.search(rf"tests/broken_banks/\S*{pattern}", str(error.value)), str(error.value)


def _fake_env(bank):
    env = FakeEnv("lessons/2-why-freeze-layers.md")
    results.register_macros(env)
    return quiz.Quizzes(env, bank)


def test_embedding_an_unknown_id_or_lesson_fails_naming_the_page(bank):
    quizzes = _fake_env(bank)
    with pytest.raises(quiz_bank.BankError, match=r"lessons/2-why-freeze-layers.md: card\('why-freeze-layer'\): "
                                             r"no item .* \(did you mean 'why-freeze-layers'\?\)"):
        quizzes.card("why-freeze-layer")
    with pytest.raises(quiz_bank.BankError, match=r"quiz\('nope'\): there is no quizzes/nope.yml"):
        quizzes.quiz("nope")
    with pytest.raises(quiz_bank.BankError, match=r"level\('nope'\): no item with this id"):
        quizzes.level("nope")


def test_level_badge_is_one_line_and_loads_no_quiz_asset(bank):
    quizzes = _fake_env(bank)
    badges = quizzes.level("what-is-fine-tuning") + quizzes.level("batchnorm-frozen-inference-mode")
    assert "assets/" not in badges and "\n" not in badges  # its style is in site.css, on every page
    assert ">Beginner</span>" in badges and ">Advanced</span>" in badges


def test_card_then_quiz_shows_each_item_once_and_assets_once(bank):
    quizzes = _fake_env(bank)
    page = quizzes.card("why-freeze-layers") + quizzes.quiz("why-freeze-layers")
    assert page.count('data-quiz-item="why-freeze-layers"') == 1
    assert page.count('data-quiz-item="what-freezing-means"') == 1
    assert page.count('src="../../assets/quiz.js"') == 1
    assert "\n" not in page


def test_bank_text_cannot_inject_markup():
    item = {"id": "x", "kind": "choice", "level": "beginner", "question": "<script>alert(1)</script> `<b>`",
            "choices": [{"text": "[link](javascript:alert(1))", "correct": True,
                         "explanation": "<img src=x onerror=alert(1)>"},
                        {"text": "*fine*", "explanation": "ok"}, {"text": "c", "explanation": "ok"}]}
    rendered = quiz_html.render_item(item)
    assert "<script" not in rendered and "<img" not in rendered and "javascript:" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "<code>&lt;b&gt;</code>" in rendered
    assert "<em>fine</em>" in rendered


def test_a_broken_bank_fails_the_strict_build(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZ_BANK", str(BROKEN / "duplicate-id-across-files"))
    result = build_site(tmp_path / "site")
    assert result.returncode != 0
    assert "b.yml:3: item 'shared': duplicate id 'shared'" in result.stdout + result.stderr


def test_a_failing_macro_in_the_bank_fails_the_strict_build_naming_the_bank(tmp_path, monkeypatch):
    """Not only the page that shows it: the bank's file, line, item and field, and which results exist."""
    bank = tmp_path / "quizzes"
    shutil.copytree(ROOT / "quizzes", bank)
    text = (bank / "why-freeze-layers.yml").read_text(encoding="utf-8")
    assert 'Longer, on every seed: {{ result("blocks"' in text
    (bank / "why-freeze-layers.yml").write_text(text.replace('Longer, on every seed: {{ result("blocks"',
                                                             'Longer, on every seed: {{ result("block"'),
                                                encoding="utf-8")
    monkeypatch.setenv("QUIZ_BANK", str(bank))
    result = build_site(tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("why-freeze-layers.yml:28: item 'frozen-base-epoch-time-measured': choices[0].text: ResultsError from "
            "its macros: ") in output, output
    assert "experiments with results: augmentation, blocks," in output and "make run" not in output, output


def test_the_quoting_hint_is_for_unquoted_text_holding_a_macro_or_a_colon():
    assert quiz_bank._quoting_hint("  - text: {{ result('x') }} is it") != ""
    assert quiz_bank._quoting_hint("    explanation: It is: yes") != ""
    assert quiz_bank._quoting_hint('    explanation: "It is: yes') == ""  # quoted: the error is elsewhere
    assert quiz_bank._quoting_hint("  answer: [unclosed") == ""
