"""Every instrument's status around its dates, and crossing exactly at the threshold."""

from __future__ import annotations

import math
from datetime import date

import pytest

from computegov.compute import ThresholdResult, cluster_thresholds, instruments, thresholds
from computegov.errors import InvalidInput
from computegov.instants import parse_instant

TRAINING_IDS = [
    "us-eo-14110",
    "eu-ai-act-art-51",
    "eu-gpai-guidelines",
    "us-ca-sb-53",
    "us-ca-sb-1047",
    "us-bis-2024-proposed-reporting",
]


def _by_id(flop: float, on: str, bio: bool = False) -> dict[str, ThresholdResult]:
    return {r.id: r for r in thresholds(flop, parse_instant(on), bio=bio)}


@pytest.mark.parametrize(
    ("instrument", "day", "status"),
    [
        ("us-eo-14110", "2023-10-29", "not_yet"),
        ("us-eo-14110", "2023-10-30", "in_force"),
        ("us-eo-14110", "2024-06-01", "in_force"),
        ("us-eo-14110", "2025-01-19", "in_force"),
        ("us-eo-14110", "2025-01-20", "revoked"),
        ("us-eo-14110", "2025-02-01", "revoked"),
        ("eu-ai-act-art-51", "2025-08-01", "not_yet"),
        ("eu-ai-act-art-51", "2025-08-02", "in_force"),
        ("eu-ai-act-art-51", "2030-01-01", "in_force"),
        ("eu-gpai-guidelines", "2025-08-01", "not_yet"),
        ("eu-gpai-guidelines", "2025-08-02", "in_force"),
        ("us-ca-sb-53", "2025-12-31", "not_yet"),
        ("us-ca-sb-53", "2026-01-01", "in_force"),
        ("us-ca-sb-1047", "2024-06-01", "what_if"),
        ("us-ca-sb-1047", "2026-06-01", "what_if"),
        ("us-bis-2024-proposed-reporting", "2024-06-01", "what_if"),
        ("us-bis-2024-proposed-reporting", "2026-06-01", "what_if"),
    ],
)
def test_status_on_each_side_of_each_date(instrument: str, day: str, status: str) -> None:
    result = _by_id(1e27, day)[instrument]
    assert result.status == status
    assert result.triggered == (status == "in_force")


def test_days_are_utc_days() -> None:
    # 23:00 at UTC-2 on 1 August is 01:00 UTC on 2 August: the EU obligations apply.
    late = thresholds(1e26, parse_instant("2025-08-01T23:00:00-02:00"))
    assert {r.id: r.status for r in late}["eu-ai-act-art-51"] == "in_force"
    early = thresholds(1e26, parse_instant("2025-08-01T23:59:59Z"))
    assert {r.id: r.status for r in early}["eu-ai-act-art-51"] == "not_yet"


def test_every_training_instrument_is_answered() -> None:
    assert [r.id for r in thresholds(1e24, date(2026, 1, 1))] == TRAINING_IDS


@pytest.mark.parametrize(
    ("instrument", "threshold"),
    [
        ("us-eo-14110", 1e26),
        ("eu-ai-act-art-51", 1e25),
        ("eu-gpai-guidelines", 1e23),
        ("us-ca-sb-53", 1e26),
        ("us-ca-sb-1047", 1e26),
        ("us-bis-2024-proposed-reporting", 1e26),
    ],
)
def test_exactly_at_the_threshold_is_not_above_it(instrument: str, threshold: float) -> None:
    # Every instrument here says "greater than" / "more than": the threshold itself does not cross.
    at = _by_id(threshold, "2026-06-01")[instrument]
    assert at.threshold == threshold
    assert at.comparison == "above"
    assert at.crossed is False
    above = _by_id(math.nextafter(threshold, math.inf), "2026-06-01")[instrument]
    assert above.crossed is True


def test_a_llama_scale_run_in_late_2025() -> None:
    # 3.8e25 FLOP (Llama 3.1-405B) on 2025-09-01: the EU presumption and GPAI guidance apply.
    results = _by_id(3.8e25, "2025-09-01")
    applies = sorted(key for key, r in results.items() if r.triggered)
    assert applies == ["eu-ai-act-art-51", "eu-gpai-guidelines"]
    assert "two weeks" in results["eu-ai-act-art-51"].obligation


def test_bio_threshold_replaces_the_general_one() -> None:
    general = _by_id(5e23, "2024-06-01")
    assert general["us-eo-14110"].crossed is False
    bio = _by_id(5e23, "2024-06-01", bio=True)
    assert "us-eo-14110" not in bio
    eo_bio = bio["us-eo-14110-bio"]
    assert eo_bio.threshold == 1e23
    assert eo_bio.crossed and eo_bio.status == "in_force"
    assert _by_id(1e23, "2024-06-01", bio=True)["us-eo-14110-bio"].crossed is False
    # Instruments without a bio rule keep their general threshold.
    assert bio["eu-ai-act-art-51"].threshold == 1e25


def test_clusters_cross_only_with_both_rate_and_network() -> None:
    on = date(2024, 10, 1)
    by_id = {r.id: r for r in cluster_thresholds(2e20, 200, on)}
    assert by_id["us-eo-14110-cluster"].crossed  # 2e20 ops/s, 200 > 100 Gbit/s
    assert by_id["us-eo-14110-cluster"].status == "in_force"
    assert not by_id["us-bis-2024-proposed-reporting-cluster"].crossed  # needs > 300 Gbit/s
    assert by_id["us-bis-2024-proposed-reporting-cluster"].status == "what_if"
    slow = {r.id: r for r in cluster_thresholds(2e20, 100, on)}
    assert not slow["us-eo-14110-cluster"].crossed  # 100 Gbit/s is not above 100


def test_every_instrument_carries_source_obligation_and_known_standing() -> None:
    for item in instruments():
        assert item.source.startswith(("http", "EO ", "Regulation")), item.id
        assert "http" in item.source
        assert item.obligation
        assert item.standing in {"enacted", "guidance", "vetoed", "proposed"}


def test_negative_compute_is_refused() -> None:
    with pytest.raises(InvalidInput):
        thresholds(-1.0, date(2025, 1, 1))


def test_to_dict_has_the_documented_keys() -> None:
    (first, *_) = thresholds(1e26, date(2024, 6, 1))
    data = first.to_dict()
    assert {"instrument", "threshold", "crossed", "status", "obligation"} <= set(data)
    assert data["effective"] == "2023-10-30" and data["revoked"] == "2025-01-20"
