import numpy as np
import keras

keras.utils.set_random_seed(0)
IMAGE_SIZE = (96, 96)  # MobileNetV2 has ImageNet weights for 96, 128, 160, 192, 224

# 1. Your images: one sub-folder per class, e.g. my_images/sandal/*.png.
#    A quarter of them is held out for validation.
train_ds, val_ds = keras.utils.image_dataset_from_directory(
    "my_images", image_size=IMAGE_SIZE, batch_size=8,
    validation_split=0.25, subset="both", seed=0)
class_names = train_ds.class_names
print("classes:", class_names)

# 2. The pretrained base: MobileNetV2 with ImageNet weights, without its top.
base = keras.applications.MobileNetV2(
    input_shape=IMAGE_SIZE + (3,), alpha=0.35, include_top=False, weights="imagenet")

# 3. Freeze it, and put a new head for your classes on top.
base.trainable = False
inputs = keras.Input(shape=IMAGE_SIZE + (3,))
x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)  # 0..255 -> -1..1
x = base(x)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(len(class_names), activation="softmax")(x)
model = keras.Model(inputs, outputs)

# 4. Train the head.
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=1, verbose=2)

# 5. Unfreeze the top of the base, keep its BatchNormalization layers frozen
#    (lesson 6 says why), recompile with a low learning rate, and continue.
base.trainable = True
for layer in base.layers[:-20]:  # keep all but the last 20 layers frozen
    layer.trainable = False
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
model.compile(optimizer=keras.optimizers.Adam(1e-5),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=1, verbose=2)

# 6. Evaluate, save, reload, and check that the reloaded model predicts the same.
loss, accuracy = model.evaluate(val_ds, verbose=0)
print(f"validation accuracy: {accuracy:.3f}")
model.save("my_model.keras")
reloaded = keras.models.load_model("my_model.keras")
images, labels = next(iter(val_ds))
print("reloaded model predicts the same:", np.allclose(model(images), reloaded(images)))
