"""What each figure shows: the experiment it is drawn from, its points (named tuples computed from the results
with the contract's statistics, one per row of the table under it), the table's columns, its size, alt text
and caption. `experiments.figures` draws the points; the site (`sitebuild.results`) prints the same points as
the figure's table. Standard library only, like the contract.
"""

from typing import Callable, NamedTuple

from experiments.contract import load, paired_difference, select, summary

WIDTH = 5.0  # inches: the SVG is WIDTH × 72 pt, shown at most WIDTH × 96 CSS px wide (legible on a phone)
PALETTES = ("light", "dark")  # Material's names: a page shows `<image>#only-light` or `#only-dark`


def svg_name(name, palette):
    """The file of figure `name` in `palette`, under docs/figures/: data_size.svg, data_size-dark.svg."""
    return f"{name}.svg" if palette == "light" else f"{name}-{palette}.svg"


class Column(NamedTuple):
    heading: str
    field: str  # the point's field it prints
    metric: str | None = None  # the metric whose format its numbers take; None: a setting or a label


class Figure(NamedTuple):
    experiment: str
    points: Callable[[dict], list]  # the results document -> the points drawn, one per row of the table
    columns: tuple
    height: float  # inches
    alt: str
    caption: str  # "{sizes}" stands for the experiment's training-set sizes


# The points of each kind of figure (a summary is a dict: mean, std, min, max, count, values over seeds).

class SizePoint(NamedTuple):
    method: str
    n: int
    value: dict


class RatePoint(NamedTuple):
    n: int
    learning_rate: float
    accuracy: dict


class BlocksPoint(NamedTuple):
    blocks: int
    accuracy: dict
    gap: dict


class BlocksTime(NamedTuple):
    blocks: int
    seconds: dict


class RecompileVariant(NamedTuple):
    method: str
    weights_moved: dict
    accuracy: dict


class BatchNormPoint(NamedTuple):
    method: str
    n: int
    accuracy: dict
    statistics_moved: dict


class SourcePoint(NamedTuple):
    base: str
    method: str
    n: int
    accuracy: dict
    versus_scratch: dict | None  # pretrained minus scratch, seed by seed (None for scratch itself)


class AugmentationPoint(NamedTuple):
    method: str
    n: int
    accuracy: dict
    gap: dict


class Epoch(NamedTuple):
    epoch: int  # on the figure's axis: fine-tuning epoch k is drawn at (the head's best epoch) + k
    phase: str
    train_accuracy: float
    validation_accuracy: float


HEAD, HEAD_DISCARDED, FINE_TUNING = ("head (base frozen)", "head, after its best epoch (not kept)",
                                     "fine-tuning (from the head's best epoch)")
DATA_SIZE_METHODS = ("feature_extraction", "fine_tuning", "scratch")
PRETRAINED_METHODS = ("fine_tuning", "feature_extraction")
AUGMENTATION_METHODS = ("fine_tuning", "fine_tuning_augmented", "scratch", "scratch_augmented")
BN_METHODS = ("bn_training", "bn_training_false", "bn_frozen")
RECOMPILE_METHODS = ("no_recompile", "recompile", "freeze_before_first_fit")

# How a method reads in figure legends and in the tables under them.
METHOD_LABELS = {"feature_extraction": "feature extraction (frozen base)",
                 "fine_tuning": "fine-tuning (top block, LR by validation)", "scratch": "from scratch",
                 "bn_training": "base(x), BatchNorm trainable",
                 "bn_training_false": "base(x, training=False), BatchNorm trainable",
                 "bn_frozen": "BatchNorm layers frozen", "no_recompile": "unfreeze, no compile()",
                 "recompile": "unfreeze, compile()", "freeze_before_first_fit": "freeze after compile(), before fit",
                 "fine_tuning_augmented": "fine-tuning, augmented", "scratch_augmented": "from scratch, augmented",
                 "<method>_augmented": "each method, augmented"}  # how the run's settings describe them at once
# What each base of the pretraining_source experiment was pretrained on, as legends and tables say it.
BASE_LABELS = {"none": "none (from scratch)", "all_images": "the lessons' base: clothes (27,000 images)",
               "target_classes": "the new classes' own images (12,000 others)",
               "500_images": "clothes, 500 images", "target_classes_500_images": "the new classes, 500 other images",
               "shuffled_labels": "clothes with shuffled labels"}


def _sizes(data, **where):
    return sorted({run["n"] for run in select(data, **where)})


def _by_method_and_size(metric, methods):
    return lambda data: [SizePoint(method, n, summary(data, metric, method=method, n=n))
                         for method in methods for n in _sizes(data, method=method)]


