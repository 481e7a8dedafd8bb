"""Live checks of the claims that are about Keras's behaviour, not about accuracy (C3, C6, C7), and of the
sentences in the lessons that say how Keras behaves.

They train the site's base architecture on a few random images for a few steps: seconds, not minutes. Every one
runs on TensorFlow and on JAX (tests/jax_session.py); where the backends behave differently, a check states what
each one does, as the lessons do. A check is marked with the ids of the sentences it backs,
`@pytest.mark.claim(...)`, and records what it measured with `evidence(...)` for the Evidence page
(sitebuild/evidence.py).
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
CONVOLUTIONS = ("block1_conv", "block2_conv", "block3_conv")


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


# Lesson 3: what `trainable = False` does to one layer, and what the non-trainable weights are.

@pytest.mark.claim("frozen-layer-left-alone", "frozen-kernel-moves-to-non-trainable", "trainable-switch")
def test_a_frozen_layers_kernel_moves_to_the_non_trainable_list_and_fit_leaves_it_alone(evidence):
    base, model = classifier()
    frozen = base.layers[3]
    assert evidence("base.layers[3]", frozen.name) == "block1_conv"
    assert frozen.kernel.path in [weight.path for weight in base.trainable_weights]
    frozen.trainable = False
    assert frozen.kernel.path not in [weight.path for weight in base.trainable_weights]
    assert evidence("first non-trainable weight", base.non_trainable_weights[0].path) == frozen.kernel.path
    kernel, other = frozen.kernel.numpy(), base.get_layer("block2_conv").kernel.numpy()
    fit(compile_and(model))
    assert not evidence("frozen kernel changed by fit()", moved([kernel], [frozen.kernel.numpy()]) > 0)
    after = base.get_layer("block2_conv").kernel.numpy()
    assert evidence("block2_conv's kernel changed by fit()", moved([other], [after]) > 0)


@pytest.mark.claim("non-trainable-are-batchnorm-statistics", "batchnorm-statistics-always-non-trainable")
def test_the_non_trainable_weights_are_the_batchnorm_statistics_which_no_gradient_step_changes(evidence):
    base, model = classifier(bn_inference=False)
    names = evidence("non-trainable weights of the base, none frozen",
                     sorted({weight.path.split("/")[-1] for weight in base.non_trainable_weights}))
    assert names == ["moving_mean", "moving_variance"]
    assert len(base.non_trainable_weights) == 2 * 3  # two per BatchNormalization layer
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    weights, statistics = base.trainable_weights, models.batchnorm_statistics(base)
    before = [weight.numpy() for weight in weights]
    fit(model)  # a learning rate of 0: gradient descent changes nothing
    assert evidence("trainable weights changed at a learning rate of 0",
                    moved(before, [weight.numpy() for weight in weights]) > 0) is False
    assert evidence("moving statistics changed at a learning rate of 0",
                    moved(statistics, models.batchnorm_statistics(base)) > 0)


@pytest.mark.claim("frozen-kernel-has-a-gradient")
def test_a_frozen_kernel_still_gets_a_gradient_when_one_is_asked_for(evidence):
    base, model = classifier()
    frozen = base.get_layer("block3_conv")
    frozen.trainable = False
    images = IMAGES[:8].astype("float32")
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = keras.ops.mean(model(images, training=True)[:, 0])
        gradient = tape.gradient(loss, frozen.kernel)
    else:
        import jax

        def loss_for(kernel):
            non_trainable = [kernel if variable is frozen.kernel else variable.value
                             for variable in model.non_trainable_variables]
            scores, _ = model.stateless_call([variable.value for variable in model.trainable_variables],
                                             non_trainable, images, training=True)
            return keras.ops.mean(scores[:, 0])

        gradient = jax.grad(loss_for)(frozen.kernel.value)
    assert evidence("the frozen kernel is trainable", frozen.kernel.trainable) is False
    assert evidence("its gradient is nonzero", bool(np.any(keras.ops.convert_to_numpy(gradient) != 0)))


# Lessons 3 and 7: the `training` argument, per call; and `trainable = False` on BatchNormalization.

@pytest.mark.claim("training-switch", "trainable-switch", "batchnorm-training-and-inference-mode",
                   "batchnorm-rescales-each-channel", "batchnorm-training-mode", "batchnorm-inference-mode",
                   "frozen-batchnorm-inference-even-with-training-true")
def test_the_training_argument_switches_dropout_and_batchnorm_and_a_frozen_batchnorm_ignores_it(evidence):
    keras.utils.set_random_seed(0)
    features = np.random.default_rng(0).normal(3.0, 2.0, (256, 4)).astype("float32")
    dropout = keras.layers.Dropout(0.5)
    assert evidence("Dropout with training=True zeroes values", bool(np.any(
        keras.ops.convert_to_numpy(dropout(features, training=True)) == 0)))
    assert evidence("Dropout with training=False changes nothing", bool(np.array_equal(
        keras.ops.convert_to_numpy(dropout(features, training=False)), features)))

    batchnorm = keras.layers.BatchNormalization()
    batchnorm.build(features.shape)
    assert evidence("BatchNormalization's trainable weights",
                    [weight.path.split("/")[-1] for weight in batchnorm.trainable_weights]) == ["gamma", "beta"]

    def call(training):
        statistics = [batchnorm.moving_mean.numpy(), batchnorm.moving_variance.numpy()]
        normalised = keras.ops.convert_to_numpy(batchnorm(features, training=training))
        stored = bool(np.allclose(normalised, (features - statistics[0]) / np.sqrt(statistics[1] + batchnorm.epsilon),
                                  atol=1e-4))
        per_batch = bool(np.allclose(normalised.mean(axis=0), 0, atol=1e-4)
                         and np.allclose(normalised.std(axis=0), 1, atol=1e-2))
        moved_statistics = moved(statistics, [batchnorm.moving_mean.numpy(), batchnorm.moving_variance.numpy()]) > 0
        return {"normalised with the batch's statistics": per_batch, "with the moving ones": stored,
                "moving statistics moved": moved_statistics}

    for label, training, expected in (("trainable, training=True", True, (True, False, True)),
                                      ("trainable, training=False", False, (False, True, False))):
        assert tuple(evidence(label, call(training)).values()) == expected
    batchnorm.trainable = False
    assert tuple(evidence("frozen, training=True", call(True)).values()) == (False, True, False)


@pytest.mark.claim("batchnorm-momentum")
def test_batchnorm_momentum_is_the_share_of_the_moving_average_each_step_keeps(evidence):
    def gap_left(momentum, steps):
        """Moving mean starts at 0 and every batch's mean is 1: the share of that gap left after `steps` steps."""
        batchnorm = keras.layers.BatchNormalization(**({} if momentum is None else {"momentum": momentum}))
        batchnorm.build((None, 1))
        for _ in range(steps):
            batchnorm(np.ones((8, 1), "float32"), training=True)
        return 1 - float(batchnorm.moving_mean.numpy()[0])

    assert evidence("default momentum", keras.layers.BatchNormalization().momentum) == 0.99
    assert gap_left(None, 1) == pytest.approx(0.99, abs=1e-6)  # one step keeps 0.99 of the old average
    left = evidence("gap left after 100 steps, default momentum", round(gap_left(None, 100), 2))
    assert left == round(0.99 ** 100, 2)
    assert evidence("gap left after 100 steps, momentum=0.9", round(gap_left(0.9, 100), 2)) == 0


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
            evidence("fit() raised", False)
    if BACKEND == "jax":
        with pytest.raises(TypeError):
            model.get_weights()
        evidence("the model's weights readable after the failed fit()", False)
        for variable, value in zip(model.variables, values):
            variable.assign(value)


