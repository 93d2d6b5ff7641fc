"""Fuzz tile paths and entry bundles, in the library and through the real server."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from computegov.ledger import tiles
from computegov.store import Store
from fuzzing import any_text, fuzz, parses_or_refuses
from live_server import LiveServer

pieces = st.sampled_from(
    [
        "tile/",
        "entries/",
        "0/",
        "1/",
        "63/",
        "64/",
        "x001/",
        "x/",
        "067",
        "000",
        "1234",
        ".p/",
        "255",
        "256",
        "0",
        "/",
        "..",
        "%2F",
        "\u0663",
        "\u00b2",
    ]
)
paths = st.lists(pieces | any_text.map(lambda t: t[:8]), max_size=8).map("".join)


@fuzz()
@given(paths)
def test_any_tile_path(path: str) -> None:
    parsed = parses_or_refuses(tiles.parse_tile_path, path)
    if parsed is not None:
        level, index, width = parsed
        expected = (
            tiles.entries_path(index, width)
            if level is None
            else tiles.tile_path(level, index, width)
        )
        assert expected == path  # only canonical paths parse


@fuzz()
@given(st.binary(max_size=300))
def test_any_entry_bundle(data: bytes) -> None:
    entries = parses_or_refuses(tiles.decode_entry_bundle, data)
    if entries is not None:
        assert tiles.encode_entry_bundle(entries) == data


def test_tile_paths_over_http_get_a_tile_or_a_problem(store: Store, server: LiveServer) -> None:
    with server.client() as http:

        @fuzz(examples=60)
        @given(paths)
        def request(path: str) -> None:
            url = "/tile/" + quote(path.removeprefix("tile/"), safe="/", errors="surrogatepass")
            response = http.get(url)
            assert response.status_code in {200, 400, 404}, (path, response.text)
            if response.status_code != 200:
                assert response.headers["content-type"].startswith("application/problem+json")

        request()
