"""The experiments. `EXPERIMENTS`, at the end, is the table `experiments.run` runs: each row an experiment's
description, its function, its configurations and its settings, pretraining the base included. Each
configuration (training images per class n, seed) returns a list of runs (dicts).

The protocol, the same for every method a comparison compares (`settings` records it in each results file):
- data: per seed, n training and ceil(n / 4) validation images per class, drawn together and shared by every
  method (data.Target.split); the 5,000 target test images only report.
- budget: at most `epochs` epochs of max(5 n, 1600) examples (training.epoch_examples) and one early-stopping
  rule (training.py). A two-phase method spends one budget over both phases: the head `head_epochs` epochs on
  the frozen base's features, then fine-tuning the remaining epochs, so it sees no more examples than scratch.
- choice: every trained phase picks its Adam learning rate from its method's candidates (as many for every
  method) by the lowest validation loss at its kept epoch (`choose`); the test images never choose anything.

The head alone is trained on the frozen base's features (the same as training base + head with the base frozen,
and much cheaper). Within one process a run that several experiments ask for with the same settings is trained
once (`Target.once`), so lr_sweep, blocks and pretraining_source reuse data_size's runs.
"""

import functools
import math
from pathlib import Path
from typing import Callable, NamedTuple

import keras
import numpy as np

from experiments import data, models
from experiments.training import BATCH_SIZE, EVAL_BATCH, compile_model, epoch_examples, fit, measure, weights_moved

BASE_MODEL = Path(__file__).resolve().parent.parent / "models" / "fashion_base.keras"
LESSONS_BASE = "all_images"  # the base the lessons use, models/fashion_base.keras (experiment pretrain)
PRETRAIN_SEED = 0
SOURCE_VALIDATION = 3000
PRETRAIN_BATCH = 128
MIN_SOURCE_EPOCH = 12000  # a pretraining epoch: the source images, repeated whole to at least this many examples
SCRATCH_BATCHNORM_MOMENTUM = 0.9  # see models.build_base


def pretrain_base(settings, seed=PRETRAIN_SEED, classes="source", images=None, shuffled_labels=False):
    """Train a base + Dropout + Dense(5) on source images; return (base, run).

    `classes`: "source" (classes 0-4, 27,000 training images) or "target" (12,000 other images of the target's
    own classes: the closest source there can be); `images`: a random subset of that many; `shuffled_labels`:
    the labels permuted among the images, a pretraining that can teach nothing about the classes. One recipe
    for every base: `epochs` epochs of the source images, repeated whole to at least MIN_SOURCE_EPOCH examples
    (the lessons' base: 6 x 27,000; a smaller source gets fewer examples, never more), Adam with the rate
    decaying (cosine) to zero, the last epoch kept; 3,000 held-out source images (true labels) are only watched.
    """
    (x, y), test = data.source(classes)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    validation, train = order[:SOURCE_VALIDATION], order[SOURCE_VALIDATION:][:images]
    labels = rng.permutation(y[train]) if shuffled_labels else y[train]
    base = models.build_base()
    classifier = models.build_classifier(base, bn_inference=False)
    steps = math.ceil(epoch_examples(len(train), MIN_SOURCE_EPOCH) / PRETRAIN_BATCH) * settings["epochs"]
    compile_model(classifier, keras.optimizers.schedules.CosineDecay(settings["learning_rate"], steps))
    result = fit(classifier, x[train], labels, (x[validation], y[validation]), settings["epochs"],
                 batch_size=PRETRAIN_BATCH, min_epoch_examples=MIN_SOURCE_EPOCH)
    measured = measure(classifier, (x[train], labels), test)
    return base, {"method": "pretrain", "seed": seed, "classes": classes, "images": len(train),
                  "shuffled_labels": shuffled_labels, **measured, **result,
                  "source_test_accuracy": measured["test_accuracy"], "base_parameters": base.count_params()}


def pretrain(lab, n, seed):
    """The lessons' base: pretrained on all source training images; saved (no optimizer) to BASE_MODEL. (`n` is
    None: pretraining uses every source image.)"""
    base, run = pretrain_base(lab.profile["pretrain"], seed)
    BASE_MODEL.parent.mkdir(exist_ok=True)
    base.save(BASE_MODEL)
    return [{**run, "model_bytes": BASE_MODEL.stat().st_size}]


