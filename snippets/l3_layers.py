import keras

base = keras.models.load_model("fashion_base.keras")

# Every layer, with its index in base.layers and whether it is trainable.
for i, layer in enumerate(base.layers):
    print(i, layer.name, layer.trainable)

# Freeze one layer by its index: the first convolution.
base.layers[3].trainable = False
print(base.layers[3].name, "trainable:", base.layers[3].trainable)

# Its kernel moved from the trainable weights to the non-trainable ones,
# next to BatchNormalization's moving statistics, which are never trained
# by gradient descent.
print("non-trainable weights:")
for weight in base.non_trainable_weights:
    print("   ", weight.path)
