"""Each card's claim (C1-C7), and what the lessons say the prebuilt run measured, checked against its committed
results.

Where the data support a claim, the test asserts it with a margin beyond the seed spread; where they only
partly do, the test asserts the measured nuance, and the lessons say so. Each test is the check of the claims
(`<span class="claim">` in the lessons) it names, and records the numbers it compared for the Evidence page.
"""

import pytest

from experiments import contract
from experiments.contract import format_value, summary
from experiments.figure_specs import FIGURES, FINE_TUNING, HEAD
from experiments.models import BLOCKS

CHANCE = 0.2  # five target classes


@pytest.fixture(scope="module")
def data():
    return {name: contract.load(name) for name in ("pretrain", "data_size", "pretraining_source", "augmentation",
                                                   "lr_sweep", "blocks", "bn_modes", "recompile")}


@pytest.fixture
def record(evidence):
    """record(label, summary or paired difference, metric): the mean, spread and range, as the pages print them."""
    def measured(label, stats, metric="test_accuracy"):
        def shown(value):
            return format_value(metric, value)
        return evidence(label, f"{shown(stats['mean'])} ± {shown(stats['std'])} "
                               f"(seeds from {shown(stats['min'])} to {shown(stats['max'])})")
    return measured


def clearly_above(high, low, margin=0.0):
    """high's mean exceeds low's by `margin` plus twice the larger seed spread, and every seed of high beats
    every seed of low."""
    spread = 2 * max(high["std"], low["std"])
    return high["mean"] - low["mean"] > margin + spread and high["min"] > low["max"]


def on_every_seed_beyond_the_spread(difference):
    """A paired difference positive on every seed, its mean more than twice its spread."""
    return difference["min"] > 0 and difference["mean"] > 2 * difference["std"]


def within_the_spread(difference):
    return abs(difference["mean"]) < 2 * difference["std"]


def sizes(data, experiment):
    return sorted({run["n"] for run in data[experiment]["runs"] if "n" in run})


def test_every_results_file_is_complete_and_says_where_it_ran(data):
    for document in data.values():
        provenance = document["provenance"]
        assert document["complete"] and provenance["backend"] and provenance["versions"]["keras"]
        if "none" in provenance["accelerator"]:
            assert "GPU" not in provenance["hardware"]
    assert summary(data["pretrain"], "source_test_accuracy")["mean"] >= 0.90


# C1: fine-tuning adapts a pretrained model to a new task with little data.
@pytest.mark.claim("fine-tuning-with-5-per-class", "stage-2-beats-the-frozen-base")
def test_c1_fine_tuning_adapts_the_base_with_little_data(data, record):
    smallest = sizes(data, "data_size")[0]
    tuned = summary(data["data_size"], method="fine_tuning", n=smallest)
    record(f"fine-tuned, {smallest} per class", tuned)
    assert tuned["min"] > CHANCE + 0.5
    # it adapts the base: every seed beats the frozen base's features it started from, at every size
    for n in sizes(data, "data_size"):
        gain = contract.paired_difference(data["data_size"], "test_accuracy", {"method": "fine_tuning", "n": n},
                                         {"method": "feature_extraction", "n": n})
        record(f"fine-tuned minus frozen base, {n} per class", gain, "gap")
        assert on_every_seed_beyond_the_spread(gain), (n, gain)


# C3: freezing layers reduces training time.
@pytest.mark.claim("frozen-base-trains-faster", "top-block-costs-less")
def test_c3_a_frozen_base_trains_faster_per_epoch(data, record):
    """Blocks experiment: with the whole base unfrozen every seed's epochs took longer than any seed's with the
    base frozen, by more than twice the seed spread. Nuance: unfreezing the top block alone cost less than half
    of that (no gradient flows below it; its multiply-adds equal block 2's, which tests/test_live_claims.py
    checks), and the cost grew with every block unfrozen."""
    blocks = data["blocks"]
    frozen, whole = (summary(blocks, "epoch_seconds", blocks=count) for count in (0, 3))
    record("seconds per epoch, base frozen", frozen, "epoch_seconds")
    record("seconds per epoch, all three blocks unfrozen", whole, "epoch_seconds")
    assert clearly_above(whole, frozen), (whole, frozen)
    slower = contract.paired_difference(blocks, "epoch_seconds", {"blocks": 3}, {"blocks": 0})
    top_block = contract.paired_difference(blocks, "epoch_seconds", {"blocks": 1}, {"blocks": 0})
    record("extra seconds per epoch, top block unfrozen", top_block, "epoch_seconds")
    assert slower["min"] > 0.2 * frozen["mean"]
    assert top_block["mean"] < slower["mean"] / 2
    means = [summary(blocks, "epoch_seconds", blocks=count)["mean"] for count in range(4)]
    assert means == sorted(means)  # lesson 2: "the cost grows with every block you unfreeze"