def choose(candidates, method):
    """The candidate with the lowest validation loss (a tie keeps the first: the lower rate), named `method`,
    with every candidate's validation loss (what the choice saw)."""
    chosen = min(candidates, key=lambda run: run["validation_loss"])
    return {**chosen, "method": method,
            "candidate_validation_loss": [[run["learning_rate"], run["validation_loss"]] for run in candidates]}


class Target:
    """The target task, the pretrained bases and every run trained so far in this process."""

    def __init__(self, profile):
        self.profile = profile
        self.budget = profile["budget"]
        self.data = data.Target()
        self.test = (self.data.x_test, self.data.y_test)
        self.trained = {}  # what once() computed, by key

    def once(self, key, compute):
        """compute() the first time `key` is asked for, the same object after: a run is trained once."""
        if key not in self.trained:
            self.trained[key] = compute()
        return self.trained[key]

    def pretrain_bases(self):
        """Every base of the profile but the lessons' own, pretrained here: {name: (weights, pretraining run)}."""
        return {name: self.pretrained(name) for name in self.profile["bases"] if name != LESSONS_BASE}

    def preset(self, bases):
        """Take bases another process pretrained (pretrain_bases), so this one does not pretrain them again."""
        for name, base in bases.items():
            self.trained["base", name] = base

    def split(self, n, seed):
        return self.once(("split", n, seed), lambda: self.data.split(n, seed))

    def pretrained(self, name):
        """(weights, pretraining run or None) of base `name`: the lessons' file, or pretrained here."""
        def make():
            if name == LESSONS_BASE:
                return keras.models.load_model(BASE_MODEL).get_weights(), None
            base, run = pretrain_base(self.profile["pretrain"], **self.profile["bases"][name])
            return base.get_weights(), {**run, "base": name}
        return self.once(("base", name), make)

    def fresh_base(self, name):
        base = models.build_base()
        base.set_weights(self.pretrained(name)[0])
        return base

    def features(self, name, images):
        """The frozen base's features of `images` ((x, y)); the labels pass through. One base model per name
        serves them all (it is never trained), so its predict function is traced once."""
        extractor = self.once(("extractor", name), lambda: self.fresh_base(name))
        return extractor.predict(images[0], batch_size=EVAL_BATCH, verbose=0), images[1]

    def head(self, name, n, seed, learning_rate, epochs):
        """The head trained on base `name`'s frozen features for at most `epochs`: (run, head weights)."""
        def train_head():
            train, validation = self.once(("features", name, n, seed), lambda: [
                self.features(name, images) for images in self.split(n, seed)])
            test = self.once(("test features", name), lambda: self.features(name, self.test))
            keras.utils.set_random_seed(seed)
            head = models.build_head(train[0].shape[1])
            compile_model(head, learning_rate)
            result = fit(head, *train, validation, epochs, self.budget["patience"])
            run = {"method": "feature_extraction", "base": name, "n": n, "seed": seed, "blocks": 0,
                   "learning_rate": learning_rate, **measure(head, train, test), **result}
            return run, head.get_layer("classes").get_weights()
        return self.once(("head", name, n, seed, learning_rate, epochs), train_head)

    def head_phase(self, name, n, seed):
        """Fine-tuning's first phase: the head for `head_epochs`, its rate chosen on validation."""
        candidates = [self.head(name, n, seed, rate, self.budget["head_epochs"])
                      for rate in self.profile["candidate_rates"]["feature_extraction"]]
        return min(candidates, key=lambda candidate: candidate[0]["validation_loss"])

    def fine_tune(self, name, n, seed, learning_rate, blocks=1, bn_inference=True, freeze_batchnorm=True,
                  augment=False):
        """Both phases of fine-tuning base `name`: the head phase, then the top `blocks` blocks unfrozen
        (BatchNorm layers stay frozen unless told), recompiled at `learning_rate` and trained for the rest of the
        budget, with the augmentation layers in front when `augment` (the head phase trains on the frozen base's
        features, which cannot be augmented). Records how far the BatchNorm moving statistics moved."""
        key = ("fine_tune", name, n, seed, learning_rate, blocks, bn_inference, freeze_batchnorm, augment)
        return {**self.once(key, lambda: self._fine_tune(name, n, seed, learning_rate, blocks, bn_inference,
                                                         freeze_batchnorm, augment))}

    def _fine_tune(self, name, n, seed, learning_rate, blocks, bn_inference, freeze_batchnorm, augment):
        head_run, head_weights = self.head_phase(name, n, seed)
        train, validation = self.split(n, seed)
        keras.utils.set_random_seed(seed)
        base = self.fresh_base(name)
        classifier = models.build_classifier(base, bn_inference=bn_inference, augment=augment)
        classifier.get_layer("classes").set_weights(head_weights)
        models.set_trainable_blocks(base, blocks, freeze_batchnorm)
        statistics = models.batchnorm_statistics(base)
        compile_model(classifier, learning_rate)
        result = fit(classifier, *train, validation, self.budget["epochs"] - self.budget["head_epochs"],
                     self.budget["patience"])
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(statistics, models.batchnorm_statistics(base)))
        return {"method": "fine_tuning", "base": name, "n": n, "seed": seed, "blocks": blocks,
                "learning_rate": learning_rate, "bn_inference": bn_inference, "freeze_batchnorm": freeze_batchnorm,
                "augment": augment, "bn_statistics_moved": moved, **measure(classifier, train, self.test), **result,
                "examples_seen": head_run["examples_seen"] + result["examples_seen"],
                "head_learning_rate": head_run["learning_rate"], "head_best_epoch": head_run["best_epoch"],
                "head_curves": head_run["curves"]}

    def scratch(self, n, seed, learning_rate, augment=False):
        """The same architecture from random weights, every layer trained, the whole budget (with the
        augmentation layers in front when `augment`)."""
        def train_scratch():
            train, validation = self.split(n, seed)
            keras.utils.set_random_seed(seed)
            base = models.build_base(batchnorm_momentum=SCRATCH_BATCHNORM_MOMENTUM)
            classifier = models.build_classifier(base, bn_inference=False, augment=augment)
            compile_model(classifier, learning_rate)
            result = fit(classifier, *train, validation, self.budget["epochs"], self.budget["patience"])
            return {"method": "scratch", "base": "none", "n": n, "seed": seed, "blocks": models.BLOCKS,
                    "learning_rate": learning_rate, "augment": augment, **measure(classifier, train, self.test),
                    **result}
        return {**self.once(("scratch", n, seed, learning_rate, augment), train_scratch)}

    def compare(self, name, n, seed):
        """Feature extraction and fine-tuning of base `name`, and scratch: each method's candidate runs (one per
        learning rate) and the one validation chose."""
        epochs = self.budget["epochs"]
        methods = {"feature_extraction": lambda rate: {**self.head(name, n, seed, rate, epochs)[0]},
                   "fine_tuning": lambda rate: self.fine_tune(name, n, seed, rate),
                   "scratch": lambda rate: self.scratch(n, seed, rate)}
        runs = []
        for method, train in methods.items():
            candidates = [{**train(rate), "method": f"{method}_candidate"}
                          for rate in self.profile["candidate_rates"][method]]
            runs += [*candidates, choose(candidates, method)]
        return runs


