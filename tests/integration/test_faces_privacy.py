"""Issue 18's privacy must-show for the opt-in face features, on real footage with faces
(``../shared/eval/stills/faces/short_hamilton_clip.mp4``, where YuNet finds faces) and on SQLite and
PostgreSQL:

- off (the default), no face model is even created during a real ``analyze`` run;
- on, after a real run no table holds an image or a per-person attribute;
- descriptors are encrypted at rest (the raw column / the SQLite file never holds them in clear);
- deleting by visitor id and retention expiry remove them;
- switches on without a key, an unknown visitor id: one-line errors.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.config.site import SiteConfig, load_site
from storepixel.describe.faces import FaceBlur
from storepixel.errors import ConfigError, StorepixelError
from storepixel.events.bus import build_bus
from storepixel.faces import attributes as attributes_module
from storepixel.faces import descriptor as descriptor_module
from storepixel.faces.attributes import AGE_BANDS
from storepixel.faces.keys import create_key, open_box, site_key
from storepixel.pipeline.file_job import FileAnalysis, analyze_file
from storepixel.store import Store, accounts, open_store, run_id
from storepixel.store.faces import COUNTS, FACES, VISITS, delete_visitor, record_run, visitor_ids
from storepixel.store.privacy import export_subject
from storepixel.store.retention import enforce

pytestmark = pytest.mark.slow

START = 1714557600.0  # 2024-05-01T10:00:00Z
PER_PERSON = ("track_id", "visitor_id")
# SQLite's full-text index of the events' words (search): binary b-tree pages of text, not images.
FTS_INDEX = {("search_fts_data", "block")}


def _site(tmp: Path, *, on: bool) -> Path:
    data: dict[str, Any] = {
        "site": {"id": "demo"},
        "cameras": [
            {
                "id": "cam1",
                "zones": [{"id": "left", "polygon": [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}],
            }
        ],
    }
    if on:
        data["faces"] = {"attributes": True, "visitors": True, "min_count": 2}
    path = tmp / "site.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clip(shared_eval: Path) -> Path:
    return shared_eval / "stills" / "faces" / "short_hamilton_clip.mp4"


class Loads:
    """Counts every face model created: YuNet detectors, age/gender sessions, dlib models."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        blur_detector = FaceBlur._detector
        create_session = attributes_module.create_session
        load_dlib = descriptor_module._load

        def detector(blur: FaceBlur, w: int, h: int) -> Any:
            self.calls.append("yunet")
            return blur_detector(blur, w, h)

        def session(path: Path, threads: int = 2) -> Any:
            self.calls.append(path.name)
            return create_session(path, threads)

        def dlib_models() -> Any:
            self.calls.append("dlib")
            return load_dlib()

        monkeypatch.setattr(FaceBlur, "_detector", detector)
        monkeypatch.setattr(attributes_module, "create_session", session)
        monkeypatch.setattr(descriptor_module, "_load", dlib_models)


@pytest.fixture(scope="module")
def run_on(clip: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteConfig, Any]:
    """One real analysis with both features on (module-wide); recorded into each store below."""
    tmp = tmp_path_factory.mktemp("faces")
    site = load_site(_site(tmp, on=True))
    key = create_key(site.faces.key_path("demo", site.path))
    with pytest.MonkeyPatch.context() as mp:
        loads = Loads(mp)
        analysis = analyze_file(clip, site, site.cameras[0], None, start=START)
    assert {"yunet", "age-v1.onnx", "gender-v1.onnx", "dlib"} <= set(loads.calls)
    assert analysis.faces is not None and analysis.faces.descriptors >= 2, "no faces found"
    return site, (analysis, key)


def _record(store: Store, site: SiteConfig, analysis: FileAnalysis, key: bytes) -> str:
    rid = run_id("demo", "cam1", "clip.mp4", analysis.anchor)
    build_bus(site, store).publish(analysis.events, analysis.metrics)
    record_run(store, site, "cam1", rid, analysis.faces, key, actor="analyze")
    return rid


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def recorded(store_url: str, run_on: tuple[SiteConfig, Any]) -> Iterator[tuple[Store, Any]]:
    site, (analysis, key) = run_on
    with open_store(store_url) as store:
        _record(store, site, analysis, key)
        yield store, (site, analysis, key)


