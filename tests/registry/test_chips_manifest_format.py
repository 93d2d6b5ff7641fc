"""The manifest format on its own: leaves are RFC 8785, bad rows are reported, and large
files are capped in what they report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from computegov.errors import InvalidInput
from computegov.ledger import entries
from computegov.registry.chips import manifests

ON = datetime(2026, 3, 2, tzinfo=UTC)
HEADER = "serial,model,manufactured_on,fab,device_public_key\n"

text = st.text(max_size=20)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(max_codepoint=127), max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(plain)
def test_the_fast_canonical_form_is_rfc8785(value: object) -> None:
    assert entries.canonical_json(value) == rfc8785.dumps(value)


@given(st.fixed_dictionaries({name: text for name in ("vendor", "serial", "model", "fab")}))
def test_a_leaf_is_the_rfc8785_form_of_its_fields(fields: dict[str, str]) -> None:
    full = {**fields, "manufactured_on": "2026-01-01", "device_public_key": None}
    assert manifests.leaf_bytes(full) == rfc8785.dumps(full)


def test_rows_are_normalised_to_the_catalog_and_in_file_order() -> None:
    data = (HEADER + "B,h20,2026-01-02,Fab 1,\nA, GeForce RTX 4090 ,2026-01-01,Fab 2,\n").encode()
    with pytest.raises(InvalidInput, match="line 3: device_public_key is required: RTX 4090"):
        manifests.parse_manifest(data, on=ON)
    data = (HEADER + "B,h20,2026-01-02,Fab 1,\nA,L20 PCIe,2026-01-01,Fab 2,\n").encode()
    manifest = manifests.parse_manifest(data, on=ON)
    assert [(r.vendor, r.model, r.serial, r.line) for r in manifest.rows] == [
        ("NVIDIA", "H20", "B", 2),
        ("NVIDIA", "L20", "A", 3),
    ]


def test_the_header_must_name_exactly_the_columns() -> None:
    with pytest.raises(InvalidInput, match="missing fab; unexpected factory"):
        manifests.parse_manifest(b"serial,model,manufactured_on,factory,device_public_key\n", on=ON)
    with pytest.raises(InvalidInput, match="no chips"):
        manifests.parse_manifest(HEADER.encode(), on=ON)


def test_a_huge_bad_file_reports_the_first_hundred_rows_and_counts_the_rest() -> None:
    data = (HEADER + "".join(f"S{i},NoSuchChip,2026-01-01,F,\n" for i in range(250))).encode()
    with pytest.raises(InvalidInput) as caught:
        manifests.parse_manifest(data, on=ON)
    message = str(caught.value)
    assert message.startswith("the manifest has 250 bad rows")
    assert "line 101:" in message and "line 102:" not in message
    assert message.endswith("and 150 more bad rows")


def test_classification_follows_the_receipt_time() -> None:
    # Before the first 3A090 text (2022-10-07) no model needs a device key.
    data = (HEADER + "S1,H100,2022-01-01,F,\n").encode()
    manifests.parse_manifest(data, on=datetime(2022, 6, 1, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="required"):
        manifests.parse_manifest(data, on=ON)
