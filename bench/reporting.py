"""Compute-reporting receipts per second against a developer's history, SQLite and PostgreSQL.

Run by hand: `.venv/bin/python bench/reporting.py [--history 10,100,1000] [--actions 40]
[--skip-postgres] [--json]`. Every timed action goes through `registry.actions.perform` with
a signed envelope exactly as the API runs it (token, signature, nonce, access matrix, the
handler, a ledger entry, one committed transaction):

- `report.training_run`: a final pre-training report of 64 H100s at one cloud provider's
  site, assessed on receipt (6ND and hardware estimates, the lineage's thresholds) and
  reconciled against the provider's attestation for the period, whose inequality sums the
  developer's counting reports at that provider;
- `report.attestation`: the provider attests the chip-hours it delivered to the developer
  in that period (each supersedes the one before), reconciled the same way;
- `report.facts`: the developer's revenue and markets, the pipeline's cost for a minimal
  signed action, so the reporting-specific cost is the difference.

One developer per history size N: N final reports already recorded at the provider, all
inside the attested period (so each counts towards the inequality), each on its own model.
The first is made through `perform`; the other N - 1 are copies of its row inserted directly
(set-up, not timed). The timed reports are on one further model and each supersedes the
one before, so the history stays at N + 1 counting reports and the lineage at one stage.
The attestation covers every chip-hour, so no flag is raised (the honest case). Rows carry
wall time and this process's CPU time (`time.process_time`; PostgreSQL's server CPU is not
in it). The ledger's integration is not timed (the server batches it in the background).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from computegov.ledger.integrator import integrate_all
from computegov.registry.custody import sites
from computegov.registry.ids import new_id
from computegov.registry.parties.bootstrap import ensure_administrator
from computegov.registry.reporting import attestations, facts, reconcile
from computegov.registry.reporting import service as reporting
from computegov.registry.reporting.models import (
    ProviderAttestation,
    ReportedModel,
    TrainingRunReport,
)
from computegov.store import Ed25519FileSigner, Store
from registry_transfers import Acting, Row, _act, _party  # noqa: E402  (bench/)
from scratch import scratch_store  # noqa: E402  (bench/scratch.py)

PERIOD = {"period_start": "2025-01-01T00:00:00Z", "period_end": "2025-07-01T00:00:00Z"}
#: 64 H100 SXM for 100 hours (6,400 chip-hours); at BF16 dense 989.4 TFLOP/s and 40%
#: utilization 9.1e21 FLOP, which 6 x 7e9 params x 2.17e11 tokens also gives: the two
#: estimates agree, so no `implausible_compute` flag.
CHIPS, HOURS = 64, 100.0
RUN = {
    "stage_kind": "pre_training",
    "report_kind": "final",
    "started_at": "2025-02-01T00:00:00Z",
    "ended_at": "2025-02-05T04:00:00Z",
    "declared_flop": 9.1e21,
    "estimation_method": "hardware",
    "flop_uncertainty": 0.1,
    "params": 7e9,
    "tokens": 2.17e11,
    "precision": "bf16",
}
#: More than any history here attributes (1000 x 6,400), so reconciliation never flags.
ATTESTED_CHIP_HOURS = 1e9


@dataclass(frozen=True)
class Timed(Row):
    """A Row with this process's CPU seconds beside the wall-clock ones."""

    history: int
    cpu: float

    @property
    def cpu_ms_each(self) -> float:
        return 1000 * self.cpu / self.count

    @property
    def wall_ms_each(self) -> float:
        return 1000 * self.seconds / self.count

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "wall_ms_each": round(self.wall_ms_each, 2),
            "cpu_ms_each": round(self.cpu_ms_each, 2),
        }