@pytest.mark.claim("fit-without-compile-by-backend", "card-compile-again", "trainable-change-needs-compile",
                   "training-step-built-at-first-fit", "unfreeze-after-fit-needs-compile",
                   "without-compile-only-the-head-trains")
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


@pytest.mark.claim("fit-without-compile-by-backend", "card-compile-again", "trainable-change-needs-compile",
                   "training-step-built-at-first-fit", "freeze-after-fit-needs-compile",
                   "trainable-count-misleads-on-tensorflow")
def test_freezing_after_fit_without_compile_trains_the_base_on_tensorflow_and_raises_on_jax(evidence):
    base, model = classifier()
    fit(compile_and(model))
    before = base.get_weights()
    base.trainable = False
    assert evidence("weight tensors to train, base frozen again", len(model.trainable_weights)) == 2
    fit_after_a_change_of_trainable(model, evidence)
    trained = evidence("base trained while frozen without compile()", moved(before, base.get_weights()) > 0)
    assert trained == (BACKEND == "tensorflow")
    compile_and(model)
    before = base.get_weights()
    fit(model)
    assert moved(before, base.get_weights()) == 0


@pytest.mark.claim("jax-raises-only-when-the-count-changes", "card-compile-again", "trainable-change-needs-compile")
def test_a_change_that_keeps_the_number_and_shapes_of_the_weights_to_train_raises_nothing(evidence):
    """Lesson 5: freeze one layer and unfreeze another of the same size after a fit(), with no compile(): no backend
    raises. At a learning rate of 0 no weight moves, so the loss fit() reports should be the model's own, that of a
    plain call; on JAX it is not, and neither is evaluate()'s once evaluate() ran before the change. compile()
    mends both."""
    rng = np.random.default_rng(0)
    features, targets = rng.uniform(size=(64, 4)).astype("float32"), rng.uniform(size=(64, 4)).astype("float32")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    first, second = keras.layers.Dense(4, activation="relu"), keras.layers.Dense(4)
    model = keras.Model(inputs, second(first(inputs)))

    def fit_and_evaluate_give_the_models_loss():
        own = float(keras.ops.mean(keras.ops.square(model(features) - targets)))
        evaluated = model.evaluate(features, targets, batch_size=64, verbose=0)
        fitted = model.fit(features, targets, batch_size=64, epochs=1, shuffle=False, verbose=0).history["loss"][0]
        return {"fit()": fitted == pytest.approx(own, rel=1e-5),
                "evaluate()": evaluated == pytest.approx(own, rel=1e-5)}

    second.trainable = False
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    assert all(fit_and_evaluate_give_the_models_loss().values())
    first.trainable, second.trainable = False, True
    weights = model.get_weights()
    with no_warning_and_no_log():
        without_compile = fit_and_evaluate_give_the_models_loss()  # raising here fails the test
    evidence("fit() raised", False)
    assert evidence("largest change of a weight at a learning rate of 0", moved(weights, model.get_weights())) == 0
    on_tensorflow = BACKEND == "tensorflow"
    assert evidence("the model's own loss, without compile(), from", without_compile) == \
        {"fit()": on_tensorflow, "evaluate()": on_tensorflow}
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    assert evidence("the model's own loss, after compile(), from", fit_and_evaluate_give_the_models_loss()) == \
        {"fit()": True, "evaluate()": True}


