"""What `supply calc` prints as a source is a public document.

The rows of the supply model's data files are held to the packaged-data rule with every other
data file in tests/test_data_sources.py; this checks the sources the calculation itself shows.
"""

from __future__ import annotations

import re

from computegov.supply import calculate
from computegov.supply.budget import parse_budget
from public_sources import names_a_public_document

PACKAGED = re.compile(r"^data/\w+\.csv\b")


def test_every_source_supply_calc_prints_is_public() -> None:
    """The sources `supply calc` shows (purchases and yardsticks) are public documents, or the
    packaged data file whose rows carry theirs."""
    result = calculate(parse_budget("7T"))
    sources = [line["source"] for line in result["purchases"]]
    sources += [y["source"] for y in result["yardsticks"]]
    assert sources
    for src in sources:
        for part in src.split("; "):
            assert PACKAGED.match(part) or names_a_public_document(part), src