@pytest.mark.claim("scratch-costs-more-per-epoch")
def test_lesson_4_training_from_scratch_takes_longer_per_epoch_at_every_size(data, record):
    for n in sizes(data, "data_size"):
        scratch = summary(data["data_size"], "epoch_seconds", method="scratch", n=n)
        tuned = summary(data["data_size"], "epoch_seconds", method="fine_tuning", n=n)
        record(f"seconds per epoch at {n} per class, from scratch", scratch, "epoch_seconds")
        record(f"seconds per epoch at {n} per class, top block fine-tuned", tuned, "epoch_seconds")
        assert clearly_above(scratch, tuned), (n, scratch, tuned)


# C6: in Keras 3 a change of `trainable` after fit takes effect only after compile() again.
@pytest.mark.claim("recompile-run-base-moved", "recompile-run-accuracy-rose")
def test_c6_unfreezing_without_recompiling_changes_nothing(data, record, evidence):
    recompile = data["recompile"]
    for method in ("no_recompile", "freeze_before_first_fit"):
        unmoved = summary(recompile, "base_weights_moved", method=method)["max"]
        evidence(f"largest change of a base weight, {method.replace('_', ' ')}, any seed", unmoved)
        assert unmoved == 0
    moved = summary(recompile, "base_weights_moved", method="recompile")
    record("largest change of a base weight, recompiled", moved, "base_weights_moved")
    assert moved["min"] > 0
    # lesson 5: "test accuracy rose" with compile(), on every seed, by more than the seed spread
    rose = contract.paired_difference(recompile, "test_accuracy", {"method": "recompile"}, {"method": "no_recompile"})
    record("test accuracy, recompiled minus not", rose, "gap")
    assert on_every_seed_beyond_the_spread(rose), rose


# C2: freezing layers helps prevent overfitting.
@pytest.mark.claim("scratch-overfits-most-at-100")
def test_c2_at_100_per_class_the_network_from_scratch_shows_the_largest_gap(data, record):
    """Partly supported. At 100 examples per class the network trained whole from scratch shows a larger
    train-test gap, on every seed, than the pretrained base frozen in whole or with its top block fine-tuned;
    those two are within the seed spread of each other."""
    n = 100
    for frozen in ("feature_extraction", "fine_tuning"):
        extra = contract.paired_difference(data["data_size"], "gap", {"method": "scratch", "n": n},
                                          {"method": frozen, "n": n})
        record(f"gap from scratch minus gap with {frozen.replace('_', ' ')}, {n} per class", extra, "gap")
        assert extra["min"] > 0 and extra["mean"] > extra["std"], (frozen, extra)
    top_block = contract.paired_difference(data["data_size"], "gap", {"method": "fine_tuning", "n": n},
                                          {"method": "feature_extraction", "n": n})
    assert within_the_spread(top_block), top_block


@pytest.mark.claim("gap-is-the-test-error-at-5", "more-blocks-helped-at-5")
def test_c2_with_5_per_class_the_gap_is_the_test_error_and_unfreezing_more_narrowed_it(data, record):
    """With 5 examples per class the fine-tuned and from-scratch models learned every training image (train
    accuracy 100 % on every seed), so the gap is only what they miss on the test images. Unfreezing more blocks
    (lesson 2) raised test accuracy beyond the seed spread and so narrowed the gap: nothing here says freezing
    prevented overfitting."""
    for method in ("fine_tuning", "scratch"):
        assert summary(data["data_size"], "train_accuracy", method=method, n=5)["min"] == 1.0, method
    frozen_gap = summary(data["data_size"], "gap", method="feature_extraction", n=5)
    record("gap with the base frozen, 5 per class", frozen_gap, "gap")
    assert frozen_gap["mean"] >= summary(data["data_size"], "gap", method="fine_tuning", n=5)["mean"]  # "as large"
    blocks = data["blocks"]
    frozen, whole = summary(blocks, blocks=0, n=5), summary(blocks, blocks=3, n=5)
    record("test accuracy, base frozen", frozen)
    record("test accuracy, three blocks fine-tuned", whole)
    assert clearly_above(whole, frozen) and clearly_above(summary(blocks, blocks=1, n=5), frozen)
    below_the_top = contract.paired_difference(blocks, "test_accuracy", {"blocks": 3, "n": 5}, {"blocks": 1, "n": 5})
    assert within_the_spread(below_the_top), below_the_top  # "the two blocks below it added less than the spread"
    narrower = contract.paired_difference(blocks, "gap", {"blocks": 0, "n": 5}, {"blocks": 3, "n": 5})
    record("gap with the base frozen minus gap with three blocks fine-tuned", narrower, "gap")
    assert narrower["min"] > 0, narrower


