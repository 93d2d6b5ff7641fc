"""The demo world as `open_demo` builds it: real signed actions into its own registry, built
once and then left as it is, never into a real registry, never half-built."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from computegov.demo import parties as demo_parties
from computegov.demo.builder import DEMO_ORIGIN, open_demo
from computegov.demo.context import DemoBuildError, DemoContext, device_key
from computegov.demo.module import DemoModule
from computegov.errors import InvalidInput
from computegov.instants import parse_instant
from computegov.registry.chips.models import Chip
from computegov.registry.custody.models import Transfer
from computegov.registry.flags.models import Flag, FlagEvent
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.parties import service as parties_service
from computegov.registry.reporting.models import Filing, TrainingRunReport
from computegov.registry.tables import RefusedAction, UsedNonce
from computegov.store import Settings, open_store
from computegov.store.models import LedgerEntry


def _snapshot(root: Path) -> dict[str, Any]:
    """What a start must not change: the log, the nonces spent, the refusals, the flags."""
    engine = sa.create_engine(f"sqlite:///{root / 'computegov.db'}")
    try:
        with engine.connect() as conn:

            def count(table: Any) -> int:
                return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

            return {
                "entries": count(LedgerEntry),
                "nonces": count(UsedNonce),
                "refusals": count(RefusedAction),
                "flags": count(Flag),
                "chips": count(Chip),
                "checkpoint": (root / "checkpoint").read_text(),
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """One demo world for this module's tests (building one takes seconds)."""
    root = tmp_path_factory.mktemp("world") / "computegov-demo"
    world = open_demo(root)
    world.store.close()
    assert world.built
    yield root, world.info


