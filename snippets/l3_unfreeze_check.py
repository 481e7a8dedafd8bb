import keras

base = keras.models.load_model("fashion_base.keras")
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)

# Freeze the base layer by layer: every layer is frozen, the base's own flag
# stays True.
for layer in base.layers:
    layer.trainable = False
print("base.trainable:", base.trainable)
print("weight tensors to train:", len(model.trainable_weights))

# The flag is already True: on TensorFlow, setting it again reaches no layer
# inside; on JAX, it reaches them all.
base.trainable = True
print("after base.trainable = True:", len(model.trainable_weights))

# Reliable: set the flag of each layer, here the top block's (BatchNorm apart).
for layer in base.layers:
    is_batchnorm = isinstance(layer, keras.layers.BatchNormalization)
    layer.trainable = layer.name.startswith("block3") and not is_batchnorm
print("after setting each layer:", len(model.trainable_weights))

# Then check: which layers will train?
model.summary(show_trainable=True, expand_nested=True)
