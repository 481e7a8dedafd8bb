"""Data provisioning makes `load_data()` work with sockets blocked, and fails clearly when it cannot; stand-ins
stay out of the user's Keras cache."""

import os
import socket
import subprocess
import sys

import pytest

from sitebuild.data import DataUnavailableError, ensure_fashion_mnist
from sitebuild.pages import ROOT
from sitebuild.sandbox import CACHE

TESTS_FASHION_MNIST = CACHE / "keras" / "datasets" / "fashion-mnist"  # filled by conftest's sandbox.use()


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

    from sitebuild.data import EXAMPLE_CLASSES, EXAMPLE_TEST_IMAGES, make_example_images, make_example_test_images

    root = make_example_images(tmp_path, counts={"ankle_boot": 1, "bag": 2, "sandal": 3, "sneaker": 1})
    assert root == tmp_path / "my_images"
    assert sorted(p.name for p in root.iterdir()) == sorted(EXAMPLE_CLASSES)
    assert {folder.name: len(list(folder.glob("*.png"))) for folder in root.iterdir()} == \
        {"ankle_boot": 1, "bag": 2, "sandal": 3, "sneaker": 1}
    assert keras.utils.load_img(next(root.glob("bag/*.png"))).size == (28, 28)
    test_root = make_example_test_images(tmp_path)
    assert test_root == tmp_path / "my_test_images"
    assert {folder.name: len(list(folder.glob("*.png"))) for folder in test_root.iterdir()} == EXAMPLE_TEST_IMAGES
    # the test folder's images are none of the training folder's
    training = {path.read_bytes() for path in root.rglob("*.png")}
    assert not training & {path.read_bytes() for path in test_root.rglob("*.png")}


def test_copies_from_another_keras_cache_first(tmp_path, no_network):
    cache = ensure_fashion_mnist(home=tmp_path / "tests-keras", debian_dir=tmp_path / "absent", allow_apt=False,
                                 copy_from=[tmp_path / "empty", TESTS_FASHION_MNIST])
    assert {path.name: path.read_bytes() for path in cache.iterdir()} == \
        {path.name: path.read_bytes() for path in TESTS_FASHION_MNIST.iterdir()}


def test_standin_weights_need_a_keras_home_of_the_tests_own(monkeypatch):
    from sitebuild.data import provide_standin_imagenet_weights

    monkeypatch.delenv("KERAS_HOME")
    with pytest.raises(RuntimeError, match="only into a Keras home of the tests' own"):
        provide_standin_imagenet_weights()


def _weights_file(path, **attributes):
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as weights_file:
        weights_file.create_dataset("kernel", data=[1.0, 2.0])
        weights_file.attrs.update(attributes)


def test_make_removes_planted_stand_ins_from_the_users_keras_cache_and_nothing_else(tmp_path):
    """`make`'s data step (python -m sitebuild.data) in a user's Keras cache holding a stand-in an earlier version
    planted, real weights, and a file that is no HDF5 at all."""
    from sitebuild.data import imagenet_weights_path

    models = tmp_path / "users-keras" / "models"
    planted, real, other = (models / imagenet_weights_path().name, models / "resnet50_weights_notop.h5",
                            models / "notes.h5")
    _weights_file(planted, stand_in="random weights of the right shapes, not trained on ImageNet")
    _weights_file(real, keras_version="2.2.4", backend="tensorflow")
    other.write_bytes(b"not HDF5")
    kept = {path: path.read_bytes() for path in (real, other)}
    ensure_fashion_mnist(tmp_path / "users-keras", copy_from=[TESTS_FASHION_MNIST])  # no download on any machine
    result = subprocess.run([sys.executable, "-m", "sitebuild.data"], cwd=ROOT, capture_output=True, text=True,
                            check=True, env={**os.environ, "KERAS_HOME": str(tmp_path / "users-keras")})
    assert result.stdout.splitlines()[0] == (
        f"removed {planted}: random stand-in weights that an earlier version of this "
        "project's tests left in your Keras cache")
    assert len(result.stdout.splitlines()) == 2 and "Fashion-MNIST ready" in result.stdout
    assert sorted(models.iterdir()) == sorted(kept)
    assert all(path.read_bytes() == content for path, content in kept.items())
