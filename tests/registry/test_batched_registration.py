"""A manifest is one ledger entry, and a chip's registration is proven by that entry and the
chip's RFC 9162 path in the manifest; registrations logged before batching (one entry per
chip) stay provable by the same history, page and `ledger prove` commands."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from chips_helpers import h100s, maker_of, register
from typer.testing import CliRunner

from computegov.cli import app
from computegov.ledger import log, merkle
from computegov.registry.chips import reads as chip_reads
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.custody.models import CustodyEvent
from computegov.web.pages import COOKIE
from conftest import Actor, World

runner = CliRunner()


def write_as_before_batching(world: World, manifest_id: str) -> None:
    """TEST SET-UP: give a manifest's chips the ledger shape stores written before batching
    hold: one `chip.registered` entry per chip (the record the old registration wrote), which
    the chip and its `registered` custody event name."""
    with world.store.transaction(write=True) as session:
        manifest = session.get(Manifest, manifest_id)
        assert manifest is not None
        chips = session.scalars(
            sa.select(Chip).where(Chip.manifest_id == manifest_id).order_by(Chip.manifest_index)
        ).all()
        root = base64.b64encode(manifest.root).decode()
        ids = log.append_many(
            session,
            [
                (
                    "chip.registered",
                    {
                        "chip": chip.id,
                        "vendor": chip.vendor,
                        "serial": chip.serial,
                        "model": chip.model,
                        "manifest_id": manifest_id,
                        "leaf_index": chip.manifest_index,
                        "manifest_root": root,
                        "subjects": [manifest.manufacturer_id],
                        "countries": [chip.country],
                    },
                    manifest.key_id,
                )
                for chip in chips
            ],
        )
        for chip, entry_id in zip(chips, ids, strict=True):
            chip.entry_id = entry_id
            session.execute(
                sa.update(CustodyEvent)
                .where(CustodyEvent.chip_id == chip.id, CustodyEvent.kind == "registered")
                .values(entry_id=entry_id)
            )


def _two_manifests(world: World) -> tuple[Actor, list[dict[str, Any]], list[dict[str, Any]]]:
    """A maker's manifest registered before batching (old shape) and one after (new)."""
    maker = maker_of(world)
    old = register(world, maker, h100s(3, prefix="OLD"))
    assert old.status_code == 201, old.text
    write_as_before_batching(world, old.json()["manifest"]["id"])
    new = register(world, maker, h100s(3, prefix="NEW"))
    assert new.status_code == 201, new.text
    world.log_size()  # integrate
    return maker, old.json()["items"], new.json()["items"]


def _leaf_at(world: World) -> Any:
    def leaf_at(index: int) -> bytes:
        return base64.b64decode(world.get(None, f"/v1/log/entries/{index}").json()["leaf"])

    return leaf_at