@dataclass
class World:
    """The parties every developer's case shares: a US cloud with one site."""

    store: Store
    admin: Acting
    cloud: Acting
    site: str

    def model(self, dev: Acting, name: str) -> str:
        body = {"name": name, "jurisdictions": ["US"]}
        made: str = _act(self.store, dev, "report.model", body, reporting.report_model)["model"][
            "id"
        ]
        return made

    def run_body(self, model_id: str) -> dict[str, Any]:
        line = {
            "provider_id": self.cloud.id,
            "site_id": self.site,
            "chip_model": "H100 SXM",
            "chip_count": CHIPS,
            "hours": HOURS,
        }
        return {"model_id": model_id, **RUN, "compute_used": [line]}

    def report(self, dev: Acting, model_id: str) -> dict[str, Any]:
        body = self.run_body(model_id)
        result = _act(self.store, dev, "report.training_run", body, reporting.report_training_run)
        assert not result["flags"], result["flags"]
        report: dict[str, Any] = result["report"]
        return report

    def attest(self, dev: Acting) -> None:
        line = {"site_id": self.site, "chip_model": "H100 SXM", "chip_hours": ATTESTED_CHIP_HOURS}
        body = {"customer_id": dev.id, **PERIOD, "lines": [line], "basis": "threshold"}
        _act(self.store, self.cloud, "report.attestation", body, attestations.report_attestation)

    def facts(self, dev: Acting) -> None:
        body = {"year": 2025, "revenue_usd": 1e8, "markets": ["US"], "jurisdictions": ["US"]}
        _act(self.store, dev, "report.facts", body, facts.report_facts)


def _world(store: Store) -> World:
    files = ensure_administrator(store)
    admin = Acting(
        files.party_id,
        files.token_path.read_text().strip(),
        Ed25519FileSigner.load(files.key_path),
    )
    cloud = _party(store, admin, "cloud_provider", "Bench Cloud", "US")
    body = {"name": "Bench DC", "country": "US"}
    site = _act(store, cloud, "site.create", body, sites.create_site)["site"]["id"]
    return World(store, admin, cloud, site)


def _history(world: World, dev: Acting, count: int) -> None:
    """Set-up, not timed: `count` final reports of `dev` at the cloud, each on its own model;
    the first through `perform`, the rest copies of its rows."""
    first = world.report(dev, world.model(dev, "history 0"))
    with world.store.transaction(write=True) as session:
        template = session.get(TrainingRunReport, first["id"])
        model = session.get(ReportedModel, first["model_id"])
        assert template is not None and model is not None
        models, reports = [], []
        for i in range(1, count):
            model_id, report_id = new_id("mdl"), new_id("trr")
            models.append({**_columns(model), "id": model_id, "name": f"history {i}"})
            reports.append({**_columns(template), "id": report_id, "model_id": model_id})
        if models:
            session.execute(sa.insert(ReportedModel), models)
            session.execute(sa.insert(TrainingRunReport), reports)


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs}


def _check(store: Store, dev: Acting, counting: int) -> None:
    """The attestation in force did sum every counting report of `dev` (the history and the
    latest timed one): what was timed is reconciliation over that history."""
    with store.sessions() as session:
        [current] = session.scalars(
            sa.select(ProviderAttestation).where(
                ProviderAttestation.customer_id == dev.id,
                ProviderAttestation.superseded_by_id.is_(None),
            )
        )
        found = len(reconcile.attributed(session, current))
    assert found == counting, (found, counting)


def _timed(what: str, engine: str, history: int, count: int, step: Callable[[], object]) -> Timed:
    step()  # warm-up, not timed: first-use caches (catalog, data files, statements)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Timed(what, engine, count, wall, history, cpu)


def run_engine(engine: str, workdir: Path, histories: list[int], actions: int) -> list[Timed]:
    rows: list[Timed] = []
    with scratch_store(engine, workdir) as store:
        world = _world(store)
        for n in histories:
            dev = _party(store, world.admin, "ai_developer", f"Bench Labs {n}", "US")
            _history(world, dev, n)
            world.attest(dev)
            timed_model = world.model(dev, "timed")
            integrate_all(store)
            for what, step in (
                ("report.training_run", partial(world.report, dev, timed_model)),
                ("report.attestation", partial(world.attest, dev)),
                ("report.facts (peer)", partial(world.facts, dev)),
            ):
                rows.append(_timed(what, engine, n, actions, step))
            _check(store, dev, n + 1)
            integrate_all(store)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", default="10,100,1000", help="comma-separated N")
    parser.add_argument("--actions", type=int, default=40, help="timed actions per row")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    histories = [int(n) for n in args.history.split(",")]
    engines = ["sqlite"] + ([] if args.skip_postgres else ["postgresql"])
    rows: list[Timed] = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            rows += run_engine(engine, Path(tmp), histories, args.actions)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print()
    print(
        "| action | engine | history N | count | wall s | per second | wall ms each | CPU ms each |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.what} | {r.engine} | {r.history:,} | {r.count:,} | {r.seconds:.2f} "
            f"| {r.per_second:,.1f} | {r.wall_ms_each:.1f} | {r.cpu_ms_each:.1f} |"
        )


if __name__ == "__main__":
    main()
