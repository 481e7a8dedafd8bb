import keras

(x_train, y_train), _ = keras.datasets.fashion_mnist.load_data()
names = {5: "sandal", 6: "shirt", 7: "sneaker", 8: "bag", 9: "ankle boot"}

# For each class: its average image, and how much that differs from its
# own mirror image (left and right swapped), relative to its brightness.
# Near 0% when the images are symmetric or come either way round.
for label, name in names.items():
    average = x_train[y_train == label].mean(axis=0)
    mirrored = average[:, ::-1]
    difference = abs(average - mirrored).mean() / average.mean()
    print(f"{name:>10}: differs from its mirror image by {difference:.0%}")