def test_history_proves_old_per_chip_and_new_manifest_registrations(world: World) -> None:
    maker, old, new = _two_manifests(world)
    vkey, leaf_at = world.store.verifier_key, _leaf_at(world)
    for chip in (old[1], new[1]):
        served = world.get(maker, f"/v1/chips/{chip['id']}/history").json()
        assert chip_reads.verify_history(served, vkey, leaf_at) == [True]
    old_step = world.get(maker, f"/v1/chips/{old[1]['id']}/history").json()["steps"][0]
    assert old_step["opening"]["type"] == "chip.registered" and "manifest_proof" not in old_step
    served = world.get(maker, f"/v1/chips/{new[1]['id']}/history").json()
    step = served["steps"][0]
    assert step["opening"]["type"] == "chip.register"
    assert step["manifest_proof"]["leaf_index"] == 1 and step["manifest_proof"]["size"] == 3
    assert step["entry_id"] == new[0]["entry_id"] == new[2]["entry_id"]  # one entry, 3 chips

    # A path for another chip of the same manifest, a bent path, or a path under another
    # root does not prove this chip's registration.
    other = world.get(maker, f"/v1/chips/{new[2]['id']}/history").json()["steps"][0]
    for proof in (
        other["manifest_proof"],
        {**step["manifest_proof"], "leaf_index": 2},
        {**step["manifest_proof"], "path": list(reversed(step["manifest_proof"]["path"]))},
    ):
        bad = {**served, "steps": [{**step, "manifest_proof": proof}]}
        with pytest.raises(merkle.ProofError):
            chip_reads.verify_history(bad, vkey, leaf_at)
    missing = {**served, "steps": [{k: v for k, v in step.items() if k != "manifest_proof"}]}
    with pytest.raises(merkle.ProofError, match="manifest_proof is missing"):
        chip_reads.verify_history(missing, vkey, leaf_at)
    # An old per-chip entry proves only the chip it names.
    old_served = world.get(maker, f"/v1/chips/{old[1]['id']}/history").json()
    swapped = {**old_served, "chip": {**old_served["chip"], "id": old[2]["id"]}}
    with pytest.raises(merkle.ProofError, match="names chip"):
        chip_reads.verify_history(swapped, vkey, leaf_at)


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _files(world: World, maker: Actor, chip: dict[str, Any], tmp: Path) -> tuple[str, Path, Path]:
    """The chip's registration entry index, its opening file and its attestation file."""
    entry = chip["entry_id"]
    if not entry:  # old shape: the chip's own entry, as the store now says
        entry = world.get(maker, f"/v1/chips/{chip['id']}").json()["entry_id"]
    index = world.get(None, f"/v1/log/pending/{entry}").json()["index"]
    opening = tmp / f"opening-{chip['id']}.json"
    opening.write_text(json.dumps(world.get(maker, f"/v1/log/openings/{entry}").json()))
    attested = tmp / f"chip-{chip['id']}.json"
    attested.write_text(json.dumps(world.get(maker, f"/v1/chips/{chip['id']}/attestation").json()))
    return str(index), opening, attested


def test_ledger_prove_and_chips_history_handle_both_shapes(world: World, tmp_path: Path) -> None:
    maker, old, new = _two_manifests(world)
    old[1]["entry_id"] = ""  # the response named the manifest entry; the chip now names its own
    url, vkey = world.server.url, world.store.verifier_key
    proved: dict[str, tuple[str, Path, Path]] = {}
    for name, chip in (("old", old[1]), ("new", new[1])):
        index, opening, attested = _files(world, maker, chip, tmp_path)
        proved[name] = (index, opening, attested)
        result = _run(
            "ledger", "prove", "--url", url, "--index", index, "--key", vkey,
            "--opening", str(opening), "--chip", str(attested), "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["opening"] == "matches" and shown["key_pinned"] is True
        how = "per-chip entry" if name == "old" else "manifest path"
        assert shown["chip"] == f"NVIDIA {chip['serial']} registered ({how})"
        history = _run(
            "chips", "history", "NVIDIA", chip["serial"], "--vkey", vkey,
            "--url", url, "--token", maker.token, "--json",
        )  # fmt: skip
        assert history.exit_code == 0, history.output
        assert [s["verified"] for s in json.loads(history.stdout)["steps"]] == [True]

    # The new manifest's entry does not register a chip of the old manifest, nor the reverse.
    for entry, chip in (("new", "old"), ("old", "new")):
        index, opening, _ = proved[entry]
        wrong = _run(
            "ledger", "prove", "--url", url, "--index", index, "--key", vkey,
            "--opening", str(opening), "--chip", str(proved[chip][2]),
        )  # fmt: skip
        assert wrong.exit_code == 1, wrong.output
        assert "inconsistency: the entry does not register NVIDIA" in wrong.stderr
    alone = _run("ledger", "prove", "--url", url, "--index", "0", "--chip", str(proved["new"][2]))
    assert alone.exit_code == 2 and "--chip needs the entry's --opening" in alone.stderr


def test_chip_page_names_the_manifest_entry_and_the_chips_leaf(world: World) -> None:
    maker, old, new = _two_manifests(world)
    with httpx.Client(base_url=world.server.url, cookies={COOKIE: maker.token}) as web:
        page = web.get(f"/chips/{new[2]['id']}")
        assert page.status_code == 200, page.text
        assert "One entry registers the whole manifest" in page.text
        assert "this chip is leaf <strong>2</strong>" in page.text
        assert f"computegov chips attestation NVIDIA {new[2]['serial']} --json" in page.text
        before = web.get(f"/chips/{old[0]['id']}")
        assert before.status_code == 200
        assert "One entry registers the whole manifest" not in before.text
