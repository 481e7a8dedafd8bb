"""Live checks of the claims that are about Keras's behaviour, not about accuracy (C3, C6, C7), and of the
sentences in the lessons that say how Keras behaves.

They train the site's base architecture on a few random images for a few steps: seconds, not minutes. Every one
runs on TensorFlow and on JAX (tests/jax_session.py); where the backends behave differently, a check states what
each one does, as the lessons do.
"""

import logging
import re
import time
import warnings
from contextlib import contextmanager

import keras
import numpy as np
import pytest

from experiments import models
from sitebuild import data
from sitebuild.pages import Block

pytestmark = pytest.mark.both_backends
BACKEND = keras.backend.backend()

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


# C6: in Keras 3 a change of `trainable` after fit takes effect only after compile() again. On TensorFlow, fit()
# silently runs the training step it built before; on JAX, it raises: the optimizer was built for the old weights.

def fit_after_a_change_of_trainable(model, evidence):
    """fit() with no compile() since `trainable` changed: nothing warns or logs first. On JAX it raises, and leaves
    the model without its weights (fit() takes them out of the model while it trains): lesson 5 puts them back."""
    values = [variable.numpy() for variable in model.variables]  # the weights, and Dropout's random state
    with no_warning_and_no_log():
        if BACKEND == "jax":
            with pytest.raises(ValueError, match="whereas the optimizer was built with") as raised:
                fit(model)
            evidence("fit() raised", str(raised.value).split(". ")[-1])
        else:
            fit(model)
            evidence("fit() raised", None)
    if BACKEND == "jax":
        with pytest.raises(TypeError):
            model.get_weights()
        evidence("the model's weights readable after the failed fit()", False)
        for variable, value in zip(model.variables, values):
            variable.assign(value)


@pytest.mark.claim("fit-without-compile-by-backend")
def test_unfreezing_after_fit_without_compile_leaves_the_base_untouched(evidence):
    base, model = classifier()
    base.trainable = False
    fit(compile_and(model))
    before = base.get_weights()
    base.trainable = True
    fit_after_a_change_of_trainable(model, evidence)
    assert evidence("largest change of a base weight, unfrozen without compile()", moved(before, base.get_weights())) \
        == 0
    compile_and(model)
    fit(model)
    assert evidence("base trained after compile()", moved(before, base.get_weights()) > 0)


@pytest.mark.claim("fit-without-compile-by-backend")
def test_freezing_after_fit_without_compile_trains_the_base_on_tensorflow_and_raises_on_jax(evidence):
    base, model = classifier()
    fit(compile_and(model))
    before = base.get_weights()
    base.trainable = False
    fit_after_a_change_of_trainable(model, evidence)
    trained = evidence("base trained while frozen without compile()", moved(before, base.get_weights()) > 0)
    assert trained == (BACKEND == "tensorflow")
    compile_and(model)
    before = base.get_weights()
    fit(model)
    assert moved(before, base.get_weights()) == 0


def test_freezing_after_compile_before_the_first_fit_takes_effect():
    base, model = classifier()
    compile_and(model)
    before = base.get_weights()
    with no_warning_and_no_log():
        base.trainable = False
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


# Lesson 4: clone the pretrained model before freezing it (the same cause as lesson 3's flag rule).
def test_a_clone_of_a_frozen_model_comes_out_frozen_and_its_own_flag_unfreezes_it_on_jax_only():
    base = models.build_base()
    unfrozen_clone = keras.models.clone_model(base)
    assert unfrozen_clone.trainable_weights
    base.trainable = False
    frozen_clone = keras.models.clone_model(base)
    assert frozen_clone.trainable and not frozen_clone.trainable_weights
    frozen_clone.trainable = True  # TensorFlow: reaches none of the cloned layers; JAX: every one
    unfrozen = [layer.trainable for layer in frozen_clone.layers if layer.weights]
    assert (all(unfrozen), any(unfrozen)) == ((True, True) if BACKEND == "jax" else (False, False))
    assert bool(frozen_clone.trainable_weights) == (BACKEND == "jax")



def summary_text(model, **options):
    lines = []
    model.summary(show_trainable=True, print_fn=lambda text, **_: lines.append(text), **options)
    return "\n".join(lines)


def trainable_mark(summary, layer_name):
    """The Y, N or - a `summary(show_trainable=True)` shows in the row of `layer_name`."""
    return re.search(rf"^│\s*(?:└ )?{layer_name} .*│\s+([YN-])\s+│$", summary, re.MULTILINE)[1]


# Lesson 1: unfreezing one layer of a frozen base.
def test_a_layer_unfrozen_inside_a_frozen_base_is_trained_though_the_base_lists_no_trainable_weights():
    base, model = classifier()
    base.trainable = False
    unfrozen = base.get_layer("block3_conv")
    unfrozen.trainable = True
    assert base.trainable_weights == []
    assert unfrozen.kernel.path in [weight.path for weight in model.trainable_weights]
    assert trainable_mark(summary_text(model), "fashion_base") == "N"  # "marks the base's row as not trainable"
    kernel, below = unfrozen.kernel.numpy(), base.get_layer("block2_conv").get_weights()
    fit(compile_and(model))
    assert moved([kernel], [unfrozen.kernel.numpy()]) > 0
    assert moved(below, base.get_layer("block2_conv").get_weights()) == 0


