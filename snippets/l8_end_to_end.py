# --8<-- [start:load_images]
import numpy as np
import keras

keras.utils.set_random_seed(0)
IMAGE_SIZE = (96, 96)  # MobileNetV2 has ImageNet weights for 96, 128, 160, 192, 224

# Your images: one sub-folder per class, e.g. my_images/sandal/*.png.
# A quarter of them is held out for validation.
train_ds, val_ds = keras.utils.image_dataset_from_directory(
    "my_images", image_size=IMAGE_SIZE, batch_size=8,
    validation_split=0.25, subset="both", seed=0)
class_names = train_ds.class_names
print("classes:", class_names)
# --8<-- [end:load_images]

# --8<-- [start:load_base]
base = keras.applications.MobileNetV2(
    input_shape=IMAGE_SIZE + (3,), alpha=0.35, include_top=False, weights="imagenet")
# --8<-- [end:load_base]

# --8<-- [start:new_head]
base.trainable = False
inputs = keras.Input(shape=IMAGE_SIZE + (3,))
x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)  # 0..255 -> -1..1
x = base(x)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(len(class_names), activation="softmax")(x)
model = keras.Model(inputs, outputs)
# --8<-- [end:new_head]

# --8<-- [start:train_head]
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
head_history = model.fit(train_ds, epochs=1, verbose=2)
# --8<-- [end:train_head]

# --8<-- [start:fine_tune]
base.trainable = True
for layer in base.layers[:-20]:  # keep all but the last 20 layers frozen
    layer.trainable = False
for layer in base.layers:  # and every BatchNormalization layer (lesson 7)
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
print("weight tensors to train:", len(model.trainable_weights))
model.compile(optimizer=keras.optimizers.Adam(1e-5),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
fine_tune_history = model.fit(train_ds, epochs=1, verbose=2)
# --8<-- [end:fine_tune]

# --8<-- [start:evaluate_save]
loss, accuracy = model.evaluate(val_ds, verbose=0)
print(f"validation accuracy: {accuracy:.3f}")
model.save("my_model.keras")
# --8<-- [end:evaluate_save]

# --8<-- [start:predict]
# Later, or in another program: reload the model and classify one image file.
reloaded = keras.models.load_model("my_model.keras")
images, labels = next(iter(val_ds))
same = np.allclose(model.predict(images, verbose=0), reloaded.predict(images, verbose=0))
print("reloaded model predicts the same:", same)
path = val_ds.file_paths[0]
# Resize it as image_dataset_from_directory did in training: bilinear.
image = keras.utils.img_to_array(keras.utils.load_img(path))
image = keras.ops.image.resize(image, IMAGE_SIZE, interpolation="bilinear")
probabilities = reloaded.predict(image[np.newaxis], verbose=0)[0]  # a batch of one
print(path, "->", class_names[int(np.argmax(probabilities))])
# --8<-- [end:predict]
