"""Live checks of what lessons 8 and 9 say about loading images, tf.data, `fit()`, `class_weight` and augmentation
layers, beyond what their code prints (tests/output_checks.py checks that). Like tests/test_live_claims.py, they
run on TensorFlow and on JAX (tests/jax_session.py): tf.data feeds Keras on either backend."""

import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.both_backends


def epochs_of(dataset, count=2):
    return [[int(value) for value in dataset] for _ in range(count)]


@pytest.mark.claim("shuffle-after-cache")
def test_a_shuffle_after_cache_draws_a_new_order_every_epoch_one_before_it_is_replayed(evidence):
    """Lesson 8, step 2: "It comes after cache(): the other way round, the cache would keep the first epoch's order
    and replay it in every epoch after." """
    numbers = tf.data.Dataset.range(20)
    first, second = epochs_of(numbers.cache().shuffle(20, seed=0))
    assert sorted(first) == sorted(second)
    assert evidence("cache() then shuffle(): a new order in epoch 2", first != second)
    first, second = epochs_of(numbers.shuffle(20, seed=0).cache())
    assert not evidence("shuffle() then cache(): a new order in epoch 2", first != second)


@pytest.mark.claim("cache-reads-once")
def test_cache_reads_each_element_once(evidence):
    """Lesson 8, step 2: "the first epoch reads the files, the later ones do not"."""
    reads = []

    def read(number):
        reads.append(int(number))
        return number

    loaded = tf.data.Dataset.range(5).map(lambda number: tf.py_function(read, [number], tf.int64))
    epochs_of(loaded.cache(), count=3)
    assert evidence("reads of 5 elements in 3 epochs, cached", len(reads)) == 5 and sorted(reads) == list(range(5))
    reads.clear()
    epochs_of(loaded, count=3)
    assert evidence("reads of 5 elements in 3 epochs, not cached", len(reads)) == 15  # every epoch reads again


def _classifier():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.claim("class-weight-multiplies-the-loss")
def test_class_weight_multiplies_each_examples_loss_by_its_class_weight(evidence):
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
    assert evidence("class_weight gives the update of per-example weights", all(
        np.allclose(a, b, rtol=1e-6) for a, b in zip(weighted.get_weights(), by_example.get_weights())))
    assert evidence("and not the unweighted one", not np.allclose(weighted.get_weights()[0],
                                                                  unweighted.get_weights()[0]))


@pytest.mark.claim("card-augmentation-only-in-fit", "augmentation-only-in-fit", "augmentation-inactive-in-evaluate")
def test_augmentation_layers_inside_a_model_run_in_fit_and_not_in_evaluate(evidence):
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
    assert evidence("without augmentation, fit()'s loss is evaluate()'s", fitted == pytest.approx(evaluated, rel=1e-5))
    fitted, evaluated = loss_in_fit_and_in_evaluate(augmented=True)
    assert evidence("with augmentation, fit()'s loss differs", fitted != pytest.approx(evaluated, rel=1e-3))


def augmentation_images(count=16):
    return np.random.default_rng(0).uniform(0, 255, size=(count, 28, 28, 1)).astype("float32")


@pytest.mark.claim("augmentation-draws-on-each-call", "augmentation-training-argument", "random-flip-mirrors")
def test_each_augmentation_layer_changes_the_images_anew_in_training_and_passes_them_through_otherwise(evidence):
    """Lesson 9: "Each layer draws new random numbers every time it is called with training=True"; "with
    training=False they pass them through unchanged"; RandomFlip("horizontal") "mirrors an image left to right"."""
    keras.utils.set_random_seed(0)
    images = augmentation_images()
    for layer in (keras.layers.RandomTranslation(0.1, 0.1), keras.layers.RandomRotation(0.05),
                  keras.layers.RandomZoom(0.1), keras.layers.RandomFlip("horizontal")):
        first, second, passed = (keras.ops.convert_to_numpy(layer(images, training=training))
                                 for training in (True, True, False))
        found = evidence(layer.__class__.__name__, {"training=True changes the images": not np.allclose(first, images),
                                                    "a second call draws anew": not np.allclose(first, second),
                                                    "training=False changes nothing": np.array_equal(passed, images)})
        assert list(found.values()) == [True, True, True]
    mirrored = [np.array_equal(out, image[:, ::-1]) for image, out in zip(images, first)]
    unchanged = [np.array_equal(out, image) for image, out in zip(images, first)]
    assert evidence("RandomFlip: images mirrored left to right, or left as they are",
                    f"{sum(mirrored)} mirrored, {sum(unchanged)} as they are, of {len(images)}") \
        == f"{sum(mirrored)} mirrored, {len(images) - sum(mirrored)} as they are, of {len(images)}"
    assert 0 < sum(mirrored) < len(images)


