"""Screening against lists in the Consolidated Screening List CSV format."""

from __future__ import annotations

import pytest

from computegov.errors import InvalidInput
from computegov.identity.screening import (
    normalize_name,
    parse_screening_csv,
    sample_list,
    screen,
)

ENTRIES = sample_list()


def test_sample_list_parses_all_fields() -> None:
    assert len(ENTRIES) == 3
    first = ENTRIES[0]
    assert first.name == "Fictitious Frontier Compute Co., Ltd."
    assert first.alt_names == ("FFC Compute", "Frontier Compute Shenzhen")
    assert first.source.startswith("Entity List")
    assert first.programs == ("EAR",)


@pytest.mark.parametrize(
    ("names", "listed", "kind"),
    [
        (
            ["FICTITIOUS FRONTIER COMPUTE COMPANY LIMITED"],
            "Fictitious Frontier Compute Co., Ltd.",
            "exact",
        ),
        (["Some Holding", "FFC Compute Inc."], "FFC Compute", "exact"),
        (["Made-Up Trading G.m.b.H."], "Made Up Trading GmbH", "exact"),
        (["Madeup Handels"], "Madeup Handels GmbH", "exact"),
        (
            ["Imaginary Accelerator Research Institute (Beijing Branch)"],
            "Imaginary Accelerator Research Institute",
            "contains",
        ),
        (["Frontier Compute Shenzhen Subsidiary"], "Frontier Compute Shenzhen", "contains"),
    ],
)
def test_names_and_aliases_match_listed_entries(names: list[str], listed: str, kind: str) -> None:
    matches = screen(names, ENTRIES)
    assert [(m.listed_name, m.kind) for m in matches] == [(listed, kind)]


def test_unrelated_and_single_word_overlaps_do_not_match() -> None:
    assert screen(["Frontier Airlines"], ENTRIES) == []
    assert screen(["Compute Partners"], ENTRIES) == []
    assert screen(["IARI Holdings"], ENTRIES) == []  # a one-word listed name must match exactly


def test_normalisation_drops_case_accents_punctuation_and_legal_forms() -> None:
    assert normalize_name("Société Générale S.A.") == ("societe", "generale")
    assert normalize_name("ACME, Inc.") == normalize_name("acme incorporated")


def test_bad_rows_are_reported_with_line_numbers() -> None:
    text = "name,source\nGood Name,EL\n,EL\nOther,\n"
    with pytest.raises(InvalidInput) as info:
        parse_screening_csv(text)
    assert "line 3: empty name" in str(info.value)
    assert "line 4: empty source" in str(info.value)


def test_a_file_without_the_csl_columns_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Consolidated Screening List"):
        parse_screening_csv("company,country\nX,CN\n")