def test_the_world_holds_thousands_of_chips_with_device_keys_from_the_seed(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    root, info = demo
    seed = bytes.fromhex((root / "demo.seed").read_text().strip())
    assert (root / "demo.seed").stat().st_mode & 0o777 == 0o600
    store = open_store(Settings(data_dir=root, log_origin=DEMO_ORIGIN, database_url=None))
    try:
        with store.sessions() as session:
            by_vendor = dict(
                session.execute(sa.select(Chip.vendor, sa.func.count()).group_by(Chip.vendor)).all()
            )
            chip = session.scalars(sa.select(Chip).where(Chip.serial == "AMD-MI300X-000042")).one()
            statuses = set(session.scalars(sa.select(Chip.status).distinct()))
            transfers = set(session.scalars(sa.select(Transfer.status).distinct()))
    finally:
        store.close()
    assert set(by_vendor) == {"NVIDIA", "AMD", "Huawei"}
    assert 3000 <= sum(by_vendor.values()) <= 6000
    derived = (
        device_key(seed, chip.vendor, chip.serial)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    assert chip.device_key == derived  # a later module can sign as this chip
    assert {"in_stock", "installed", "in_transit", "lost", "stolen"} <= statuses
    assert transfers == {"completed", "pending"}
    assert info["examples"]["rich_chip"]["serial"] == "NV-H100-000001"


def test_every_step_is_a_signed_action_in_the_log_and_refusals_are_the_pipelines(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    root, info = demo
    state = _snapshot(root)
    # every applied action is one entry, plus the administrator's bootstrap entry
    assert state["entries"] == info["actions"] + 1 == info["log_size"]
    # every action and every refusal spent its own nonce: each went through `perform`
    assert state["nonces"] == info["actions"] + info["refusals"]
    engine = sa.create_engine(f"sqlite:///{root / 'computegov.db'}")
    try:
        with engine.connect() as conn:
            reasons = sorted(conn.execute(sa.select(RefusedAction.reason)).scalars())
            flags = dict(conn.execute(sa.select(Flag.kind, Flag.status)).all())
            statuses = set(conn.execute(sa.select(Flag.status)).scalars())
            lapsing = conn.execute(
                sa.select(ExportLicense.issued_at, ExportLicense.expires_at).where(
                    ExportLicense.id == info["examples"]["lapsing_license"]["id"]
                )
            ).one()
    finally:
        engine.dispose()
    assert reasons.count("license_required") == 3
    assert reasons.count("screened_receiver") == 1
    assert {"screening_match", "hq_in_licensed_destination", "lost_or_stolen"} <= set(flags)
    assert "repeated_refusals" in flags  # what the server's sweeper raises
    # open flags, one a regulator closed, and Aurora's attestation_exceeded that it disputed
    assert statuses == {"open", "closed", "disputed"}
    assert flags.get("attestation_exceeded") == "disputed"
    issued, expires = (parse_instant(str(v)) if isinstance(v, str) else v for v in lapsing)
    assert timedelta(minutes=1) < expires - issued <= timedelta(minutes=30)


def test_a_second_start_performs_nothing(demo: tuple[Path, dict[str, Any]]) -> None:
    root, info = demo
    before = _snapshot(root)
    world = open_demo(root)
    try:
        assert not world.built
        assert world.info == info
        assert set(world.parties) >= {
            "admin",
            "us-regulator",
            "eu-regulator",
            "cn-regulator",
            "nvidia",
            "amd",
            "huawei",
        }
    finally:
        world.store.close()
    assert _snapshot(root) == before


def test_credentials_are_private_files(demo: tuple[Path, dict[str, Any]]) -> None:
    root, info = demo
    for party in info["parties"]:
        for name in ("token_file", "key_file"):
            assert (root / party[name]).stat().st_mode & 0o777 == 0o600


def test_a_real_registry_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    real = tmp_path / "computegov-data"
    store = open_store(Settings(data_dir=real, database_url=None))
    store.close()
    before = sorted((p.name, p.stat().st_size) for p in real.iterdir())
    checkpoint = (real / "checkpoint").read_text()
    with pytest.raises(InvalidInput, match="log origin 'localhost/computegov'"):
        open_demo(real)
    (real / "checkpoint").unlink()  # the origin is read from the database's genesis too
    with pytest.raises(InvalidInput, match="a demo never writes into a real registry"):
        open_demo(real)
    assert sorted((p.name, p.stat().st_size) for p in real.iterdir()) == [
        item for item in before if item[0] != "checkpoint"
    ]
    assert checkpoint.startswith("localhost/computegov\n")
    assert not (tmp_path / ".computegov-data.building").exists()


def test_a_directory_with_other_files_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="no finished demo world"):
        open_demo(root)
    assert [p.name for p in root.iterdir()] == ["notes.txt"]


def _refused_step(ctx: DemoContext) -> None:
    """A demo step the registry refuses: a regulator may not be created by a manufacturer."""
    body = {"legal_name": "X", "role": "regulator", "country": "US", "public_keys": ["AA=="]}
    ctx.act("nvidia", "party.create", body, parties_service.create_party)


def test_a_build_that_fails_midway_leaves_nothing_and_the_next_start_builds_afresh(
    tmp_path: Path,
) -> None:
    root = tmp_path / "computegov-demo"
    failing = DemoModule(name="failing", build=_refused_step)
    with pytest.raises(DemoBuildError, match="party.create by nvidia was refused"):
        open_demo(root, modules=[demo_parties.MODULE, failing])
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []
    # a build killed midway leaves its sibling folder: the next start removes it first
    (tmp_path / ".computegov-demo.building").mkdir()
    (tmp_path / ".computegov-demo.building" / "computegov.db").write_text("half")
    said: list[str] = []
    world = open_demo(root, modules=[demo_parties.MODULE], say=said.append)
    world.store.close()
    assert world.built and "nvidia" in world.parties
    assert any("did not finish" in line for line in said)
    assert not (tmp_path / ".computegov-demo.building").exists()


def test_the_demo_reports_compute_with_a_contradicting_attestation_and_a_filing(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    """The demo's reporting part: Aurora's pre-training counts 716,800 H100-hours that
    Northwind's attestation (600,000) contradicts, the flag carries both figures and went
    through assignment, Aurora's dispute and a comment; Helix filed the EU notification that
    its planned run brought, due 14 days after the day it became known."""
    root, info = demo
    made = info["examples"]["reporting"]
    engine = sa.create_engine(f"sqlite:///{root / 'computegov.db'}")
    try:
        with engine.connect() as conn:
            flag = conn.execute(sa.select(Flag).where(Flag.id == made["flag"])).one()
            steps = list(
                conn.execute(
                    sa.select(FlagEvent.action)
                    .where(FlagEvent.flag_id == made["flag"])
                    .order_by(FlagEvent.id)
                ).scalars()
            )
            filing = conn.execute(sa.select(Filing).where(Filing.id == made["filing"])).one()
            planned = conn.execute(
                sa.select(TrainingRunReport.reported_at).where(
                    TrainingRunReport.id == made["helix_planned"]
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert flag.kind == "attestation_exceeded" and flag.status == "disputed"
    assert flag.evidence["attributed_chip_hours"] == 716_800
    assert flag.evidence["attested_chip_hours"] == 600_000
    assert steps == ["flag.assign", "flag.dispute", "flag.comment"]
    assert filing.obligation_id == "eu-art52-notification"
    reported = parse_instant(planned) if isinstance(planned, str) else planned
    deadline = (
        parse_instant(filing.deadline) if isinstance(filing.deadline, str) else filing.deadline
    )
    assert deadline.date() == reported.date() + timedelta(days=14)