# C4: a pretrained model beats training from scratch when data are small.
@pytest.mark.claim("close-source-pays", "clothes-base-small-edge", "pretrained-start-depends-on-source")
def test_c4_a_pretrained_start_pays_most_with_a_close_source_and_few_images(data, record):
    """Partly supported, and the pretraining_source experiment says when. The base pretrained on other images of
    the target classes beat training from scratch on every seed, beyond the seed spread, at 5 and at 100
    examples per class, by far more at 5, and its frozen features alone did as well. The lessons' base,
    pretrained on five other classes (clothes), was ahead of scratch on every seed at 5 per class, but by about
    the seed spread, and level at 100. Its frozen features alone did worse than scratch."""
    source = data["pretraining_source"]
    gains = {}
    for n in sizes(data, "pretraining_source"):
        close = contract.paired_difference(source, "test_accuracy", {"method": "fine_tuning", "base": "target_classes",
                                                                      "n": n}, {"method": "scratch", "n": n})
        record(f"fine-tuned base pretrained on the target classes minus scratch, {n} per class", close, "gap")
        assert on_every_seed_beyond_the_spread(close), (n, close)
        gains[n] = close["mean"]
        frozen_close = contract.paired_difference(source, "test_accuracy", {"method": "feature_extraction",
                                                                             "base": "target_classes", "n": n},
                                                  {"method": "fine_tuning", "base": "target_classes", "n": n})
        assert within_the_spread(frozen_close), (n, frozen_close)  # "its frozen features alone did as well"
        frozen = contract.paired_difference(source, "test_accuracy", {"method": "feature_extraction",
                                                                       "base": "all_images", "n": n},
                                            {"method": "scratch", "n": n})
        assert frozen["max"] < 0, (n, frozen)
    assert gains[min(gains)] > 3 * gains[max(gains)], gains  # "by far more with fewer images"
    clothes = {n: contract.paired_difference(source, "test_accuracy", {"method": "fine_tuning", "base": "all_images",
                                                                        "n": n}, {"method": "scratch", "n": n})
               for n in sizes(data, "pretraining_source")}
    for n, difference in clothes.items():
        record(f"fine-tuned lessons' base minus scratch, {n} per class", difference, "gap")
    smallest, largest = min(clothes), max(clothes)
    assert clothes[smallest]["min"] > 0 and clothes[smallest]["mean"] < 2.5 * clothes[smallest]["std"]
    assert within_the_spread(clothes[largest]), clothes[largest]


# C7: BatchNormalization layers must stay in inference mode when the base is unfrozen.
@pytest.mark.claim("training-false-identical-runs", "frozen-batchnorm-costs-nothing-measurable",
                   "training-false-changed-nothing-in-the-run")
def test_c7_measured_nuance_training_false_does_not_take_effect_and_accuracy_barely_moves(data, record):
    """Keras 3.15: in a functional model fit's training=True overrides `base(x, training=False)`, so the
    BatchNorm statistics move exactly as with a plain `base(x)`; frozen BatchNorm layers keep them. At 5
    examples per class the test accuracy of the three differs by less than the seed spread."""
    bn = data["bn_modes"]
    for n in sizes(data, "bn_modes"):
        plain = select_values(bn, "bn_training", n)
        assert select_values(bn, "bn_training_false", n) == plain  # identical runs, to the last digit
        moved = summary(bn, "bn_statistics_moved", method="bn_training", n=n)
        record("largest change of a moving statistic, trainable BatchNorm", moved, "bn_statistics_moved")
        assert moved["min"] > 0
        assert summary(bn, "bn_statistics_moved", method="bn_frozen", n=n)["max"] == 0
        change = contract.paired_difference(bn, "test_accuracy", {"method": "bn_frozen", "n": n},
                                           {"method": "bn_training", "n": n})
        record("test accuracy, BatchNorm frozen minus trainable", change, "gap")
        assert within_the_spread(change), change