@pytest.mark.claim("card-compile-again", "trainable-change-needs-compile", "training-step-built-at-first-fit",
                   "freeze-before-first-fit-takes-effect")
def test_freezing_after_compile_before_the_first_fit_takes_effect(evidence):
    base, model = classifier()
    compile_and(model)
    before = base.get_weights()
    with no_warning_and_no_log():
        base.trainable = False
        fit(model)
    assert evidence("largest change of a base weight, frozen between compile() and fit()",
                    moved(before, base.get_weights())) == 0


@pytest.mark.claim("compile-keeps-weights")
def test_compile_again_keeps_the_weights_and_starts_the_optimizer_it_is_given(evidence):
    _, model = classifier()
    fit(compile_and(model))
    weights, used = model.get_weights(), model.optimizer
    assert int(used.iterations) > 0
    compile_and(model, 1e-3)
    assert evidence("largest change of a weight by compile()", moved(weights, model.get_weights())) == 0
    assert not evidence("the optimizer is the old one", model.optimizer is used)
    assert evidence("steps the new optimizer has taken", int(model.optimizer.iterations)) == 0


# C7: what keeps BatchNormalization in inference mode while the base is unfrozen (Keras 3.15 functional API).

def batchnorm_moved(bn_inference, freeze_batchnorm):
    base, model = classifier(bn_inference=bn_inference)
    models.set_trainable_blocks(base, models.BLOCKS, freeze_batchnorm=freeze_batchnorm)
    before = models.batchnorm_statistics(base)
    fit(compile_and(model, 1e-3))
    return moved(before, models.batchnorm_statistics(base))