# Lesson 3: on TensorFlow, a model passes `trainable` down to its layers only when its own flag changes (Keras's
# TensorFlow layer skips an assignment of the value an attribute holds); on JAX, every assignment reaches them.
@pytest.mark.claim("same-flag-by-backend")
def test_setting_the_flag_a_model_already_has_reaches_no_inner_layer_on_tensorflow_and_every_one_on_jax(
        evidence, monkeypatch):
    from keras.src.layers.layer import Layer

    base, model = classifier()
    for layer in base.layers:
        layer.trainable = False
    assert base.trainable  # every layer frozen one by one, the base's own flag still True
    setter_ran = []
    setter = Layer.trainable.fset
    monkeypatch.setattr(Layer, "trainable", Layer.trainable.setter(
        lambda layer, value: setter_ran.append(layer) or setter(layer, value)))
    base.trainable = True
    assert evidence("trainable's setter ran", base in setter_ran) == (BACKEND == "jax")
    unfrozen = evidence("inner layers unfrozen", sum(layer.trainable for layer in base.layers))
    trainable = evidence("weight tensors to train", len(model.trainable_weights))
    if BACKEND == "tensorflow":
        assert unfrozen == 0 and base.trainable_weights == []
        assert trainable == 2  # the head's kernel and bias
    else:
        assert unfrozen == len(base.layers)
        assert trainable == 2 + 9  # and the base's 3 kernels, 3 gammas and 3 betas


def test_a_change_of_the_models_flag_reaches_every_inner_layer_and_setting_each_layer_always_works():
    base, model = classifier()
    base.get_layer("block1_conv").trainable = False
    base.trainable = False
    assert not any(layer.trainable for layer in base.layers)
    base.trainable = True  # False -> True: every layer again, block1_conv too
    assert all(layer.trainable for layer in base.layers)
    for layer in base.layers:  # lesson 3's reliable way: each layer's own flag
        layer.trainable = layer.name == "block3_conv"
    assert len(model.trainable_weights) == 3  # block3_conv's kernel, the head's kernel and bias
    summary = summary_text(model, expand_nested=True)
    assert [trainable_mark(summary, name) for name in ("block3_conv", "block3_bn", "block2_conv", "classes")] == \
        ["Y", "N", "N", "Y"]


# Lesson 2: the top block is cheap to unfreeze because no gradient flows below it, not because it computes less.
def test_the_top_convolution_does_as_many_multiply_adds_as_block_2s():
    base = models.build_base()

    def multiply_adds(name):
        layer = base.get_layer(name)
        height, width, channels_out = layer.output.shape[1:]
        kernel_height, kernel_width, channels_in, _ = layer.kernel.shape
        return height * width * kernel_height * kernel_width * channels_in * channels_out, (height, channels_in)

    (block2, (size2, in2)), (block3, (size3, in3)) = multiply_adds("block2_conv"), multiply_adds("block3_conv")
    assert block3 == block2 == 14 * 14 * 9 * 16 * 32  # the page's "7 × 7 × 9 × 32 × 64 = 14 × 14 × 9 × 16 × 32"
    assert (size2, in2, size3, in3) == (14, 16, 7, 32)


# Lesson 8: a .keras file also holds the compile settings and the optimizer's state.
def test_a_keras_file_keeps_the_compile_settings_and_the_optimizer_state(tmp_path):
    _, model = classifier()
    fit(compile_and(model, 3e-3))
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert reloaded.get_compile_config() == model.get_compile_config()
    assert int(reloaded.optimizer.iterations) == int(model.optimizer.iterations) > 0
    assert moved([v.numpy() for v in model.optimizer.variables], [v.numpy() for v in reloaded.optimizer.variables]) == 0
    steps = int(reloaded.optimizer.iterations)
    fit(reloaded)  # "can even train on where it stopped": no compile() needed
    assert int(reloaded.optimizer.iterations) == 2 * steps


# Lesson 8, step 7: predict with the resizing the training images had.
def test_the_image_the_end_to_end_program_classifies_has_the_pixels_training_saw(tmp_path, monkeypatch):
    data.make_example_images(tmp_path)
    data.make_example_test_images(tmp_path)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for section in ("load_images", "pipeline"):
        exec(Block.named(f"l8_end_to_end.py:{section}").code, namespace)
    size = namespace["IMAGE_SIZE"]
    stand_in = keras.Sequential([keras.Input(size + (3,)), keras.layers.GlobalAveragePooling2D(),
                                 keras.layers.Dense(len(namespace["class_names"]), activation="softmax")])
    stand_in.save("my_model.keras")  # the predict block reloads "the trained model"; any model will do here
    namespace["model"] = stand_in
    exec(Block.named("l8_end_to_end.py:predict").code, namespace)
    test_images, path = namespace["test_images"], namespace["path"]
    training_pixels = dict(zip(test_images.file_paths, (image.numpy() for image, _ in test_images)))
    np.testing.assert_allclose(np.asarray(namespace["image"]), training_pixels[path], atol=1e-3)
    # the shortcut the page warns about resizes nearest-neighbour: other pixels
    shortcut = keras.utils.img_to_array(keras.utils.load_img(path, target_size=size))
    assert np.abs(shortcut - training_pixels[path]).mean() > 1
