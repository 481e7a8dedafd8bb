import numpy as np
import keras

keras.utils.set_random_seed(0)

# The new task, classes 5-9 relabelled 0-4, with 20 training images per class.
(x_train, y_train), _ = keras.datasets.fashion_mnist.load_data()
few = np.concatenate([np.flatnonzero(y_train == c)[:20] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5

base = keras.models.load_model("fashion_base.keras")
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)
# One weight of the base we can watch:
kernel = base.get_layer("block3_conv").kernel


def fit_and_report(situation):
    """Train one epoch; print how many weights fit() should train and
    whether the base changed."""
    before, count = kernel.numpy(), len(model.trainable_weights)
    weights = model.get_weights()
    try:
        model.fit(x_few, y_few, epochs=1, batch_size=20, verbose=0)
    # On JAX the training step no longer matches the weights: it raises.
    except ValueError as error:
        print(f"{situation:<29} trainable weights: {count:>2}, "
              "fit() raised ValueError:")
        print("   ", error)
        # The failed fit() dropped the weights: put them back.
        model.set_weights(weights)
        return
    changed = not np.array_equal(before, kernel.numpy())
    print(f"{situation:<29} trainable weights: {count:>2}, "
          f"base changed: {changed}")


def compile_with(learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])


compile_with(1e-3)
# After compile() but before the first fit(): this takes effect.
base.trainable = False
fit_and_report("frozen before the first fit")

# After a fit(): the base does not train until compile() is called again.
base.trainable = True
fit_and_report("unfrozen, not recompiled")

# Recompile: now fit() updates the base too (a tiny rate is enough to
# show it).
compile_with(1e-5)
fit_and_report("unfrozen and recompiled")

# The same trap the other way round: the base keeps training.
base.trainable = False
fit_and_report("frozen again, not recompiled")
