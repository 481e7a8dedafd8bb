"""Fitting and measuring: every run records test accuracy, curves, time per epoch and the train-test gap.

The one early-stopping rule of every target-task run: watch the validation loss, stop after `patience` epochs
without a lower one, keep (restore) the weights of the epoch with the lowest.
"""

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


def epoch_examples(train_size, minimum=MIN_EPOCH_EXAMPLES):
    """Examples in one epoch: the training set, repeated whole until there are at least `minimum`."""
    return train_size * math.ceil(minimum / train_size)


def fit(model, x, y, validation, epochs, patience=None, batch_size=BATCH_SIZE, min_epoch_examples=MIN_EPOCH_EXAMPLES):
    """Fit for at most `epochs` epochs; return curves, epoch times, the epoch kept and the examples seen.

    With `patience`, early stopping on the validation loss (see the module docstring); without, a fixed
    schedule whose last epoch is kept.
    """
    repeat = epoch_examples(len(x), min_epoch_examples) // len(x)
    timer = EpochTimer()
    callbacks = [timer]
    if patience:
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
        callbacks.append(stop)
    cpu_start = time.process_time()
    history = model.fit(np.concatenate([x] * repeat), np.concatenate([y] * repeat), validation_data=validation,
                        epochs=epochs, batch_size=batch_size, verbose=0, callbacks=callbacks)
    curves = {name: [round(float(value), 4) for value in values] for name, values in history.history.items()}
    epochs_run = len(timer.seconds)
    best_epoch = stop.best_epoch + 1 if patience else epochs_run
    return {"curves": curves, "epoch_seconds": timer.seconds, "best_epoch": best_epoch, "epochs_run": epochs_run,
            "examples_seen": epochs_run * len(x) * repeat, "validation_loss": curves["val_loss"][best_epoch - 1],
            "fit_cpu_seconds": round(time.process_time() - cpu_start, 2)}


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