def test_plain_call_runs_trainable_batchnorm_in_training_mode():
    assert batchnorm_moved(bn_inference=False, freeze_batchnorm=False) > 0


@pytest.mark.claim("fit-overrides-training-false", "model-you-call-keeps-training-false",
                   "card-training-false-not-enough", "functional-model-passes-training-on",
                   "trainable-batchnorm-statistics-change")
def test_training_false_in_a_functional_model_does_not_stop_trainable_batchnorm(evidence):
    """The Keras guides' `base(x, training=False)`: in Keras 3.15 fit's training=True overrides it; a call of the
    model without `training` keeps it."""
    assert evidence("moving statistics moved in fit(), built with training=False",
                    batchnorm_moved(bn_inference=True, freeze_batchnorm=False) > 0)
    base, model = classifier(bn_inference=True)
    before = models.batchnorm_statistics(base)
    base(IMAGES[:16], training=False)
    assert not evidence("moved when the base is called with training=False",
                        moved(before, models.batchnorm_statistics(base)) > 0)
    model(IMAGES[:16])
    assert not evidence("moved when the model is called without training",
                        moved(before, models.batchnorm_statistics(base)) > 0)
    model(IMAGES[:16], training=True)
    assert evidence("moved when the model is called with training=True",
                    moved(before, models.batchnorm_statistics(base)) > 0)


@pytest.mark.claim("frozen-batchnorm-keeps-statistics", "frozen-batchnorm-stays-in-inference-mode-in-fit",
                   "card-frozen-batchnorm-inference", "frozen-batchnorm-the-reliable-way", "freeze-batchnorm-fix",
                   "frozen-layer-between-trainable-ones")
def test_frozen_batchnorm_layers_stay_in_inference_mode_while_the_base_trains(evidence):
    base, model = classifier()
    models.set_trainable_blocks(base, models.BLOCKS, freeze_batchnorm=True)
    batchnorm = [layer for layer in base.layers if isinstance(layer, keras.layers.BatchNormalization)]
    statistics, convolutions = models.batchnorm_statistics(base), base.get_layer("block1_conv").get_weights()
    scale_and_shift = [weight.numpy() for layer in batchnorm for weight in (layer.gamma, layer.beta)]
    fit(compile_and(model, 1e-3))
    assert evidence("largest change of a moving statistic", moved(statistics, models.batchnorm_statistics(base))) == 0
    assert evidence("largest change of a scale or shift weight", moved(
        scale_and_shift, [weight.numpy() for layer in batchnorm for weight in (layer.gamma, layer.beta)])) == 0
    assert evidence("convolution kernel changed", moved(convolutions, base.get_layer("block1_conv").get_weights()) > 0)


# C3: freezing layers reduces training time (fewer gradients to compute and apply).

