"""Reading this package's data files (bands, defaults, thresholds) with importlib.resources."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """The parsed JSON of `data/<name>`; cached, since packaged data does not change at run time."""
    text = resources.files("computegov.compute").joinpath("data", name).read_text("utf-8")
    return json.loads(text)
