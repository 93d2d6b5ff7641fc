"""Fuzz the chip-manifest parser and the attestation reader: parse, or a clear refusal."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from computegov.identity.keys import public_key_bytes
from computegov.ledger.merkle import ProofError
from computegov.registry.chips import manifests
from fuzzing import any_text, fuzz, json_values, parses_or_refuses

ON = datetime(2026, 3, 2, tzinfo=UTC)
HEADER = ",".join(manifests.COLUMNS)
DEVICE_KEY = base64.b64encode(public_key_bytes(Ed25519PrivateKey.from_private_bytes(bytes(32))))
VALID = (
    f"{HEADER}\nSN-1,H100,2026-01-15,TSMC Fab 18,Amkor Arizona,{DEVICE_KEY.decode()}\n"
    "SN-2,H20,2026-01-16,TSMC Arizona,TSMC Advanced Backend Fab 6,\n"
).encode()

cells = st.sampled_from(
    [
        "SN-1",
        "H100",
        "H100 SXM",
        "H20",
        "2026-01-15",
        "TSMC Fab 18",
        "Amkor Arizona",
        DEVICE_KEY.decode(),
        "",
        " ",
        '"',
    ]
) | any_text.map(lambda t: t[:40])


def _parse(data: bytes) -> None:
    parsed = parses_or_refuses(manifests.parse_manifest, data, on=ON)
    if parsed is not None:
        assert parsed.rows and len(parsed.leaf_hashes) == len(parsed.rows)


@fuzz()
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    _parse(data)
    _parse(HEADER.encode() + b"\n" + data)


@fuzz()
@given(st.lists(st.lists(cells, min_size=0, max_size=8), max_size=5))
def test_rows_of_odd_cells(rows: list[list[str]]) -> None:
    for separator in ("\n", "\r\n", "\r"):
        body = separator.join(",".join(row) for row in rows)
        _parse(f"{HEADER}{separator}{body}".encode("utf-8", "surrogatepass"))


@fuzz()
@given(st.data())
def test_a_valid_manifest_with_bytes_changed(data: st.DataObject) -> None:
    raw = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    _parse(bytes(raw))


def test_a_field_longer_than_the_csv_module_allows_is_a_clear_refusal() -> None:
    huge = "S" * (200 * 1024)
    _parse(f"{HEADER}\n{huge},H100,2026-01-15,TSMC,\n".encode())
    _parse(f'{HEADER}\n"{huge},H100,2026-01-15,TSMC,\n'.encode())


@fuzz()
@given(
    st.dictionaries(
        st.sampled_from(
            ["manifest_id", "root", "size", "signature", "key_id", "leaf_index", "path"]
        ),
        json_values,
    )
)
def test_any_attestation_object(data: dict[str, Any]) -> None:
    attestation = parses_or_refuses(manifests.Attestation.from_dict, data)
    if attestation is not None:
        fields = {"vendor": "NVIDIA", "serial": "SN-1", "model": "H100 SXM"}
        parses_or_refuses(
            manifests.verify_attestation,
            attestation,
            fields,
            base64.b64decode(DEVICE_KEY),
            refusals=(ProofError,),
        )


def test_the_valid_seed_parses() -> None:
    # The mutations above start from a manifest that parses, so they probe past the header.
    parsed = manifests.parse_manifest(VALID, on=ON)
    assert len(parsed.rows) == 2
