"""The detectors ``flag_pair`` runs, in the order their flags appear on a link.

A new detector is one ``Detector`` value (see ``align.flags.context``) in its own module; pass
``detectors=(*DETECTORS, yours)`` to ``flag_links`` to run it, or add it here to run it by default."""

from __future__ import annotations

from align.flags.brackets import BRACKETS
from align.flags.consistency import CONSISTENCY
from align.flags.context import Detector
from align.flags.coverage import PARTIAL_ADDITION, PARTIAL_OMISSION
from align.flags.identical import IDENTICAL
from align.flags.language import UNTRANSLATED, WRONG_LANGUAGE
from align.flags.length import LENGTH
from align.flags.meaning import DIRECTION, NEGATION, PERSON, SIMILARITY
from align.flags.names import NAMES
from align.flags.numbers import NUMBERS
from align.flags.repeats import REPEATS
from align.flags.urls import URLS

# Decisive checks first (a copied or wrong-language target makes every other flag noise).
DETECTORS: tuple[Detector, ...] = (UNTRANSLATED, IDENTICAL, WRONG_LANGUAGE, SIMILARITY, PARTIAL_OMISSION,
                                   PARTIAL_ADDITION, NEGATION, DIRECTION, PERSON, NUMBERS, NAMES, URLS, BRACKETS,
                                   REPEATS, LENGTH, CONSISTENCY)
