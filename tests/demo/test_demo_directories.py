"""Attacks on the demo's data directory: it never writes beside a real registry's keys, never
follows a link it did not make, and a directory given by a link gets the whole world."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from computegov.demo import parties as demo_parties
from computegov.demo.builder import open_demo
from computegov.errors import InvalidInput
from computegov.store import Settings, open_store


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((p.name, p.stat().st_size) for p in folder.iterdir())


def test_a_demo_json_beside_a_real_registrys_keys_is_refused(tmp_path: Path) -> None:
    """A registry on PostgreSQL keeps only its keys in its data directory (its checkpoint may
    be kept elsewhere too); a `demo.json` copied there must not make the demo open it, put a
    SQLite database beside the keys and sign the demo's log with the real log's key."""
    real = tmp_path / "computegov-data"
    store = open_store(Settings(data_dir=real, database_url=None))
    store.close()
    for name in ("computegov.db", "computegov.db-wal", "computegov.db-shm", "checkpoint"):
        (real / name).unlink(missing_ok=True)  # as if they lived in PostgreSQL and elsewhere
    world = open_demo(tmp_path / "demo", modules=[demo_parties.MODULE])
    world.store.close()
    shutil.copyfile(tmp_path / "demo" / "demo.json", real / "demo.json")
    before = _listing(real)
    with pytest.raises(InvalidInput, match="holds a demo.json but no demo registry"):
        open_demo(real, modules=[demo_parties.MODULE])
    assert _listing(real) == before
    assert not (real / "computegov.db").exists()


def test_a_data_dir_given_by_a_link_is_built_where_it_points(tmp_path: Path) -> None:
    target = tmp_path / "big-disk" / "demo"
    target.mkdir(parents=True)
    link = tmp_path / "computegov-demo"
    link.symlink_to(target)
    world = open_demo(link, modules=[demo_parties.MODULE])
    world.store.close()
    assert link.is_symlink() and (target / "demo.json").is_file()
    leftovers = [p for p in tmp_path.rglob("*.building")]
    assert leftovers == []
    again = open_demo(link, modules=[demo_parties.MODULE])  # and opens it as it is
    again.store.close()
    assert not again.built


def test_a_link_where_the_build_folder_goes_is_refused_and_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "precious").write_text("kept")
    (tmp_path / ".computegov-demo.building").symlink_to(victim)
    with pytest.raises(InvalidInput, match="not one a build left"):
        open_demo(tmp_path / "computegov-demo", modules=[demo_parties.MODULE])
    assert [p.name for p in victim.iterdir()] == ["precious"]
    assert not (tmp_path / "computegov-demo").exists()
