"""The experiments' protocol, checked without training: every method of a comparison gets the same budget, the
same validation images and the same learning-rate rule; the validation set is one a reader could have; a run
asked for twice is trained once."""

import json

import numpy as np
import pytest

from experiments import data, grid
from experiments.profiles import PROFILES
from experiments.training import epoch_examples
from sitebuild.data import ensure_fashion_mnist

PROFILE = {"seeds": [0], "pretrain": {"learning_rate": 3e-3, "epochs": 1},
           "budget": {"epochs": 6, "head_epochs": 2, "patience": 2},
           "candidate_rates": {"feature_extraction": [1e-2, 1e-1], "fine_tuning": [1e-3, 1e-2],
                               "scratch": [1e-3, 1e-2]},
           "sweep_rates": [1e-4, 1e-3, 1e-2], "fixed_learning_rate": 1e-3,
           "bases": {grid.LESSONS_BASE: {}, "few_images": {"images": 50}},
           "sizes": {name: [5] for name in grid.GRID}}


@pytest.fixture(scope="module")
def target_data():
    ensure_fashion_mnist()
    return data.Target()


@pytest.mark.parametrize("n", [1, 5, 20, 100])
def test_validation_is_disjoint_from_training_and_no_larger(target_data, n):
    train, validation = target_data.split_indices(n, seed=3)
    assert not set(train) & set(validation)
    for indices, per_class in ((train, n), (validation, data.validation_per_class(n))):
        assert np.bincount(target_data.y_pool[indices], minlength=5).tolist() == [per_class] * 5
    assert 1 <= data.validation_per_class(n) <= n
    again = target_data.split_indices(n, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (train, validation)))  # one split per (n, seed)


class FakeData:
    """A few random images in place of Fashion-MNIST: the protocol, not the accuracy, is under test."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.x_test, self.y_test = rng.integers(0, 255, (10, 28, 28), dtype="uint8"), np.arange(10) % 5

    def split(self, n, seed):
        rng = np.random.default_rng(seed)
        images = rng.integers(0, 255, (5 * (n + data.validation_per_class(n)), 28, 28), dtype="uint8")
        labels = np.arange(len(images)) % 5
        return (images[:5 * n], labels[:5 * n]), (images[5 * n:], labels[5 * n:])


@pytest.fixture
def spied(monkeypatch):
    """A grid.Lab whose target's fit and measure only record what they were given (no training)."""
    fits = []

    def fake_fit(model, x, y, validation, epochs, patience=None, **ignored):
        rate = round(float(model.optimizer.learning_rate.numpy()), 8)
        fits.append({"model": model.name, "rate": rate, "train": len(x), "validation": validation,
                     "epochs": epochs, "patience": patience})
        return {"curves": {"val_loss": [rate] * epochs}, "epoch_seconds": [0.0] * epochs, "best_epoch": epochs,
                "epochs_run": epochs, "examples_seen": epochs * epoch_examples(len(x)), "validation_loss": rate}

    def fake_pretrain(settings, **source):
        return grid.models.build_base(), {"method": "pretrain", "seed": 0, "test_accuracy": 0.5}

    monkeypatch.setattr(grid, "fit", fake_fit)
    monkeypatch.setattr(grid, "measure", lambda *args: {"test_accuracy": 0.5, "train_accuracy": 0.5, "gap": 0.0})
    monkeypatch.setattr(grid, "pretrain_base", fake_pretrain)
    monkeypatch.setattr(grid.data, "Target", FakeData)
    return grid.Lab(PROFILE), fits


