import numpy as np
import keras

keras.utils.set_random_seed(0)

# The new task: classes 5-9 (sandal, shirt, sneaker, bag, ankle boot),
# relabelled 0-4, with only 20 training images per class. We evaluate on
# 1,000 test images of those classes.
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
few = np.concatenate([np.flatnonzero(y_train == c)[:20] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5
test = np.flatnonzero(y_test >= 5)[:1000]
x_eval, y_eval = x_test[test], y_test[test] - 5

# Stage 1: freeze the pretrained base and train a new classification head
# on top of it.
base = keras.models.load_model("fashion_base.keras")
base.trainable = False
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_few, y_few, epochs=10, batch_size=10, verbose=0)
accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
print(f"stage 1, new head only:      test accuracy {accuracy:.3f}")

# Stage 2: unfreeze the top block (but not its BatchNormalization, see
# Lesson 7), recompile with a lower learning rate, and keep training.
base.trainable = True
for layer in base.layers:
    is_batchnorm = isinstance(layer, keras.layers.BatchNormalization)
    layer.trainable = layer.name.startswith("block3") and not is_batchnorm
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_few, y_few, epochs=5, batch_size=10, verbose=0)
accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
print(f"stage 2, top block unfrozen: test accuracy {accuracy:.3f}")
