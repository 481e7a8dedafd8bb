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

# Phase 1: train a new head on the frozen base.
base = keras.models.load_model("fashion_base.keras")
base.trainable = False
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_few, y_few, epochs=5, batch_size=10, verbose=0)
accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
print(f"head only:            test accuracy {accuracy:.3f}")
# --8<-- [end:phase_1]

# --8<-- [start:two_rates]
# Phase 2, twice from the same start: unfreeze the base (its
# BatchNormalization layers stay frozen: Lesson 7 shows why), recompile
# with a moderate or a large learning rate, and train for three epochs.
after_phase_1 = model.get_weights()
# The base's most general features: its first convolution's filters.
first_filters = base.get_layer("block1_conv").kernel
pretrained = first_filters.numpy()
base.trainable = True
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
for learning_rate in (1e-3, 1e-1):
    model.set_weights(after_phase_1)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_few, y_few, epochs=3, batch_size=10, verbose=0)
    accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
    change = first_filters.numpy() - pretrained
    moved = np.linalg.norm(change) / np.linalg.norm(pretrained)
    print(f"learning rate {learning_rate:<6g} test accuracy {accuracy:.3f}, "
          f"first-layer filters moved {moved:.1%}")
# --8<-- [end:two_rates]
