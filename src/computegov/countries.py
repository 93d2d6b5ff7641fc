"""Countries as ISO 3166-1 alpha-2 codes, validated against pycountry."""

from __future__ import annotations

import pycountry

from computegov.errors import InvalidInput


def parse_country(code: str) -> str:
    """Return the upper-case alpha-2 code, or raise `InvalidInput` naming what is accepted."""
    text = code.strip().upper()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text) is not None:
        return text
    raise InvalidInput(
        f"unknown country code: {code!r}; use an ISO 3166-1 alpha-2 code such as US, CN, NL, AE"
    )


def country_name(code: str) -> str:
    """The English short name of an alpha-2 code."""
    country = pycountry.countries.get(alpha_2=code.upper())
    return str(country.name) if country is not None else code
