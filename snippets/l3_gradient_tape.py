import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)

# 32 training images of the new task (classes 5-9, relabelled 0-4).
(x_train, y_train), _ = keras.datasets.fashion_mnist.load_data()
batch = np.flatnonzero(y_train >= 5)[:32]
x_batch, y_batch = x_train[batch], y_train[batch] - 5

base = keras.models.load_model("fashion_base.keras")
base.trainable = False
inputs = keras.Input(shape=(28, 28))
head = keras.layers.Dense(5, activation="softmax", name="head")
outputs = head(base(inputs))
model = keras.Model(inputs, outputs)
loss_function = keras.losses.SparseCategoricalCrossentropy()
optimizer = keras.optimizers.Adam(1e-2)

# One training step by hand: what fit() does for every batch.
before = {weight.path: weight.numpy() for weight in model.weights}
with tf.GradientTape() as tape:
    predictions = model(x_batch, training=True)
    loss = loss_function(y_batch, predictions)
gradients = tape.gradient(loss, model.trainable_weights)
optimizer.apply_gradients(zip(gradients, model.trainable_weights))

print("gradients computed for:",
      [weight.path for weight in model.trainable_weights])
changed = [weight.path for weight in model.weights
           if not np.array_equal(before[weight.path], weight.numpy())]
print("weights the step changed:", changed)
print("weights it left as they were:", len(model.weights) - len(changed))

# Freezing blocks no gradient: asked for one, the tape computes it for a
# frozen kernel too. The step leaves that kernel alone because it asks
# only for model.trainable_weights.
frozen_kernel = base.get_layer("block3_conv").kernel
with tf.GradientTape() as tape:
    loss = loss_function(y_batch, model(x_batch, training=True))
gradient = tape.gradient(loss, frozen_kernel)
print("the frozen block3_conv kernel has a gradient:", gradient is not None)
