"""Import a planogram CSV: which product, brand and category each configured shelf shows.

The CSV has a header row with the columns ``camera``, ``shelf``, ``product``, ``brand``,
``category`` (in any order; extra columns are refused so a typo is not silently ignored). Each
row names a shelf already drawn in the site configuration; an empty cell clears that field.
Every row is checked before anything changes: any problem is one ``ConfigError`` line naming
the file and the row (or the missing column), and the site is left as it was.

>>> from storepixel.config.site import SiteConfig
>>> site = SiteConfig.model_validate({"site": {"id": "s"}, "cameras": [{"id": "c",
...     "shelves": [{"id": "cola", "polygon": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]}]}]})
>>> csv_text = "camera,shelf,product,brand,category\\nc,cola,Cola 1l,Fizz,drinks\\n"
>>> new = apply_planogram(site, csv_text)
>>> new.camera("c").shelf("cola").brand, site.camera("c").shelf("cola").brand
('Fizz', None)
>>> apply_planogram(site, "camera,shelf,product,brand\\nc,cola,x,y\\n")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
storepixel.errors.ConfigError: planogram: missing column 'category'; expected columns camera, ...
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from storepixel.config.site import SiteConfig
from storepixel.errors import ConfigError

COLUMNS = ("camera", "shelf", "product", "brand", "category")
FIELDS = ("product", "brand", "category")


def read_planogram(path: str | Path) -> str:
    """The text of a planogram file (UTF-8, a byte-order mark allowed); ``ConfigError`` if it
    cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"planogram not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read planogram {path}: {exc}") from None


def apply_planogram(site: SiteConfig, text: str, source: str = "planogram") -> SiteConfig:
    """A copy of ``site`` with the planogram ``text`` applied (``site`` itself is unchanged)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    expected = f"expected columns {', '.join(COLUMNS)}"
    if not header:
        raise ConfigError(f"{source}: empty file; {expected}")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ConfigError(f"{source}: missing column{'s' * (len(missing) > 1)} {names}; {expected}")
    extra = [h for h in header if h not in COLUMNS]
    if extra:
        raise ConfigError(f"{source}: unknown column {extra[0]!r}; {expected}")
    reader.fieldnames = header
    updates: dict[tuple[str, str], dict[str, str | None]] = {}
    shelves = {(cam.id, s.id) for cam in site.cameras for s in cam.shelves}
    row_no = 1
    for row_no, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row or any(v is None for v in row.values()):
            raise ConfigError(f"{source} row {row_no}: expected {len(COLUMNS)} cells")
        camera, shelf = row["camera"].strip(), row["shelf"].strip()
        if camera not in {c.id for c in site.cameras}:
            raise ConfigError(f"{source} row {row_no}: unknown camera {camera!r}")
        if (camera, shelf) not in shelves:
            raise ConfigError(
                f"{source} row {row_no}: camera {camera!r} has no shelf {shelf!r}; draw it in "
                "the site configuration first"
            )
        if (camera, shelf) in updates:
            raise ConfigError(f"{source} row {row_no}: shelf {shelf!r} of {camera!r} listed twice")
        updates[(camera, shelf)] = {f: row[f].strip() or None for f in FIELDS}
    if row_no == 1:
        raise ConfigError(f"{source}: no rows after the header")
    data = site.model_dump(mode="json")
    for cam in data["cameras"]:
        for shelf_data in cam.get("shelves", []):
            shelf_data.update(updates.get((cam["id"], shelf_data["id"]), {}))
    new = SiteConfig.model_validate(data)
    new._path = site.path
    return new
