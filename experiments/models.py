"""The pretrained base (the contract the lessons rely on) and the classifiers built on it."""

import keras
from keras import layers

FILTERS = (16, 32, 64)
BLOCKS = len(FILTERS)


def build_base(batchnorm_momentum=0.99):
    """Raw uint8 28x28 images in, a feature vector out (like keras.applications with pooling="avg").

    A model trained from scratch for only a few hundred steps uses batchnorm_momentum=0.9: with Keras's
    default 0.99 its moving statistics lag so far behind that it predicts at chance in inference mode.
    """
    image = keras.Input(shape=(28, 28), name="image")
    x = layers.Rescaling(1 / 255, name="rescale")(image)
    x = layers.Reshape((28, 28, 1), name="add_channel")(x)
    for number, filters in enumerate(FILTERS, start=1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"block{number}_conv")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"block{number}_bn")(x)
        x = layers.Activation("relu", name=f"block{number}_relu")(x)
        if number < BLOCKS:  # block3 keeps its 7x7 map for the global average
            x = layers.MaxPooling2D(name=f"block{number}_pool")(x)
    features = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(image, features, name="fashion_base")


def augmentation():
    """Lesson 9's augmentation layers: small random shifts, turns and zooms, uncovered pixels black (the images'
    background). They change the images only in training."""
    return keras.Sequential([layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
                             layers.RandomRotation(0.05, fill_mode="constant"),
                             layers.RandomZoom(0.1, fill_mode="constant")], name="augment")


def build_classifier(base, classes=5, bn_inference=True, dropout=0.2, augment=False):
    """base + Dropout + Dense. bn_inference=False calls base(x) plainly, so BatchNorm follows fit's training mode.
    augment puts the augmentation layers in front of the base (with a channel axis around them)."""
    image = keras.Input(shape=(28, 28), name="image")
    x = image
    if augment:
        x = layers.Reshape((28, 28, 1), name="add_channel")(x)
        x = augmentation()(x)
        x = layers.Reshape((28, 28), name="drop_channel")(x)
    features = base(x, training=False) if bn_inference else base(x)
    x = layers.Dropout(dropout, name="dropout")(features)
    scores = layers.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(image, scores, name="classifier")


def build_head(features, classes=5, dropout=0.2):
    """The classifier's head alone, trained on precomputed base features (same layers, same names)."""
    inputs = keras.Input(shape=(features,), name="features")
    x = layers.Dropout(dropout, name="dropout")(inputs)
    scores = layers.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, scores, name="head")


def set_trainable_blocks(base, blocks, freeze_batchnorm=True):
    """Freeze the base except its top `blocks` blocks.

    freeze_batchnorm keeps every BatchNormalization layer frozen, which in Keras 3 also runs it in inference
    mode. (In Keras 3.15 a functional `base(x, training=False)` does not: fit's training=True overrides it.)
    """
    base.trainable = True
    top = {f"block{number}_" for number in range(BLOCKS - blocks + 1, BLOCKS + 1)}
    for layer in base.layers:
        in_top = any(layer.name.startswith(prefix) for prefix in top)
        layer.trainable = in_top and not (freeze_batchnorm and isinstance(layer, layers.BatchNormalization))


def batchnorm_statistics(base):
    """The moving means and variances of the base's BatchNorm layers, as arrays."""
    return [variable.numpy() for layer in base.layers if isinstance(layer, layers.BatchNormalization)
            for variable in (layer.moving_mean, layer.moving_variance)]
