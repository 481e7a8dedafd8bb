# --8<-- [start:frozen]
import numpy as np
import keras

keras.utils.set_random_seed(0)

# 10 training images per class of the new task (classes 5-9, relabelled
# 0-4); 1,000 test images.
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
few = np.concatenate([np.flatnonzero(y_train == c)[:10] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5
test = np.flatnonzero(y_test >= 5)[:1000]
x_eval, y_eval = x_test[test], y_test[test] - 5


def train_and_report(freeze):
    """Put a new head on the base, frozen or not, train it, and print
    train and test accuracy, then train accuracy as fit() sees it."""
    base = keras.models.load_model("fashion_base.keras")
    base.trainable = not freeze
    inputs = keras.Input(shape=(28, 28))
    outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
    model = keras.Model(inputs, outputs)
    # A new head alone learns fast; the whole network needs a gentler rate.
    learning_rate = 1e-2 if freeze else 1e-3
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_few, y_few, epochs=10, batch_size=10, verbose=0)
    train = model.evaluate(x_few, y_few, verbose=0)[1]
    test = model.evaluate(x_eval, y_eval, verbose=0)[1]
    label = "frozen base" if freeze else "all layers trainable"
    print(f"{label:>20}: train {train:.3f}, test {test:.3f}, "
          f"gap {train - test:.3f}")
    # The training images again, called as fit() calls the model:
    # training=True, so BatchNormalization uses each batch's statistics.
    answers = np.argmax(model(x_few, training=True), axis=-1)
    print(f"{'':>20}  train, training=True: {np.mean(answers == y_few):.3f}")


train_and_report(freeze=True)
# --8<-- [end:frozen]

# --8<-- [start:all_trainable]
train_and_report(freeze=False)
# --8<-- [end:all_trainable]
