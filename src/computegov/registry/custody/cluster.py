"""The cluster check of a site: the peak operations per second of the chips installed there,
tested against the cluster thresholds (`compute.thresholds.cluster_thresholds`).

The chips are those installed at the site now (their rows), or on an earlier instant (their
custody events replayed up to it). Each chip model counts at two rates from the catalog, both
dense (no sparsity): its maximum dense rate at any precision the catalog publishes (EO 14110
counts "integer or floating-point operations", so FP8, INT8 or FP4 count where they are the
fastest; the precision is named) and its dense BF16 rate (what most training runs use). A
model without a published BF16 rate is named under `unrated`, and the BF16 total, which
leaves it out, is a lower bound.

The whole site is tested as one cluster at its declared interconnect (`interconnect_gbit_s`):
the registry does not know how the site's chips are networked, so this is the upper bound a
regulator starts from. The site's declared `cluster_ops_per_s` (its largest cluster) is shown
beside the registry's figure; declared x `clusters` below `FAR_BELOW` of the installed peak at
dense BF16 is noted as a discrepancy. It is information, not a flag (docs/custody.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import PRECISIONS, get_chip
from computegov.compute.thresholds import cluster_thresholds, instruments
from computegov.errors import NotFound
from computegov.instants import to_wire
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import reader_filter, site_resource
from computegov.registry.custody.models import CustodyEvent, Site
from computegov.registry.custody.sites import site_dict
from computegov.registry.parties.models import Party

#: Declared cluster capacity (times the declared number of clusters) below this share of the
#: installed peak at dense BF16 is noted: a site declaring at BF16 rather than FP8 is not.
FAR_BELOW = 0.5
BF16 = "bf16"
_PLACING = ("installed", "moved", "transfer_completed")
#: The columns of a model's line (the CSV of the check).
LINE_COLUMNS = (
    "model",
    "vendor",
    "chips",
    "max_precision",
    "max_precisions",
    "max_ops_per_s_per_chip",
    "max_ops_per_s",
    "bf16_ops_per_s_per_chip",
    "bf16_ops_per_s",
    "source",
)


def model_line(model: str, chips: int) -> dict[str, Any]:
    """One chip model's line: its count, the fastest dense precision the catalog publishes
    (ties named together, the narrowest first) and the model's peaks at it and at dense BF16."""
    try:
        chip = get_chip(model)
    except NotFound:
        chip = None
    rates = chip.dense_tflops() if chip else {}
    top = max(rates.values(), default=None)
    fastest = [p for p in PRECISIONS if top is not None and rates.get(p) == top]
    per_chip = None if top is None else top * 1e12
    bf16 = chip.peak_flops(BF16) if chip else None
    return {
        "model": chip.model if chip else model,
        "vendor": chip.vendor if chip else None,
        "chips": chips,
        "max_precision": fastest[0] if fastest else None,
        "max_precisions": fastest,
        "max_ops_per_s_per_chip": per_chip,
        "max_ops_per_s": None if per_chip is None else per_chip * chips,
        "bf16_ops_per_s_per_chip": bf16,
        "bf16_ops_per_s": None if bf16 is None else bf16 * chips,
        "source": chip.source if chip else None,
    }


def _tested(ops: float, network: float | None, on: datetime) -> list[dict[str, Any]]:
    """Each cluster threshold on `ops` at the declared network (none declared: not crossed,
    and `network_above` null), with the rate's own answer beside it."""
    limits = {item.id: item for item in instruments()}
    found = []
    for result in cluster_thresholds(ops, network or 0.0, on):
        item = limits[result.id]
        above = item.network_gbit_s_above
        shown = result.to_dict()
        shown["network_gbit_s_above"] = above
        shown["rate_crossed"] = item.crossed(ops)
        shown["network_above"] = None if network is None or above is None else network > above
        shown["historical"] = result.status == "revoked"
        found.append(shown)
    return found


def _declared(networking: Mapping[str, Any], bf16: float, peak: float) -> dict[str, Any]:
    declared = networking.get("cluster_ops_per_s")
    clusters = networking.get("clusters")
    count = max(1.0, float(clusters)) if clusters else 1.0
    covered = None if declared is None else float(declared) * count
    return {
        "cluster_ops_per_s": declared,
        "clusters": clusters,
        "registry_max_ops_per_s": peak,
        "registry_bf16_ops_per_s": bf16,
        "declared_share_of_bf16": None if covered is None or bf16 == 0 else covered / bf16,
        "far_below": covered is not None and covered < FAR_BELOW * bf16,
        "rule": (
            f"noted when the declared cluster figure times the declared clusters is below "
            f"{FAR_BELOW:g} of the installed peak at dense BF16; information, not a flag"
        ),
    }