class Lab:
    """What one process's experiments share: the profile, and the target task, set up when first used (so after
    `pretrain`, which rebuilds the base whose features the target task computes)."""

    def __init__(self, profile):
        self.profile = profile

    @functools.cached_property
    def target(self):
        return Target(self.profile)


def data_size(lab, n, seed):
    """Feature extraction, fine-tuning (top block) and scratch on the lessons' base, rates chosen on validation."""
    return lab.target.compare(LESSONS_BASE, n, seed)


def pretraining_source(lab, n, seed):
    """When does a pretrained start pay? data_size's comparison on each of the profile's bases (pretrained on
    the lessons' source, a closer one, or shuffled labels...); scratch once per configuration. The chosen runs
    only (they name the candidates' validation losses). The first configuration also records each base's own
    pretraining."""
    target = lab.target
    profile = target.profile
    runs = []
    for index, name in enumerate(profile["bases"]):
        runs += [run for run in target.compare(name, n, seed) if not run["method"].endswith("_candidate")
                 and (run["method"] != "scratch" or index == 0)]
    if (n, seed) == (profile["sizes"]["pretraining_source"][0], profile["seeds"][0]):
        runs += [{**run} for _, run in map(target.pretrained, profile["bases"]) if run]
    return runs


def augmentation(lab, n, seed):
    """Fine-tuning the lessons' base and training from scratch, each without and with lesson 9's augmentation
    layers, each with its rate chosen on validation: the chosen runs (they name the candidates' validation
    losses). The runs without augmentation are data_size's."""
    target, runs = lab.target, []
    train = {"fine_tuning": lambda rate, augment: target.fine_tune(LESSONS_BASE, n, seed, rate, augment=augment),
             "scratch": lambda rate, augment: target.scratch(n, seed, rate, augment=augment)}
    for method, trained in train.items():
        for augment in (False, True):
            name = f"{method}_augmented" if augment else method
            runs.append(choose([trained(rate, augment) for rate in target.profile["candidate_rates"][method]], name))
    return runs


