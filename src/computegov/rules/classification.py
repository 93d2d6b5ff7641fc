"""ECCN 3A090 classification of a chip under the text of a dated instrument.

`classify` answers: which ECCN (3A090.a, 3A090.b or none) a chip falls under, with TPP,
performance density and the reason each test fired or failed, with its numbers. Without a
named rule it uses the 3A090 text in force at the instant; with one, that rule alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from computegov.catalog import ChipModel, performance_density, performance_density_floor, tpp
from computegov.instants import as_utc, utcnow
from computegov.rules.instruments import Instrument, eccn_text_in_force, get_instrument, threshold

H20_LETTER = "bis-2025-04-h20"


@dataclass(frozen=True)
class Classification:
    """The outcome of one instrument's technical test on one chip.

    `controlled` says whether the instrument's test catches the chip (for a 3A090 text: an ECCN
    was assigned; for the H20 letter, which defines no ECCN: the chip is H20-class).
    `determinate` is False where a missing figure (die area, I/O) leaves the answer open.
    """

    chip: str
    rule: str | None
    on: datetime | None
    eccn: str | None
    controlled: bool
    determinate: bool
    tpp: float | None
    performance_density: float | None
    datacenter: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: `eccn` is null when the chip is outside 3A090."""
        return {
            "chip": self.chip,
            "rule": self.rule,
            "on": self.on,
            "eccn": self.eccn,
            "controlled": self.controlled,
            "determinate": self.determinate,
            "tpp": self.tpp,
            "performance_density": self.performance_density,
            "datacenter": self.datacenter,
            "reasons": list(self.reasons),
        }


def fmt(value: float, digits: int = 0) -> str:
    """Numbers as people read them in reasons: 15,832 or 19.45."""
    return f"{value:,.{digits}f}"


def _result(
    chip: ChipModel,
    instrument: Instrument | None,
    on: datetime | None,
    eccn: str | None,
    reasons: list[str],
    *,
    controlled: bool | None = None,
    determinate: bool = True,
) -> Classification:
    return Classification(
        chip=chip.model,
        rule=instrument.id if instrument else None,
        on=on,
        eccn=eccn,
        controlled=eccn is not None if controlled is None else controlled,
        determinate=determinate,
        tpp=tpp(chip),
        performance_density=performance_density(chip),
        datacenter=chip.datacenter,
        reasons=tuple(reasons),
    )


def _classify_2022(chip: ChipModel, rule: Instrument, on: datetime | None) -> Classification:
    """October 2022 text: 3A090 iff I/O >= 600 GB/s AND TPP >= 4800 (both, hence A800/H800)."""
    tpp_min = threshold(rule.id, "tpp_min")
    io_min = threshold(rule.id, "io_bandwidth_min_gbps")
    value = tpp(chip)
    io_rate = chip.io_bandwidth_gbps
    if value is None:
        return _result(chip, rule, on, None, ["no published rate: TPP unknown"], determinate=False)
    if value < tpp_min:
        why = f"TPP {fmt(value)} < {fmt(tpp_min)}: the 2022 test needs TPP >= {fmt(tpp_min)}"
        return _result(chip, rule, on, None, [why])
    if io_rate is None:
        why = f"TPP {fmt(value)} >= {fmt(tpp_min)} but the I/O rate is not published"
        return _result(chip, rule, on, None, [why], determinate=False)
    if io_rate >= io_min:
        return _result(
            chip,
            rule,
            on,
            "3A090.a",
            [
                f"TPP {fmt(value)} >= {fmt(tpp_min)}",
                f"aggregate bidirectional I/O {fmt(io_rate)} GB/s >= {fmt(io_min)} GB/s",
            ],
        )
    why = (
        f"TPP {fmt(value)} >= {fmt(tpp_min)} but aggregate bidirectional I/O "
        f"{fmt(io_rate)} GB/s < {fmt(io_min)} GB/s: the 2022 test needs both"
    )
    return _result(chip, rule, on, None, [why])