def _learning_rates(data):
    return [RatePoint(n, rate, summary(data, n=n, learning_rate=rate)) for n in _sizes(data)
            for rate in sorted({run["learning_rate"] for run in select(data, n=n)})]


def _blocks(data):
    return [BlocksPoint(count, summary(data, blocks=count), summary(data, "gap", blocks=count))
            for count in sorted({run["blocks"] for run in data["runs"]})]


def _timing(data):
    return [BlocksTime(count, summary(data, "epoch_seconds", blocks=count))
            for count in sorted({run["blocks"] for run in data["runs"]})]


def _recompile(data):
    return [RecompileVariant(method, summary(data, "base_weights_moved", method=method),
                             summary(data, method=method)) for method in RECOMPILE_METHODS]


def _batchnorm(data):
    return [BatchNormPoint(method, n, summary(data, method=method, n=n),
                           summary(data, "bn_statistics_moved", method=method, n=n))
            for method in BN_METHODS for n in _sizes(data, method=method)]


def _two_phase(data, n=100, seed=0):
    """One fine-tuning run's epochs: its head phase's, then fine-tuning's, which restarted from the head phase's
    best epoch (early stopping restored those weights), so they branch off there."""
    tuned = select(data, method="fine_tuning", n=n, seed=seed)[0]
    best, head = tuned["head_best_epoch"], tuned["head_curves"]
    points = [Epoch(epoch, HEAD if epoch <= best else HEAD_DISCARDED, train, validation)
              for epoch, (train, validation) in enumerate(zip(head["accuracy"], head["val_accuracy"]), start=1)]
    return points + [Epoch(best + epoch, FINE_TUNING, train, validation)
                     for epoch, (train, validation) in enumerate(zip(tuned["curves"]["accuracy"],
                                                                      tuned["curves"]["val_accuracy"]), start=1)]


def _sources(data):
    """Per base and size: each pretrained method's accuracy and its lead over scratch (seed by seed); scratch."""
    points = [SourcePoint("none", "scratch", n, summary(data, method="scratch", n=n), None)
              for n in _sizes(data, method="scratch")]
    for base in data["settings"]["bases"]:
        for method in PRETRAINED_METHODS:
            for n in _sizes(data, method=method, base=base):
                where = {"method": method, "base": base, "n": n}
                points.append(SourcePoint(base, method, n, summary(data, **where),
                                          paired_difference(data, "test_accuracy", where,
                                                            {"method": "scratch", "n": n})))
    return points


def _augmentation(data):
    return [AugmentationPoint(method, n, summary(data, method=method, n=n), summary(data, "gap", method=method, n=n))
            for method in AUGMENTATION_METHODS for n in _sizes(data, method=method)]


