# --8<-- [start:load_images]
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
# MobileNetV2 has ImageNet weights for 96, 128, 160, 192 and 224 pixels.
IMAGE_SIZE = (96, 96)

# Your images: one sub-folder per class, e.g. my_images/sandal/*.png.
# A quarter of them is held out for validation.
train_images, val_images = keras.utils.image_dataset_from_directory(
    "my_images", image_size=IMAGE_SIZE, batch_size=None,
    validation_split=0.25, subset="both", seed=0)
class_names = train_images.class_names
# Other images of the same classes, set aside for the final test, labelled
# as the training images are: by the same class names, in the same order.
test_images = keras.utils.image_dataset_from_directory(
    "my_test_images", image_size=IMAGE_SIZE, batch_size=None,
    class_names=class_names, shuffle=False)
print("classes:", class_names)
# --8<-- [end:load_images]

# --8<-- [start:pipeline]
# Keep the decoded images in memory after the first epoch (cache), draw a
# new order every epoch (shuffle), make batches of 8, and prepare the next
# batch while the model trains on this one (prefetch).
AUTOTUNE = tf.data.AUTOTUNE
train_ds = (train_images.cache().shuffle(1000, seed=0)
            .batch(8).prefetch(AUTOTUNE))
val_ds = val_images.cache().batch(8).prefetch(AUTOTUNE)
test_ds = test_images.batch(8)
# --8<-- [end:pipeline]

# --8<-- [start:class_weights]
# Count the training images of each class, and give each class a weight
# inversely proportional to its count: every class then counts as much in
# the loss as the others, whatever its number of images.
labels = np.array([label for _, label in train_images.as_numpy_iterator()])
counts = np.bincount(labels, minlength=len(class_names))
class_weight = {index: len(labels) / (len(class_names) * count)
                for index, count in enumerate(counts)}
for index, name in enumerate(class_names):
    print(f"{name:>12}: {counts[index]:>2} training images, "
          f"weight {class_weight[index]:.2f}")
# --8<-- [end:class_weights]

# --8<-- [start:load_base]
base = keras.applications.MobileNetV2(
    input_shape=IMAGE_SIZE + (3,), alpha=0.35, include_top=False,
    weights="imagenet")
# --8<-- [end:load_base]

# --8<-- [start:new_head]
base.trainable = False
# Random changes to each training image (Lesson 9); inactive when the
# model evaluates or predicts.
augment = keras.Sequential([
    keras.layers.RandomFlip("horizontal"),
    keras.layers.RandomRotation(0.05),
    keras.layers.RandomZoom(0.1),
], name="augment")
inputs = keras.Input(shape=IMAGE_SIZE + (3,))
x = augment(inputs)
x = keras.layers.Rescaling(1 / 127.5, offset=-1)(x)  # 0..255 -> -1..1
x = base(x)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(len(class_names), activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.summary(show_trainable=True)
# --8<-- [end:new_head]

# --8<-- [start:train_head]
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
head_history = model.fit(train_ds, validation_data=val_ds, epochs=3,
                         class_weight=class_weight, verbose=0)
# --8<-- [end:train_head]

# --8<-- [start:fine_tune]
base.trainable = True
for layer in base.layers[:-20]:  # keep all but the last 20 layers frozen
    layer.trainable = False
for layer in base.layers:  # and every BatchNormalization layer (Lesson 7)
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
print("weight tensors to train:", len(model.trainable_weights))
model.summary(show_trainable=True)
model.compile(optimizer=keras.optimizers.Adam(1e-5),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
# Continue the epoch count where the head stopped, for the curves below.
fine_tune_history = model.fit(train_ds, validation_data=val_ds,
                              initial_epoch=3, epochs=6,
                              class_weight=class_weight, verbose=0)
# --8<-- [end:fine_tune]

# --8<-- [start:curves]
# The learning curves of both phases, one epoch after the other.
curves = {name: head_history.history[name] + fine_tune_history.history[name]
          for name in ("accuracy", "val_accuracy")}
epochs = range(1, len(curves["accuracy"]) + 1)
plt.figure(figsize=(4.5, 3))
plt.plot(epochs, curves["accuracy"], "o-", label="training images")
plt.plot(epochs, curves["val_accuracy"], "o-", label="validation images")
plt.axvline(len(head_history.epoch) + 0.5, color="grey", linestyle="--")
plt.xlabel("epoch (fine-tuning after the dashed line)")
plt.ylabel("accuracy")
plt.legend()
plt.show()
# --8<-- [end:curves]

# --8<-- [start:evaluate_save]
# Once, at the very end: the test images, never used to train or choose.
loss, accuracy = model.evaluate(test_ds, verbose=0)
print(f"test accuracy: {accuracy:.3f}")
model.save("my_model.keras")
# --8<-- [end:evaluate_save]

# --8<-- [start:predict]
# Later, or in another program: reload the model and classify one file.
reloaded = keras.models.load_model("my_model.keras")
images, labels = next(iter(test_ds))
same = np.allclose(model.predict(images, verbose=0),
                   reloaded.predict(images, verbose=0))
print("reloaded model predicts the same:", same)
path = test_images.file_paths[0]
# Resize it as image_dataset_from_directory did in training: bilinear.
image = keras.utils.img_to_array(keras.utils.load_img(path))
image = keras.ops.image.resize(image, IMAGE_SIZE, interpolation="bilinear")
# predict() takes a batch: here, a batch of one.
probabilities = reloaded.predict(image[np.newaxis], verbose=0)[0]
print(path, "->", class_names[int(np.argmax(probabilities))])
# --8<-- [end:predict]
