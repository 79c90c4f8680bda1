"""Russian-English translation aligner and parallel-corpus builder.

``align.align_pair(src, tgt, "ru", "en")`` aligns two files; ``align.build(src_dir, tgt_dir)``
a folder of originals with a folder of renderings. Both take keyword arguments for any
setting (see `align.settings.Settings`) and return typed results (`align.model`);
``align.open_corpus("output/corpus.sqlite")`` searches the corpus database a build writes;
``align.check_file("memo.xliff", output="out")`` checks a bilingual file (XLIFF, TMX, TSV) as it is.
``align.settings_from(...)`` gives the `Settings` those calls build (the cache folder from
``cache_dir``, else ``$ALIGN_CACHE_DIR``, else ``~/.cache/align``), to pass as ``settings=``."""

from align.api import align_pair, build, check_file, settings_from
from align.settings import Settings
from align.store import open_corpus
from align.version import __version__

__all__ = ["Settings", "__version__", "align_pair", "build", "check_file", "open_corpus", "settings_from"]
