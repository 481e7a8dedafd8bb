# --8<-- [start:phase_1]
import numpy as np
import keras

keras.utils.set_random_seed(0)

# The new task with 20 training images per class; 1,000 test images of
# those classes.
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
few = np.concatenate([np.flatnonzero(y_train == c)[:20] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5
test = np.flatnonzero(y_test >= 5)[:1000]
x_eval, y_eval = x_test[test], y_test[test] - 5

# Phase 1: a new head on the frozen base, called with training=False as in
# the Keras guide's example.
base = keras.models.load_model("fashion_base.keras")
base.trainable = False
inputs = keras.Input(shape=(28, 28))
features = base(inputs, training=False)
outputs = keras.layers.Dense(5, activation="softmax")(features)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_few, y_few, epochs=5, batch_size=10, verbose=0)

# Phase 2 will run twice from this same start.
after_phase_1 = model.get_weights()
batchnorm_layers = [layer for layer in base.layers
                    if isinstance(layer, keras.layers.BatchNormalization)]


def fine_tune(freeze_batchnorm):
    """Unfreeze the base, BatchNormalization frozen again or not, train,
    and report."""
    model.set_weights(after_phase_1)
    base.trainable = True  # every layer of the base
    # Then each BatchNorm layer's own flag, whatever an earlier call left:
    # setting the base's flag to the value it has may not reach them
    # (Lesson 3).
    for layer in batchnorm_layers:
        layer.trainable = not freeze_batchnorm  # frozen: inference mode
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    before = [layer.moving_variance.numpy() for layer in batchnorm_layers]
    model.fit(x_few, y_few, epochs=3, batch_size=20, verbose=0)
    after = [layer.moving_variance.numpy() for layer in batchnorm_layers]
    changed = not all(map(np.array_equal, before, after))
    accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
    if freeze_batchnorm:
        label = "BatchNorm frozen:"
    else:
        label = "BatchNorm left trainable:"
    print(f"{label:<26} test accuracy {accuracy:.3f}, "
          f"statistics changed: {changed}")
# --8<-- [end:phase_1]

# --8<-- [start:batchnorm_trainable]
fine_tune(freeze_batchnorm=False)
# --8<-- [end:batchnorm_trainable]

# --8<-- [start:batchnorm_frozen]
fine_tune(freeze_batchnorm=True)
# --8<-- [end:batchnorm_frozen]
