import numpy as np
import keras

base = keras.models.load_model("fashion_base.keras")
(_, _), (x_test, _) = keras.datasets.fashion_mnist.load_data()
batch = x_test[:256]
bn = base.get_layer("block1_bn")


def moving_mean_moves(call):
    before = bn.moving_mean.numpy().copy()
    call()
    return not np.allclose(before, bn.moving_mean.numpy())


# training=True asks BatchNormalization to normalise with the batch's
# statistics and to update its moving ones.
moved = moving_mean_moves(lambda: base(batch, training=True))
print("trainable base, training=True: ", moved)
# training=False keeps it in inference mode: it uses (and keeps) its
# moving statistics.
moved = moving_mean_moves(lambda: base(batch, training=False))
print("trainable base, training=False:", moved)
# A frozen BatchNormalization layer runs in inference mode even when
# called with training=True.
base.trainable = False
moved = moving_mean_moves(lambda: base(batch, training=True))
print("frozen base, training=True:    ", moved)