def test_off_no_face_model_is_loaded(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = load_site(_site(tmp_path, on=False))
    site.cameras[0].analysis_fps = 1.0  # a shorter run: only whether models load matters
    loads = Loads(monkeypatch)
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        bus = build_bus(site, store)
        analysis = analyze_file(clip, site, site.cameras[0], bus, start=START)
        bus.close()
        assert analysis.frames > 0 and analysis.events  # people were there, and counted
        assert analysis.faces is None and loads.calls == []
        with store.connect() as conn:
            assert conn.execute(select(FACES)).all() == []
            assert conn.execute(text("SELECT count(*) FROM face_attribute_counts")).scalar() == 0


def test_on_no_table_holds_an_image_or_a_per_person_attribute(
    recorded: tuple[Store, Any],
) -> None:
    store, (_site_cfg, analysis, _key) = recorded
    labels = set(AGE_BANDS) | {"female", "male"}
    with store.connect() as conn:
        tables = inspect(conn).get_table_names()
        assert conn.execute(text("SELECT count(*) FROM face_attribute_counts")).scalar()
        for table in tables:
            cols = [c["name"] for c in inspect(conn).get_columns(table)]
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
            for row in rows:
                for col, value in row.items():
                    if isinstance(value, bytes | memoryview) and (table, col) not in FTS_INDEX:
                        # The only binary column: a sealed 128-float descriptor, never a picture.
                        assert (table, col) == ("visitor_faces", "descriptor"), (table, col)
                        assert len(bytes(value)) == 2 + 12 + 128 * 4 + 16
                    elif isinstance(value, str):
                        assert len(value) < 20000 and not re.match(r"^(/9j/|iVBOR)", value)
                if any(key in cols for key in PER_PERSON):
                    # A row about one person names no attribute of their face.
                    plain = json.dumps({k: str(v) for k, v in row.items()})
                    assert not any(f'"{label}"' in plain for label in labels), (table, row)
        # The counts are aggregates: no per-person column, no time finer than the hour.
        count_cols = {c["name"] for c in inspect(conn).get_columns("face_attribute_counts")}
        assert not count_cols & set(PER_PERSON)
        hours = conn.execute(select(COUNTS.c.hour_start).distinct()).scalars().all()
    assert hours and all(h % 3600 == 0 for h in hours), hours
    assert analysis.faces.estimates == analysis.faces.descriptors  # one estimate per visit


def test_descriptors_are_encrypted_at_rest(recorded: tuple[Store, Any], tmp_path: Path) -> None:
    store, (_site, analysis, key) = recorded
    plain = [v.descriptor.tobytes() for v in analysis.faces.visits]
    with store.connect() as conn:
        rows = conn.execute(select(FACES.c.visitor_id, FACES.c.descriptor)).all()
    assert rows
    opened = set()
    for vid, sealed in rows:
        sealed = bytes(sealed)
        assert sealed[:2] == b"G1"
        assert all(p[:64] not in sealed for p in plain)  # no run of the clear descriptor
        opened.add(open_box(key, sealed, "demo", vid))
    assert opened <= set(plain)  # the newest descriptor of each visitor, sealed
    wrong = create_key(tmp_path / "other.key")
    with pytest.raises(ConfigError, match="does not open"):
        open_box(wrong, bytes(rows[0][1]), "demo", rows[0][0])
    if store.dialect == "sqlite":
        raw = Path(store.engine.url.database or "").read_bytes()
        assert all(p[:32] not in raw for p in plain)


def test_delete_by_id_and_retention_remove_them(recorded: tuple[Store, Any]) -> None:
    store, (site, _analysis, _key) = recorded
    ids = visitor_ids(store, "demo")
    assert len(ids) >= 2
    # A data-subject export shows the descriptor only as the sealed bytes (base64), as JSON.
    found = export_subject(store, "visitor_id", ids[0], actor="dpo")
    sealed = base64.b64decode(json.loads(json.dumps(found))["visitor_faces"][0]["descriptor"])
    assert sealed[:2] == b"G1" and len(found["visitor_visits"]) >= 1
    gone = delete_visitor(store, "demo", ids[0], actor="dpo")
    assert gone["visitor_faces"] == 1 and gone["visitor_visits"] >= 1
    with store.connect() as conn:
        assert not conn.execute(select(VISITS).where(VISITS.c.visitor_id == ids[0])).all()
    log = [(e["actor"], e["action"], e["target"]) for e in accounts.audit_entries(store)]
    assert ("dpo", "privacy.delete", f"visitor_id={ids[0]}") in log
    assert ("analyze", "faces.visitors", "demo/cam1") in log
    assert ("analyze", "faces.attributes", "demo/cam1") in log
    with pytest.raises(StorepixelError, match=f"has no visitor '{ids[0]}'"):
        delete_visitor(store, "demo", ids[0], actor="dpo")
    # Retention (30 days by default): kept the day before, gone the day after.
    enforce(store, site, now=START + 29 * 86400)
    assert visitor_ids(store, "demo") == ids[1:]
    report = enforce(store, site, now=START + 31 * 86400)
    assert report.deleted["visitor_faces"] == len(ids) - 1
    with store.connect() as conn:
        assert conn.execute(select(VISITS)).all() == []
        # The aggregate counts are metrics (kept 730 days by default).
        assert conn.execute(text("SELECT count(*) FROM face_attribute_counts")).scalar()


def test_bad_input_is_one_line(clip: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    site = _site(tmp_path, on=True)
    db = f"sqlite:///{tmp_path / 'b.db'}"
    r = runner.invoke(app, ["analyze", str(clip), "--site", str(site), "--db", db])
    assert r.exit_code == 2 and "does not exist: create it with `storepixel visitors keygen" in (
        r.output
    )
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    with pytest.raises(ConfigError, match="does not exist"):
        site_key(load_site(site).faces, "demo", site)
    r = runner.invoke(app, ["visitors", "keygen", "--site", str(site), "--db", db])
    assert r.exit_code == 0 and (tmp_path / "demo.visitors.key").stat().st_mode & 0o077 == 0
    r = runner.invoke(app, ["visitors", "keygen", "--site", str(site), "--db", db])
    assert r.exit_code == 2 and "already exists" in r.output
    r = runner.invoke(app, ["visitors", "delete", "nobody", "--site", str(site), "--db", db])
    assert r.exit_code == 2 and r.output.strip() == "error: site 'demo' has no visitor 'nobody'"
    r = runner.invoke(app, ["privacy", "delete", "--visitor", "nobody", "--db", db])
    assert r.exit_code == 2 and "no visitor 'nobody' is stored" in r.output


def test_live_cameras_store_counts_and_visits(clip: Path, tmp_path: Path) -> None:
    """`storepixel run` (the supervisor) plays the clip as a camera: the same opt-in features,
    written as they come, audited per run."""
    from storepixel.pipeline.supervisor import Supervisor
    from tests.fixtures.helpers import wait_for

    path = _site(tmp_path, on=True)
    site = load_site(path)
    site.cameras[0].source = str(clip)
    with pytest.raises(ConfigError, match="does not exist"):
        Supervisor(site, open_store("sqlite://"))  # no key yet: refused before anything starts
    create_key(site.faces.key_path("demo", site.path))
    with open_store(f"sqlite:///{tmp_path / 'live.db'}") as store:
        sup = Supervisor(site, store, flush_interval_s=0.5)
        sup.start()
        try:
            assert wait_for(lambda: sup.health()["cam1"].state == "streaming", 30)
            # Played at its own rate (9 s); then the file ends and the camera stops streaming.
            assert wait_for(lambda: sup.health()["cam1"].state != "streaming", 40)
        finally:
            sup.stop()
        assert visitor_ids(store, "demo")
        with store.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM face_attribute_counts")).scalar()
        log = [(e["action"], e["target"]) for e in accounts.audit_entries(store)]
        assert ("faces.visitors", "demo/cam1") in log and ("faces.attributes", "demo/cam1") in log