def _classify_2023(chip: ChipModel, rule: Instrument, on: datetime | None) -> Classification:
    """October 2023 text (88 FR 73458): 3A090.a/.b by TPP and performance density."""

    def t(name: str) -> float:
        return threshold("bis-2023-10", name)

    value = tpp(chip)
    if value is None:
        return _result(chip, rule, on, None, ["no published rate: TPP unknown"], determinate=False)
    density = performance_density(chip)
    floor = performance_density_floor(chip)
    pd_text = fmt(density, 2) if density is not None else "unknown"
    if not chip.datacenter and value < t("consumer_tpp_min"):
        why = (
            f"Note 2 to 3A090: not designed or marketed for datacenters and "
            f"TPP {fmt(value)} < {fmt(t('consumer_tpp_min'))}"
        )
        return _result(chip, rule, on, None, [why])
    market = "datacenter" if chip.datacenter else "not marketed for datacenters"
    if value >= t("a1_tpp_min"):
        why = f"3A090.a.1: TPP {fmt(value)} >= {fmt(t('a1_tpp_min'))} ({market})"
        return _result(chip, rule, on, "3A090.a", [why])
    if value >= t("a2_tpp_min") and floor is not None and floor >= t("a2_pd_min"):
        shown = pd_text if density is not None else f"> {fmt(floor, 2)} (die area < bound)"
        why = (
            f"3A090.a.2: TPP {fmt(value)} >= {fmt(t('a2_tpp_min'))} and "
            f"PD {shown} >= {t('a2_pd_min')} ({market})"
        )
        return _result(chip, rule, on, "3A090.a", [why])
    if density is None:
        if value < t("b2_tpp_min"):
            why = f"TPP {fmt(value)} < {fmt(t('b2_tpp_min'))}: below every 3A090 prong"
            return _result(chip, rule, on, None, [why])
        why = (
            f"TPP {fmt(value)} is below 3A090.a.1 but the die area is not published, so the "
            "density prongs (a.2, b.1, b.2) cannot be decided"
        )
        return _result(chip, rule, on, None, [why], determinate=False)
    b1 = t("b1_tpp_min") <= value < t("a1_tpp_min") and t("b1_pd_min") <= density < t("a2_pd_min")
    b2 = value >= t("b2_tpp_min") and t("b2_pd_min") <= density < t("a2_pd_min")
    if b1 or b2:
        prong = "3A090.b.1" if b1 else "3A090.b.2"
        why = f"{prong}: TPP {fmt(value)} and PD {pd_text} fall in its band ({market})"
        return _result(chip, rule, on, "3A090.b", [why])
    reasons = [
        f"a.1: TPP {fmt(value)} < {fmt(t('a1_tpp_min'))}",
        f"a.2: PD {pd_text} < {t('a2_pd_min')} (or TPP < {fmt(t('a2_tpp_min'))})",
        f"b.1: needs {fmt(t('b1_tpp_min'))} <= TPP < {fmt(t('a1_tpp_min'))} and "
        f"{t('b1_pd_min')} <= PD < {t('a2_pd_min')}",
        f"b.2: needs TPP >= {fmt(t('b2_tpp_min'))} and {t('b2_pd_min')} <= PD < {t('a2_pd_min')}",
    ]
    return _result(chip, rule, on, None, ["outside 3A090: no prong fires", *reasons])


def _classify_h20_letter(chip: ChipModel, rule: Instrument, on: datetime | None) -> Classification:
    """The April 2025 letter: the H20, or a chip reaching its memory or interconnect bandwidth."""
    memory_min = threshold(rule.id, "memory_bandwidth_min_gbps")
    io_min = threshold(rule.id, "io_bandwidth_min_gbps")
    hits: list[str] = []
    if chip.model == "H20":
        hits.append("the H20 itself is named in the letter")
    memory = chip.memory_bandwidth_gbps
    if memory is not None and memory >= memory_min:
        hits.append(f"memory bandwidth {fmt(memory)} GB/s >= the H20's {fmt(memory_min)} GB/s")
    io_rate = chip.io_bandwidth_gbps
    if io_rate is not None and io_rate >= io_min:
        hits.append(f"I/O {fmt(io_rate)} GB/s >= the H20's {fmt(io_min)} GB/s")
    if hits:
        return _result(chip, rule, on, None, ["H20-class: " + "; ".join(hits)], controlled=True)
    unknown = memory is None or io_rate is None
    why = (
        f"not H20-class: memory bandwidth {fmt(memory) if memory else 'unknown'} GB/s < "
        f"{fmt(memory_min)} and I/O {fmt(io_rate) if io_rate else 'unknown'} GB/s < {fmt(io_min)}"
    )
    return _result(chip, rule, on, None, [why], determinate=not unknown)


def classify_under(chip: ChipModel, instrument: Instrument, on: datetime | None) -> Classification:
    """Apply one instrument's technical test to a chip."""
    if instrument.eccn_text == "2022":
        return _classify_2022(chip, instrument, on)
    if instrument.eccn_text == "2023":
        return _classify_2023(chip, instrument, on)
    if instrument.id == H20_LETTER:
        return _classify_h20_letter(chip, instrument, on)
    raise ValueError(f"{instrument.id} has no technical test to classify by")


def classify(
    chip: ChipModel, rule: str | None = None, on: datetime | None = None
) -> Classification:
    """Classify `chip` under the named rule, or under the 3A090 text in force at `on` (now).

    Rule ids: bis-2022-10, bis-2023-10, bis-2025-04-h20, bis-2025-01-diffusion (which uses the
    2023 text). Raises NotFound for an unknown rule id.
    """
    at = as_utc(on) if on is not None else utcnow()
    if rule is not None:
        instrument = get_instrument(rule)
        if instrument.kind == "amendment":
            instrument = get_instrument("bis-2023-10")
        return classify_under(chip, instrument, at)
    text = eccn_text_in_force(at)
    if text is None:
        why = f"no 3A090 text was in force on {at.date().isoformat()} (it began on 2022-10-07)"
        return _result(chip, None, at, None, [why])
    return classify_under(chip, text, at)
