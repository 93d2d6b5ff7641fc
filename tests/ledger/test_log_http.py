"""The ledger over real HTTP: C2SP tiles and checkpoint, JSON proofs, problem details."""

from __future__ import annotations

import base64
import time

from computegov.ledger import log, merkle, note, tiles
from computegov.ledger.integrator import integrate_all
from computegov.store import Store
from live_server import LiveServer


def _grow(store: Store, count: int) -> list[str]:
    with store.transaction() as session:
        ids = log.append_many(session, [("test.entry", {"n": i}, "t") for i in range(count)])
    integrate_all(store)
    return ids


def test_tiles_checkpoint_and_proofs_verify_against_the_published_key(
    store: Store, server: LiveServer
) -> None:
    ids = _grow(store, 300)
    with server.client() as http:
        vkey = http.get("/v1/log/key").json()["verifier_key"]
        assert vkey == store.verifier_key
        cp_response = http.get("/checkpoint")
        assert cp_response.headers["content-type"].startswith("text/plain")
        cp = note.open_checkpoint(cp_response.text, note.parse_verifier_key(vkey))
        assert cp.size == 300
        bundle_full = http.get("/tile/entries/000")
        bundle_edge = http.get("/tile/entries/001.p/44")
        leaves = tiles.decode_entry_bundle(bundle_full.content) + tiles.decode_entry_bundle(
            bundle_edge.content
        )
        tree = merkle.MemoryTree(merkle.hash_leaf(leaf) for leaf in leaves)
        assert tree.root() == cp.root
        assert http.get("/tile/0/000").content == b"".join(tiles.tile_hashes(0, 0, 256, tree.node))
        assert http.get("/tile/0/001.p/44").content == b"".join(
            tiles.tile_hashes(0, 1, 44, tree.node)
        )
        assert http.get("/tile/1/000.p/1").content == tree.node(8, 0)
        # A narrower view of a partial tile is its prefix (what a client of size 290 asks).
        assert http.get("/tile/0/001.p/34").content == tree.node(0, 256) + b"".join(
            tree.node(0, i) for i in range(257, 290)
        )

        entry = http.get("/v1/log/entries/299").json()
        assert base64.b64decode(entry["leaf"]) == leaves[299]
        assert base64.b64decode(entry["leaf_hash"]) == merkle.hash_leaf(leaves[299])

        inc = http.get("/v1/log/proof/inclusion", params={"index": 7, "size": 300}).json()
        merkle.verify_inclusion(
            merkle.hash_leaf(leaves[7]),
            7,
            300,
            [base64.b64decode(h) for h in inc["proof"]],
            cp.root,
        )
        con = http.get("/v1/log/proof/consistency", params={"old": 100, "new": 300}).json()
        merkle.verify_consistency(
            100, 300, [base64.b64decode(h) for h in con["proof"]], tree.root(100), cp.root
        )
        assert http.get(f"/v1/log/pending/{ids[5]}").json() == {
            "id": ids[5],
            "integrated": True,
            "index": 5,
        }


BAD_REQUESTS = [
    ("/v1/log/entries/3", 404, "not in the log of size 3"),
    ("/v1/log/entries/-1", 400, "whole number"),
    ("/v1/log/entries/x", 400, "whole number"),
    ("/v1/log/proof/inclusion?index=3&size=3", 404, "not in the log of size 3"),
    ("/v1/log/proof/inclusion?index=0&size=4", 404, "use 1 to 3"),
    ("/v1/log/proof/inclusion?index=0", 400, "size is missing"),
    ("/v1/log/proof/consistency?old=0&new=2", 400, "0 < old <= new"),
    ("/v1/log/proof/consistency?old=2&new=9", 404, "beyond the log's size 3"),
    ("/v1/log/pending/nope", 404, "no ledger entry"),
    ("/tile/0/000", 404, "beyond the log's size 3"),
    ("/tile/0/000.p/4", 404, "beyond the log's size 3"),
    ("/tile/entries/001.p/1", 404, "beyond the log's size 3"),
    ("/tile/0/0", 400, ""),
    ("/tile/abc/000", 400, ""),
    ("/tile/0/000.p/256", 400, ""),
    ("/no/such/path", 404, ""),
    # issue 9: each of these was a 500 (str.isdigit takes "²"; int() refuses 4,301 digits;
    # PostgreSQL refuses a NUL in a text)
    ("/v1/log/entries/%C2%B2", 400, "in digits 0-9"),
    ("/v1/log/entries/%D9%A1", 400, "in digits 0-9"),  # ARABIC-INDIC ONE, which int() takes
    ("/v1/log/entries/" + "9" * 5000, 400, "a number of 5000 digits is too large"),
    ("/v1/log/entries/9223372036854775808", 400, "too large"),
    ("/v1/log/proof/inclusion?index=0&size=" + "9" * 4301, 400, "too large"),
    ("/v1/log/proof/consistency?old=%C2%B9&new=2", 400, "in digits 0-9"),
    ("/v1/log/pending/%00", 400, "NUL"),
    ("/v1/log/proof/inclusion?index=0&size=3&x=%00", 400, "NUL"),
    ("/tile/0/" + "x001/" * 1500 + "001", 400, "not a tile path"),
]


def test_bad_requests_get_problem_details(store: Store, server: LiveServer) -> None:
    _grow(store, 3)
    with server.client() as http:
        for path, status, detail_has in BAD_REQUESTS:
            response = http.get(path)
            assert response.status_code == status, path
            assert response.headers["content-type"] == "application/problem+json", path
            body = response.json()
            assert set(body) == {"type", "title", "status", "detail"}, path
            assert body["status"] == status
            assert detail_has in body["detail"], (path, body)
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_served_app_integrates_in_the_background(store: Store) -> None:
    from computegov.ledger.http import ledger_app

    live = LiveServer(ledger_app(store, integrate_every=0.05))
    with live, live.client() as http:
        with store.transaction() as session:
            entry_id = log.append(session, "test.entry", {"n": 1}, actor="t")
        deadline = time.monotonic() + 20
        status = http.get(f"/v1/log/pending/{entry_id}").json()
        while not status["integrated"] and time.monotonic() < deadline:
            time.sleep(0.05)
            status = http.get(f"/v1/log/pending/{entry_id}").json()
        assert status == {"id": entry_id, "integrated": True, "index": 0}
        assert http.get("/checkpoint").text.split("\n")[1] == "1"


def test_proofs_follow_the_log_as_it_grows(store: Store, server: LiveServer) -> None:
    _grow(store, 3)
    with server.client() as http:
        assert (
            http.get("/v1/log/proof/inclusion", params={"index": 2, "size": 3}).status_code == 200
        )
        assert (
            http.get("/v1/log/proof/inclusion", params={"index": 4, "size": 5}).status_code == 404
        )
        _grow(store, 2)
        with store.sessions() as session:
            size = log.tree_size(session)
            tree = merkle.MemoryTree(merkle.hash_leaf(x) for x in log.leaves(session, 0, size))
        body = http.get("/v1/log/proof/inclusion", params={"index": 4, "size": 5}).json()
        merkle.verify_inclusion(
            tree.node(0, 4), 4, 5, [base64.b64decode(h) for h in body["proof"]], tree.root(5)
        )
        body = http.get("/v1/log/proof/consistency", params={"old": 3, "new": 5}).json()
        merkle.verify_consistency(
            3, 5, [base64.b64decode(h) for h in body["proof"]], tree.root(3), tree.root(5)
        )
