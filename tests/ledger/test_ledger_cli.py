"""`computegov ledger verify` and `prove` against a real server: success, and the exact
inconsistency named when an entry is rewritten or the log forks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from computegov.cli import app
from computegov.ledger import log, merkle, note
from computegov.ledger.http import ledger_app
from computegov.ledger.integrator import integrate_all
from computegov.store import Settings, Store, open_store
from computegov.store.models import LedgerEntry, SequencedEntry
from live_server import UNTHROTTLED, LiveServer

runner = CliRunner()


def _grow(store: Store, count: int, start: int = 0) -> list[str]:
    with store.transaction() as session:
        ids = log.append_many(
            session, [("test.entry", {"n": start + i}, "t") for i in range(count)]
        )
    integrate_all(store)
    return ids


def _verify(server: LiveServer, store: Store, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["ledger", "verify", "--url", server.url, "--key", store.verifier_key, *extra]
    )
    return result.exit_code, result.stdout, result.stderr


def test_verify_follows_a_growing_log_and_rebuilds_it(
    store: Store, server: LiveServer, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    _grow(store, 40)
    code, out, err = _verify(server, store, "--state", str(state), "--full", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["size"], data["entries_rebuilt"], data["previous_size"]) == (40, 40, None)
    _grow(store, 260, 40)
    code, out, err = _verify(server, store, "--state", str(state), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["size"], data["previous_size"], data["consistent_with_previous"]) == (
        300,
        40,
        True,
    )
    code, out, _ = _verify(server, store, "--state", str(state))
    assert code == 0 and "valid" in out  # the table for people


def test_verify_full_detects_a_rewritten_entry(store: Store, server: LiveServer) -> None:
    _grow(store, 20)
    with store.transaction() as session:
        seq = session.scalar(sa.select(SequencedEntry.seq).where(SequencedEntry.log_index == 13))
        leaf = session.scalar(sa.select(LedgerEntry.leaf).where(LedgerEntry.seq == seq))
        assert leaf is not None
        session.execute(
            sa.update(LedgerEntry)
            .where(LedgerEntry.seq == seq)
            .values(leaf=leaf.replace(b'"actor":"t"', b'"actor":"u"'))
        )
    code, _, _ = _verify(server, store)  # the signature and size alone cannot tell
    assert code == 0
    code, _, err = _verify(server, store, "--full")
    assert code == 1
    assert err.startswith("inconsistency: tile 0/0 does not match the entries: hash 13")


def test_verify_detects_a_fork_against_the_state_file(
    store: Store, server: LiveServer, tmp_path: Path
) -> None:
    _grow(store, 10)
    # A checkpoint of size 6 that the same key signed for another tree: the log forked.
    forked = note.sign_checkpoint(
        note.Checkpoint(origin=store.origin, size=6, root=merkle.hash_leaf(b"fork")),
        name=store.origin,
        public_key=store.signer.public_key_bytes(),
        sign=store.signer.sign,
    )
    state = tmp_path / "state"
    state.write_text(forked)
    code, _, err = _verify(server, store, "--state", str(state))
    assert code == 1
    assert "not consistent with the one of size 6" in err
    assert state.read_text() == forked  # a failed check does not move the state on


def test_verify_with_another_pinned_key_fails(store: Store, server: LiveServer) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    other = note.verifier_key(store.origin, public)
    result = runner.invoke(app, ["ledger", "verify", "--url", server.url, "--key", other])
    assert result.exit_code == 1
    assert "not validly signed by the pinned key" in result.stderr


def test_prove_checks_inclusion_and_the_opening(
    store: Store, server: LiveServer, tmp_path: Path
) -> None:
    ids = _grow(store, 9)
    with store.sessions() as session:
        opening = log.opening(session, ids[4])
        index = log.pending_status(session, ids[4])["index"]
    path = tmp_path / "opening.json"
    path.write_text(json.dumps(opening))
    args = ["ledger", "prove", "--url", server.url, "--index", str(index)]
    result = runner.invoke(
        app, [*args, "--opening", str(path), "--key", store.verifier_key, "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["id"], data["included"], data["opening"], data["size"]) == (
        ids[4],
        True,
        "matches",
        9,
    )
    path.write_text(json.dumps({**opening, "record": {"n": 5}}))
    result = runner.invoke(app, [*args, "--opening", str(path)])
    assert result.exit_code == 1
    assert "does not match entry 4's commitment" in result.stderr
    wrong_entry = {**opening, "id": ids[3]}
    path.write_text(json.dumps(wrong_entry))
    result = runner.invoke(app, [*args, "--opening", str(path)])
    assert result.exit_code == 1 and "the opening is for" in result.stderr


def test_verify_full_detects_an_entry_rewritten_as_text_on_sqlite(
    tmp_path: Path, sqlite_url: str
) -> None:
    # What `sqlite3 db "UPDATE ... SET leaf = replace(leaf, ...)"` leaves: a TEXT value.
    store = open_store(Settings(data_dir=tmp_path / "data", database_url=sqlite_url, **UNTHROTTLED))
    try:
        _grow(store, 4)
        with store.transaction() as session:
            session.execute(
                sa.text(
                    'UPDATE ledger_entries SET leaf = replace(leaf, \'"actor":"t"\', '
                    '\'"actor":"x"\') WHERE seq = '
                    "(SELECT seq FROM ledger_sequence WHERE log_index = 2)"
                )
            )
            kinds = session.execute(sa.text("SELECT typeof(leaf) FROM ledger_entries")).scalars()
            assert list(kinds).count("text") == 1
        with LiveServer(ledger_app(store, integrate_every=None)) as server:
            code, _, err = _verify(server, store, "--full")
        assert code == 1
        assert "tile 0/0 does not match the entries: hash 2" in err
    finally:
        store.close()


def test_prove_an_index_beyond_the_log_is_bad_input_not_an_inconsistency(
    store: Store, server: LiveServer
) -> None:
    _grow(store, 2)
    result = runner.invoke(app, ["ledger", "prove", "--url", server.url, "--index", "2"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: no entry 2 in this log: index 2 is not in the log of size 2; use 0 to 1"
    )


@pytest.mark.parametrize("blank", ["", " \t"])
def test_prove_refuses_an_empty_pinned_key_instead_of_trusting_the_server(
    store: Store, server: LiveServer, blank: str
) -> None:
    # Seen: `--key ""` fell back to the key the server serves and still said key_pinned: true.
    _grow(store, 3)
    args = ["ledger", "prove", "--url", server.url, "--index", "1", "--json"]
    refused = runner.invoke(app, [*args, "--key", blank])
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("error: an empty verifier key pins nothing")

    unpinned = runner.invoke(app, args)
    assert unpinned.exit_code == 0, unpinned.stderr
    assert json.loads(unpinned.stdout)["key_pinned"] is False
    pinned = runner.invoke(app, [*args, "--key", store.verifier_key])
    assert pinned.exit_code == 0, pinned.stderr
    assert json.loads(pinned.stdout)["key_pinned"] is True


@pytest.mark.parametrize("blank", ["", " \t"])
def test_verify_refuses_an_empty_pinned_key_with_the_same_reason(
    store: Store, server: LiveServer, blank: str
) -> None:
    _grow(store, 1)
    result = runner.invoke(app, ["ledger", "verify", "--url", server.url, "--key", blank])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: an empty verifier key pins nothing")