def lr_sweep(lab, n, seed):
    """Fine-tuning the top block at every rate of the sweep (after the same head phase): no choice here."""
    target = lab.target
    return [target.fine_tune(LESSONS_BASE, n, seed, rate) for rate in target.profile["sweep_rates"]]


def blocks(lab, n, seed):
    """Unfreeze the top 0..3 blocks (0: the base stays frozen while the whole model trains on)."""
    target = lab.target
    rate = target.profile["fixed_learning_rate"]
    return [{**target.fine_tune(LESSONS_BASE, n, seed, rate, blocks=count), "method": f"unfreeze_{count}"}
            for count in range(models.BLOCKS + 1)]


BN_MODES = {  # method: (base called with training=False, BatchNorm layers frozen)
    "bn_training": (False, False),  # plain base(x): BatchNorm follows fit into training mode
    "bn_training_false": (True, False),  # base(x, training=False), BatchNorm layers trainable
    "bn_frozen": (True, True),  # BatchNorm layers frozen too: Keras 3 runs frozen BatchNorm in inference mode
}


def bn_modes(lab, n, seed):
    """The whole base unfrozen, its BatchNorm layers in each of the BN_MODES."""
    target = lab.target
    rate = target.profile["fixed_learning_rate"]
    return [{**target.fine_tune(LESSONS_BASE, n, seed, rate, blocks=models.BLOCKS, bn_inference=flag,
                                freeze_batchnorm=frozen), "method": method}
            for method, (flag, frozen) in BN_MODES.items()]


def recompile(lab, n, seed):
    """Keras 3: after fit, a change of `trainable` takes effect only once the model is compiled again."""
    target = lab.target
    rate = target.profile["fixed_learning_rate"]
    _, head_weights = target.head_phase(LESSONS_BASE, n, seed)
    train, validation = target.split(n, seed)
    epochs = target.budget["epochs"] - target.budget["head_epochs"]
    runs = []
    for method in ("no_recompile", "recompile", "freeze_before_first_fit"):
        keras.utils.set_random_seed(seed)
        base = target.fresh_base(LESSONS_BASE)
        classifier = models.build_classifier(base)
        classifier.get_layer("classes").set_weights(head_weights)
        if method == "freeze_before_first_fit":
            compile_model(classifier, rate)  # compiled while the base is trainable,
            base.trainable = False  # frozen after compile but before the first fit: this takes effect
        else:
            base.trainable = False
            compile_model(classifier, rate)
            fit(classifier, *train, validation, epochs=1)  # the first fit, frozen
            models.set_trainable_blocks(base, models.BLOCKS)  # all of it, BatchNorm frozen (lesson 6)
            if method == "recompile":
                compile_model(classifier, rate)
        before = base.get_weights()
        result = fit(classifier, *train, validation, epochs, target.budget["patience"])
        runs.append({"method": method, "base": LESSONS_BASE, "n": n, "seed": seed, "learning_rate": rate,
                     "base_weights_moved": weights_moved(before, base), **measure(classifier, train, target.test),
                     **result})
    return runs


