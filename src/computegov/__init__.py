"""computegov: a reference system for governing AI compute."""

__version__ = "0.1.0"
