"""Policy tests for what leaves the box and what is kept: no image or biometric column unless an
opt-in feature needs it, no frame written to disk unless asked, no image in any output, and no
credential in a log line, an error, the outbox or a repr."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect

from storepixel.alerts.engine import AlertChange
from storepixel.config.site import parse_site
from storepixel.outputs.dispatcher import Dispatcher, build_destination
from storepixel.outputs.mqtt import discovery_messages, state_message
from storepixel.outputs.outbox import Outbox
from storepixel.outputs.payloads import alert_message, event_message, metric_message
from storepixel.outputs.sink import OutwardSink
from storepixel.store import open_store
from storepixel.store.models import Base
from storepixel.types import Event, MetricRow
from tests.fixtures.receivers import free_port

SRC = Path(__file__).resolve().parents[3] / "src" / "storepixel"
# Column names that would hold a picture or something that identifies a face or body.
# Whole words of a name (``frames``, a count of frames, is fine; ``frame`` or ``face_crop`` not).
SENSITIVE = re.compile(
    r"(^|_)(image|images|frame|jpe?g|png|snapshot|thumbnail|photo|picture|face|faces|crop|"
    r"embedding|descriptor|biometric|reid|feature_vector)(_|$)",
    re.IGNORECASE,
)
# Tables an opt-in feature may add with such a column: table → the setting that turns it on.
OPT_IN: dict[str, str] = {
    # Returning visitors: a sealed (AES-GCM) descriptor per visitor, only with the switch on;
    # tests/integration/test_faces_privacy.py reads the raw column.
    "visitor_faces": "faces.visitors",
}


def test_no_table_has_an_image_or_biometric_column(tmp_path: Path) -> None:
    for table in Base.metadata.sorted_tables:
        if table.name in OPT_IN:
            continue
        for column in table.columns:
            assert not SENSITIVE.search(column.name), f"{table.name}.{column.name}"
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        insp = inspect(store.engine)
        for name in insp.get_table_names():
            if name in OPT_IN:
                continue
            for column in insp.get_columns(name):
                assert not SENSITIVE.search(column["name"]), f"{name}.{column['name']}"


# Every place in the code that can put a picture on disk, and why it is allowed: a new one fails
# this test until someone has decided it is opt-in.
FRAME_WRITERS = {
    ("pipeline/annotate.py", "cv2.VideoWriter"): "the annotated video: only with --annotate",
    ("pipeline/file_job.py", "VideoWriter("): "the annotated video: only with --annotate",
    ("api/uploads.py", 'open(self.upload.path, "wb")'): "an uploaded video, deleted after analysis",
    ("files.py", 'os.fdopen(fd, "wb")'): "atomic writes: Parquet exports of events (no picture)",
    (
        "describe/media.py",
        ".write_bytes(pic.jpeg)",
    ): "describe.media.store: opt-in, with a retention",
}
WRITE_CALLS = (
    "cv2.imwrite",
    "cv2.VideoWriter",
    "VideoWriter(",
    ".tofile(",
    "np.save(",
    '"wb")',
    ".write_bytes(pic",
)


def test_no_code_path_writes_frames_to_disk_unless_enabled() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC).as_posix()
        for call in WRITE_CALLS:
            for line in text.splitlines():
                if call in line and not line.lstrip().startswith(("#", '"', "'")):
                    key = next((k for k in FRAME_WRITERS if k[0] == rel and k[1] in line), None)
                    found.add(key or (rel, line.strip()))
    unexpected = {k for k in found if k not in FRAME_WRITERS}
    assert not unexpected, f"picture written to disk outside the opt-in list: {unexpected}"
    file_job = (SRC / "pipeline" / "file_job.py").read_text()
    assert "VideoWriter(annotate, " in file_job and "if annotate else None" in file_job


def _no_picture(value: object, where: str = "payload") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert not SENSITIVE.search(str(k)) or k == "type", f"{where}.{k}"
            _no_picture(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_picture(v, f"{where}[{i}]")
    elif isinstance(value, str):
        assert len(value) < 2000, f"{where}: a long string (an encoded picture?)"
    else:
        assert value is None or isinstance(value, int | float | bool), where


def test_outputs_carry_no_image() -> None:
    # What an output is built from cannot hold a picture: no array or bytes field.
    for cls in (Event, MetricRow, AlertChange):
        for f in dataclasses.fields(cls):
            assert "ndarray" not in str(f.type) and "bytes" not in str(f.type), (cls, f.name)
    ev = Event("e1", "zone_exit", "demo", "cam1", 1e9, "t1", "z", {"dwell_s": 3.0})
    change = AlertChange(
        "a", "opened", "demo", "cam1", "r", "dwell_over", "z", "info", 1e9, 1e9, 1.0, 1.0, "m", 0
    )
    row = MetricRow("demo", "cam1", "z", "occupancy_avg", 1e9, 1.0, 5, 1.0)
    messages = [event_message(ev), alert_message(change), metric_message(row)]
    messages += [state_message("demo", "cam1", "z", "occupancy", 2, "2024-01-01T00:00:00Z")]
    messages += discovery_messages("demo", "cam1", "storepixel", [("z", "occupancy", "Z")])
    for m in messages:
        _no_picture(json.loads(json.dumps(m.payload)))
        assert m.payload["id"] == m.message_id
    # An event whose producer slipped a frame into its properties is refused, not sent.
    bad = Event("e2", "zone_enter", "demo", "cam1", 1e9, "t1", "z", {"frame": np.zeros((2, 2))})
    with pytest.raises(Exception):  # noqa: B017 - whatever the schema raises, it must not pass
        json.dumps(event_message(bad).payload)


def test_credentials_never_reach_logs_errors_or_the_outbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = {"HOOK_SECRET": "hook-s3cret", "MQTT_PW": "mqtt-s3cret", "GA_SECRET": "ga-s3cret"}
    for k, v in secrets.items():
        monkeypatch.setenv(k, v)
    dead = free_port()  # nothing listens here
    site = parse_site(
        {
            "site": {"id": "demo"},
            "cameras": [{"id": "cam1", "lines": [{"id": "door", "points": [[0, 0.5], [1, 0.5]]}]}],
            "outputs": [
                {
                    "kind": "webhook",
                    "url": f"http://u:url-s3cret@127.0.0.1:{dead}/h?token=tok-s3cret",
                    "secret_env": "HOOK_SECRET",
                    "backoff_s": 0.01,
                },
                {
                    "kind": "mqtt",
                    "url": f"mqtt://127.0.0.1:{dead}",
                    "username": "shop",
                    "password_env": "MQTT_PW",
                    "backoff_s": 0.01,
                    "home_assistant": False,
                },
                {
                    "kind": "ga4",
                    "url": f"http://127.0.0.1:{dead}/mp/collect",
                    "measurement_id": "G-1",
                    "api_secret_env": "GA_SECRET",
                    "backoff_s": 0.01,
                },
            ],
        }
    )
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    sink = OutwardSink(store, site)
    sink.write_events(
        [
            Event(
                "e1",
                "line_crossing",
                "demo",
                "cam1",
                1e9,
                "t1",
                "door",
                {"direction": "in", "line_id": "door"},
            )
        ]
    )
    with caplog.at_level(logging.DEBUG):
        dispatcher = Dispatcher.for_site(store, site)
        assert dispatcher.drain(0.3) > 0
        dispatcher.stop()
    shown = caplog.text + " ".join(repr(build_destination(o, site)) for o in site.outputs)
    for name in ("webhook-1", "mqtt-2", "ga4-3"):
        shown += json.dumps(Outbox(store).counts(name).reasons)
    assert "unreachable" in caplog.text
    for secret in [*secrets.values(), "url-s3cret", "tok-s3cret"]:
        assert secret not in shown, secret
    store.close()
