"""Who makes the catalog's chips and where: each vendor's headquarters, and the fabs and
assembly sites a manifest may name, each with its country.

The facts live in `data/vendors.csv` and `data/manufacturing_sites.csv`, each row with its
`source`; this module only reads and looks them up. A chip's first country is the country of
its assembly site (final packaging and test), where it was finished.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from computegov.catalog.chips import all_chips
from computegov.errors import NotFound

#: What a manufacturing site does: wafer fabrication, or final packaging and test.
SITE_KINDS = ("fab", "assembly")
_KIND_WORDS = {"fab": "fab", "assembly": "assembly site"}


@dataclass(frozen=True)
class Vendor:
    """A catalog vendor and the country of its headquarters (whose regulators bind it)."""

    name: str
    legal_name: str
    hq_country: str
    source: str
    notes: str = ""


@dataclass(frozen=True)
class ManufacturingSite:
    """A wafer fab or an assembly site (final packaging and test), as the public record names
    it, with the country it is in."""

    name: str
    kind: str
    operator: str
    country: str
    aliases: tuple[str, ...]
    source: str
    notes: str = ""


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("computegov.catalog").joinpath(f"data/{name}").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, row in enumerate(rows, start=2):
        if None in row or not (row.get("source") or "").strip():
            raise ValueError(f"{name} line {number}: every row needs all columns and a source")
    return rows


def _country(text: str, where: str) -> str:
    code = text.strip()
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        raise ValueError(f"{where}: country {code!r} is not an ISO 3166-1 alpha-2 code")
    return code


@lru_cache(maxsize=1)
def _vendors() -> dict[str, Vendor]:
    vendors: dict[str, Vendor] = {}
    for row in _read("vendors.csv"):
        name = row["vendor"].strip()
        vendors[name] = Vendor(
            name=name,
            legal_name=row["legal_name"].strip(),
            hq_country=_country(row["hq_country"], f"vendors.csv: {name}"),
            source=row["source"].strip(),
            notes=row["notes"].strip(),
        )
    missing = sorted({chip.vendor for chip in all_chips()} - set(vendors))
    if missing:
        raise ValueError(f"vendors.csv: no row for the catalog vendors {', '.join(missing)}")
    return vendors


def all_vendors() -> list[Vendor]:
    """Every vendor of the accelerator catalog, in file order."""
    return list(_vendors().values())


def get_vendor(name: str) -> Vendor:
    """The catalog vendor called `name` (any case); NotFound naming the known ones."""
    vendors = _vendors()
    for vendor in vendors.values():
        if vendor.name.casefold() == name.strip().casefold():
            return vendor
    raise NotFound(f"unknown vendor {name!r}; the catalog's vendors are {', '.join(vendors)}")


def _key(name: str) -> str:
    """Names compare without case, spaces or punctuation: "tsmc fab-18" == "TSMC Fab 18"."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@lru_cache(maxsize=1)
def _sites() -> tuple[ManufacturingSite, ...]:
    sites = []
    for row in _read("manufacturing_sites.csv"):
        name = row["name"].strip()
        kind = row["kind"].strip()
        if kind not in SITE_KINDS:
            raise ValueError(f"manufacturing_sites.csv: {name} has kind {kind!r}")
        sites.append(
            ManufacturingSite(
                name=name,
                kind=kind,
                operator=row["operator"].strip(),
                country=_country(row["country"], f"manufacturing_sites.csv: {name}"),
                aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
                source=row["source"].strip(),
                notes=row["notes"].strip(),
            )
        )
    return tuple(sites)


@cache
def _site_index(kind: str) -> dict[str, ManufacturingSite]:
    index: dict[str, ManufacturingSite] = {}
    for site in _sites():
        if site.kind != kind:
            continue
        for name in (site.name, *site.aliases):
            other = index.setdefault(_key(name), site)
            if other is not site:
                raise ValueError(
                    f"manufacturing_sites.csv: {name!r} names both {other.name} and {site.name}"
                )
    return index


def all_sites(kind: str | None = None) -> list[ManufacturingSite]:
    """Every fab and assembly site in file order, or those of one `kind`."""
    return [site for site in _sites() if kind is None or site.kind == kind]


def site_names(kind: str) -> str:
    """The known sites of a kind, as one line for an error message."""
    return "; ".join(f"{s.name} ({s.country})" for s in all_sites(kind))


def find_site(name: str, kind: str) -> ManufacturingSite | None:
    """The `kind` site called `name` or one of its aliases (any case), or None."""
    if kind not in SITE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SITE_KINDS)}")
    return _site_index(kind).get(_key(name))


def get_site(name: str, kind: str) -> ManufacturingSite:
    """The `kind` site called `name`; NotFound listing every known one of that kind."""
    site = find_site(name, kind)
    if site is None:
        raise NotFound(unknown_site_message(name, kind))
    return site


def unknown_site_message(name: str, kind: str, *, with_list: bool = True) -> str:
    """What to say of a site name that is not in the list: the name, then every known one."""
    message = f"unknown {_KIND_WORDS[kind]} {name!r}"
    return f"{message}; {known_sites_hint(kind)}" if with_list else message


def known_sites_hint(kind: str) -> str:
    """Every known site of a kind, and where to list them."""
    plural = {"fab": "fabs", "assembly": "assembly sites"}[kind]
    return f"known {plural} (`computegov chips fabs`): {site_names(kind)}"
