"""run.json: the record of a run, so that it can be reproduced from what it wrote:
project version, signature, encoder and word model, every setting, each input file
with its SHA-256, the outputs, where it ran (engine, workers) and the date (the only
parts that differ between two identical runs)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from align.export.registry import ExportContext, Writer, register
from align.settings import Settings
from align.version import __version__


def run_record(command: str, settings: Settings, inputs: list[Path], outputs: list[str]) -> dict[str, Any]:
    """The run record of ``command`` (build, locate, pair) over ``inputs``."""
    return {
        "align_version": __version__,
        "command": command,
        "signature": settings.signature(),
        "encoder": settings.encoder,
        "word_model": settings.word_model_id,
        "settings": settings.record(),
        "inputs": [{"path": str(path), "sha256": _sha256(path)} for path in dict.fromkeys(inputs)],
        "outputs": outputs,
        "engine": settings.engine_record(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_json(context: ExportContext) -> bytes:
    return (json.dumps(context.run, ensure_ascii=False, indent=2) + "\n").encode()


register(Writer("run.json", "the run record: version, signature, encoder and word model, every setting, "
                            "input files with SHA-256, outputs, date", run_json))
