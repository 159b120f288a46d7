"""Our plaza truth (``bench/truth/plaza/vtest``) loads against the fetched sample and is scored
only where it was labelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from storepixel.evaluation.mot import evaluate, load_sequence

TRUTH = Path(__file__).resolve().parents[2] / "bench" / "truth" / "plaza" / "vtest"


def test_plaza_truth_is_consistent_and_scored_only_where_labelled(vtest_path: Path) -> None:
    seq = load_sequence(TRUTH)  # the video named in seqinfo.ini is found in the checkout
    assert seq.image_dir.resolve() == vtest_path.resolve()
    assert (seq.n_frames, seq.frame_size, seq.fps) == (795, (768, 576), 10.0)
    frames = seq.gt[:, 0].astype(int)
    assert set(frames) == set(seq.scored_frames())  # every labelled frame has people, no others
    pairs = {(int(f), int(i)) for f, i in seq.gt[:, :2]}
    assert len(pairs) == len(seq.gt)  # one box per person per frame
    w, h = seq.frame_size
    x, y, bw, bh = seq.gt[:, 2:6].T
    assert (bw > 0).all() and (bh >= 20).all()
    assert (x > -bw / 2).all() and (x + bw / 2 < w).all() and (y + bh <= h + 2).all()

    # The truth scores itself perfectly; rows after the labelled range are not counted against it.
    rows = [(*r[:6], 1.0) for r in seq.gt]
    last = seq.scored_frames()[-1]
    extra = [(float(f), 999.0, 10.0, 10.0, 30.0, 80.0, 1.0) for f in range(last + 5, 796, 5)]
    m = evaluate(seq, rows + extra)
    assert m["mota"] == 1.0 and m["idf1"] == 1.0 and m["fp"] == 0, m
    # ... while a box inside it is a false positive.
    m = evaluate(seq, [*rows, (1.0, 999.0, 10.0, 10.0, 30.0, 80.0, 1.0)])
    assert m["fp"] == 1, m
    assert np.isclose(m["precision"], len(rows) / (len(rows) + 1))
