"""`ledger verify` and `prove` as the README uses them (issue 10): the verifier key and the URL
come from COMPUTEGOV_VERIFIER_KEY and COMPUTEGOV_URL when not given, and `--state` holds the
last checkpoint seen as a signed note: a file holding anything else (JSON, bytes that are not
text, a folder) is refused with a one-line error, and left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner

from computegov.cli import app
from computegov.ledger import log, note
from computegov.ledger.integrator import integrate_all
from computegov.store import Store
from live_server import LiveServer


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _grow(store: Store, count: int) -> None:
    with store.transaction() as session:
        log.append_many(session, [("test.entry", {"n": i}, "t") for i in range(count)])
    integrate_all(store)


def _env(server: LiveServer, key: str) -> CliRunner:
    return CliRunner(env={"COMPUTEGOV_URL": server.url, "COMPUTEGOV_VERIFIER_KEY": key})


def _other_key(store: Store) -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return note.verifier_key(store.origin, raw)


def test_verify_and_prove_take_the_key_and_url_from_the_environment(
    store: Store, server: LiveServer, tmp_path: Path
) -> None:
    _grow(store, 5)
    runner = _env(server, store.verifier_key)
    state = tmp_path / "last-checkpoint.note"
    verified = runner.invoke(app, ["ledger", "verify", "--state", str(state), "--json"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["size"] == 5
    assert state.read_text().startswith(f"{store.origin}\n5\n")  # a signed note, not JSON
    proved = runner.invoke(app, ["ledger", "prove", "--index", "3", "--json"])
    assert proved.exit_code == 0, proved.output
    assert json.loads(proved.stdout)["key_pinned"] is True


def test_the_key_from_the_environment_is_the_one_checked(store: Store, server: LiveServer) -> None:
    _grow(store, 2)
    runner = _env(server, _other_key(store))
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 1
    assert "not validly signed by the pinned key" in verified.stderr
    proved = runner.invoke(app, ["ledger", "prove", "--index", "1"])
    assert proved.exit_code == 1, proved.output
    # A key given on the command line wins over the environment.
    given = runner.invoke(app, ["ledger", "verify", "--key", store.verifier_key])
    assert given.exit_code == 0, given.output


def test_verify_without_any_key_says_which_variable_sets_it(server: LiveServer) -> None:
    result = CliRunner(env={"COMPUTEGOV_VERIFIER_KEY": None}).invoke(
        app, ["ledger", "verify", "--url", server.url]
    )
    assert result.exit_code == 2
    assert "--key" in result.output and "COMPUTEGOV_VERIFIER_KEY" in result.output


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"size": 5, "root": "abc"}\n', "holds JSON, not a signed note"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b"hello\n", "does not hold a checkpoint signed by the pinned key"),
    ],
)
def test_a_state_file_that_is_not_a_signed_note_is_refused_and_kept(
    store: Store, server: LiveServer, tmp_path: Path, content: bytes, said: str
) -> None:
    _grow(store, 3)
    state = tmp_path / "monitor.json"
    state.write_bytes(content)
    result = _env(server, store.verifier_key).invoke(
        app, ["ledger", "verify", "--state", str(state)]
    )
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and said in line and "last-checkpoint.note" in line
    assert state.read_bytes() == content


def test_a_state_path_that_is_a_folder_is_refused(
    store: Store, server: LiveServer, tmp_path: Path
) -> None:
    _grow(store, 1)
    result = _env(server, store.verifier_key).invoke(
        app, ["ledger", "verify", "--state", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: cannot read the state file {tmp_path}")


def test_state_help_says_it_holds_a_signed_note() -> None:
    out = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["ledger", "verify", "--help"]).stdout
    flat = " ".join(out.replace("│", " ").split())
    assert "the last checkpoint seen, as the signed note the log served" in flat
    assert "last-checkpoint.note" in flat
    assert "COMPUTEGOV_VERIFIER_KEY" in flat