@pytest.mark.claim("frozen-layers-less-work-per-step")
def test_a_frozen_base_trains_faster_per_step(evidence):
    batches = [(IMAGES[start:start + 16], LABELS[start:start + 16]) for start in range(0, len(IMAGES), 16)] * 8
    models_by_trainable = {}
    for trainable_base in (False, True):
        base, model = classifier()
        base.trainable = trainable_base
        compile_and(model, 1e-3).train_on_batch(*batches[0])  # the first step traces the training step
        models_by_trainable[trainable_base] = model
    # The work the steps do is the CPU time of this process: wall time also counts the other processes that share
    # the cores (pytest-xdist's workers, the browser), which made an unfrozen step look as fast as a frozen one.
    # Steps alone (train_on_batch), not fit(), whose set-up on each call is the same work for both models.
    cpu_seconds = {False: 0, True: 0}
    for _ in range(3):  # interleaved, so anything else slows both alike
        for trainable_base, model in models_by_trainable.items():
            start = time.process_time()
            for images, labels in batches:
                model.train_on_batch(images, labels)
            cpu_seconds[trainable_base] += time.process_time() - start
    frozen, unfrozen = models_by_trainable[False], models_by_trainable[True]
    assert evidence("weight tensors to train, base frozen", len(frozen.trainable_weights)) == 2  # the head's
    assert len(unfrozen.trainable_weights) > len(frozen.trainable_weights)
    assert evidence(f"{3 * len(batches)} unfrozen training steps took over 1.3 times the CPU time of as many frozen "
                    "ones", cpu_seconds[True] > 1.3 * cpu_seconds[False]), cpu_seconds


# Lesson 4: clone the pretrained model before freezing it (the same cause as lesson 3's flag rule).
@pytest.mark.claim("clone-model-fresh-weights", "clone-of-a-frozen-model-by-backend")
def test_a_clone_of_a_frozen_model_comes_out_frozen_and_its_own_flag_unfreezes_it_on_jax_only(evidence):
    base = models.build_base()
    unfrozen_clone = keras.models.clone_model(base)
    assert unfrozen_clone.trainable_weights
    assert evidence("same layers", [layer.name for layer in unfrozen_clone.layers] == [layer.name for layer in
                                                                                       base.layers])
    kernels = [(base.get_layer(name).kernel, unfrozen_clone.get_layer(name).kernel) for name in CONVOLUTIONS]
    assert evidence("same kernel shapes", all(a.shape == b.shape for a, b in kernels))
    assert evidence("kernels that differ from the original's", sum(moved([a.numpy()], [b.numpy()]) > 0
                                                                  for a, b in kernels)) == len(kernels)
    base.trainable = False
    frozen_clone = keras.models.clone_model(base)
    assert evidence("frozen clone's own flag", frozen_clone.trainable)
    assert evidence("frozen clone's trainable weights", len(frozen_clone.trainable_weights)) == 0
    frozen_clone.trainable = True  # TensorFlow: reaches none of the cloned layers; JAX: every one
    unfrozen = [layer.trainable for layer in frozen_clone.layers if layer.weights]
    evidence("layers with weights unfrozen by clone.trainable = True", f"{sum(unfrozen)} of {len(unfrozen)}")
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
@pytest.mark.claim("layer-unfrozen-in-a-frozen-base", "summary-row-of-a-nested-model")
def test_a_layer_unfrozen_inside_a_frozen_base_is_trained_though_the_base_lists_no_trainable_weights(evidence):
    base, model = classifier()
    base.trainable = False
    unfrozen = base.get_layer("block3_conv")
    unfrozen.trainable = True
    assert evidence("base.trainable_weights", len(base.trainable_weights)) == 0
    assert evidence("its kernel in model.trainable_weights",
                    unfrozen.kernel.path in [weight.path for weight in model.trainable_weights])
    # "marks the base's row as not trainable"
    assert evidence("the base's row in summary(show_trainable=True)", trainable_mark(summary_text(model),
                                                                                      "fashion_base")) == "N"
    kernel, below = unfrozen.kernel.numpy(), base.get_layer("block2_conv").get_weights()
    fit(compile_and(model))
    assert evidence("its kernel changed by fit()", moved([kernel], [unfrozen.kernel.numpy()]) > 0)
    assert moved(below, base.get_layer("block2_conv").get_weights()) == 0


