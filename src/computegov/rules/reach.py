"""Whose export rules a chip is subject to: the jurisdictions that administer the instruments
in force whose technical test catches it.

A jurisdiction's controls follow its controlled items wherever they are (the US rules
follow a 3A090 chip into China), so a question such as "does the US reach this transfer?"
asks, among other things, whether the chips moved are subject to US rules at that instant.
"""

from __future__ import annotations

from datetime import datetime

from computegov.catalog import ChipModel
from computegov.rules.classification import H20_LETTER, classify_under
from computegov.rules.instruments import Instrument, regime


def controlling_jurisdictions(chip: ChipModel, on: datetime) -> dict[str, list[str]]:
    """Each jurisdiction whose instruments in force at `on` control `chip`, with their ids.

    An instrument controls a chip when its technical test catches it (an ECCN assigned by
    a 3A090 text, or H20-class under the April 2025 letter); instruments without a test of
    their own (amendments) control nothing by themselves.
    """
    found: dict[str, list[str]] = {}
    for instrument in regime(on):
        if not _has_test(instrument):
            continue
        if not classify_under(chip, instrument, on).controlled:
            continue
        found.setdefault(instrument.jurisdiction, []).append(instrument.id)
    return found


def _has_test(instrument: Instrument) -> bool:
    return bool(instrument.eccn_text) or instrument.id == H20_LETTER
