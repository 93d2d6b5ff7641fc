"""The demo world's modules, in the order they build: one per capability.

A capability that adds its part of the demo appends its module's `MODULE` here (see
`computegov.demo.module` and docs/demo.md). Later modules may use what earlier ones made.
"""

from __future__ import annotations

from computegov.demo import chips, custody, flags, licensing, parties, reporting
from computegov.demo.module import DemoModule

MODULES: tuple[DemoModule, ...] = (
    parties.MODULE,
    chips.MODULE,
    custody.MODULE,
    flags.MODULE,
    licensing.MODULE,
    reporting.MODULE,
)