# What the "How this was measured" notes need beyond the profile: each experiment's methods, in words.
COMPARISON = {
    "feature_extraction": "the base frozen, a new head (Dropout 0.2 + Dense) trained on its features",
    "fine_tuning": "the head phase, then the top block unfrozen (BatchNorm layers frozen), recompiled and trained",
    "scratch": f"the same architecture from random weights (BatchNorm momentum {SCRATCH_BATCHNORM_MOMENTUM}), "
               "every layer trained",
}
METHODS = {
    "data_size": {**COMPARISON, "<method>_candidate": "the method at one of its candidate learning rates; "
                                                      "<method> is the one validation chose"},
    "pretraining_source": {**COMPARISON, "pretrain": "a base's own pretraining (recorded once)"},
    "augmentation": {"fine_tuning": COMPARISON["fine_tuning"], "scratch": COMPARISON["scratch"],
                     "<method>_augmented": "the same with the augmentation layers in front of the base, active only "
                                           "in training (fine-tuning: in its fine-tuning phase; its head phase "
                                           "trains on the frozen base's features, which cannot be augmented)"},
    "lr_sweep": {"fine_tuning": "the head phase, then the top block unfrozen and trained at each swept rate"},
    "blocks": {"unfreeze_<k>": "the head phase, then the top k blocks unfrozen (BatchNorm layers frozen; 0: the "
                               "base stays frozen while the whole model trains on)"},
    "bn_modes": {method: f"the head phase, then the whole base unfrozen; base(x, training=False): {flag}, "
                         f"BatchNorm layers frozen: {frozen}" for method, (flag, frozen) in BN_MODES.items()},
    "recompile": {"no_recompile": "after the head phase, a first fit of one epoch with the base frozen, the base "
                                  "unfrozen (BatchNorm layers frozen), fit again without compile()",
                  "recompile": "the same, with compile() after unfreezing",
                  "freeze_before_first_fit": "compiled with the base trainable, frozen before the first fit"},
}
FINE_TUNING_RATE = {  # experiment: where its fine-tuning phase's learning rate came from
    "data_size": "chosen", "pretraining_source": "chosen", "augmentation": "chosen", "lr_sweep": "swept",
    "blocks": "fixed", "bn_modes": "fixed", "recompile": "fixed"}
AUGMENTATION = ("lesson 9's layers: RandomTranslation(0.1, 0.1), RandomRotation(0.05) and RandomZoom(0.1), "
                "uncovered pixels black; a new random version of each training image in every epoch")
SOURCES = {"source": "classes 0-4, 27,000 training images",
           "target": "the target's own classes, 12,000 training images no target draw uses"}


