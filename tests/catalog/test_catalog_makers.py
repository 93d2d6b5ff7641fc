"""Who makes the catalog's chips and where: vendors' headquarters and the fabs and assembly
sites a manifest may name, each row with its source."""

from __future__ import annotations

import pytest

from computegov.catalog import all_chips, all_sites, all_vendors, find_site, get_site, get_vendor
from computegov.errors import NotFound


def test_every_catalog_vendor_has_a_sourced_headquarters_country() -> None:
    vendors = {v.name: v for v in all_vendors()}
    assert {chip.vendor for chip in all_chips()} <= set(vendors)
    assert {v.name: v.hq_country for v in all_vendors()} == {
        "NVIDIA": "US",
        "AMD": "US",
        "Huawei": "CN",
        "Google": "US",
        "Intel": "US",
        "Amazon": "US",
    }
    assert all(v.source.strip() for v in vendors.values())
    assert get_vendor("nvidia") is vendors["NVIDIA"]
    with pytest.raises(NotFound, match="NVIDIA, AMD, Huawei, Google, Intel"):
        get_vendor("Nvidiaa")


def test_sites_the_public_record_names_are_listed_with_their_country_and_source() -> None:
    expected = {
        ("TSMC Fab 18", "fab"): "TW",
        ("TSMC Arizona", "fab"): "US",
        ("Samsung Pyeongtaek", "fab"): "KR",
        ("Samsung Hwaseong", "fab"): "KR",
        ("SMIC Shanghai", "fab"): "CN",
        ("Intel Fab 52", "fab"): "US",
        ("TSMC Advanced Backend Fab 6", "assembly"): "TW",
        ("Amkor Korea Incheon", "assembly"): "KR",
        ("ASE Kaohsiung", "assembly"): "TW",
        ("SPIL Taichung Tan-Ke", "assembly"): "TW",
        ("Tongfu Nantong", "assembly"): "CN",
    }
    for (name, kind), country in expected.items():
        assert get_site(name, kind).country == country, name
    assert all(site.source.strip() for site in all_sites())
    names = [site.name for site in all_sites()]
    assert len(names) == len(set(names))


def test_sites_are_found_by_alias_any_case_and_only_as_their_kind() -> None:
    assert get_site("tsmc fab-21", "fab").name == "TSMC Arizona"
    assert get_site("TSMC AP6", "assembly").name == "TSMC Advanced Backend Fab 6"
    assert find_site("TSMC Fab 18", "assembly") is None
    with pytest.raises(NotFound) as caught:
        get_site("Shanghai Fab 1", "fab")
    assert "unknown fab 'Shanghai Fab 1'" in str(caught.value)
    assert "SMIC Shanghai (CN)" in str(caught.value)
