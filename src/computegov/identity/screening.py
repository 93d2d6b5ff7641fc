"""Screening lists in the format of the US Consolidated Screening List (CSL) CSV.

The CSL CSV (trade.gov) has one row per listed party with columns including `name`,
`alt_names`, `addresses`, `source` (the list, e.g. "Entity List (EL) - Bureau of Industry and
Security") and `programs`; multi-valued cells are separated by semicolons. Only `name` and
`source` are required here. Matching normalises names (case, accents, punctuation, common
legal-form words) so "Example Compute Co., Ltd." matches "EXAMPLE COMPUTE COMPANY LIMITED".
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from computegov.errors import InvalidInput

REQUIRED_COLUMNS = ("name", "source")
LEGAL_FORMS = frozenset(
    {
        *("co", "company", "corp", "corporation", "inc", "incorporated", "llc", "ltd"),
        *("limited", "plc", "gmbh", "ag", "sa", "sas", "bv", "nv", "pte", "pty", "jsc"),
        *("ojsc", "pjsc", "oao", "ooo", "kk", "srl", "spa", "the"),
    }
)


@dataclass(frozen=True)
class ScreeningEntry:
    """One listed party."""

    name: str
    alt_names: tuple[str, ...]
    addresses: tuple[str, ...]
    source: str
    programs: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "alt_names": list(self.alt_names),
            "addresses": list(self.addresses),
            "source": self.source,
            "programs": list(self.programs),
        }


@dataclass(frozen=True)
class ScreeningMatch:
    """Why a party's name matched a listed entry: the evidence a flag carries."""

    entry: ScreeningEntry
    party_name: str
    listed_name: str
    kind: str  # "exact" (same normalised name) or "contains" (every listed word present)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "party_name": self.party_name,
            "listed_name": self.listed_name,
            "entry": self.entry.to_dict(),
        }


def normalize_name(name: str) -> tuple[str, ...]:
    """The words of a name without case, accents, punctuation or legal-form words."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = folded.replace(".", "")  # "S.A." and "G.m.b.H." are one word each
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    return tuple(word for word in words if word not in LEGAL_FORMS)


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def parse_screening_csv(text: str) -> list[ScreeningEntry]:
    """Parse CSL-format CSV text; every bad row is reported with its line number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _parse_rows(reader)
    except csv.Error as exc:
        raise InvalidInput(
            f"screening list line {reader.line_num}: not readable CSV ({exc}); the US "
            "Consolidated Screening List CSV format is expected"
        ) from None


def _parse_rows(reader: csv.DictReader[str]) -> list[ScreeningEntry]:
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            f"screening list lacks column(s) {', '.join(missing)}; the US Consolidated "
            "Screening List CSV format is expected (name, alt_names, addresses, source, programs)"
        )
    entries: list[ScreeningEntry] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        cells = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        if not cells.get("name") or not normalize_name(cells["name"]):
            problems.append(f"line {line}: empty name")
            continue
        if not cells.get("source"):
            problems.append(f"line {line}: empty source")
            continue
        entries.append(
            ScreeningEntry(
                name=cells["name"],
                alt_names=_split(cells.get("alt_names")),
                addresses=_split(cells.get("addresses")),
                source=cells["source"],
                programs=_split(cells.get("programs")),
            )
        )
    if problems:
        raise InvalidInput("screening list has bad rows: " + "; ".join(problems))
    return entries


def screen(names: Sequence[str], entries: Iterable[ScreeningEntry]) -> list[ScreeningMatch]:
    """Every listed entry that one of a party's names (legal name, aliases) matches."""
    candidates = [(name, normalize_name(name)) for name in names if normalize_name(name)]
    matches: list[ScreeningMatch] = []
    for entry in entries:
        for listed in (entry.name, *entry.alt_names):
            listed_words = normalize_name(listed)
            if not listed_words:
                continue
            found = _match(candidates, listed_words)
            if found is not None:
                party_name, kind = found
                matches.append(ScreeningMatch(entry, party_name, listed, kind))
                break
    return matches


def _match(
    candidates: Sequence[tuple[str, tuple[str, ...]]], listed: tuple[str, ...]
) -> tuple[str, str] | None:
    for name, words in candidates:
        if words == listed:
            return name, "exact"
    # A listed name of two or more words, all present in order inside a party's name,
    # catches "Example Compute (Shenzhen) Co." against "Example Compute".
    if len(listed) >= 2:
        for name, words in candidates:
            if _contains_run(words, listed):
                return name, "contains"
    return None


def _contains_run(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def sample_list() -> list[ScreeningEntry]:
    """A small list made for tests and the demo (fictitious parties, CSL format)."""
    path = resources.files("computegov.identity").joinpath("data/screening-sample.csv")
    return parse_screening_csv(path.read_text(encoding="utf-8"))
