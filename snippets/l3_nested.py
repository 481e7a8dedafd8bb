import keras

base = keras.models.load_model("fashion_base.keras")
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)

# The whole base is ONE layer of the new model.
print([layer.name for layer in model.layers])

# Freezing it freezes every layer inside it.
base.trainable = False
print("layers of the base still trainable:",
      [layer.name for layer in base.layers if layer.trainable])
print("trainable weights of the model:",
      [weight.path for weight in model.trainable_weights])

# Unfreezing it unfreezes them all again (its own flag changes back to
# True). Then freeze all but the top block, whose BatchNormalization layer
# stays frozen too (Lesson 7 shows why).
base.trainable = True
for layer in base.layers:
    is_batchnorm = isinstance(layer, keras.layers.BatchNormalization)
    layer.trainable = layer.name.startswith("block3") and not is_batchnorm
print("trainable now:",
      [layer.name for layer in base.layers if layer.trainable])
