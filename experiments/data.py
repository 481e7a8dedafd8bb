"""Fashion-MNIST split into a source task (classes 0-4) and a target task (classes 5-9, relabelled 0-4)."""

import keras
import numpy as np

SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
VALIDATION_PER_CLASS = 50
VALIDATION_SEED = 1234  # one validation set for every run, so runs compare on the same images


def _load():
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    return x_train, y_train, x_test, y_test


def _select(x, y, classes):
    keep = np.isin(y, classes)
    return x[keep], (y[keep] - classes[0]).astype("int64")


def source():
    """All source training and test images: ((x_train, y_train), (x_test, y_test))."""
    x_train, y_train, x_test, y_test = _load()
    return _select(x_train, y_train, SOURCE_CLASSES), _select(x_test, y_test, SOURCE_CLASSES)


class Target:
    """The target task: a fixed validation set from the train images, n-per-class training draws from the rest."""

    def __init__(self):
        x_train, y_train, x_test, y_test = _load()
        self.x_pool, self.y_pool = _select(x_train, y_train, TARGET_CLASSES)
        self.x_test, self.y_test = _select(x_test, y_test, TARGET_CLASSES)
        rng = np.random.default_rng(VALIDATION_SEED)
        validation = np.concatenate([rng.choice(np.flatnonzero(self.y_pool == label), VALIDATION_PER_CLASS,
                                                replace=False) for label in range(len(TARGET_CLASSES))])
        self.x_val, self.y_val = self.x_pool[validation], self.y_pool[validation]
        self.available = np.setdiff1d(np.arange(len(self.y_pool)), validation)

    def train(self, per_class, seed):
        """`per_class` examples of each class, drawn with `seed` from the images not in validation."""
        rng = np.random.default_rng(seed)
        labels = self.y_pool[self.available]
        chosen = np.concatenate([rng.choice(self.available[labels == label], per_class, replace=False)
                                 for label in range(len(TARGET_CLASSES))])
        rng.shuffle(chosen)
        return self.x_pool[chosen], self.y_pool[chosen]
