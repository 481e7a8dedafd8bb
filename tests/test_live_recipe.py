"""Live checks of what lessons 8 and 9 say about tf.data, `class_weight` and augmentation layers, beyond what their
code prints (tests/output_checks.py checks that)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def epochs_of(dataset, count=2):
    return [[int(value) for value in dataset] for _ in range(count)]


def test_a_shuffle_after_cache_draws_a_new_order_every_epoch_one_before_it_is_replayed():
    """Lesson 8, step 2: "It comes after cache(): the other way round, the cache would keep the first epoch's order
    and replay it in every epoch after." """
    numbers = tf.data.Dataset.range(20)
    first, second = epochs_of(numbers.cache().shuffle(20, seed=0))
    assert sorted(first) == sorted(second) and first != second
    first, second = epochs_of(numbers.shuffle(20, seed=0).cache())
    assert first == second


def test_cache_reads_each_element_once():
    """Lesson 8, step 2: "the first epoch reads the files, the later ones do not"."""
    reads = []

    def read(number):
        reads.append(int(number))
        return number

    loaded = tf.data.Dataset.range(5).map(lambda number: tf.py_function(read, [number], tf.int64))
    epochs_of(loaded.cache(), count=3)
    assert sorted(reads) == list(range(5))
    reads.clear()
    epochs_of(loaded, count=3)
    assert len(reads) == 15  # without the cache, every epoch reads again


def _classifier():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def test_class_weight_multiplies_each_examples_loss_by_its_class_weight():
    """Lesson 8, step 3: "multiplies the loss of each image by the weight of its class", with a tf.data dataset as
    the lesson trains on: the same update as per-example weights."""
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    class_weight = {0: 8 / (2 * 6), 1: 8 / (2 * 2)}
    weighted = _classifier()
    weighted.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8), class_weight=class_weight, verbose=0)
    by_example = _classifier()
    sample_weight = np.array([class_weight[label] for label in y], dtype="float32")
    by_example.fit(tf.data.Dataset.from_tensor_slices((x, y, sample_weight)).batch(8), verbose=0)
    unweighted = _classifier()
    unweighted.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8), verbose=0)
    for a, b in zip(weighted.get_weights(), by_example.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.allclose(weighted.get_weights()[0], unweighted.get_weights()[0])


def test_augmentation_layers_inside_a_model_run_in_fit_and_not_in_evaluate():
    """Lesson 9: "fit() calls the model with training=True, so each epoch trains on new random versions, while
    evaluate() and predict() call it with training=False". With a learning rate of 0 the weights stay put, so the
    loss fit() reports differs from evaluate()'s only through the augmentation."""
    images = np.random.default_rng(0).uniform(0, 255, size=(16, 28, 28, 1)).astype("float32")
    labels = np.arange(16) % 2

    def loss_in_fit_and_in_evaluate(augmented):
        keras.utils.set_random_seed(0)
        layers = [keras.layers.RandomRotation(0.05), keras.layers.RandomZoom(0.1)] if augmented else []
        model = keras.Sequential([keras.Input((28, 28, 1)), *layers, keras.layers.Flatten(),
                                  keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
        fitted = model.fit(images, labels, batch_size=16, epochs=1, shuffle=False, verbose=0).history["loss"][0]
        evaluated = model.evaluate(images, labels, batch_size=16, verbose=0)
        assert evaluated == model.evaluate(images, labels, batch_size=16, verbose=0)
        return fitted, evaluated

    fitted, evaluated = loss_in_fit_and_in_evaluate(augmented=False)
    assert fitted == pytest.approx(evaluated, rel=1e-5)
    fitted, evaluated = loss_in_fit_and_in_evaluate(augmented=True)
    assert fitted != pytest.approx(evaluated, rel=1e-3)
