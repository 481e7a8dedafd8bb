"""Live checks of the claims that are about Keras's behaviour, not about accuracy (C3, C6, C7).

They train the site's base architecture on a few random images for a few steps: seconds, not minutes.
"""

import logging
import time
import warnings
from contextlib import contextmanager

import keras
import numpy as np
import pytest

from experiments import models

IMAGES = np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype="uint8")
LABELS = np.arange(64) % 5


def classifier(bn_inference=True):
    keras.utils.set_random_seed(0)
    base = models.build_base()
    return base, models.build_classifier(base, bn_inference=bn_inference)


def compile_and(model, learning_rate=1e-2):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    return model


def fit(model, epochs=1, images=IMAGES, labels=LABELS, callbacks=()):
    model.fit(images, labels, epochs=epochs, batch_size=16, verbose=0, callbacks=list(callbacks))


def moved(before, after):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def no_warning_and_no_log():
    """Fail if the block emits any Python warning or any log record at WARNING or above."""
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("", "tensorflow", "keras", "absl")]
    for logger in loggers:
        logger.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for logger in loggers:
        logger.removeHandler(handler)
    assert not [str(warning.message) for warning in caught]
    assert not [record.getMessage() for record in handler.records if record.levelno >= logging.WARNING]


# C6: in Keras 3 a change of `trainable` after fit takes effect only after compile() again.

def test_unfreezing_after_fit_without_compile_leaves_the_base_untouched():
    base, model = classifier()
    base.trainable = False
    fit(compile_and(model))
    with no_warning_and_no_log():
        base.trainable = True
        before = base.get_weights()
        fit(model)
    assert moved(before, base.get_weights()) == 0
    compile_and(model)
    fit(model)
    assert moved(before, base.get_weights()) > 0


def test_freezing_after_fit_without_compile_still_trains_the_base():
    base, model = classifier()
    fit(compile_and(model))
    with no_warning_and_no_log():
        base.trainable = False
        before = base.get_weights()
        fit(model)
    assert moved(before, base.get_weights()) > 0
    compile_and(model)
    before = base.get_weights()
    fit(model)
    assert moved(before, base.get_weights()) == 0


def test_freezing_after_compile_before_the_first_fit_takes_effect():
    base, model = classifier()
    compile_and(model)
    with no_warning_and_no_log():
        base.trainable = False
        before = base.get_weights()
        fit(model)
    assert moved(before, base.get_weights()) == 0


# C7: what keeps BatchNormalization in inference mode while the base is unfrozen (Keras 3.15 functional API).

def batchnorm_moved(bn_inference, freeze_batchnorm):
    base, model = classifier(bn_inference=bn_inference)
    models.set_trainable_blocks(base, models.BLOCKS, freeze_batchnorm=freeze_batchnorm)
    before = models.batchnorm_statistics(base)
    fit(compile_and(model, 1e-3))
    return moved(before, models.batchnorm_statistics(base))


def test_plain_call_runs_trainable_batchnorm_in_training_mode():
    assert batchnorm_moved(bn_inference=False, freeze_batchnorm=False) > 0


def test_training_false_in_a_functional_model_does_not_stop_trainable_batchnorm():
    """The Keras guides' `base(x, training=False)`: in Keras 3.15 fit's training=True overrides it."""
    assert batchnorm_moved(bn_inference=True, freeze_batchnorm=False) > 0


@pytest.mark.claim("frozen-batchnorm-keeps-statistics")
def test_frozen_batchnorm_layers_stay_in_inference_mode_while_the_base_trains(evidence):
    base, model = classifier()
    models.set_trainable_blocks(base, models.BLOCKS, freeze_batchnorm=True)
    statistics, convolutions = models.batchnorm_statistics(base), base.get_layer("block1_conv").get_weights()
    fit(compile_and(model, 1e-3))
    assert evidence("largest change of a moving statistic", moved(statistics, models.batchnorm_statistics(base))) == 0
    assert evidence("convolution kernel changed", moved(convolutions, base.get_layer("block1_conv").get_weights()) > 0)


# C3: freezing layers reduces training time (fewer gradients to compute and apply).

def test_a_frozen_base_trains_faster_per_epoch():
    images, labels = np.concatenate([IMAGES] * 8), np.concatenate([LABELS] * 8)
    models_by_trainable = {}
    for trainable_base in (False, True):
        base, model = classifier()
        base.trainable = trainable_base
        fit(compile_and(model, 1e-3), images=images, labels=labels)  # the first epoch traces the training step
        models_by_trainable[trainable_base] = model
    seconds = {False: [], True: []}
    for _ in range(3):  # interleaved, so a load spike elsewhere slows both alike
        for trainable_base, model in models_by_trainable.items():
            start = time.perf_counter()
            fit(model, images=images, labels=labels)
            seconds[trainable_base].append(time.perf_counter() - start)
    frozen, unfrozen = models_by_trainable[False], models_by_trainable[True]
    assert len(frozen.trainable_weights) == 2  # only the head's kernel and bias get gradients
    assert len(unfrozen.trainable_weights) > len(frozen.trainable_weights)
    assert min(seconds[True]) > 1.3 * min(seconds[False]), seconds


# Lesson 4: clone the pretrained model before freezing it.
def test_a_clone_of_a_frozen_model_comes_out_frozen_and_stays_so():
    base = models.build_base()
    unfrozen_clone = keras.models.clone_model(base)
    assert unfrozen_clone.trainable_weights
    base.trainable = False
    frozen_clone = keras.models.clone_model(base)
    frozen_clone.trainable = True  # does not reach the cloned layers
    assert not frozen_clone.trainable_weights