# Lesson 3: on TensorFlow, a model passes `trainable` down to its layers only when its own flag changes (Keras's
# TensorFlow layer skips an assignment of the value an attribute holds); on JAX, every assignment reaches them.
@pytest.mark.claim("same-flag-by-backend", "same-flag-after-freezing-one-by-one")
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


@pytest.mark.claim("freezing-the-base-freezes-every-layer", "model-flag-change-reaches-every-layer",
                   "unfreezing-the-base-unfreezes-every-layer", "the-base-is-one-layer", "set-each-layers-flag",
                   "summary-trainable-column", "summary-row-of-a-nested-model", "summary-base-row-says-y",
                   "summary-show-trainable-column", "layer-without-weights-is-trainable")
def test_a_change_of_the_models_flag_reaches_every_inner_layer_and_setting_each_layer_always_works(evidence):
    base, model = classifier()
    assert evidence("model.layers[1] is the base", model.layers[1] is base)
    model.layers[1].trainable = False
    assert evidence("base layers frozen by model.layers[1].trainable = False",
                    sum(not layer.trainable for layer in base.layers)) == len(base.layers)
    assert evidence("weight tensors to train, base frozen", len(model.trainable_weights)) == 2  # the head's
    base.trainable = True
    base.get_layer("block1_conv").trainable = False
    base.trainable = False
    assert not any(layer.trainable for layer in base.layers)
    base.trainable = True  # False -> True: every layer again, block1_conv too
    assert evidence("base layers unfrozen by base.trainable = True (False before)",
                    sum(layer.trainable for layer in base.layers)) == len(base.layers)
    relu = base.get_layer("block3_relu")
    assert evidence("block3_relu: trainable, weights", [relu.trainable, len(relu.weights)]) == [True, 0]
    for layer in base.layers:  # lesson 3's reliable way: each layer's own flag
        layer.trainable = layer.name == "block3_conv"
    # block3_conv's kernel, the head's kernel and bias
    assert evidence("weight tensors to train after setting each layer", len(model.trainable_weights)) == 3
    summary = summary_text(model, expand_nested=True)
    marks = evidence("summary(show_trainable=True, expand_nested=True) marks", {
        name: trainable_mark(summary, name) for name in ("block3_conv", "block3_bn", "block2_conv", "block3_relu",
                                                         "classes")})
    assert marks == {"block3_conv": "Y", "block3_bn": "N", "block2_conv": "N", "block3_relu": "-", "classes": "Y"}
    # the base's own row says Y, its own flag, though all its layers but one are frozen
    assert evidence("the base's row, not expanded", trainable_mark(summary_text(model), "fashion_base")) == "Y"


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
@pytest.mark.claim("card-reload-predicts-the-same", "keras-file-contents", "reloaded-model-predicts-the-same")
def test_a_keras_file_keeps_the_compile_settings_and_the_optimizer_state(tmp_path, evidence):
    _, model = classifier()
    fit(compile_and(model, 3e-3))
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert evidence("same predictions", bool(np.array_equal(model.predict(IMAGES, verbose=0),
                                                            reloaded.predict(IMAGES, verbose=0))))
    assert evidence("same compile settings", reloaded.get_compile_config() == model.get_compile_config())
    assert evidence("optimizer steps kept", int(reloaded.optimizer.iterations)) == int(model.optimizer.iterations) > 0
    assert moved([v.numpy() for v in model.optimizer.variables], [v.numpy() for v in reloaded.optimizer.variables]) == 0
    steps = int(reloaded.optimizer.iterations)
    fit(reloaded)  # "can even train on where it stopped": no compile() needed
    assert evidence("optimizer steps after one more epoch, no compile()", int(reloaded.optimizer.iterations)) \
        == 2 * steps


