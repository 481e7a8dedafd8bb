"""The experiments. `EXPERIMENTS`, at the end, is the table `experiments.run` runs: each row an experiment's
description, its function, its configurations and its settings, pretraining the base included. Each
configuration (examples per class n, seed) returns a list of runs (dicts).

Per (n, seed) the head is trained once on the frozen base's features (the same as training base + head with
the base frozen, and much cheaper); every fine-tuning variant starts from a copy of that head. Within one
process a head, or a fine-tuning run, that several experiments ask for with the same settings is computed once.
"""

import functools
import math
from pathlib import Path
from typing import Callable, NamedTuple

import keras
import numpy as np

from experiments import data, models
from experiments.training import compile_model, fit, measure, weights_moved
from experiments.contract import best_validation_accuracy

BASE_MODEL = Path(__file__).resolve().parent.parent / "models" / "fashion_base.keras"
SOURCE_VALIDATION = 3000
PRETRAIN_BATCH = 128


def pretrain(lab, n, seed):
    """Train base + Dropout + Dense(5) on all training images of classes 0-4; save the base (no optimizer).
    (`n` is None: pretraining uses every source image.)"""
    profile = lab.profile
    (x, y), test = data.source()
    keras.utils.set_random_seed(seed)
    order = np.random.default_rng(seed).permutation(len(y))
    validation, train = order[:SOURCE_VALIDATION], order[SOURCE_VALIDATION:]
    base = models.build_base()
    classifier = models.build_classifier(base, bn_inference=False)
    settings = profile["pretrain"]
    steps = math.ceil(len(train) / PRETRAIN_BATCH) * settings["epochs"]
    compile_model(classifier, keras.optimizers.schedules.CosineDecay(settings["learning_rate"], steps))
    result = fit(classifier, x[train], y[train], (x[validation], y[validation]), settings["epochs"],
                 patience=settings["epochs"], batch_size=PRETRAIN_BATCH)
    BASE_MODEL.parent.mkdir(exist_ok=True)
    base.save(BASE_MODEL)
    measured = measure(classifier, (x[train], y[train]), test)
    return [{"method": "pretrain", "seed": seed, **measured, **result,
             "source_test_accuracy": measured["test_accuracy"], "base_parameters": base.count_params(),
             "model_bytes": BASE_MODEL.stat().st_size}]


