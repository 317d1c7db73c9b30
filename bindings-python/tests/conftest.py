"""Shared fixtures: the shared-data folder, a fresh PostgreSQL database per test."""

import os
import uuid
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("OPTSCAN_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def shared_data() -> Path:
    """`../shared/data` beside the repository, overridable by OPTSCAN_SHARED_DATA."""
    env = os.environ.get("OPTSCAN_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture
def pg_url():
    """URL of a brand-new PostgreSQL database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        pytest.skip(f"skipped: no local PostgreSQL at 127.0.0.1:5432 ({e})")
    name = f"optscan_py_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
