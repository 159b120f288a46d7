"""The tracker on real MOTChallenge sequences, scored by py-motmetrics / TrackEval.

Floors sit a few points under the numbers in docs/accuracy.md, so a real regression fails while
harmless reshuffles do not.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from storepixel.tracking.mot_io import read_mot_file, write_mot_rows


@pytest.fixture(scope="module")
def motlib() -> ModuleType:
    return importlib.import_module("storepixel.evaluation.mot")


@pytest.mark.parametrize(
    ("name", "min_mota", "min_idf1"),
    [("pets09-s3mf1", 0.72, 0.80), ("tud-campus", 0.44, 0.55)],
)
def test_public_detections(
    motlib: ModuleType,
    shared_eval: Path,
    tmp_path: Path,
    name: str,
    min_mota: float,
    min_idf1: float,
) -> None:
    seq = motlib.load_sequence(shared_eval / name)
    rows = motlib.run_storepixel(seq, motlib.public_detections(seq))
    # Score what the CLI would write: rows through the MOT file writer and reader.
    path = tmp_path / "out.txt"
    write_mot_rows(path, rows)
    m = motlib.evaluate(seq, [tuple(r[:7]) for r in read_mot_file(path)])
    assert m["mota"] >= min_mota, m
    assert m["idf1"] >= min_idf1, m
    assert m["idsw"] <= 6, m


@pytest.mark.slow
def test_bundled_detector_on_pets(motlib: ModuleType, shared_eval: Path) -> None:
    """The issue's bar: MOTA and IDF1 at least 0.8 with the bundled detector."""
    from storepixel.vision.detector import load_detector

    seq = motlib.load_sequence(shared_eval / "pets09-s3mf1")
    detector = load_detector(None)
    images = dict(motlib.iter_images(seq))
    dets = {f: detector.detect(img) for f, img in images.items()}
    m = motlib.evaluate(seq, motlib.run_storepixel(seq, dets, images=images))
    assert m["mota"] >= 0.85, m
    assert m["idf1"] >= 0.85, m
    # The file output (backfilled, gaps interpolated) only adds correct rows here.
    f = motlib.evaluate(seq, motlib.run_storepixel(seq, dets, images=images, offline=True))
    assert f["mota"] > m["mota"] and f["idf1"] >= m["idf1"] and f["fn"] < m["fn"], (m, f)


def test_file_output_recovers_hidden_people_on_tud(motlib: ModuleType, shared_eval: Path) -> None:
    seq = motlib.load_sequence(shared_eval / "tud-campus")
    dets = motlib.public_detections(seq)
    m = motlib.evaluate(seq, motlib.run_storepixel(seq, dets))
    f = motlib.evaluate(seq, motlib.run_storepixel(seq, dets, offline=True))
    assert f["fn"] < 0.8 * m["fn"] and f["mota"] > m["mota"] + 0.1, (m, f)


@pytest.mark.slow
def test_colour_cue_keeps_identities_on_tud(motlib: ModuleType, shared_eval: Path) -> None:
    """Two people cross behind a nearer one: with the frame, the colour cue keeps the straddling
    box from dragging a track onto the neighbour and the recoveries on the right people."""
    from storepixel.tracking import TrackerConfig
    from storepixel.vision.detector import load_detector

    seq = motlib.load_sequence(shared_eval / "tud-campus")
    detector = load_detector(None)
    images = dict(motlib.iter_images(seq))
    dets = {f: detector.detect(img) for f, img in images.items()}
    boxes_only = TrackerConfig(appearance=False)
    for offline in (False, True):
        m = motlib.evaluate(seq, motlib.run_storepixel(seq, dets, images=images, offline=offline))
        b = motlib.evaluate(
            seq, motlib.run_storepixel(seq, dets, boxes_only, images=images, offline=offline)
        )
        assert m["idf1"] >= b["idf1"] and m["mota"] >= b["mota"], (offline, m, b)
    # file output (docs: 0.604 / 0.761 against 0.543 / 0.740 boxes only)
    assert m["idf1"] >= b["idf1"] + 0.015 and m["mota"] >= b["mota"] + 0.03, (m, b)
    # The floor leaves room for the detector runtime's rounding: OpenVINO bf16 on an AMX CPU
    # gives 0.579 / 0.749 on the same frames, onnxruntime float32 0.604 / 0.761.
    assert m["idf1"] >= 0.73 and m["mota"] >= 0.56, m
