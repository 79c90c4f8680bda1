"""Cache faults staged for tests: a full disk and a read-only folder (root ignores chmod)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def tiny_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new connection of the store sees a disk with no room for more pages."""
    real = sqlite3.connect

    def connect(*args, **kwargs):
        db = real(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 2)}")
        return db

    monkeypatch.setattr("align.cache.sqlite3.connect", connect)


def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection of the store opens its file read-only, as in a folder it may not write."""
    real = sqlite3.connect
    monkeypatch.setattr("align.cache.sqlite3.connect",
                        lambda path, **kwargs: real(f"{Path(path).as_uri()}?mode=ro", uri=True, **kwargs))