FIGURES = {
    "data_size": Figure(
        "data_size", _by_method_and_size("test_accuracy", DATA_SIZE_METHODS),
        (Column("method", "method"), Column("examples per class", "n"),
         Column("test accuracy", "value", "test_accuracy")), 4.4,
        alt="Line chart of test accuracy against training examples per class, on a logarithmic axis, for "
            "feature extraction, fine-tuning and training from scratch.",
        caption="Test accuracy on the 5,000 target test images against training examples per class "
                "(logarithmic axis); points are means over seeds, bars one standard deviation."),
    "gap": Figure(
        "data_size", _by_method_and_size("gap", DATA_SIZE_METHODS),
        (Column("method", "method"), Column("examples per class", "n"), Column("train-test gap", "value", "gap")),
        4.4,
        alt="Line chart of the train-test accuracy gap against training examples per class, on a logarithmic "
            "axis, for a frozen base (feature extraction), fine-tuning and training from scratch.",
        caption="Train accuracy minus test accuracy: how much each method overfits its training examples."),
    "pretraining_source": Figure(
        "pretraining_source", _sources,
        (Column("base", "base"), Column("method", "method"), Column("per class", "n"),
         Column("test accuracy", "accuracy", "test_accuracy"),
         Column("gain over scratch", "versus_scratch", "gap")), 4.8,  # a difference: points, not %
        alt="Chart of how many points of test accuracy a pretrained start gained over training from scratch, "
            "seed by seed, against training examples per class on a logarithmic axis: fine-tuning and feature "
            "extraction, for each base; above the zero line the pretrained start won.",
        caption="When a pretrained start pays: test accuracy of each pretrained start minus that of the same "
                "network trained from scratch on the same images, seed by seed (points: mean; whiskers: one "
                "standard deviation of the differences); above zero, the pretrained start won."),
    "augmentation": Figure(
        "augmentation", _augmentation,
        (Column("method", "method"), Column("examples per class", "n"),
         Column("test accuracy", "accuracy", "test_accuracy"), Column("train-test gap", "gap", "gap")), 6.0,
        alt="Two grouped bar charts, fine-tuning and training from scratch, each without and with the "
            "augmentation layers: test accuracy above, the train-test gap below.",
        caption="Fine-tuning and training from scratch with {sizes} examples per class, without and with the "
                "augmentation layers of this lesson. Above: test accuracy; below: train accuracy minus test "
                "accuracy. Means over seeds, whiskers one standard deviation."),
    "timing": Figure(
        "blocks", _timing, (Column("blocks unfrozen", "blocks"),
                            Column("seconds per epoch", "seconds", "epoch_seconds")), 3.4,
        alt="Bar chart of seconds per training epoch with 0, 1, 2 and 3 blocks of the base unfrozen.",
        caption="Wall time per epoch (the fastest of each run's epochs after the first) with {sizes} "
                "examples per class, batches of 32."),
    "lr_sweep": Figure(
        "lr_sweep", _learning_rates, (Column("examples per class", "n"), Column("learning rate", "learning_rate"),
                                      Column("test accuracy", "accuracy", "test_accuracy")), 4.0,
        alt="Line chart of test accuracy after fine-tuning the top block against the learning rate of "
            "the fine-tuning phase, on a logarithmic axis, one line per training-set size.",
        caption="Fine-tuning the top block at learning rates from 1e-5 to 1e-1, after the same trained head."),
    "two_phase": Figure(
        "data_size", _two_phase, (Column("epoch", "epoch"), Column("phase", "phase"),
                                  Column("train accuracy", "train_accuracy", "train_accuracy"),
                                  Column("validation accuracy", "validation_accuracy", "validation_accuracy")),
        4.2,
        alt="Learning curves of train and validation accuracy per epoch: the head with the base frozen, then "
            "fine-tuning, which branches off at the head's best epoch; the head's later epochs are dotted.",
        caption="One run (100 examples per class, seed 0): the head is trained first; early stopping keeps its "
                "best epoch, and from there the top block is unfrozen, the model recompiled (learning rate "
                "chosen on validation images) and trained on."),
    "recompile": Figure(
        "recompile", _recompile, (Column("variant", "method"),
                                  Column("largest change of any base weight", "weights_moved", "base_weights_moved"),
                                  Column("test accuracy", "accuracy", "test_accuracy")), 3.6,
        alt="Bar chart of the largest change of any base weight during the fit, mean over seeds: zero without "
            "recompiling after unfreezing and when frozen before the first fit, non-zero after compile().",
        caption="Unfreezing the base after fit: without compile() its weights do not change. Bars: the largest "
                "absolute change of any base weight during the fit, mean over seeds (whiskers: one standard "
                "deviation)."),
    "bn_modes": Figure(
        "bn_modes", _batchnorm, (Column("BatchNorm", "method"), Column("examples per class", "n"),
                                 Column("test accuracy", "accuracy", "test_accuracy"),
                                 Column("largest change of a moving statistic", "statistics_moved",
                                        "bn_statistics_moved")), 5.6,
        alt="Two grouped bar charts with the whole base unfrozen, for BatchNorm layers trainable under a plain "
            "base(x), trainable under base(x, training=False), and frozen: above, how far the moving "
            "statistics moved (the same for both trainable variants, zero when frozen); below, test accuracy.",
        caption="The whole base unfrozen, BatchNorm layers left trainable (plain call, or training=False) or "
                "frozen. Above: the largest absolute change of any moving mean or variance during the fit "
                "(0: none changed); below: test accuracy. Means over seeds, whiskers one standard deviation."),
    "blocks": Figure(
        "blocks", _blocks, (Column("blocks unfrozen", "blocks"), Column("test accuracy", "accuracy", "test_accuracy"),
                            Column("train-test gap", "gap", "gap")), 5.2,
        alt="Two charts against the number of top blocks unfrozen, each on its own scale: test accuracy in "
            "percent above, the train-test gap in points below.",
        caption="Fine-tuning with the top 0 to 3 blocks unfrozen (0: the base stays frozen); means over seeds, "
                "whiskers one standard deviation."),
}


def figure_points(name, results=None):
    """The points of figure `name`, computed from the committed (or the given folder's) results."""
    spec = FIGURES[name]
    return spec.points(load(spec.experiment, results))
