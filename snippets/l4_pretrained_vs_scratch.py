# --8<-- [start:pretrained]
import numpy as np
import keras

keras.utils.set_random_seed(0)

# 20 training images per class of the new task (classes 5-9, relabelled
# 0-4); 1,000 test images.
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
few = np.concatenate([np.flatnonzero(y_train == c)[:20] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5
test = np.flatnonzero(y_test >= 5)[:1000]
x_eval, y_eval = x_test[test], y_test[test] - 5

pretrained = keras.models.load_model("fashion_base.keras")
# clone_model copies the architecture with fresh random weights: the same
# network, knowing nothing. Clone before you freeze: a clone of a frozen
# model comes out frozen.
scratch = keras.models.clone_model(pretrained)
# 100 training steps: let BatchNorm's moving statistics catch up faster.
for layer in scratch.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.momentum = 0.9
pretrained.trainable = False


def train_and_test(name, base, learning_rate):
    """Put a new head on the base, train the model, print its accuracy."""
    inputs = keras.Input(shape=(28, 28))
    outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_few, y_few, epochs=10, batch_size=10, verbose=0)
    accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
    print(f"{name:>18}: test accuracy {accuracy:.3f}")


# A new head learns fast on frozen features: it can take large steps.
train_and_test("pretrained, frozen", pretrained, learning_rate=1e-2)
# --8<-- [end:pretrained]

# --8<-- [start:scratch]
# A whole network from scratch needs a gentler learning rate.
train_and_test("from scratch", scratch, learning_rate=1e-3)
# --8<-- [end:scratch]
