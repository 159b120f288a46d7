"""Our plaza truth (``bench/truth/plaza/vtest``) loads against the fetched sample, is consistent,
and a truth that covers only the start of a clip is scored only there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storepixel.evaluation.mot import Sequence, evaluate, load_sequence, switch_events

TRUTH = Path(__file__).resolve().parents[2] / "bench" / "truth" / "plaza" / "vtest"


@pytest.fixture(scope="module")
def plaza(vtest_path: Path) -> Sequence:
    return load_sequence(TRUTH)  # the video named in seqinfo.ini is found in the checkout


def test_plaza_truth_is_consistent(plaza: Sequence, vtest_path: Path) -> None:
    seq = plaza
    assert seq.image_dir.resolve() == vtest_path.resolve()
    assert (seq.n_frames, seq.frame_size, seq.fps) == (795, (768, 576), 10.0)
    assert set(seq.gt[:, 0].astype(int)) == set(seq.scored_frames())  # people on every one
    pairs = {(int(f), int(i)) for f, i in seq.gt[:, :2]}
    assert len(pairs) == len(seq.gt)  # one box per person per frame
    w, h = seq.frame_size
    x, y, bw, bh = seq.gt[:, 2:6].T
    assert (bw > 0).all() and (bh >= 20).all()
    assert (x > -bw / 2).all() and (x + bw / 2 < w).all() and (y + bh <= h + 2).all()
    m = evaluate(seq, [(*r[:6], 1.0) for r in seq.gt])
    assert m["mota"] == 1.0 and m["idf1"] == 1.0, m


def test_truth_of_the_first_frames_only_scores_them(plaza: Sequence, tmp_path: Path) -> None:
    part = tmp_path / "vtest"
    shutil.copytree(TRUTH, part)
    ini = part / "seqinfo.ini"
    ini.write_text(ini.read_text() + "labelled_last = 401\n")
    seq = load_sequence(part)
    assert seq.scored_frames()[-1] == 401 and seq.gt[:, 0].max() == 401
    full = plaza
    # Every true box of the whole clip as hypotheses: those after frame 401 are not counted ...
    m = evaluate(seq, [(*r[:6], 1.0) for r in full.gt])
    assert m["mota"] == 1.0 and m["fp"] == 0, m
    # ... while a stray box inside the labelled range is a false positive.
    m = evaluate(seq, [*((*r[:6], 1.0) for r in seq.gt), (6.0, 999.0, 10.0, 10.0, 30.0, 80.0, 1.0)])
    assert m["fp"] == 1, m


def test_switch_events_name_the_swapped_people(plaza: Sequence) -> None:
    seq = plaza
    # The truth as a tracker's output, except that two people who cross (ids 4 and 6) swap
    # hypothesis ids from frame 171 on.
    swap = {4: 6, 6: 4}
    rows = [
        (f, swap.get(int(i), i) if f >= 171 else i, x, y, w, h, 1.0)
        for f, i, x, y, w, h in seq.gt[:, :6]
    ]
    events = switch_events(seq, rows)
    assert [(e["frame"], e["truth"], e["before"], e["after"]) for e in events] == [
        (171, 4, 4, 6),
        (171, 6, 6, 4),
    ], events
    assert events[0]["after_was_on"] == 6 and events[1]["after_was_on"] == 4
    assert evaluate(seq, rows)["idsw"] == 2
