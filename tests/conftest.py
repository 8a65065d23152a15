"""Shared fixtures: a fresh DuckDB file, and the shipped sample programme loaded once per run."""

import shutil

import pytest

from analytics.store import db


@pytest.fixture
def con(tmp_path):
    """An empty Mutual database in a real DuckDB file."""
    connection = db.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory):
    """A database with data/sample/ imported, built once and copied by `sample_db`."""
    from analytics.sample import programme

    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    connection = db.connect(path)
    programme.load_sample(connection)
    connection.close()
    return path


@pytest.fixture
def sample_db(sample_db_file, tmp_path, monkeypatch):
    """A private copy of the sample database; MUTUAL_DB points at it, so AppTest pages use it."""
    path = tmp_path / "mutual.duckdb"
    shutil.copy(sample_db_file, path)
    monkeypatch.setenv("MUTUAL_DB", str(path))
    return path


@pytest.fixture
def sample_con(sample_db):
    """A connection to the private copy of the sample database."""
    connection = db.connect(sample_db)
    yield connection
    connection.close()
