"""`chips history` pins the log's verifier key from COMPUTEGOV_VERIFIER_KEY when `--vkey` is not
given (issue 10): the key the README's demo.env sets is the one each proof is checked against."""

from __future__ import annotations

import json

import pytest
from chips_helpers import h100s, maker_of, register
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner

from computegov.cli import app
from computegov.ledger import note
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_history_checks_against_the_key_in_the_environment(world: World) -> None:
    maker = maker_of(world)
    assert register(world, maker, h100s(2)).status_code == 201
    world.log_size()  # integrate
    args = ["chips", "history", "NVIDIA", "SN-0001", "--url", world.server.url]
    args += ["--token", maker.token]

    pinned = CliRunner(env={"COMPUTEGOV_VERIFIER_KEY": world.store.verifier_key, "COLUMNS": "200"})
    shown = pinned.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "key not pinned" not in shown.stdout and "✓" in shown.stdout
    data = json.loads(pinned.invoke(app, [*args, "--json"]).stdout)
    assert data["key_pinned"] is True and all(s["verified"] for s in data["steps"])

    unpinned = CliRunner(env={"COMPUTEGOV_VERIFIER_KEY": None, "COLUMNS": "200"})
    assert "key not pinned" in unpinned.invoke(app, args).stdout

    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    other = note.verifier_key(world.store.origin, raw)
    wrong = CliRunner(env={"COMPUTEGOV_VERIFIER_KEY": other}).invoke(app, args)
    assert wrong.exit_code == 1 and "no signature by" in wrong.stderr
