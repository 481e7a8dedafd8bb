import keras

# The base model this site pretrained on Fashion-MNIST classes 0-4
# (T-shirt/top, trouser, pullover, dress, coat).
base = keras.models.load_model("fashion_base.keras")
base.summary()

# It turns each 28x28 image into a vector of features: that is what we
# reuse for the new task.
(_, _), (x_test, _) = keras.datasets.fashion_mnist.load_data()
features = base.predict(x_test[:3], verbose=0)
print("3 images in:", x_test[:3].shape, "-> features out:", features.shape)
