"""Every output of a run, written through one registry (`registry.py`): each module of
this package registers its writers when imported, and all of them are imported here."""

import importlib
import pkgutil

from align.export.registry import WRITERS, ExportContext, Writer, formats, outputs_of, register, write_outputs

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["WRITERS", "ExportContext", "Writer", "formats", "outputs_of", "register", "write_outputs"]