def settings(profile, experiment):
    """What an experiment's results depend on, recorded in its results file: the "How this was measured" note
    under a figure is written from it (a partial file with other settings is not resumed)."""
    pretraining = {**profile["pretrain"], "batch_size": PRETRAIN_BATCH, "min_epoch_examples": MIN_SOURCE_EPOCH,
                   "watched": f"{SOURCE_VALIDATION:,} held-out source images",
                   "schedule": "Adam, cosine decay to zero, the last epoch kept (no choice on validation)"}
    if experiment == "pretrain":
        return {"task": {"source": "Fashion-MNIST classes 0-4 (T-shirt/top, trouser, pullover, dress, coat), "
                                   f"their 30,000 training images less {SOURCE_VALIDATION:,} held out",
                         "test": "the 5,000 test images of those classes"}, "pretrain": pretraining}
    task = {"target": "Fashion-MNIST classes 5-9 (sandal, shirt, sneaker, bag, ankle boot), relabelled 0-4; "
                      "training and validation images drawn from half of their training images (3,000 per class)",
            "test": "the 5,000 target test images, used only to report"}
    budget, sizes = profile["budget"], profile["sizes"][experiment]
    found = {
        "task": task, "sizes": sizes, "seeds": profile["seeds"],
        "validation": {"per_class": [data.validation_per_class(n) for n in sizes],
                       "rule": f"ceil(n / {data.TRAINING_PER_VALIDATION}) images per class, drawn with each "
                               "seed's training images and disjoint from them; the same for every method"},
        "budget": {"epochs": budget["epochs"], "epoch_examples": [epoch_examples(n * 5) for n in sizes],
                   "head_epochs": budget["head_epochs"], "fine_tune_epochs": budget["epochs"] - budget["head_epochs"],
                   "patience": budget["patience"], "batch_size": BATCH_SIZE,
                   "rule": "early stopping on the validation loss, the epoch with the lowest kept; a two-phase "
                           "method spends the one budget over both phases (head, then fine-tuning)"},
        "learning_rates": {"candidates": profile["candidate_rates"],
                           "rule": "every trained phase with a choice picks its Adam rate from its method's "
                                   "candidates by the lowest validation loss at its kept epoch (a tie keeps the "
                                   "lower rate); the head phase of fine-tuning uses feature extraction's",
                           "fine_tuning_phase": FINE_TUNING_RATE[experiment]},
        "base": {"name": LESSONS_BASE, "file": "models/fashion_base.keras", "source": SOURCES["source"],
                 "pretrain": pretraining},
        "methods": METHODS[experiment],
    }
    if experiment == "pretraining_source":
        found["bases"] = {name: {"classes": SOURCES[source.get("classes", "source")],
                                 "images": source.get("images", "all"),
                                 "shuffled_labels": source.get("shuffled_labels", False)}
                          for name, source in profile["bases"].items()}
    if experiment == "augmentation":
        found["augmentation"] = AUGMENTATION
    if experiment == "lr_sweep":
        found["learning_rates"]["swept"] = profile["sweep_rates"]
    if experiment in ("blocks", "bn_modes", "recompile"):
        found["learning_rates"]["fixed"] = profile["fixed_learning_rate"]
    return found


class Experiment(NamedTuple):
    description: str
    function: Callable  # (lab, n, seed) -> the runs of one configuration
    configurations: Callable  # profile -> [(n, seed), ...]
    in_grid: bool = True  # part of a default run; pretrain rebuilds the base the grid fine-tunes instead

    def settings(self, profile):
        """What its results depend on (a partial file with other settings is not resumed)."""
        return settings(profile, self.function.__name__)


def on_target(function, description):
    """An experiment of the fine-tuning grid: every training-set size the profile gives it, with every seed."""
    name = function.__name__
    return Experiment(description, function,
                      lambda profile: [(n, seed) for n in profile["sizes"][name] for seed in profile["seeds"]])


EXPERIMENTS = {  # in the order a run does them
    "pretrain": Experiment("A small CNN with BatchNorm pretrained on Fashion-MNIST classes 0-4 (the base the lessons "
                           "use)", pretrain, lambda profile: [(None, PRETRAIN_SEED)], in_grid=False),
    "data_size": on_target(data_size, "Accuracy vs examples per class: feature extraction, fine-tuning, from scratch"),
    "pretraining_source": on_target(pretraining_source, "When does a pretrained start pay? Feature extraction and "
                                                        "fine-tuning of bases pretrained on different sources "
                                                        "against training from scratch, by examples per class"),
    "augmentation": on_target(augmentation, "Fine-tuning and training from scratch without and with lesson 9's "
                                            "augmentation layers, by examples per class"),
    "recompile": on_target(recompile, "Unfreezing after fit with and without compile(); freezing before the first "
                                      "fit"),
    "bn_modes": on_target(bn_modes, "Whole base unfrozen: BatchNorm left trainable (with and without training=False) "
                                    "or frozen"),
    "lr_sweep": on_target(lr_sweep, "Fine-tuning the top block at learning rates 1e-5 to 1e-1 (head phase first)"),
    "blocks": on_target(blocks, "Fine-tuning with the top 0-3 blocks unfrozen: accuracy, train-test gap, seconds per "
                                "epoch"),
}
GRID = [name for name, experiment in EXPERIMENTS.items() if experiment.in_grid]