@pytest.mark.claim("saved-model-keeps-augmentation")
def test_a_saved_model_keeps_its_augmentation_layers_inactive_when_it_predicts(tmp_path, evidence):
    keras.utils.set_random_seed(0)
    images = augmentation_images()
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.RandomRotation(0.05), keras.layers.RandomZoom(0.1),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert evidence("layers of the reloaded model", [layer.__class__.__name__ for layer in reloaded.layers]) == \
        ["RandomRotation", "RandomZoom", "Flatten", "Dense"]
    kernel, bias = reloaded.layers[-1].get_weights()
    unaugmented = images.reshape(len(images), -1) @ kernel + bias
    assert evidence("predict() is the model without augmentation", bool(np.allclose(
        reloaded.predict(images, verbose=0), unaugmented, rtol=1e-4, atol=1e-2)))


@pytest.mark.claim("augmentation-on-in-a-plain-call")
def test_a_model_called_without_training_false_augments_the_images(tmp_path, evidence):
    """Lesson 9: "`model(images)`, with no `training` argument, does change the images", and so does the same call of
    a reloaded model; `training=False` and `predict()` leave them as they are. The model is built as lesson 9's is:
    a functional model with the augmentation layers in a Sequential of their own."""
    keras.utils.set_random_seed(0)
    images = augmentation_images()
    inputs = keras.Input((28, 28, 1))
    augment = keras.Sequential([keras.layers.RandomTranslation(0.1, 0.1), keras.layers.RandomRotation(0.05),
                                keras.layers.RandomZoom(0.1)], name="augment")
    model = keras.Model(inputs, augment(inputs))
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")

    def changes(outputs):
        return not np.allclose(keras.ops.convert_to_numpy(outputs), images)

    assert evidence("model(images) changes the images", changes(model(images)))
    assert evidence("the reloaded model's model(images) too", changes(reloaded(images)))
    assert not evidence("model(images, training=False) changes them", changes(model(images, training=False)))
    assert not evidence("model.predict(images) changes them", changes(model.predict(images, verbose=0)))


def image_folder(root):
    """Two classes, in four formats, sizes and colour modes. dog/bands.png: black, grey and white bands side by side,
    60 × 20 pixels, grey."""
    bands = np.repeat(np.array([0, 128, 255], "uint8"), 20)[None, :, None].repeat(20, axis=0)
    colour = np.random.default_rng(0).integers(0, 256, (30, 50, 3), dtype="uint8")
    for name, image in {"dog/bands.png": bands, "dog/photo.bmp": colour, "cat/photo.jpg": colour,
                        "cat/small.gif": colour[:10, :10]}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        keras.utils.save_img(root / name, image, scale=False)
    return root


@pytest.mark.claim("image-folder-any-format-and-size", "image-folder-labels-and-size",
                   "batch-size-none-one-by-one")
def test_image_dataset_from_directory_labels_by_folder_and_stretches_every_image_to_rgb_of_one_size(tmp_path, evidence):
    root = image_folder(tmp_path / "my_images")

    def load(**options):
        dataset = keras.utils.image_dataset_from_directory(root, image_size=(96, 96), batch_size=None, shuffle=False,
                                                           **options)
        return dataset, {path.split("/")[-2] + "/" + path.split("/")[-1]: (image.numpy(), int(label))
                         for path, (image, label) in zip(dataset.file_paths, dataset)}

    dataset, images = load()
    assert evidence("class_names", dataset.class_names) == ["cat", "dog"]
    assert evidence("files read", sorted(images)) == ["cat/photo.jpg", "cat/small.gif", "dog/bands.png",
                                                      "dog/photo.bmp"]
    assert evidence("labels", {name: label for name, (_, label) in images.items()}) == \
        {name: dataset.class_names.index(name.split("/")[0]) for name in images}
    assert evidence("image shapes, one by one (batch_size=None)", sorted({image.shape for image, _ in
                                                                          images.values()})) == [(96, 96, 3)]
    bands = images["dog/bands.png"][0]
    assert evidence("the grey image's three channels are equal", bool(np.array_equal(bands[..., 0], bands[..., 2])))
    # stretched: the three bands side by side, 32 columns each; cropped: the middle 20 × 20, all grey
    assert evidence("stretched: left, middle and right columns", [round(float(bands[:, column, 0].mean()))
                                                                   for column in (0, 48, 95)]) == [0, 128, 255]
    cropped = load(crop_to_aspect_ratio=True)[1]["dog/bands.png"][0]
    assert evidence("crop_to_aspect_ratio=True: left, middle and right columns", [
        round(float(cropped[:, column, 0].mean())) for column in (0, 48, 95)]) == [128, 128, 128]