class Target:
    """The target task with the pretrained base's validation and test features computed once."""

    def __init__(self, profile):
        self.profile = profile
        self.data = data.Target()
        base = self.fresh_base()
        self.validation = (base.predict(self.data.x_val, batch_size=1000, verbose=0), self.data.y_val)
        self.test_features = (base.predict(self.data.x_test, batch_size=1000, verbose=0), self.data.y_test)
        self.test = (self.data.x_test, self.data.y_test)
        self.raw_validation = (self.data.x_val, self.data.y_val)
        self.heads = {}  # (n, seed): (train set, head, its run)
        self.fine_tuned = {}  # (n, seed, settings...): a fine-tuning run

    @staticmethod
    def fresh_base():
        return keras.models.load_model(BASE_MODEL)

    def head(self, n, seed):
        """Feature extraction: train the head on frozen features. Returns (train set, head, its run)."""
        if (n, seed) not in self.heads:
            self.heads[n, seed] = self._train_head(n, seed)
        train, head, run = self.heads[n, seed]
        return train, head, dict(run)

    def _train_head(self, n, seed):
        train = self.data.train(n, seed)
        keras.utils.set_random_seed(seed)
        features = self.fresh_base().predict(train[0], batch_size=1000, verbose=0)
        head = models.build_head(features.shape[1])
        settings = self.profile["head"]
        compile_model(head, settings["learning_rate"])
        result = fit(head, features, train[1], self.validation, settings["epochs"], settings["patience"])
        run = {"method": "feature_extraction", "n": n, "seed": seed, "blocks": 0,
               "learning_rate": settings["learning_rate"],
               **measure(head, (features, train[1]), self.test_features), **result}
        return train, head, run

    def classifier(self, head, bn_inference=True):
        """A fresh copy of the pretrained base under a copy of the trained head."""
        base = self.fresh_base()
        classifier = models.build_classifier(base, bn_inference=bn_inference)
        classifier.get_layer("classes").set_weights(head.get_layer("classes").get_weights())
        return base, classifier

    def fine_tune(self, train, head, head_run, method, blocks=1, learning_rate=None, bn_inference=True,
                  freeze_batchnorm=True, epochs=None, patience=None):
        """Unfreeze the top `blocks` blocks (BatchNorm layers stay frozen unless told), recompile with a low
        learning rate, fit; one run. Records how far the BatchNorm moving statistics moved."""
        settings = self.profile["fine_tune"]
        learning_rate = learning_rate or settings["learning_rate"]
        epochs, patience = epochs or settings["epochs"], patience or settings["patience"]
        key = (head_run["n"], head_run["seed"], blocks, learning_rate, bn_inference, freeze_batchnorm, epochs, patience)
        if key not in self.fine_tuned:
            self.fine_tuned[key] = self._fine_tune(train, head, head_run, blocks, learning_rate, bn_inference,
                                                   freeze_batchnorm, epochs, patience)
        return {**self.fine_tuned[key], "method": method}

    def _fine_tune(self, train, head, head_run, blocks, learning_rate, bn_inference, freeze_batchnorm, epochs,
                   patience):
        settings = self.profile["fine_tune"]
        keras.utils.set_random_seed(head_run["seed"])
        base, classifier = self.classifier(head, bn_inference)
        models.set_trainable_blocks(base, blocks, freeze_batchnorm)
        statistics = models.batchnorm_statistics(base)
        compile_model(classifier, learning_rate)
        result = fit(classifier, *train, self.raw_validation, epochs, patience, max_examples=settings["max_examples"])
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(statistics, models.batchnorm_statistics(base)))
        return {"n": head_run["n"], "seed": head_run["seed"], "blocks": blocks,
                "learning_rate": learning_rate, "bn_inference": bn_inference, "freeze_batchnorm": freeze_batchnorm,
                "bn_statistics_moved": moved, **measure(classifier, train, self.test), **result,
                "head_curves": head_run["curves"]}

    def scratch(self, train, n, seed):
        """The same architecture from random weights, every layer trained (a fair best effort)."""
        settings = self.profile["scratch"]
        keras.utils.set_random_seed(seed)
        base = models.build_base(batchnorm_momentum=settings["batchnorm_momentum"])
        classifier = models.build_classifier(base, bn_inference=False)
        compile_model(classifier, settings["learning_rate"])
        result = fit(classifier, *train, self.raw_validation, settings["epochs"], settings["patience"],
                     max_examples=settings["max_examples"], warmup=settings["warmup"])
        return {"method": "scratch", "n": n, "seed": seed, "blocks": models.BLOCKS,
                "learning_rate": settings["learning_rate"], **measure(classifier, train, self.test), **result}


class Lab:
    """What one process's experiments share: the profile, and the target task, set up when first used (so after
    `pretrain`, which rebuilds the base whose features the target task computes)."""

    def __init__(self, profile):
        self.profile = profile

    @functools.cached_property
    def target(self):
        return Target(self.profile)


def data_size(lab, n, seed):
    """Feature extraction, fine-tuning (its learning rate chosen on validation) and training from scratch."""
    target = lab.target
    train, head, head_run = target.head(n, seed)
    candidates = [target.fine_tune(train, head, head_run, "fine_tuning_candidate", learning_rate=rate)
                  for rate in target.profile["fine_tune"]["candidates"]]
    chosen = max(candidates, key=best_validation_accuracy)  # a tie keeps the lower learning rate
    return [head_run, *candidates, {**chosen, "method": "fine_tuning"}, target.scratch(train, n, seed)]


def lr_sweep(lab, n, seed):
    target = lab.target
    train, head, head_run = target.head(n, seed)
    return [target.fine_tune(train, head, head_run, "fine_tuning", learning_rate=rate)
            for rate in target.profile["learning_rates"]]


def blocks(lab, n, seed):
    """Unfreeze the top 0..3 blocks (0: the base stays frozen while the whole model trains on)."""
    target = lab.target
    train, head, head_run = target.head(n, seed)
    return [target.fine_tune(train, head, head_run, f"unfreeze_{count}", blocks=count)
            for count in range(models.BLOCKS + 1)]


