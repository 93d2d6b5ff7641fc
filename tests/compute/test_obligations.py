"""The obligations calendar: thresholds at their boundaries, deadlines, dated statuses, and
the inputs it refuses."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from computegov.compute import Entity, Incident, Model, Obligation, obligations
from computegov.compute.obligation_rules import instrument_rules
from computegov.errors import InvalidInput

ON = date(2026, 9, 1)
BIG = Entity(revenue_usd=2e9, markets=("EU", "US-CA", "US-NY"))


def _by(found: list[Obligation], duty_id: str) -> list[Obligation]:
    return [o for o in found if o.duty_id == duty_id]


def _one(found: list[Obligation], duty_id: str) -> Obligation:
    matches = _by(found, duty_id)
    assert len(matches) == 1, [o.to_dict() for o in matches]
    return matches[0]


def _calendar(
    flop: float, entity: Entity = BIG, on: date = ON, **facts: object
) -> list[Obligation]:
    return obligations(entity, Model(flop=flop, **facts), on=on, explain=True)  # type: ignore[arg-type]


# --- EU AI Act: the 10^25 threshold, the two-week notification, enforcement dates ---------


def test_eu_threshold_is_strictly_greater_than_1e25() -> None:
    at = _one(_calendar(1e25, known_on=date(2026, 3, 1)), "eu-art52-notification")
    assert at.state == "does_not_apply"
    assert "not above 1e25" in at.why
    below = _one(_calendar(9.99e24, known_on=date(2026, 3, 1)), "eu-art52-notification")
    assert below.state == "does_not_apply"
    above = _one(_calendar(1.0001e25, known_on=date(2026, 3, 1)), "eu-art52-notification")
    assert above.state == "applies"
    assert "Art. 51(2)" in above.why


def test_eu_notification_is_due_two_weeks_after_it_became_known() -> None:
    found = _one(_calendar(3e25, known_on=date(2026, 3, 1)), "eu-art52-notification")
    assert found.deadline == "2026-03-15"
    assert found.authority.startswith("European Commission")
    assert "Art. 52(1)" in found.citation and found.source.startswith("https://")


def test_eu_notification_without_a_known_on_day_says_so_rather_than_inventing_one() -> None:
    found = _one(_calendar(3e25), "eu-art52-notification")
    assert found.state == "applies"
    assert found.deadline is None
    assert "not given" in found.due


def test_eu_notification_known_before_the_rules_applied_counts_from_2025_08_02() -> None:
    found = _one(
        _calendar(3e25, known_on=date(2025, 6, 1), placed_on=date(2025, 9, 1)),
        "eu-art52-notification",
    )
    assert found.deadline == "2025-08-16"


def test_eu_model_placed_before_2025_08_02_has_until_2027_08_02() -> None:
    found = _calendar(3e25, known_on=date(2025, 1, 10), placed_on=date(2025, 3, 1))
    for duty in ("eu-art52-notification", "eu-model-documentation", "eu-enforcement"):
        item = _one(found, duty)
        assert item.deadline == "2027-08-02", item.to_dict()
        assert "Art. 111(3)" in item.due


def test_eu_enforcement_from_2026_08_02_for_models_placed_since() -> None:
    found = _one(_calendar(3e25, placed_on=date(2025, 8, 2)), "eu-enforcement")
    assert found.deadline == "2026-08-02"


def test_eu_reports_before_market_placement() -> None:
    found = _calendar(3e25, placed_on=date(2026, 6, 1))
    assert _one(found, "eu-cop-safety-security-model-report").deadline == "2026-06-01"
    assert _one(found, "eu-model-documentation").deadline == "2026-06-01"
    smaller = _calendar(5e24, placed_on=date(2026, 6, 1))
    assert _one(smaller, "eu-model-documentation").state == "applies"  # a GPAI model
    assert _one(smaller, "eu-cop-safety-security-model-report").state == "does_not_apply"


@pytest.mark.parametrize(
    ("kind", "deadline"),
    [
        ("critical_infrastructure", "2026-07-03"),
        ("cybersecurity", "2026-07-06"),
        ("death", "2026-07-11"),
        ("serious_harm", "2026-07-16"),
    ],
)
def test_eu_serious_incident_periods_follow_measure_9_3(kind: str, deadline: str) -> None:
    found = _one(
        _calendar(3e25, incidents=(Incident(date(2026, 7, 1), kind),)), "eu-serious-incident"
    )
    assert found.deadline == deadline
    assert found.incident == {"discovered": "2026-07-01", "kind": kind, "imminent": False}


def test_eu_has_no_period_for_an_incident_kind_the_code_does_not_list() -> None:
    found = _one(
        _calendar(3e25, incidents=(Incident(date(2026, 7, 1), "other"),)), "eu-serious-incident"
    )
    assert found.state == "does_not_apply"


def test_a_model_not_placed_in_the_eu_owes_the_eu_nothing() -> None:
    found = _calendar(3e25, entity=Entity(revenue_usd=2e9, markets=("US-CA",)))
    eu = [o for o in found if o.instrument_id == "eu-ai-act-gpai"]
    assert eu and all(o.state == "does_not_apply" for o in eu)
    assert all("not placed on the market in EU" in o.why for o in eu)
    assert not [o for o in obligations(Entity(markets=("US-CA",)), Model(3e25), on=ON)]


# --- the EU modifier rule ----------------------------------------------------------------


def test_a_modifier_above_a_third_of_the_original_becomes_the_provider() -> None:
    modifier = Entity(markets=("EU",), role="modifier")
    above = Model(flop=3e25, known_on=date(2026, 3, 1), base_flop=2.7e25, modification_flop=1e25)
    item = _one(obligations(modifier, above, on=ON), "eu-art52-notification")
    assert item.state == "applies" and "the provider" in item.why
    third = Model(flop=3e25, known_on=date(2026, 3, 1), base_flop=2.7e25, modification_flop=9e24)
    item = _one(obligations(modifier, third, on=ON, explain=True), "eu-art52-notification")
    assert item.state == "does_not_apply" and "not more than 1/3" in item.why
    below = Model(flop=3e25, known_on=date(2026, 3, 1), base_flop=2.7e25, modification_flop=8e24)
    item = _one(obligations(modifier, below, on=ON, explain=True), "eu-art52-notification")
    assert item.state == "does_not_apply" and "not the provider" in item.why


def test_a_modifier_must_give_both_figures() -> None:
    with pytest.raises(InvalidInput, match="modifier"):
        obligations(Entity(markets=("EU",), role="modifier"), Model(flop=3e25), on=ON)


# --- California SB 53 --------------------------------------------------------------------


def test_sb53_frontier_threshold_is_strictly_greater_than_1e26() -> None:
    at = _one(_calendar(1e26, deployed_on=date(2026, 6, 1)), "ca-transparency-report")
    assert at.state == "does_not_apply"
    above = _one(_calendar(1.01e26, deployed_on=date(2026, 6, 1)), "ca-transparency-report")
    assert above.state == "applies" and above.deadline == "2026-06-01"


def test_sb53_large_developer_is_revenue_above_500_million() -> None:
    def framework(revenue: float | None) -> Obligation:
        entity = Entity(revenue_usd=revenue, markets=("US-CA",))
        return _one(
            _calendar(2e26, entity=entity, known_on=date(2026, 2, 1)), "ca-frontier-ai-framework"
        )

    assert framework(5e8).state == "does_not_apply"
    assert "not a large developer" in framework(5e8).why
    assert framework(5.01e8).state == "applies"
    assert framework(5.01e8).deadline == "2026-02-01"
    assert framework(None).state == "undetermined"
    small = Entity(revenue_usd=1e8, markets=("US-CA",))
    found = _calendar(2e26, entity=small, deployed_on=date(2026, 6, 1))
    assert _one(found, "ca-transparency-report").state == "applies"  # every frontier developer
    assert _one(found, "ca-catastrophic-risk-summaries").state == "does_not_apply"


def test_sb53_quarterly_summaries_next_due_day() -> None:
    found = _one(_calendar(2e26, known_on=date(2026, 2, 10)), "ca-catastrophic-risk-summaries")
    assert found.due.startswith("every 3 months from 2026-02-10")
    assert found.deadline == "2026-11-10"  # the first one on or after 2026-09-01


def test_sb53_incident_15_days_or_24_hours_where_imminent() -> None:
    found = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    calm = _by(
        _calendar(2e26, incidents=(Incident(found, "other"),)), "ca-critical-safety-incident"
    )
    assert [o.deadline for o in calm] == ["2026-07-16T09:30:00Z"]
    urgent = _by(
        _calendar(2e26, incidents=(Incident(found, "death", imminent=True),)),
        "ca-critical-safety-incident",
    )
    assert sorted(o.deadline or "" for o in urgent) == [
        "2026-07-02T09:30:00Z",
        "2026-07-16T09:30:00Z",
    ]
    assert any("imminent" in o.duty for o in urgent)


def test_sb53_not_before_2026_01_01() -> None:
    found = _calendar(2e26, on=date(2025, 12, 31), known_on=date(2025, 11, 1))
    item = _one(found, "ca-frontier-ai-framework")
    assert item.state == "upcoming" and item.deadline == "2026-01-01"
    assert item.status == "enacted, not yet in force"
    before = _calendar(2e26, on=date(2026, 2, 1), incidents=(Incident(date(2025, 12, 1), "other"),))
    assert _one(before, "ca-critical-safety-incident").state == "does_not_apply"


def test_sb53_status_records_the_federal_contest_from_the_day_it_was_named() -> None:
    before = _one(_calendar(2e26, on=date(2026, 3, 10)), "ca-frontier-ai-framework")
    after = _one(_calendar(2e26, on=date(2026, 3, 11)), "ca-frontier-ai-framework")
    assert "federal" not in before.status
    assert "contested by federal action" in after.status and "no lawsuit" in after.status


# --- New York RAISE Act --------------------------------------------------------------------


def test_raise_applies_only_from_2027_01_01() -> None:
    incident = (Incident(datetime(2027, 1, 5, 12, tzinfo=UTC), "other", imminent=True),)
    early = _calendar(2e26, on=date(2026, 12, 31), known_on=date(2026, 5, 1))
    assert {o.state for o in early if o.instrument_id == "us-ny-raise"} <= {
        "upcoming",
        "does_not_apply",
    }
    assert _one(early, "ny-frontier-ai-framework").deadline == "2027-01-01"
    late = _calendar(2e26, on=date(2027, 1, 6), incidents=incident)
    reports = _by(late, "ny-critical-safety-incident")
    assert sorted(o.deadline or "" for o in reports) == [
        "2027-01-06T12:00:00Z",
        "2027-01-08T12:00:00Z",
    ]
    assert all(o.state == "applies" for o in reports)
    old = _calendar(2e26, on=date(2027, 2, 1), incidents=(Incident(date(2026, 12, 15), "other"),))
    assert _one(old, "ny-critical-safety-incident").state == "does_not_apply"


def test_raise_thresholds_and_dated_status() -> None:
    assert _one(_calendar(1e26, on=date(2027, 2, 1)), "ny-disclosure-statement").state == (
        "does_not_apply"
    )
    small = Entity(revenue_usd=5e8, markets=("US-NY",))
    found = _calendar(2e26, entity=small, on=date(2027, 2, 1), deployed_on=date(2027, 3, 1))
    assert _one(found, "ny-disclosure-statement").state == "does_not_apply"
    assert _one(found, "ny-transparency-report").state == "applies"
    assert _one(_calendar(2e26, on=date(2025, 12, 18)), "ny-transparency-report").status == (
        "not enacted on 2025-12-18"
    )
    amended = _one(_calendar(2e26, on=date(2026, 3, 27)), "ny-transparency-report").status
    assert amended.startswith("enacted as amended")


# --- BIS 2024 proposal: a what-if only ------------------------------------------------------


def test_bis_proposal_is_only_ever_a_what_if() -> None:
    us = Entity(markets=(), us_person=True)
    for day in (date(2024, 10, 1), date(2026, 9, 1), date(2030, 1, 1)):
        found = obligations(us, Model(flop=2e26, known_on=date(2026, 1, 15)), on=day)
        assert [o.state for o in found] == ["what_if"]
        assert found[0].status.startswith("proposed, stalled")
    assert obligations(us, Model(flop=1e26), on=ON) == []
    assert obligations(Entity(markets=("EU",)), Model(flop=2e26), on=ON, explain=True)[
        -1
    ].state == ("does_not_apply")


# --- per-instrument compute, determinism, hostile input ------------------------------------


def test_compute_as_each_instrument_counts_it() -> None:
    flops = {
        "eu-ai-act-gpai": 2e25,
        "us-ca-sb-53": 9e25,
        "us-ny-raise": 1.2e26,
        "us-bis-2024-proposed-reporting": 0.0,
    }
    found = obligations(BIG, Model(flop=flops, deployed_on=date(2027, 2, 1)), on=date(2027, 2, 1))
    ids = {o.instrument_id for o in found}
    assert ids == {"eu-ai-act-gpai", "us-ny-raise"}
    with pytest.raises(InvalidInput, match="us-ny-raise"):
        obligations(BIG, Model(flop={"eu-ai-act-gpai": 2e25, "us-ca-sb-53": 1e20}), on=ON)
    with pytest.raises(InvalidInput, match="no instrument"):
        obligations(BIG, Model(flop={"eu-act": 2e25}), on=ON)


def test_the_calendar_is_deterministic_for_a_day() -> None:
    model = Model(
        flop=3e26, known_on=date(2026, 3, 1), incidents=(Incident(date(2026, 7, 1), "death", True),)
    )
    first = [o.to_dict() for o in obligations(BIG, model, on=ON, explain=True)]
    assert first == [o.to_dict() for o in obligations(BIG, model, on=ON, explain=True)]
    later = [o.to_dict() for o in obligations(BIG, model, on=date(2027, 1, 2), explain=True)]
    assert first != later


def test_an_incident_after_the_day_asked_about_is_not_yet_owed() -> None:
    found = _calendar(3e25, on=date(2026, 6, 30), incidents=(Incident(date(2026, 7, 1), "death"),))
    assert _one(found, "eu-serious-incident").state == "does_not_apply"


@pytest.mark.parametrize("flop", [-1.0, math.nan, math.inf, True])
def test_refuses_a_compute_figure_that_is_not_a_count(flop: float) -> None:
    with pytest.raises(InvalidInput):
        obligations(BIG, Model(flop=flop), on=ON)


def test_refuses_unknown_markets_roles_kinds_and_bad_revenue() -> None:
    with pytest.raises(InvalidInput, match="unknown market"):
        obligations(Entity(markets=("eu",)), Model(flop=3e25), on=ON)
    with pytest.raises(InvalidInput, match="role"):
        obligations(Entity(markets=("EU",), role="deployer"), Model(flop=3e25), on=ON)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="incident kind"):
        obligations(BIG, Model(flop=3e25, incidents=(Incident(ON, "bad"),)), on=ON)
    with pytest.raises(InvalidInput, match="revenue"):
        obligations(Entity(revenue_usd=-5.0, markets=("EU",)), Model(flop=3e25), on=ON)


def test_every_duty_names_its_source_and_every_threshold_it_uses_exists() -> None:
    rules = instrument_rules()
    ids = [d.id for r in rules for d in r.duties]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert r.statuses, r.id
        assert [s.start for s in r.statuses] == sorted(s.start for s in r.statuses)
        for d in r.duties:
            assert d.threshold in r.thresholds, d.id
            assert d.source.startswith("https://") and d.citation, d.id
            assert not d.large or r.large_revenue_usd_above is not None, d.id
        for t in r.thresholds.values():
            assert t.source.startswith("https://") and t.citation
