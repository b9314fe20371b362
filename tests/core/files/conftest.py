"""Fixtures of the File tests: a folder of files, and backoffices built around a model."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from backo import Backoffice, Collection, Item
from backo.storage.files import FileSystemConnector

from ...conftest import StoreFactory

#: Builds a Backoffice with one collection "docs" of the given Item model.
BackofficeFactory = Callable[[Item], Backoffice]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The work folder of the files."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def work(folder: Path) -> FileSystemConnector:
    """The work connector, reading 4-byte chunks."""
    return FileSystemConnector(path=str(folder), buffer_size=4)


@pytest.fixture
def make_backoffice(store_factory: StoreFactory) -> BackofficeFactory:
    """Backoffice "app" with a "docs" collection of ``model``, on the store under test."""

    def make(model: Item, backoffice_class: type[Backoffice] = Backoffice) -> Backoffice:
        backoffice = backoffice_class("app")
        backoffice.register_collection(Collection("docs", model, store_factory("docs")))
        return backoffice

    return make


def files_in(folder: Path) -> list[str]:
    """The files of ``folder``, sorted."""
    return sorted(os.listdir(folder))
