"""``storepixel shelves``: planogram import (one-line errors, nothing half-applied), the funnel
from a real store, and shelf polygons off the frame refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from storepixel.config.site import load_site
from storepixel.store import CoverageInterval, open_store
from storepixel.types import Event

from .test_cli import assert_one_line_error, storepixel

SITE = {
    "site": {"id": "mall", "timezone": "UTC"},
    "cameras": [
        {
            "id": "aisle",
            "shelves": [
                {"id": "cola", "polygon": [[0.5, 0.3], [0.8, 0.3], [0.8, 0.7]]},
                {"id": "tea", "polygon": [[0.1, 0.3], [0.3, 0.3], [0.3, 0.7]], "brand": "Leaf"},
            ],
        }
    ],
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "mall.yaml"
    path.write_text(yaml.safe_dump(SITE, sort_keys=False), encoding="utf-8")
    return path


def test_import_sets_product_brand_category(site: Path, tmp_path: Path) -> None:
    csv = tmp_path / "planogram.csv"
    csv.write_text("shelf,camera,product,brand,category\ncola,aisle,Cola 1l,Fizz,drinks\n")
    result = storepixel("shelves", "import", site, csv)
    assert result.returncode == 0, result.stderr
    cola = load_site(site).camera("aisle").shelf("cola")
    assert (cola.product, cola.brand, cola.category) == ("Cola 1l", "Fizz", "drinks")
    assert load_site(site).camera("aisle").shelf("tea").brand == "Leaf"  # not in the CSV: kept


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("camera,shelf,product,brand\naisle,cola,x,y\n", ["missing column 'category'"]),
        (
            "camera,shelf,product,brand,category\naisle,cola,a,b,c\naisle,juice,a,b,c\n",
            ["row 3", "no shelf 'juice'"],
        ),
        ("camera,shelf,product,brand,category\ndoor,cola,a,b,c\n", ["row 2", "camera 'door'"]),
        ("camera,shelf,product,brand,category,colour\n", ["unknown column 'colour'"]),
        ("camera,shelf,product,brand,category\naisle,cola,a,b\n", ["row 2", "5 cells"]),
    ],
)
def test_bad_planogram_is_one_line_and_changes_nothing(
    site: Path, tmp_path: Path, text: str, needles: list[str]
) -> None:
    before = site.read_bytes()
    csv = tmp_path / "planogram.csv"
    csv.write_text(text)
    assert_one_line_error(storepixel("shelves", "import", site, csv), "planogram.csv", *needles)
    assert site.read_bytes() == before  # nothing half-applied
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_shelf_polygon_off_the_frame_names_the_key(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(SITE))
    data["cameras"][0]["shelves"][1]["polygon"][2] = [1.2, 0.7]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    csv = tmp_path / "p.csv"
    csv.write_text("camera,shelf,product,brand,category\n")
    result = storepixel("shelves", "import", path, csv)
    assert_one_line_error(result, "cameras[0].shelves[1].polygon[2]", "off the frame")


def test_funnel_reads_the_store_with_no_data_hours(site: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        store.write_coverage([CoverageInterval("mall", "aisle", 1714554000.0, 1714557600.0)])
        props = {"shelf_id": "cola", "product": None, "brand": None, "category": None}
        store.write_events(
            [Event("p1", "shelf_pass", "mall", "aisle", 1714554100.0, "a", "cola",
                   {**props, "duration_s": 3.0}, 2)]
        )  # fmt: skip
    result = storepixel(
        "shelves", "funnel", "--site", site, "--db", url, "--format", "csv",
        "--from", "2024-05-01T09:00:00Z", "--to", "2024-05-01T11:00:00Z",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("group,start,passers,stoppers,reachers")
    assert lines[1].startswith("cola,2024-05-01T09:00:00") and ",1,0,0," in lines[1]
    assert lines[2].startswith("cola,2024-05-01T10:00:00") and lines[2].endswith(",True")