def cluster_check(
    counts: Mapping[str, int], networking: Mapping[str, Any], on: datetime
) -> dict[str, Any]:
    """The check on chips counted by model, at a site declaring `networking`, on day `on`."""
    lines = [model_line(model, n) for model, n in sorted(counts.items()) if n > 0]
    peak = sum(line["max_ops_per_s"] or 0.0 for line in lines)
    bf16 = sum(line["bf16_ops_per_s"] or 0.0 for line in lines)
    network = networking.get("interconnect_gbit_s")
    network = None if network is None else float(network)
    unrated = [line["model"] for line in lines if line["bf16_ops_per_s"] is None]
    unknown = [line["model"] for line in lines if line["max_ops_per_s"] is None]
    declared = _declared(networking, bf16, peak)
    notes = []
    if network is None:
        notes.append(
            "the site declares no interconnect_gbit_s: no threshold's network condition can "
            "be tested (rate_crossed answers for the rate alone)"
        )
    if unrated:
        notes.append(
            f"no dense BF16 rate in the catalog for {', '.join(unrated)}: the BF16 total "
            "leaves them out and is a lower bound"
        )
    if unknown:
        notes.append(f"not in the catalog: {', '.join(unknown)} (counted at no rate)")
    if declared["far_below"]:
        notes.append(
            f"the site declares {declared['cluster_ops_per_s']:.3g} ops/s per cluster, far "
            f"below the {bf16:.3g} ops/s at dense BF16 of the chips installed (information)"
        )
    return {
        "on": to_wire(on),
        "chips": sum(line["chips"] for line in lines),
        "models": lines,
        "interconnect_gbit_s": network,
        "peak": {
            "max_dense": {
                "ops_per_s": peak,
                "precisions": sorted({line["max_precision"] for line in lines} - {None}),
            },
            "bf16_dense": {"ops_per_s": bf16, "unrated": unrated},
        },
        "thresholds": {
            "max_dense": _tested(peak, network, on),
            "bf16_dense": _tested(bf16, network, on),
        },
        "declared": declared,
        "notes": notes,
    }


def installed_now(session: Session, site_id: str) -> Counter[str]:
    """Chips installed at the site now, by model."""
    rows = session.execute(
        sa.select(Chip.model, sa.func.count())
        .where(Chip.site_id == site_id, Chip.status == "installed")
        .group_by(Chip.model)
    ).all()
    return Counter({model: int(n) for model, n in rows})


def installed_on(session: Session, site_id: str, at: datetime) -> Counter[str]:
    """Chips installed at the site at instant `at`, by model, from their custody events: each
    chip that was ever placed there by then has its events replayed up to `at`."""
    placing = session.execute(
        sa.select(CustodyEvent.chip_id, CustodyEvent.details).where(
            CustodyEvent.kind.in_(_PLACING), CustodyEvent.at <= at
        )
    ).all()
    candidates = sorted({c for c, details in placing if (details or {}).get("site_id") == site_id})
    there: list[str] = []
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        events = session.execute(
            sa.select(CustodyEvent.chip_id, CustodyEvent.kind, CustodyEvent.details)
            .where(CustodyEvent.chip_id.in_(chunk), CustodyEvent.at <= at)
            .order_by(CustodyEvent.at, CustodyEvent.id)
        ).all()
        state: dict[str, tuple[str | None, str]] = {}
        before: dict[str, str] = {}
        for chip_id, kind, details in events:
            site, status = state.get(chip_id, (None, "in_stock"))
            data = details or {}
            if kind in ("installed", "moved"):
                site, status = data.get("site_id"), "installed"
            elif kind == "transfer_declared":
                before[chip_id], status = status, "in_transit"
            elif kind == "transfer_cancelled":
                status = before.get(chip_id, "in_stock")
            elif kind == "transfer_completed":
                site = data.get("site_id")
                status = "installed" if site else "in_stock"
            elif kind == "status_reported":
                status = str(data.get("to", status))
            state[chip_id] = (site, status)
        there += [c for c, placed in state.items() if placed == (site_id, "installed")]
    counts: Counter[str] = Counter()
    for start in range(0, len(there), 500):
        rows = session.execute(
            sa.select(Chip.model, sa.func.count())
            .where(Chip.id.in_(there[start : start + 500]))
            .group_by(Chip.model)
        ).all()
        counts.update({model: int(n) for model, n in rows})
    return counts


def site_cluster(
    session: Session, reader: Party, site_id: str, now: datetime, on: datetime | None = None
) -> dict[str, Any]:
    """The cluster check of a site the reader may see (`site.read`: its operator, the
    regulators of its country); 404 alike for a site it may not see. `on` an earlier instant
    counts the chips installed then (custody events); the networking is as declared now."""
    site = session.get(Site, site_id)
    if site is None or not reader_filter(session, reader, "site.read")(site_resource(site)):
        raise NotFound(f"no site {site_id!r} that you may see")
    counts = installed_now(session, site.id) if on is None else installed_on(session, site.id, on)
    check = cluster_check(counts, site.networking or {}, on or now)
    check["site"] = site_dict(site, check["chips"])
    check["counted"] = "installed now" if on is None else "installed at the instant `on`"
    return check