@pytest.mark.claim("test-folder-takes-the-training-classes")
def test_class_names_label_a_second_folder_as_the_first_and_a_missing_class_stops_it(tmp_path, evidence):
    """Lesson 8, step 1: with `class_names`, a folder's labels follow that list; a class without a sub-folder
    raises, a sub-folder not in the list is left out. Without it, a folder that lacks a class numbers the rest
    differently."""
    for name in ("ankle_boot/0.png", "bag/0.png", "sandal/0.png", "sneaker/0.png", "trousers/0.png"):
        (tmp_path / "test" / name).parent.mkdir(parents=True, exist_ok=True)
        keras.utils.save_img(tmp_path / "test" / name, np.zeros((8, 8, 3), "uint8"), scale=False)

    def labels(folder, **options):
        dataset = keras.utils.image_dataset_from_directory(tmp_path / folder, image_size=(8, 8), batch_size=None,
                                                           shuffle=False, **options)
        return {path.split("/")[-2]: int(label) for path, (_, label) in zip(dataset.file_paths, dataset)}

    classes = ["ankle_boot", "bag", "sandal", "sneaker"]
    assert evidence("labels with the training class_names, an extra sub-folder present",
                    labels("test", class_names=classes)) == {name: index for index, name in enumerate(classes)}
    (tmp_path / "test" / "bag" / "0.png").unlink()
    (tmp_path / "test" / "bag").rmdir()
    with pytest.raises(ValueError, match="class_names"):
        labels("test", class_names=classes)
    evidence("a class without a sub-folder", "ValueError")
    assert evidence("labels without class_names, bag missing", labels("test"))["sandal"] != classes.index("sandal")


@pytest.mark.claim("fit-warns-about-shuffle")
def test_fit_on_a_dataset_warns_that_shuffle_is_ignored_though_none_was_passed(evidence):
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((4, 3), "float32"), np.zeros(4, "int64"))).batch(2)
    warned = {}
    for call, options in (("fit(dataset)", {}), ("fit(dataset, shuffle=False)", {"shuffle": False})):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _classifier().fit(dataset, verbose=0, **options)
        warned[call] = evidence(f"{call} warns", [str(warning.message).split(" since")[0] for warning in caught
                                                  if "shuffle" in str(warning.message)])
    assert warned == {"fit(dataset)": ["`shuffle=True` was passed, but will be ignored"],
                      "fit(dataset, shuffle=False)": []}


@pytest.mark.claim("adam-default-rate", "fit-returns-a-history", "initial-epoch-numbering")
def test_fit_returns_every_epochs_metrics_and_initial_epoch_continues_the_count(evidence):
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.arange(8) % 2
    assert evidence("Adam's default learning rate", round(float(keras.optimizers.Adam().learning_rate), 6)) == 1e-3
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0)
    assert evidence("history keys", sorted(history.history)) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert evidence("values per key, 3 epochs", sorted({len(values) for values in history.history.values()})) == [3]
    more = model.fit(x, y, validation_data=(x, y), initial_epoch=3, epochs=6, verbose=0)
    assert evidence("epochs run by initial_epoch=3, epochs=6, numbered from 1", [epoch + 1 for epoch in more.epoch]) \
        == [4, 5, 6]


@pytest.mark.claim("rescaling-is-preprocess-input")
def test_the_rescaling_layer_does_what_mobilenet_v2_preprocess_input_does(evidence):
    pixels = np.arange(256, dtype="float32").reshape(1, 16, 16, 1)
    rescaled = keras.ops.convert_to_numpy(keras.layers.Rescaling(1 / 127.5, offset=-1)(pixels))
    preprocessed = keras.ops.convert_to_numpy(keras.applications.mobilenet_v2.preprocess_input(pixels.copy()))
    assert evidence("the same values", bool(np.allclose(rescaled, preprocessed, atol=1e-6)))
    assert evidence("range", [round(float(rescaled.min()), 4), round(float(rescaled.max()), 4)]) == [-1, 1]


@pytest.mark.claim("include-top-false")
def test_include_top_false_drops_mobilenet_v2s_imagenet_classifier(evidence):
    """No download: the architecture alone (weights=None) shows what `include_top` keeps."""
    shapes = {}
    for include_top in (True, False):
        model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=include_top,
                                               weights=None)
        shapes[include_top] = (model.layers[-1].name, list(model.output.shape[1:]))
    assert evidence("include_top=True: last layer, output shape", shapes[True]) == ("predictions", [1000])
    name, shape = evidence("include_top=False: last layer, output shape", shapes[False])
    assert name != "predictions" and len(shape) == 3  # a grid of features per image
