import keras

base = keras.models.load_model("fashion_base.keras")
inputs = keras.Input(shape=(28, 28))
outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
model = keras.Model(inputs, outputs)


def count(weights):
    return sum(int(w.numpy().size) for w in weights)


print("before freezing: trainable", count(model.trainable_weights),
      "non-trainable", count(model.non_trainable_weights))
base.trainable = False
print("after freezing:  trainable", count(model.trainable_weights),
      "non-trainable", count(model.non_trainable_weights))

# summary() prints the same two counts at the bottom.
model.summary()
