"""Data provisioning makes `load_data()` work with sockets blocked, and fails clearly when it cannot."""

import socket

import pytest

from sitebuild.data import DataUnavailableError, ensure_fashion_mnist


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_load_data_works_offline(no_network):
    import keras

    ensure_fashion_mnist()
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert set(y_train.tolist()) == set(range(10))


def test_copies_from_debian_folder_into_an_empty_cache(tmp_path, no_network):
    cache = ensure_fashion_mnist(home=tmp_path / "keras-home", allow_apt=False)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        p.name for p in (tmp_path / "keras-home/datasets/fashion-mnist").iterdir())
    assert len(list(cache.iterdir())) == 4


def test_empty_cache_without_any_source_raises_the_named_error(tmp_path, no_network):
    with pytest.raises(DataUnavailableError) as raised:
        ensure_fashion_mnist(home=tmp_path / "keras-home", debian_dir=tmp_path / "absent", allow_apt=False)
    message = str(raised.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "network" in message
    assert "train-images-idx3-ubyte.gz" in message


# Lesson 8: MobileNetV2's ImageNet weights (stand-ins in CI) and the reader's folder of images.

def _mobilenet_call_of_lesson_8():
    """The keyword arguments of the `MobileNetV2(...)` call in snippets/l8_*.py, evaluated as the snippet does."""
    import ast
    from pathlib import Path

    for snippet in sorted(Path("snippets").glob("l8_*.py")):
        tree = ast.parse(snippet.read_text(encoding="utf-8"))
        constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                     if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                     and isinstance(node.value, (ast.Constant, ast.Tuple))}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "MobileNetV2":
                return {keyword.arg: eval(compile(ast.Expression(keyword.value), snippet, "eval"), {}, constants)
                        for keyword in node.keywords}
    raise AssertionError("no snippets/l8_*.py calls keras.applications.MobileNetV2(...)")


def test_lesson_8_mobilenet_loads_imagenet_weights_offline(no_network):
    import keras

    from sitebuild.data import provide_standin_imagenet_weights

    arguments = _mobilenet_call_of_lesson_8()
    assert arguments["weights"] == "imagenet" and arguments["include_top"] is False
    path = provide_standin_imagenet_weights(arguments["alpha"], arguments["input_shape"][0])
    loaded = keras.applications.MobileNetV2(**arguments)  # would try to download, and fail, without the file
    from_file = keras.applications.MobileNetV2(**dict(arguments, weights=None))
    from_file.load_weights(path)
    assert all((a == b).all() for a, b in zip(loaded.get_weights(), from_file.get_weights()))


def test_standin_weights_are_marked_and_never_replace_a_file(tmp_path, monkeypatch):
    import h5py

    from sitebuild.data import imagenet_weights_path, provide_standin_imagenet_weights

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    path = provide_standin_imagenet_weights()
    assert path == imagenet_weights_path() and path.is_relative_to(tmp_path)
    with h5py.File(path, "r") as weights_file:
        assert "stand_in" in weights_file.attrs and "Conv1" in weights_file
    real = imagenet_weights_path(alpha=1.0, size=224)
    real.write_bytes(b"pretend these are the real ImageNet weights")
    assert provide_standin_imagenet_weights(alpha=1.0, size=224) == real
    assert real.read_bytes() == b"pretend these are the real ImageNet weights"


def test_example_images_are_a_folder_per_class_of_pngs(tmp_path):
    import keras

    from sitebuild.data import EXAMPLE_CLASSES, make_example_images

    root = make_example_images(tmp_path, per_class=3)
    assert root == tmp_path / "my_images"
    assert sorted(p.name for p in root.iterdir()) == sorted(EXAMPLE_CLASSES)
    for folder in root.iterdir():
        images = sorted(folder.glob("*.png"))
        assert len(images) == 3
        assert keras.utils.load_img(images[0]).size == (28, 28)
