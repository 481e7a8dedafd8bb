"""Results files: bad input gets a clear error naming the file; runs resume; a failed run overwrites nothing."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from experiments import contract, grid, run, store
from experiments.contract import ResultsError
from macros_env import FakeEnv
from sitebuild.results import protocol_html, register_macros

ROOT = Path(__file__).resolve().parent.parent


def document(**changes):
    data = {"schema_version": contract.SCHEMA_VERSION, "experiment": "data_size", "profile": "quick",
            "complete": True, "settings": {}, "done": [],
            "provenance": {key: "x" for key in contract.PROVENANCE},
            "runs": [{"configuration": "n=5,seed=0", "method": "fine_tuning", "n": 5, "seed": 0,
                      "test_accuracy": 0.5}]}
    data.update(changes)
    return data


def write(folder, data, name="data_size.json"):
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))
    return path


def test_a_valid_file_loads(tmp_path):
    write(tmp_path, document())
    assert contract.load("data_size", tmp_path)["runs"][0]["test_accuracy"] == 0.5


def test_corrupt_json_names_the_file_and_the_line(tmp_path):
    path = write(tmp_path, '{\n "schema_version": 1,\n "runs": [,]\n}')
    with pytest.raises(ResultsError, match=rf"{path}, line 3: not valid JSON"):
        contract.load("data_size", tmp_path)


def test_a_file_cut_short_names_the_file(tmp_path):
    path = write(tmp_path, json.dumps(document(), indent=1)[:-40])
    with pytest.raises(ResultsError, match=rf"{path}, line \d+: not valid JSON .*cut short"):
        contract.load("data_size", tmp_path)


def test_another_schema_version_is_refused(tmp_path):
    path = write(tmp_path, document(schema_version=0))
    with pytest.raises(ResultsError, match=rf"{path}: schema_version is 0, this code reads version 1"):
        contract.load("data_size", tmp_path)


def test_a_missing_key_is_named(tmp_path):
    data = document()
    del data["provenance"]["git_commit"]
    path = write(tmp_path, data)
    with pytest.raises(ResultsError, match=rf"{path}: provenance lacks git_commit"):
        contract.load("data_size", tmp_path)
    data = document()
    del data["runs"][0]["test_accuracy"]
    write(tmp_path, data)
    with pytest.raises(ResultsError, match=r"runs\[0\] lacks test_accuracy"):
        contract.load("data_size", tmp_path)


def test_an_incomplete_or_absent_file_is_refused(tmp_path):
    with pytest.raises(ResultsError, match=r"data_size.json: no such results file; run `make run` to produce it"):
        contract.load("data_size", tmp_path)
    path = write(tmp_path, document(complete=False))
    write(tmp_path, "{}", contract.RUN_SUMMARY)
    with pytest.raises(ResultsError, match=rf"{path}: marked incomplete"):
        contract.load("data_size", tmp_path)
    with pytest.raises(ResultsError, match=r"lr_sweep.json: no such results file; experiments with results: "
                                           r"data_size$"):  # a misspelt name: no advice to run the experiments
        contract.load("lr_sweep", tmp_path)


def test_a_filter_matching_no_run_names_the_experiment(tmp_path):
    write(tmp_path, document())
    with pytest.raises(ResultsError, match=r"'data_size': no run has method='scratch', n=5 "
                                           r"\(method is one of 'fine_tuning'\)$"):
        contract.summary(contract.load("data_size", tmp_path), method="scratch", n=5)
    with pytest.raises(ResultsError, match=r"'data_size': its runs do not record gap$"):
        contract.summary(contract.load("data_size", tmp_path), "gap", method="fine_tuning")


@pytest.mark.parametrize("argv, message", [
    (["--profile", "fast"], "unknown profile 'fast'; choose one of: quick, full"),
    (["--experiment", "data_sise"], "unknown experiment 'data_sise'; choose from: pretrain, data_size"),
])
def test_unknown_profile_or_experiment_is_a_clear_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        run.main(argv)
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


class Killed(Exception):
    pass


@pytest.fixture
def fake_experiment(monkeypatch):
    """data_size without training: records which configurations ran, can be 'killed' at a given call."""
    calls = []

    def data_size(lab, n, seed):
        if len(calls) == fake.kill_at:
            raise Killed
        calls.append((n, seed))
        return [{"method": "fine_tuning", "n": n, "seed": seed, "test_accuracy": n / 1000}]

    fake = type("Fake", (), {"calls": calls, "kill_at": None})
    monkeypatch.setitem(grid.EXPERIMENTS, "data_size", grid.EXPERIMENTS["data_size"]._replace(function=data_size))
    return fake


def test_a_killed_run_resumes_with_the_configuration_in_flight(tmp_path, fake_experiment):
    argv = ["--experiment", "data_size", "--results", str(tmp_path), "--workers", "1"]  # the fake, in this process
    configurations = grid.EXPERIMENTS["data_size"].configurations(run.PROFILES["quick"])
    fake_experiment.kill_at = 5
    with pytest.raises(Killed):
        run.main(argv)
    assert not (tmp_path / "data_size.json").exists()
    partial = contract.read(tmp_path / "data_size.partial.json")
    assert partial["done"] == [f"n={n},seed={seed}" for n, seed in configurations[:5]]

    fake_experiment.kill_at = None
    run.main(argv)
    assert fake_experiment.calls == configurations  # each configuration ran once, across both runs
    final = contract.load("data_size", tmp_path)
    assert len(final["runs"]) == len(configurations)
    assert not (tmp_path / "data_size.partial.json").exists()
    assert not (tmp_path / "run.partial.json").exists()


def test_a_failed_run_never_overwrites_complete_results(tmp_path, fake_experiment):
    complete = write(tmp_path, document())
    before = complete.read_bytes()
    fake_experiment.kill_at = 2
    with pytest.raises(Killed):
        run.main(["--experiment", "data_size", "--results", str(tmp_path), "--workers", "1"])
    assert complete.read_bytes() == before


def test_a_partial_file_from_other_settings_is_not_resumed(tmp_path, fake_experiment):
    write(tmp_path, document(complete=False, settings={"sizes": [7]}), "data_size.partial.json")
    state = {"profile": "quick", "experiments": ["data_size"], "finished": [], "started": "",
             "wall_seconds": 0, "cpu_seconds": 0, "load_average": []}
    write(tmp_path, state, "run.partial.json")
    with pytest.raises(ResultsError, match=r"data_size.partial.json: left by a run with other settings"):
        run.main(["--experiment", "data_size", "--results", str(tmp_path), "--workers", "1"])


def test_configurations_finished_in_any_order_are_published_in_the_experiments_order(tmp_path):
    """Parallel workers finish (n, seed) units in any order; the results file lists them as the table does."""
    produced = store.Results("data_size", "quick", "", {}, [0, 1], tmp_path)
    for key in ("n=100,seed=1", "n=5,seed=0", "n=100,seed=0", "n=5,seed=1"):
        produced.add(key, [{"configuration": key, "method": "scratch", "seed": int(key[-1]), "test_accuracy": 0.5}],
                     1.0)
    order = ["n=5,seed=0", "n=5,seed=1", "n=100,seed=0", "n=100,seed=1"]
    produced.publish(order)
    published = contract.read(tmp_path / "data_size.json")
    assert published["done"] == order and [run["configuration"] for run in published["runs"]] == order


def test_result_macro_formats_the_mean_and_the_seed_spread(tmp_path):
    data = document()
    data["runs"] = [{"configuration": f"n=5,seed={seed}", "method": "fine_tuning", "n": 5, "seed": seed,
                     "test_accuracy": value} for seed, value in enumerate([0.70, 0.74, 0.78])]
    write(tmp_path, data)
    env = FakeEnv("lessons/4-pretrained-vs-scratch.md")
    register_macros(env, tmp_path)
    assert env.macros["result"]("data_size", "fine_tuning", n=5) == "74.0 %"
    assert env.macros["result"]("data_size", "fine_tuning", n=5, spread=True) == "74.0 % (± 4.0, 3 seeds)"


def test_difference_macro_subtracts_the_printed_means(tmp_path):
    data = document()
    data["runs"] = [{"configuration": f"n=5,seed=0,{method}", "method": method, "n": 5, "seed": 0,
                     "test_accuracy": value} for method, value in (("fine_tuning", 0.7624), ("scratch", 0.7016))]
    write(tmp_path, data)
    env = FakeEnv("lessons/4-pretrained-vs-scratch.md")
    register_macros(env, tmp_path)
    assert (env.macros["result"]("data_size", "fine_tuning", n=5), env.macros["result"]("data_size", "scratch", n=5)) \
        == ("76.2 %", "70.2 %")
    # The raw means differ by 6.08 points, which would print as 6.1.
    assert env.macros["difference"]("data_size", {"method": "fine_tuning"}, {"method": "scratch"}) == "6.0 points"


def test_a_filter_matching_several_runs_per_seed_is_refused(tmp_path):
    data = document()
    data["runs"].append({**data["runs"][0], "method": "scratch"})
    write(tmp_path, data)
    with pytest.raises(ResultsError, match=r"n=5 matches several runs per seed"):
        contract.summary(contract.load("data_size", tmp_path), n=5)


def test_how_it_was_measured_gives_each_size_its_validation_and_each_method_a_line():
    """One training size reads as one (not "2 images per class respectively"), and a method's description may hold
    semicolons of its own (lesson 7's do) without running into the next method's."""
    settings = contract.load("bn_modes")["settings"]
    text = protocol_html(settings)
    assert "respectively" not in text and "(n being the training images per class: 2 for n = 5)." in text
    methods = re.search(r"<strong>Methods:</strong><ul>(.*?)</ul>", text)[1]
    assert methods.count("<li>") == len(settings["methods"]) == 3
    assert "; " in settings["methods"]["bn_frozen"]
    assert "&lt;method&gt;_augmented" not in protocol_html(contract.load("augmentation")["settings"])


def test_provenance_names_no_accelerator_the_backend_does_not_use():
    found = store.hardware()
    assert found["hardware"].startswith(store._cpu_model())
    if not any(device.startswith("gpu") for device in keras.distribution.list_devices()):
        assert found["accelerator"] == "none (CPU only)"


def test_provenance_marks_a_run_from_uncommitted_code(tmp_path, monkeypatch):
    for path in ("experiments/grid.py", "experiments/results/data_size.json"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("1\n")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, capture_output=True)
    monkeypatch.setattr(store, "ROOT", tmp_path)
    assert not store.git_commit().endswith("-dirty")
    (tmp_path / "experiments/results/data_size.json").write_text("2\n")  # a run writes results: not code
    assert not store.git_commit().endswith("-dirty")
    (tmp_path / "experiments/grid.py").write_text("2\n")
    assert store.git_commit().endswith("-dirty")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.py")), ids=lambda path: path.name)
def test_the_producer_does_not_import_the_site(path):
    """Results flow one way: experiments/ writes them through experiments.contract; sitebuild/ reads them."""
    assert not [name for name in imported_modules(path) if name.split(".")[0] == "sitebuild"]


def test_the_site_reads_results_without_keras_or_matplotlib():
    """The site build imports the contract and the figure specs, standard library only."""
    code = ("import sys, sitebuild.results; heavy = [name for name in ('keras', 'tensorflow', 'numpy', 'matplotlib', "
            "'jax') if name in sys.modules]; print(heavy); sys.exit(bool(heavy))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("metric, first, second, expected", [
    ("test_accuracy", 0.7624, 0.7016, "6.0 points"),
    ("gap", 0.25, 0.125, "12.5 points"),
    ("epoch_seconds", 2.5, 1.25, "1.25 s"),
    ("bn_statistics_moved", 1.2036, 0.1, "1.10"),  # two decimals, as the numbers beside it: 1.20 ± 0.15
])
def test_difference_is_in_the_metric_s_declared_unit(tmp_path, metric, first, second, expected):
    data = document()
    data["runs"] = [{"configuration": f"n=5,seed=0,{method}", "method": method, "n": 5, "seed": 0,
                     "test_accuracy": 0.5, metric: [9.9, value] if metric == "epoch_seconds" else value}
                    for method, value in (("fine_tuning", first), ("scratch", second))]
    write(tmp_path, data)
    env = FakeEnv("lessons/4-pretrained-vs-scratch.md")
    register_macros(env, tmp_path)
    assert env.macros["difference"]("data_size", {"method": "fine_tuning"}, {"method": "scratch"},
                                    metric=metric) == expected
