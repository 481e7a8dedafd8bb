"""Fitting and measuring: every run records test accuracy, curves, time per epoch and the train-test gap."""

import math
import time

import keras
import numpy as np

MIN_EPOCH_EXAMPLES = 1600  # tiny sets are repeated so an epoch is >= this many examples (fewer, cheaper epochs)
BATCH_SIZE = 32
EVAL_BATCH = 1000
LOSS = "sparse_categorical_crossentropy"


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(round(time.perf_counter() - self.start, 4))


def compile_model(model, learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=LOSS, metrics=["accuracy"])


def fit(model, x, y, validation, epochs, patience, batch_size=BATCH_SIZE, max_examples=None, warmup=0):
    """Fit with early stopping on validation accuracy (best weights restored); return curves, epoch times.

    `max_examples` caps the epochs so that large training sets see at most that many examples in all;
    no early stop during the first `warmup` epochs (a model from scratch sits at chance for a few epochs
    while its BatchNorm statistics settle).
    """
    repeat = math.ceil(MIN_EPOCH_EXAMPLES / len(x))
    if max_examples:
        epochs = min(epochs, max(2, max_examples // (len(x) * repeat)))
    timer = EpochTimer()
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=patience, restore_best_weights=True,
                                         start_from_epoch=warmup)
    history = model.fit(np.concatenate([x] * repeat), np.concatenate([y] * repeat), validation_data=validation,
                        epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer, stop])
    curves = {name: [round(float(value), 4) for value in values] for name, values in history.history.items()}
    return {"curves": curves, "epoch_seconds": timer.seconds, "best_epoch": stop.best_epoch + 1}


def accuracy(model, x, y):
    return float(model.evaluate(x, y, batch_size=EVAL_BATCH, verbose=0, return_dict=True)["accuracy"])


def measure(model, train, test):
    """Test accuracy and the train-test gap (train accuracy in inference mode, minus test accuracy)."""
    test_accuracy = accuracy(model, *test)
    train_accuracy = accuracy(model, *train)
    return {"test_accuracy": round(test_accuracy, 4), "train_accuracy": round(train_accuracy, 4),
            "gap": round(train_accuracy - test_accuracy, 4)}


def weights_moved(before, model):
    """The largest absolute change of any weight since `before` (a list of arrays)."""
    return float(max(np.max(np.abs(a - b)) for a, b in zip(before, model.get_weights())))