def test_every_method_gets_the_same_budget_validation_and_rate_candidates(spied):
    lab, fits = spied
    n, budget = 5, PROFILE["budget"]
    runs = grid.data_size(lab, n, seed=0)
    _, validation = lab.target.split(n, 0)
    assert all(np.array_equal(fit["validation"][1], validation[1]) and fit["train"] == 5 * n for fit in fits)
    images = [fit["validation"][0] for fit in fits if fit["model"] == "classifier"]  # the heads: their features
    assert len(images) == 2 * 2 and all(np.array_equal(seen, validation[0]) for seen in images)
    assert {fit["patience"] for fit in fits} == {budget["patience"]}
    chosen = {run["method"]: run for run in runs if not run["method"].endswith("_candidate")}
    assert sorted(chosen) == ["feature_extraction", "fine_tuning", "scratch"]
    full = budget["epochs"] * epoch_examples(5 * n)
    assert {run["examples_seen"] for run in chosen.values()} == {full}  # fine-tuning: both phases together
    for method in chosen:
        candidates = [run for run in runs if run["method"] == f"{method}_candidate"]
        assert [run["learning_rate"] for run in candidates] == PROFILE["candidate_rates"][method]
        assert chosen[method]["learning_rate"] == min(PROFILE["candidate_rates"][method])  # fake loss: the rate
    # the fine-tuning phase starts after a head phase that chose its rate on validation too
    head_phase = [fit for fit in fits if fit["model"] == "head" and fit["epochs"] == budget["head_epochs"]]
    assert sorted(fit["rate"] for fit in head_phase) == PROFILE["candidate_rates"]["feature_extraction"]


def test_a_tie_on_validation_keeps_the_lower_learning_rate():
    candidates = [{"learning_rate": rate, "validation_loss": 0.25} for rate in (1e-3, 1e-2)]
    assert grid.choose(candidates, "scratch")["learning_rate"] == 1e-3
    assert grid.choose(candidates[::-1], "scratch")["method"] == "scratch"


def test_a_run_asked_for_twice_is_trained_once(spied):
    lab, fits = spied
    for experiment in ("data_size", "pretraining_source", "lr_sweep", "blocks", "bn_modes"):
        grid.EXPERIMENTS[experiment].function(lab, 5, 0)
    trained = [(fit["model"], fit["rate"], fit["epochs"]) for fit in fits]
    bases, rates = len(PROFILE["bases"]), len(PROFILE["candidate_rates"]["feature_extraction"])
    for rate in PROFILE["candidate_rates"]["scratch"]:  # scratch: data_size's runs, shared with pretraining_source
        assert trained.count(("classifier", rate, 6)) == 1
    # heads: per base, each rate once for feature extraction and once for the head phase
    assert sum(model == "head" for model, _, _ in trained) == bases * rates * 2
    # fine-tuning the lessons' base: data_size's two rates, lr_sweep adds 1e-4, blocks adds 0, 2 and 3 blocks
    # (its 1 block at 1e-3 is data_size's), bn_modes two BatchNorm modes (bn_frozen is blocks' 3); the other
    # base: its two rates
    assert sum(model == "classifier" and epochs == 4 for model, _, epochs in trained) == 2 + 1 + 3 + 2 + 2


def test_every_results_file_records_its_protocol():
    for profile in PROFILES.values():
        assert profile["budget"]["head_epochs"] < profile["budget"]["epochs"]
        for experiment in grid.GRID:
            found = grid.settings(profile, experiment)
            assert json.loads(json.dumps(found)) == found  # what a resumed run compares, as a file holds it
            assert found["budget"]["epochs"] == profile["budget"]["epochs"]
            assert found["validation"]["per_class"] == [data.validation_per_class(n) for n in found["sizes"]]
            assert found["seeds"] == profile["seeds"] and found["methods"]
        assert set(grid.settings(profile, "pretraining_source")["bases"]) == set(profile["bases"])


def test_early_stopping_keeps_the_epoch_with_the_lowest_validation_loss():
    """The one early-stopping rule, on a tiny head and random data: stop after `patience` epochs without a
    lower validation loss, keep that epoch's weights, count every example trained."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 8)).astype("float32"), rng.integers(0, 5, 40)
    validation = rng.normal(size=(10, 8)).astype("float32"), rng.integers(0, 5, 10)
    grid.keras.utils.set_random_seed(0)
    head = grid.models.build_head(8)
    grid.compile_model(head, 0.1)
    result = grid.fit(head, x, y, validation, epochs=30, patience=2)
    losses = result["curves"]["val_loss"]
    assert result["best_epoch"] == losses.index(min(losses)) + 1 == result["epochs_run"] - 2  # it stopped
    assert result["validation_loss"] == min(losses)
    kept = head.evaluate(*validation, verbose=0, return_dict=True)["loss"]
    assert kept == pytest.approx(min(losses), abs=1e-3)  # the weights are the kept epoch's
    assert result["examples_seen"] == result["epochs_run"] * epoch_examples(len(x))
