"""Which instruments were in force when, and their citations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from computegov.catalog import get_chip
from computegov.rules import RULE_IDS, all_instruments, get_instrument, regime, threshold


def ids(year: int, month: int, day: int) -> list[str]:
    return [i.id for i in regime(datetime(year, month, day, tzinfo=UTC)) if i.kind != "amendment"]


def test_regime_at_instants() -> None:
    assert ids(2022, 10, 1) == []
    assert ids(2022, 11, 1) == ["bis-2022-10"]
    assert ids(2023, 12, 1) == ["bis-2023-10"]
    # The H20 letter joins the 2023 rule; the Diffusion rule was in force on paper but never
    # reached compliance, so it is never part of the regime.
    assert ids(2025, 5, 1) == ["bis-2023-10", "bis-2025-04-h20"]
    assert ids(2025, 2, 1) == ["bis-2023-10"]


def test_the_nac_aca_split_is_a_dated_amendment() -> None:
    amendments = [i.id for i in regime(datetime(2024, 4, 4, tzinfo=UTC)) if i.kind == "amendment"]
    assert amendments == ["bis-2024-04-nac-aca"]
    assert not [i for i in regime(datetime(2024, 4, 3, tzinfo=UTC)) if i.kind == "amendment"]


@pytest.mark.parametrize(
    ("rule_id", "citation"),
    [
        ("bis-2022-10", "87 FR 62186"),
        ("bis-2023-10", "88 FR 73458"),
        ("bis-2025-01-diffusion", "90 FR 4544"),
        ("bis-2025-04-h20", "8-K"),
    ],
)
def test_each_rule_carries_its_citation(rule_id: str, citation: str) -> None:
    instrument = get_instrument(rule_id)
    assert citation in instrument.citation
    assert instrument.source.startswith("https://")


def test_diffusion_dates() -> None:
    rule = get_instrument("bis-2025-01-diffusion")
    assert rule.effective_from == datetime(2025, 1, 13, tzinfo=UTC)
    assert rule.effective_to == datetime(2025, 5, 13, tzinfo=UTC)
    assert rule.compliance_from is not None and rule.effective_to < rule.compliance_from
    assert not rule.in_regime


def test_rule_ids_exist() -> None:
    assert set(RULE_IDS) <= {i.id for i in all_instruments()}


def test_h20_letter_thresholds_are_the_h20s_own_figures() -> None:
    h20 = get_chip("H20")
    assert threshold("bis-2025-04-h20", "memory_bandwidth_min_gbps") == h20.memory_bandwidth_gbps
    assert threshold("bis-2025-04-h20", "io_bandwidth_min_gbps") == h20.io_bandwidth_gbps


def test_every_instrument_names_the_jurisdiction_that_administers_it() -> None:
    from computegov.rules import administering_jurisdictions, instruments_of

    for instrument in all_instruments():
        assert instrument.to_dict()["jurisdiction"] == instrument.jurisdiction
        if instrument.id.startswith("bis-"):
            assert instrument.jurisdiction == "US", instrument.id
    assert administering_jurisdictions() == {"US"}
    assert instruments_of("NL") == [] and "bis-2023-10" in [i.id for i in instruments_of("US")]


def test_each_fired_instrument_says_whose_it_is() -> None:
    from computegov.rules import license_required

    decision = license_required(
        get_chip("H100"), "CN", on=datetime(2025, 6, 1, tzinfo=UTC), quantity=1
    )
    answer = decision.to_dict()
    assert answer["jurisdictions"] == ["US"]
    assert [(f["rule"], f["jurisdiction"]) for f in answer["fired"]] == [
        ("bis-2023-10", "US"),
        ("bis-2025-04-h20", "US"),
    ]
    named = license_required(
        get_chip("H100"), "IN", on=datetime(2025, 3, 1, tzinfo=UTC), rule="bis-2025-01-diffusion"
    )
    assert [f.jurisdiction for f in named.fired] == ["US"]