@pytest.mark.claim("no-whole-base-fine-tuning-at-100")
def test_the_whole_pretrained_base_was_fine_tuned_with_5_images_per_class_only(data, evidence):
    """Lesson 2: "This run fine-tuned the whole pretrained base with 5 images per class only, not with 100": every
    run that trained all of a pretrained base's blocks (the recompile experiment unfreezes it whole)."""
    whole = {run["n"] for name, document in data.items() for run in document["runs"]
             if name == "recompile" or run.get("blocks") == BLOCKS and not run["method"].startswith("scratch")}
    assert evidence("training-set sizes of the runs that fine-tuned the whole pretrained base", sorted(whole)) == [5]


def select_values(data, method, n):
    return [(run["seed"], run["test_accuracy"], run["bn_statistics_moved"])
            for run in contract.select(data, method=method, n=n)]


# C5: a low learning rate during fine-tuning protects the learned features.
@pytest.mark.claim("too-high-a-rate-wrecks", "too-low-a-rate-wastes")
def test_c5_too_high_a_rate_damages_too_low_a_rate_barely_moves(data, record):
    """With Adam and this budget the rate with the lowest validation loss was 1e-2, the head's own; 1e-1
    damaged the model on every seed; 1e-5 left it well below. "Low" means low next to 1e-1, not as low as
    possible."""
    sweep = data["lr_sweep"]
    rates = sorted({run["learning_rate"] for run in sweep["runs"]})
    for n in sizes(data, "lr_sweep"):
        chosen = contract.chosen_learning_rate(sweep, n)
        assert 1e-3 <= chosen <= 1e-2
        for extreme in (rates[0], rates[-1]):
            loss = contract.paired_difference(sweep, "test_accuracy", {"n": n, "learning_rate": chosen},
                                             {"n": n, "learning_rate": extreme})
            record(f"test accuracy at {chosen:g} minus at {extreme:g}, {n} per class", loss, "gap")
            assert loss["min"] > 0.05, (n, extreme, loss)  # every seed lost more than 5 points


@pytest.mark.claim("no-rate-below-the-heads-did-better")
def test_c5_no_rate_below_the_heads_did_better_on_validation_or_test(data, record):
    """Lessons 1 and 6: the head trained at 1e-2; validation loss was lowest at 1e-2 on every seed, and every
    rate below it did worse on average, on validation and on test."""
    sweep = data["lr_sweep"]
    rates = sorted({run["learning_rate"] for run in sweep["runs"]})
    picked = [run["learning_rate"] for run in contract.select(data["data_size"], method="fine_tuning")]
    assert picked.count(1e-2) > len(picked) / 2, picked  # lesson 1: "validation picked 1e-2 in most runs"
    assert {run["head_learning_rate"] for run in sweep["runs"]} == {1e-2}  # lesson 6: "1e-2 on every seed"
    for n in sizes(data, "lr_sweep"):
        assert contract.chosen_learning_rate(sweep, n) == 1e-2
        lower_loss = contract.paired_difference(sweep, "validation_loss", {"n": n, "learning_rate": 1e-3},
                                               {"n": n, "learning_rate": 1e-2})
        assert lower_loss["min"] > 0, lower_loss  # 1e-2's validation loss was the lower on every seed
        for metric, better in (("validation_loss", min), ("test_accuracy", max)):
            means = {rate: summary(sweep, metric, n=n, learning_rate=rate)["mean"] for rate in rates if rate <= 1e-2}
            assert better(means, key=means.get) == 1e-2, (n, metric, means)
        record(f"test accuracy at 1e-2 minus at 1e-3, {n} per class",
               contract.paired_difference(sweep, "test_accuracy", {"n": n, "learning_rate": 1e-2},
                                          {"n": n, "learning_rate": 1e-3}), "gap")


@pytest.mark.claim("two-phase-dip")
def test_lesson_6_two_phase_curve_dips_in_training_accuracy_for_one_epoch_while_validation_rises(data, evidence):
    """Lesson 6 under the two-phase figure: fine-tuning starts from the head's best epoch on validation; in
    its first epoch training accuracy dips while validation accuracy does not fall; the dip lasts one epoch."""
    figure = FIGURES["two_phase"]
    points = figure.points(data[figure.experiment])
    head = [point for point in points if point.phase == HEAD]
    tune = [point for point in points if point.phase == FINE_TUNING]
    best = head[-1]  # the epoch early stopping kept, where the figure branches
    assert best.validation_accuracy == max(point.validation_accuracy for point in points if point.phase != FINE_TUNING)
    assert tune[0].epoch == best.epoch + 1
    evidence("first fine-tuning epoch: training accuracy dipped", tune[0].train_accuracy < best.train_accuracy)
    assert tune[0].train_accuracy < best.train_accuracy and tune[0].validation_accuracy >= best.validation_accuracy
    assert all(point.train_accuracy > best.train_accuracy for point in tune[1:]), tune


