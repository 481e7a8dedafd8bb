# --8<-- [start:layers]
import matplotlib.pyplot as plt
import numpy as np
import keras

keras.utils.set_random_seed(0)

# Small random shifts, turns and zooms. The parts of the picture they
# uncover are filled with black (fill_mode="constant"), the background of
# these images.
augment = keras.Sequential([
    keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
    keras.layers.RandomRotation(0.05, fill_mode="constant"),
    keras.layers.RandomZoom(0.1, fill_mode="constant"),
], name="augment")

# One test image of four of the new classes. The layers expect a channel
# axis: (28, 28) -> (28, 28, 1).
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
first = [np.flatnonzero(y_test == c)[0] for c in (5, 6, 7, 9)]
images = x_test[first][..., np.newaxis].astype("float32")

# Each image as it is (left), then four random versions of it.
figure, axes = plt.subplots(4, 5, figsize=(5, 4))
for column in range(5):
    shown = images if column == 0 else augment(images, training=True)
    for row, image in enumerate(np.asarray(shown)):
        axes[row, column].imshow(image[:, :, 0], cmap="gray", vmin=0,
                                 vmax=255)
        axes[row, column].axis("off")
plt.show()
# --8<-- [end:layers]

# --8<-- [start:only_in_training]
# The layers change the images unless called with training=False.
changed = not np.allclose(augment(images, training=True), images)
print("training=True changes the images: ", changed)
changed = not np.allclose(augment(images, training=False), images)
print("training=False changes the images:", changed)

base = keras.models.load_model("fashion_base.keras")
base.trainable = False


def new_model(augmented):
    """A new head on the frozen base, with the augmentation layers first,
    or without them."""
    inputs = keras.Input(shape=(28, 28))
    x = inputs
    if augmented:
        x = keras.layers.Reshape((28, 28, 1))(x)
        x = augment(x)
        x = keras.layers.Reshape((28, 28))(x)  # the shape the base takes
    outputs = keras.layers.Dense(5, activation="softmax")(base(x))
    return keras.Model(inputs, outputs)


# Inside the model, they run in fit(), which calls the model with
# training=True, and not in evaluate() or predict(): training=False.
model = new_model(augmented=True)
answers = [model.predict(x_test[:100], verbose=0) for _ in range(2)]
print("predict() twice gives the same answers:", np.array_equal(*answers))
# --8<-- [end:only_in_training]

# --8<-- [start:train]
# 5 training images per class of the new task (classes 5-9, relabelled
# 0-4); 1,000 test images.
few = np.concatenate([np.flatnonzero(y_train == c)[:5] for c in range(5, 10)])
x_few, y_few = x_train[few], y_train[few] - 5
test = np.flatnonzero(y_test >= 5)[:1000]
x_eval, y_eval = x_test[test], y_test[test] - 5

# The head trains as in Lesson 1, on new random versions of the 25 images
# in every epoch.
keras.utils.set_random_seed(0)
model = new_model(augmented=True)
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_few, y_few, epochs=10, batch_size=10, verbose=0)
accuracy = model.evaluate(x_eval, y_eval, verbose=0)[1]
print(f"head trained with augmentation: test accuracy {accuracy:.3f}")
# --8<-- [end:train]
