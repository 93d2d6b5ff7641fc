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
HEADER = "serial,model,manufactured_on,fab,assembly_site,device_public_key\n"
SITES = "TSMC Fab 18,TSMC Advanced Backend Fab 6"

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


@given(
    st.fixed_dictionaries(
        {name: text for name in ("vendor", "serial", "model", "fab", "assembly_site")}
    )
)
def test_a_leaf_is_the_rfc8785_form_of_its_fields(fields: dict[str, str]) -> None:
    full = {**fields, "manufactured_on": "2026-01-01", "device_public_key": None}
    assert manifests.leaf_bytes(full) == rfc8785.dumps(full)


def test_rows_are_normalised_to_the_catalog_and_in_file_order() -> None:
    data = (
        f"{HEADER}B,h20,2026-01-02,{SITES},\nA, GeForce RTX 4090 ,2026-01-01,{SITES},\n"
    ).encode()
    with pytest.raises(InvalidInput, match="line 3: device_public_key is required: RTX 4090"):
        manifests.parse_manifest(data, on=ON)
    data = (
        f"{HEADER}B,h20,2026-01-02,tsmc fab-18,TSMC AP6,\n"
        "A,L20 PCIe,2026-01-01,TSMC Arizona,Amkor Peoria,\n"
    ).encode()
    manifest = manifests.parse_manifest(data, on=ON)
    assert [
        (r.vendor, r.model, r.serial, r.line, r.fab, r.assembly_site, r.country)
        for r in manifest.rows
    ] == [
        ("NVIDIA", "H20", "B", 2, "TSMC Fab 18", "TSMC Advanced Backend Fab 6", "TW"),
        ("NVIDIA", "L20", "A", 3, "TSMC Arizona", "Amkor Arizona", "US"),
    ]
    assert manifest.rows[1].fields()["assembly_site"] == "Amkor Arizona"


def test_the_header_must_name_exactly_the_columns() -> None:
    with pytest.raises(InvalidInput, match="missing fab; unexpected factory"):
        manifests.parse_manifest(
            b"serial,model,manufactured_on,factory,assembly_site,device_public_key\n", on=ON
        )
    # A manifest of the format before assembly sites is refused, saying what is missing.
    with pytest.raises(InvalidInput, match="missing assembly_site"):
        manifests.parse_manifest(b"serial,model,manufactured_on,fab,device_public_key\n", on=ON)
    with pytest.raises(InvalidInput, match="no chips"):
        manifests.parse_manifest(HEADER.encode(), on=ON)


def test_a_huge_bad_file_reports_the_first_hundred_rows_and_counts_the_rest() -> None:
    rows = "".join(f"S{i},NoSuchChip,2026-01-01,{SITES},\n" for i in range(250))
    data = (HEADER + rows).encode()
    with pytest.raises(InvalidInput) as caught:
        manifests.parse_manifest(data, on=ON)
    message = str(caught.value)
    assert message.startswith("the manifest has 250 bad rows")
    assert "line 101:" in message and "line 102:" not in message
    assert message.endswith("and 150 more bad rows")


def test_classification_follows_the_receipt_time() -> None:
    # Before the first 3A090 text (2022-10-07) no model needs a device key.
    data = (HEADER + f"S1,H100,2022-01-01,{SITES},\n").encode()
    manifests.parse_manifest(data, on=datetime(2022, 6, 1, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="required"):
        manifests.parse_manifest(data, on=ON)


def test_fab_and_assembly_site_come_from_the_packaged_list_and_unknown_ones_list_it() -> None:
    data = (
        f"{HEADER}S1,H20,2026-01-01,TSMC,TSMC Advanced Backend Fab 6,\n"
        "S2,H20,2026-01-01,TSMC Fab 18,NVIDIA Shanghai Packaging,\n"
        "S3,H20,2026-01-01,TSMC Advanced Backend Fab 6,TSMC Fab 18,\n"
    ).encode()
    with pytest.raises(InvalidInput) as caught:
        manifests.parse_manifest(data, on=ON)
    message = str(caught.value)
    assert "line 2: unknown fab 'TSMC'" in message
    assert "line 3: unknown assembly site 'NVIDIA Shanghai Packaging'" in message
    # A fab is not an assembly site, nor the other way round.
    assert "line 4: unknown fab 'TSMC Advanced Backend Fab 6'; unknown assembly site" in message
    # The known names are listed once, with their countries.
    assert message.count("TSMC Fab 18 (TW)") == 1 and "SMIC Shanghai (CN)" in message
    assert message.count("Amkor Arizona (US)") == 1 and "Tongfu Nantong (CN)" in message


def test_a_given_country_must_be_every_rows_assembly_country() -> None:
    data = (
        f"{HEADER}S1,H20,2026-01-01,TSMC Fab 18,Amkor Arizona,\nS2,H20,2026-01-01,{SITES},\n"
    ).encode()
    assert [r.country for r in manifests.parse_manifest(data, on=ON).rows] == ["US", "TW"]
    with pytest.raises(InvalidInput) as caught:
        manifests.parse_manifest(data, on=ON, country="TW")
    assert "line 2: assembly_site Amkor Arizona is in US, not TW" in str(caught.value)
    assert "line 3" not in str(caught.value)


def test_rows_of_a_vendor_the_registrant_may_not_register_are_refused_by_line() -> None:
    data = (f"{HEADER}S1,H20,2026-01-01,{SITES},\nS2,MI250X,2026-01-01,{SITES},\n").encode()
    refusals = {"NVIDIA": None, "AMD": "AMD is not yours"}
    with pytest.raises(InvalidInput) as caught:
        manifests.parse_manifest(data, on=ON, vendor_refusal=refusals.__getitem__)
    assert "1 bad rows" in str(caught.value) and "line 3: AMD is not yours" in str(caught.value)