# Lesson 8, step 10: predict with the resizing the training images had.
@pytest.mark.claim("card-resize-as-in-training", "resize-bilinear-like-training")
def test_the_image_the_end_to_end_program_classifies_has_the_pixels_training_saw(tmp_path, monkeypatch, evidence):
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
    assert evidence("bilinear resize gives the pixels training saw", bool(np.allclose(
        np.asarray(namespace["image"]), training_pixels[path], atol=1e-3)))
    # the shortcut the page warns about resizes nearest-neighbour: other pixels
    shortcut = keras.utils.img_to_array(keras.utils.load_img(path, target_size=size))
    assert evidence("load_img(target_size=...) gives other pixels", bool(np.abs(shortcut - training_pixels[path]).mean()
                                                                          > 1))


@pytest.mark.claim("made-up-names-are-numbered")
def test_keras_numbers_the_names_it_makes_up_within_a_session(evidence):
    """Lesson 3: a model and a layer built in a fresh session are `functional` and `dense`; built again, they are
    `functional_1` and `dense_1`."""
    keras.backend.clear_session()

    def names():
        inputs = keras.Input((3,))
        model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
        return [model.name, model.layers[-1].name]

    first, second = names(), names()
    assert evidence("names, built once and again", [first, second]) == [["functional", "dense"],
                                                                         ["functional_1", "dense_1"]]


# Lesson 9: three of its augmentation layers keep Keras from compiling the training step on JAX.
@pytest.mark.claim("augmentation-layers-train-uncompiled-on-jax")
def test_random_translation_rotation_and_zoom_keep_the_model_from_xla(evidence):
    layers = [keras.layers.RandomTranslation(0.1, 0.1), keras.layers.RandomRotation(0.05),
              keras.layers.RandomZoom(0.1)]
    assert not evidence("layers that say XLA can compile them", [type(layer).__name__ for layer in layers
                                                                   if layer.supports_jit])
    with_them, without_them = (compiled_and_fitted(*first_layers) for first_layers in (layers, ()))
    assert evidence("jit_compile with the three layers first", with_them["jit_compile"]) is False
    compiled_without_them = True
    if BACKEND == "tensorflow":  # where Keras uses XLA only with a GPU
        import tensorflow as tf

        compiled_without_them = bool(tf.config.list_physical_devices("GPU"))
    assert evidence("jit_compile without them", without_them["jit_compile"]) is compiled_without_them
    if BACKEND == "jax":
        assert not evidence("fit() had jax.jit compile its train_step, with them", with_them["jitted_train_step"])
        assert evidence("fit() had jax.jit compile its train_step, without them", without_them["jitted_train_step"])


def compiled_and_fitted(*first_layers):
    """A small model with `first_layers` in front, compiled as Keras chooses (jit_compile="auto"): its jit_compile,
    and on JAX whether one step of fit() had jax.jit compile a function named train_step."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.Sequential(list(first_layers))(inputs) if first_layers else inputs
    model = keras.Model(inputs, keras.layers.Dense(5)(keras.layers.Flatten()(x)))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    compiles = Records()
    if BACKEND == "jax":
        import jax

        logger = logging.getLogger("jax")
        logger.addHandler(compiles)
        try:
            with jax.log_compiles():
                model.fit(IMAGES[:4, :, :, np.newaxis], LABELS[:4], epochs=1, verbose=0)
        finally:
            logger.removeHandler(compiles)
    return {"jit_compile": model.jit_compile, "jitted_train_step": any(
        record.getMessage().startswith("Compiling jit(train_step)") for record in compiles.records)}
