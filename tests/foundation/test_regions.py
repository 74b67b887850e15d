"""The region tree: loading any root, paths, duplicates, scope containment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.regions import NATIONAL, Level, Region, RegionTree, contains, kind_label, level_of, parent_of
from storage import regions as regions_store
from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "t.sqlite3")
    await database.migrate()
    yield database
    await database.close()


async def tree_for(db: Database, root: str) -> RegionTree:
    await regions_store.load_root(db, regions_store.DEFAULT_CSV, root)
    return await regions_store.load_tree(db, root)


async def test_kota_serang_has_its_six_kecamatan_and_67_kelurahan(db: Database) -> None:
    tree = await tree_for(db, "36.73")
    assert tree.root.name == "Kota Serang"
    assert len(tree.descendants_at("36.73", Level.KECAMATAN)) == 6
    assert len(tree.descendants_at("36.73", Level.DESAKEL)) == 67
    assert [r.name for r in tree.children("36.73")][:2] == ["Serang", "Kasemen"]


@pytest.mark.parametrize(("root", "kind"), [("36", "Provinsi"), ("36.01", "Kabupaten"), ("36.73.04", "Kecamatan"),
                                            ("36.73.04.1007", "Kelurahan"), ("36.01.01.2001", "Desa")])
async def test_any_level_can_be_the_root(db: Database, root: str, kind: str) -> None:
    tree = await tree_for(db, root)
    assert tree.root.code == root
    assert tree.root.kind == kind
    assert all(contains(root, r.code) for r in tree)


async def test_reloading_another_root_widens_the_list(db: Database) -> None:
    small = await tree_for(db, "36.73")
    banten = await tree_for(db, "36")
    assert len(banten) > len(small) > 70
    assert "36.73.04.1007" in banten
    # Loading the same root twice is skipped.
    assert await regions_store.load_root(db, regions_store.DEFAULT_CSV, "36") == 0


async def test_unknown_root_is_refused(db: Database) -> None:
    with pytest.raises(KeyError):
        await regions_store.load_root(db, regions_store.DEFAULT_CSV, "36.99")


async def test_path_and_duplicate_names(db: Database) -> None:
    tree = await tree_for(db, "36.73")
    assert tree.path_label("36.73.04.1007") == "Kota Serang › Curug › Sukawana"
    hits = tree.search("sukawana")
    assert {h.code for h in hits} == {"36.73.01.1008", "36.73.04.1007"}
    assert {tree.disambiguated_name(h.code) for h in hits} == {"Sukawana (Kec. Serang)", "Sukawana (Kec. Curug)"}
    assert tree.disambiguated_name("36.73.04") == "Curug"
    assert tree.search("SUKAWANA", within="36.73.04")[0].code == "36.73.04.1007"
    assert tree.parent("36.73") is None
    assert tree.parent("36.73.04").code == "36.73"


def test_twins_are_regions_of_the_same_level_whose_names_fold_alike() -> None:
    tree = RegionTree.build("36.73", [
        Region("36.73", "Kota Serang"), Region("36.73.01", "Serang"), Region("36.73.04", "Curug"),
        Region("36.73.01.1001", "Curug"),  # a kelurahan named like a kecamatan: not a twin
        Region("36.73.01.1008", "Sukawana"), Region("36.73.04.1007", "SUKAWANÁ "),  # case, accent, space
        Region("36.73.04.1001", "Sukajaya"),
    ])
    assert tree.disambiguated_name("36.73.01.1008") == "Sukawana (Kec. Serang)"
    assert tree.disambiguated_name("36.73.04.1007") == "SUKAWANÁ  (Kec. Curug)"
    assert [tree.disambiguated_name(c) for c in ("36.73.01.1001", "36.73.04", "36.73.04.1001", "36.73")] == [
        "Curug", "Curug", "Sukajaya", "Kota Serang"]


async def test_a_province_names_every_desa_like_the_definition_says(db: Database) -> None:
    """Banten's 1,552 desa named at once (a province /rekap lists those without a report):
    the same answers as comparing each with every region of its level."""
    tree = await tree_for(db, "36")
    desa = tree.descendants_at("36", Level.DESAKEL)
    names = {r.code: tree.disambiguated_name(r.code) for r in desa}
    folded = [(r.code, r.name.casefold().strip()) for r in desa]  # Banten's names are plain ASCII
    for code, name in folded[::40]:  # the quadratic definition, on a sample
        twins = [c for c, n in folded if n == name and c != code]
        assert ("(" in names[code]) == bool(twins), code
    assert sum("(" in n for n in names.values()) > 300  # Banten repeats many desa names


def test_code_helpers() -> None:
    assert level_of("36.73.04.1007") is Level.DESAKEL
    assert parent_of("36.73.04") == "36.73"
    assert parent_of("36") == NATIONAL and parent_of(NATIONAL) is None
    assert level_of(NATIONAL) is Level.NASIONAL and kind_label(NATIONAL) == "Nasional"
    assert contains(NATIONAL, "91.05.01.2001") and contains(NATIONAL, NATIONAL) and not contains("36", NATIONAL)
    assert not contains(NATIONAL, "3") and not contains(NATIONAL, "IDN")
    assert kind_label("36.73") == "Kota" and kind_label("36.01") == "Kabupaten"
    assert contains("36.73", "36.73.04.1007") and not contains("36.7", "36.73")
    with pytest.raises(ValueError):
        level_of("36.7")
