"""The detectors ``flag_pair`` runs, in the order their flags appear on a link.

A new detector is one ``Detector`` value (see ``align.flags.context``) in its own module; pass
``detectors=(*DETECTORS, yours)`` to ``flag_links`` to run it, or add it here to run it by default."""

from __future__ import annotations

from align.flags.context import Detector
from align.flags.coverage import PARTIAL_ADDITION, PARTIAL_OMISSION
from align.flags.language import UNTRANSLATED
from align.flags.meaning import DIRECTION, NEGATION, SIMILARITY
from align.flags.names import NAMES
from align.flags.numbers import NUMBERS

DETECTORS: tuple[Detector, ...] = (UNTRANSLATED, SIMILARITY, PARTIAL_OMISSION, PARTIAL_ADDITION, NEGATION, DIRECTION,
                                   NUMBERS, NAMES)
