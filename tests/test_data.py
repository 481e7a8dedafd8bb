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