BN_MODES = {  # method: (base called with training=False, BatchNorm layers frozen)
    "bn_training": (False, False),  # plain base(x): BatchNorm follows fit into training mode
    "bn_training_false": (True, False),  # base(x, training=False), BatchNorm layers trainable
    "bn_frozen": (True, True),  # BatchNorm layers frozen too: Keras 3 runs frozen BatchNorm in inference mode
}


def bn_modes(lab, n, seed):
    """The whole base unfrozen, its BatchNorm layers in each of the BN_MODES."""
    target = lab.target
    train, head, head_run = target.head(n, seed)
    return [target.fine_tune(train, head, head_run, method, blocks=models.BLOCKS, bn_inference=flag,
                             freeze_batchnorm=frozen) for method, (flag, frozen) in BN_MODES.items()]


def recompile(lab, n, seed):
    """Keras 3: after fit, a change of `trainable` takes effect only once the model is compiled again."""
    target = lab.target
    train, head, head_run = target.head(n, seed)
    settings = target.profile["fine_tune"]
    runs = []
    for method in ("no_recompile", "recompile", "freeze_before_first_fit"):
        keras.utils.set_random_seed(seed)
        base, classifier = target.classifier(head)
        if method == "freeze_before_first_fit":
            compile_model(classifier, settings["learning_rate"])  # compiled while the base is trainable,
            base.trainable = False  # frozen after compile but before the first fit: this takes effect
        else:
            base.trainable = False
            compile_model(classifier, target.profile["head"]["learning_rate"])
            fit(classifier, *train, target.raw_validation, epochs=1, patience=1)  # the first fit, frozen
            models.set_trainable_blocks(base, models.BLOCKS)  # all of it, BatchNorm frozen (lesson 6)
            if method == "recompile":
                compile_model(classifier, settings["learning_rate"])
        before = base.get_weights()
        result = fit(classifier, *train, target.raw_validation, settings["epochs"], settings["patience"])
        runs.append({"method": method, "n": n, "seed": seed, "base_weights_moved": weights_moved(before, base),
                     **measure(classifier, train, target.test), **result})
    return runs


class Experiment(NamedTuple):
    description: str
    function: Callable  # (lab, n, seed) -> the runs of one configuration
    configurations: Callable  # profile -> [(n, seed), ...]
    settings: Callable  # profile -> what its results depend on (a partial file with other settings is not resumed)
    in_grid: bool = True  # part of a default run; pretrain rebuilds the base the grid fine-tunes instead


TARGET_SETTINGS = ("seeds", "head", "fine_tune", "scratch", "learning_rates")


def on_target(function, description):
    """An experiment of the fine-tuning grid: every training-set size the profile gives it, with every seed."""
    name = function.__name__
    return Experiment(description, function,
                      lambda profile: [(n, seed) for n in profile["sizes"][name] for seed in profile["seeds"]],
                      lambda profile: {"sizes": profile["sizes"][name],
                                       **{key: profile[key] for key in TARGET_SETTINGS}})


EXPERIMENTS = {  # in the order a run does them
    "pretrain": Experiment("A small CNN with BatchNorm pretrained on Fashion-MNIST classes 0-4 (the base the lessons "
                           "use)", pretrain, lambda profile: [(None, 0)],
                           lambda profile: {"pretrain": profile["pretrain"]}, in_grid=False),
    "data_size": on_target(data_size, "Accuracy vs examples per class: feature extraction, fine-tuning, from scratch"),
    "recompile": on_target(recompile, "Unfreezing after fit with and without compile(); freezing before the first "
                                      "fit"),
    "bn_modes": on_target(bn_modes, "Whole base unfrozen: BatchNorm left trainable (with and without training=False) "
                                    "or frozen"),
    "lr_sweep": on_target(lr_sweep, "Fine-tuning the top block at learning rates 1e-5 to 1e-1 (head trained first)"),
    "blocks": on_target(blocks, "Fine-tuning with the top 0-3 blocks unfrozen: accuracy, train-test gap, seconds per "
                                "epoch"),
}
GRID = [name for name, experiment in EXPERIMENTS.items() if experiment.in_grid]
