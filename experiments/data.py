"""Fashion-MNIST split into a source task (classes 0-4) and a target task (classes 5-9, relabelled 0-4)."""

import math

import keras
import numpy as np

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
HALVES_SEED = 5678  # fixes, once, which half of the target classes' training images target draws come from
TRAINING_PER_VALIDATION = 4  # a reader with n training images per class keeps n/4 more (rounded up) to validate


def _load():
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    return x_train, y_train, x_test, y_test


def _select(x, y, classes):
    keep = np.isin(y, classes)
    return x[keep], (y[keep] - classes[0]).astype("int64")


def _target_halves(y_train):
    """The target classes' training images split once in two: (the pool target draws come from, the half kept
    for a source of the same classes). Neither depends on any run's seed."""
    indices = np.random.default_rng(HALVES_SEED).permutation(np.flatnonzero(np.isin(y_train, TARGET_CLASSES)))
    return np.sort(indices[::2]), np.sort(indices[1::2])


def source(classes="source"):
    """Source training and test images: ((x_train, y_train), (x_test, y_test)). "source": classes 0-4, all of
    their images. "target": the target's own classes, from the half of their training images no target draw
    uses; their test images are the target test set."""
    x_train, y_train, x_test, y_test = _load()
    if classes == "source":
        return _select(x_train, y_train, SOURCE_CLASSES), _select(x_test, y_test, SOURCE_CLASSES)
    kept = _target_halves(y_train)[1]
    return _select(x_train[kept], y_train[kept], TARGET_CLASSES), _select(x_test, y_test, TARGET_CLASSES)


def validation_per_class(n):
    """The validation images per class that go with n training images per class: never more than n."""
    return math.ceil(n / TRAINING_PER_VALIDATION)


class Target:
    """The target task: per seed, n training and validation_per_class(n) validation images of each class, drawn
    together (so disjoint) from half of the target classes' training images (3,000 per class); the 5,000 target
    test images only report."""

    def __init__(self):
        x_train, y_train, x_test, y_test = _load()
        pool = _target_halves(y_train)[0]
        self.x_pool, self.y_pool = _select(x_train[pool], y_train[pool], TARGET_CLASSES)
        self.x_test, self.y_test = _select(x_test, y_test, TARGET_CLASSES)

    def split_indices(self, per_class, seed):
        """Indices into the pool of the training and the validation images drawn with `seed`."""
        rng = np.random.default_rng(seed)
        held_out = validation_per_class(per_class)
        drawn = [rng.choice(np.flatnonzero(self.y_pool == label), per_class + held_out, replace=False)
                 for label in range(len(TARGET_CLASSES))]
        train = np.concatenate([indices[:per_class] for indices in drawn])
        rng.shuffle(train)
        return train, np.concatenate([indices[per_class:] for indices in drawn])

    def split(self, per_class, seed):
        """((x, y) training, (x, y) validation): what a reader with these labelled images would have."""
        train, validation = self.split_indices(per_class, seed)
        return (self.x_pool[train], self.y_pool[train]), (self.x_pool[validation], self.y_pool[validation])