@pytest.mark.claim("augmentation-lowered-fine-tuning", "augmentation-narrowed-scratch-gap",
                   "augmentation-runs-stopped-early")
def test_lesson_9_augmentation_lowered_fine_tuning_and_narrowed_the_gap_from_scratch(data, record, evidence):
    """Lesson 9, 5 examples per class, one budget: with the augmentation layers, fine-tuning scored lower on
    every seed, beyond the seed spread; training from scratch showed a narrower train-test gap on every seed,
    while its test accuracy moved by less than the seed spread. Early stopping ended every augmented run before
    its phase's budget of epochs."""
    augmentation = data["augmentation"]
    budget = augmentation["settings"]["budget"]
    phase_epochs = {"fine_tuning_augmented": budget["fine_tune_epochs"], "scratch_augmented": budget["epochs"]}
    epochs_run = {method: [run["epochs_run"] for run in contract.select(augmentation, method=method)]
                  for method in phase_epochs}
    evidence("epochs run by the augmented runs (of their phase's budget)",
             {method: f"{runs} of {phase_epochs[method]}" for method, runs in epochs_run.items()})
    assert all(max(runs) < phase_epochs[method] for method, runs in epochs_run.items()), epochs_run
    tuned = contract.paired_difference(augmentation, "test_accuracy", {"method": "fine_tuning_augmented"},
                                       {"method": "fine_tuning"})
    record("fine-tuning: test accuracy with augmentation minus without", tuned, "gap")
    assert tuned["max"] < 0 and -tuned["mean"] > 2 * tuned["std"], tuned
    gap = contract.paired_difference(augmentation, "gap", {"method": "scratch"}, {"method": "scratch_augmented"})
    record("from scratch: gap without augmentation minus with", gap, "gap")
    assert gap["min"] > 0, gap
    accuracy = contract.paired_difference(augmentation, "test_accuracy", {"method": "scratch_augmented"},
                                          {"method": "scratch"})
    record("from scratch: test accuracy with augmentation minus without", accuracy, "gap")
    assert within_the_spread(accuracy), accuracy


@pytest.mark.claim("augmentation-fine-tuning-gap-within-the-spread", "augmentation-scratch-gap-seed-by-seed")
def test_lesson_9_augmentation_narrowed_the_gaps_only_in_part(data, record, evidence):
    """Lesson 9, 5 examples per class. Fine-tuning: the gap changed by less than the seed spread, wider on seed 0,
    narrower on seeds 1 and 2, whose augmented runs' training accuracy was below 90 % (100 % without). From
    scratch: on seed 0 the gap narrowed because test accuracy rose, both runs at 100 % training accuracy; on seed 1
    it moved by less than 1 point; on seed 2 it narrowed, the augmented run having kept its first epoch, its
    training accuracy under 90 %."""
    augmentation = data["augmentation"]

    def by_seed(method):
        return {run["seed"]: run for run in contract.select(augmentation, method=method, n=5)}

    gap = contract.paired_difference(augmentation, "gap", {"method": "fine_tuning"},
                                     {"method": "fine_tuning_augmented"})
    record("fine-tuning: gap without augmentation minus with", gap, "gap")
    assert within_the_spread(gap), gap
    plain, augmented = by_seed("fine_tuning"), by_seed("fine_tuning_augmented")
    narrowed = {seed: plain[seed]["gap"] - augmented[seed]["gap"] for seed in plain}
    assert narrowed[0] < 0 < min(narrowed[1], narrowed[2]), narrowed
    evidence("fine-tuning: training accuracy without and with augmentation, per seed",
             {seed: [plain[seed]["train_accuracy"], augmented[seed]["train_accuracy"]] for seed in plain})
    assert all(plain[seed]["train_accuracy"] == 1 for seed in plain)
    assert max(augmented[1]["train_accuracy"], augmented[2]["train_accuracy"]) < 0.9
    plain, augmented = by_seed("scratch"), by_seed("scratch_augmented")
    narrowed = {seed: plain[seed]["gap"] - augmented[seed]["gap"] for seed in plain}
    evidence("from scratch: gap narrowed by, in points, per seed",
             {seed: round(100 * points, 1) for seed, points in narrowed.items()})
    assert narrowed[0] > 0 and augmented[0]["test_accuracy"] > plain[0]["test_accuracy"]
    assert plain[0]["train_accuracy"] == augmented[0]["train_accuracy"] == 1
    assert abs(narrowed[1]) < 0.01, narrowed
    assert narrowed[2] > 0 and augmented[2]["best_epoch"] == 1 and augmented[2]["train_accuracy"] < 0.9
